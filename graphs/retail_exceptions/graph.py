"""The retail-exceptions mission's graph: the platform's standard shape (with action tiers) around its gather."""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import StateGraph

from ai_missions.graphs.retail_exceptions.gather import gather
from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import exported_graph, mission_graph


def build_graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    """The mission's uncompiled graph (the spec's ``graph``)."""
    return mission_graph(mission, partial(gather, mission))


def exported(mission: MissionSpec) -> Any:
    """The graph LangGraph's server serves, compiled without a checkpointer (``served.py``)."""
    return exported_graph(mission, partial(gather, mission))
