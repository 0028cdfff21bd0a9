"""The retail-exceptions mission's graph: the platform's standard shape (with action tiers) around its gather.

It is built for the mission it is handed (the spec's ``graph``): this module never imports the spec."""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import StateGraph

from ai_missions.graphs.retail_exceptions.gather import gather
from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import mission_graph


def build_graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    return mission_graph(mission, partial(gather, mission))
