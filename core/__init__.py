"""AI Missions: LangGraph missions that investigate order exceptions and propose governed decisions."""

__version__ = "0.1.0"
