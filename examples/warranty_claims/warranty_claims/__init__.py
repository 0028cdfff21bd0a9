"""Warranty claims: a mission with its own simulated system, outside the platform (see docs/missions.md)."""
