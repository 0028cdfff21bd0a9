"""The support mission's graph: the platform's standard shape around the support gather step.

``build_graph()`` returns the uncompiled builder; ``graph`` is compiled without a checkpointer so LangGraph's own
server can add its own (``langgraph.json``); the runtime compiles with the durable one."""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

from ai_missions.graphs.support.gather import gather
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.api import exported_graph, mission_graph


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    return mission_graph(SPEC, gather)


#: Served by ``langgraph dev`` (``langgraph.json``): its runs are recorded in the run store.
graph = exported_graph(SPEC, gather)
