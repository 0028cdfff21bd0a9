"""The support mission's graph: the platform's standard shape around the support gather step.

``build_graph(mission)`` returns the uncompiled builder (the spec's ``graph``: it is handed the mission, so this
module never imports the spec); ``exported(mission)`` is compiled without a checkpointer so LangGraph's own server
can add its own (``served.py``, ``langgraph.json``); the runtime compiles with the durable one."""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import StateGraph

from ai_missions.graphs.support.gather import gather
from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import exported_graph, mission_graph


def build_graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    """The mission's uncompiled graph (the spec's ``graph``)."""
    return mission_graph(mission, partial(gather, mission))


def exported(mission: MissionSpec) -> Any:
    """The graph LangGraph's server serves, compiled without a checkpointer (``served.py``)."""
    return exported_graph(mission, partial(gather, mission))
