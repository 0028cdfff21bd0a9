"""Retail operations: the mission's operating metrics and action tiers (a dashboard page the mission brings)."""
