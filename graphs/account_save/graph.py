"""The account mission's graph: the platform's standard shape around the account gather step."""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

from ai_missions.graphs.account_save.gather import gather
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.nodes.api import exported_graph, mission_graph


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    return mission_graph(SPEC, gather)


#: Served by ``langgraph dev`` (``langgraph.json``): its runs are recorded in the run store.
graph = exported_graph(SPEC, gather)
