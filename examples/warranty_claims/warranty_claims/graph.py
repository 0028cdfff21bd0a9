"""The warranty mission's graph: the platform's standard shape around its gather step."""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import StateGraph

from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import mission_graph
from warranty_claims.gather import gather


def build_graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    """The mission's uncompiled graph (the spec's ``graph``)."""
    return mission_graph(mission, partial(gather, mission))
