"""The declared API a mission's graph and gather step import: the platform's standard graph around the mission's
gather, the systems of a run (over MCP) and the first read of its subject, observations for the Explain rail, and
the state they read and write. With :mod:`ai_missions.mission_api`, all a mission from another package imports of
the platform."""

from __future__ import annotations

from ai_missions.gateway import SystemError_
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import observe
from ai_missions.nodes.pipeline import exported_graph, mission_graph
from ai_missions.nodes.resources import systems_of
from ai_missions.nodes.state import MissionState, Observation
from ai_missions.nodes.subject import read_subject

__all__ = [
    "MissionContext",
    "MissionState",
    "Observation",
    "SystemError_",
    "exported_graph",
    "mission_graph",
    "observe",
    "read_subject",
    "systems_of",
]
