"""The order-exception mission: gather, retrieve policies, reason, guard, approve, execute, close.

``build_graph()`` returns the uncompiled builder; ``graph`` is compiled without a checkpointer so LangGraph's own
server can add its own (``langgraph.json``); the runtime compiles with the durable SQLite one.
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

from ai_missions.nodes.approval import request_approval
from ai_missions.nodes.close import close
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.execute import execute, execute_automatic
from ai_missions.nodes.gather import gather
from ai_missions.nodes.guard import review_actions
from ai_missions.nodes.reason import reason, validate
from ai_missions.nodes.retrieve import retrieve_policies
from ai_missions.nodes.state import MissionState

MISSION = "order-exception"


class MissionInput(TypedDict, total=False):
    order_id: str
    trigger: dict[str, object]


def needs_review(state: MissionState) -> Literal["request_approval", "close"]:
    return "request_approval" if review_actions(state["verdict"]["actions"]) else "close"


def build_graph() -> StateGraph[MissionState, MissionContext, MissionInput, MissionState]:
    builder = StateGraph(MissionState, context_schema=MissionContext, input_schema=MissionInput)
    builder.add_node("gather", gather)
    builder.add_node("retrieve_policies", retrieve_policies)
    builder.add_node("reason", reason)
    builder.add_node("validate", validate)
    builder.add_node("execute_automatic", execute_automatic)
    builder.add_node("request_approval", request_approval)
    builder.add_node("execute", execute)
    builder.add_node("close", close)
    builder.add_edge(START, "gather")
    builder.add_edge("gather", "retrieve_policies")
    builder.add_edge("retrieve_policies", "reason")
    builder.add_edge("reason", "validate")
    builder.add_edge("validate", "execute_automatic")
    builder.add_conditional_edges("execute_automatic", needs_review)
    builder.add_edge("request_approval", "execute")
    builder.add_edge("execute", "close")
    builder.add_edge("close", END)
    return builder


graph = build_graph().compile(name=MISSION)
