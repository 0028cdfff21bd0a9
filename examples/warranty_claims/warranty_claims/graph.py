"""The warranty mission's graph: the platform's standard shape around its gather step."""

from __future__ import annotations

from typing import Any

from langgraph.graph import StateGraph

from ai_missions.nodes.api import exported_graph, mission_graph
from warranty_claims.gather import gather
from warranty_claims.spec import SPEC


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    return mission_graph(SPEC, gather)


graph = exported_graph(SPEC, gather)
