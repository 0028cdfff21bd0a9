"""The shape every mission shares: gather, retrieve policies, reason, guard, automatic actions, the Decision Queue,
execute, close. A mission brings its gather step (its reads and facts); the platform brings the rest, bound to the
mission's spec::

    builder = mission_graph(SPEC, gather)      # an uncompiled StateGraph
    graph = builder.compile(name=SPEC.name)    # LangGraph's server adds its own checkpointer

Compiled, it is a :class:`~ai_missions.nodes.gate.MissionGraph` (a run starts from its subject alone, its state is
written by its steps only, its context is the server's), and each step checks that the state it is handed was
sealed by the step before it (:mod:`ai_missions.nodes.trust`).
"""

from __future__ import annotations

import inspect
from typing import Any, Literal

from langgraph.graph import END, START
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.approval import answered, approval_node
from ai_missions.nodes.close import close
from ai_missions.nodes.context import ClientContext, MissionContext
from ai_missions.nodes.execute import automatic_node, execute_node
from ai_missions.nodes.gate import MissionBuilder
from ai_missions.nodes.guard import review_actions
from ai_missions.nodes.reading.offline import load_resources
from ai_missions.nodes.reason import reason_node, validate_node
from ai_missions.nodes.recording import recorded as recording_step
from ai_missions.nodes.resources import off_loop
from ai_missions.nodes.retrieve import retrieve_node
from ai_missions.nodes.state import MissionState, Node
from ai_missions.nodes.tiers import tiers_node
from ai_missions.nodes.trust import sealed_step


class MissionInput(TypedDict, total=False):
    subject_id: str
    trigger: dict[str, object]


async def needs_review(state: MissionState) -> Literal["request_approval", "close"]:
    """Where the graph goes after the automatic actions. A coroutine, as every step is: LangGraph runs a plain
    function of an async graph on a worker thread (one thread hop, ~0.1 ms of CPU, for a dict lookup)."""
    return "request_approval" if review_actions(state["verdict"]["actions"]) else "close"


def reading_first(gather: Node) -> Node:
    """The mission's gather, once the reading layer's files are loaded in a thread: a mission reads what people
    wrote while it derives its facts, inside the event loop, and a first read there would wait on a file."""
    wants_runtime = len(inspect.signature(gather).parameters) > 1

    async def gather_after_reading_loads(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        await off_loop(load_resources)
        return await (gather(state, runtime) if wants_runtime else gather(state))

    gather_after_reading_loads.__name__ = getattr(gather, "__name__", "gather")
    return gather_after_reading_loads


def mission_graph(spec: MissionSpec, gather: Node, *, recorded: bool = False) -> MissionBuilder:
    """The standard mission graph for ``spec`` around its ``gather`` node (uncompiled). ``recorded``: each step
    records the run in the run store (:mod:`ai_missions.nodes.recording`), for a graph no runtime drives."""
    builder = MissionBuilder(MissionState, context_schema=ClientContext, input_schema=MissionInput)
    verdict_from = "apply_tiers" if spec.tiers is not None else "validate"
    #: Each step and the steps the graph runs just before it (the first runs from the run's input).
    steps: list[tuple[str, Any, tuple[str, ...]]] = [
        ("gather", reading_first(gather), ()),
        ("retrieve_policies", retrieve_node(spec), ("gather",)),
        ("reason", reason_node(spec), ("retrieve_policies",)),
        ("validate", validate_node(spec), ("reason",)),
        *([("apply_tiers", tiers_node(spec), ("validate",))] if spec.tiers is not None else []),
        ("execute_automatic", automatic_node(spec), (verdict_from,)),
        ("request_approval", approval_node(spec), ("execute_automatic", "request_approval")),  # asked again
        ("execute", execute_node(spec), ("request_approval",)),
        ("close", close, ("execute_automatic", "execute")),
    ]
    for name, node, after in steps:
        step = sealed_step(name, node, after=after)  # acts only on a state the step before it sealed
        builder.add_node(name, recording_step(spec, name, step) if recorded else step)
    builder.add_edge(START, "gather")
    builder.add_edge("gather", "retrieve_policies")
    builder.add_edge("retrieve_policies", "reason")
    builder.add_edge("reason", "validate")
    if spec.tiers is not None:  # the mission's action tiers place each action after the guard
        builder.add_edge("validate", "apply_tiers")
    builder.add_edge(verdict_from, "execute_automatic")
    builder.add_conditional_edges("execute_automatic", needs_review)
    builder.add_conditional_edges("request_approval", answered, ["execute", "request_approval"])
    builder.add_edge("execute", "close")
    builder.add_edge("close", END)
    return builder


def exported_graph(spec: MissionSpec, gather: Node) -> Any:
    """The graph ``langgraph.json`` names: compiled without a checkpointer (LangGraph's server adds its own), its
    runs recorded in the run store like the runtime's."""
    return mission_graph(spec, gather, recorded=True).compile(name=spec.name)
