"""The order-exception mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ai_missions.graphs.order_exception import prompts
from ai_missions.graphs.order_exception.evals import PLUGIN
from ai_missions.graphs.order_exception.invariants import invariants
from ai_missions.graphs.order_exception.questions import question_for
from ai_missions.graphs.order_exception.tools import TOOLS
from ai_missions.graphs.order_exception.trigger import TRIGGER
from ai_missions.graphs.order_exception.vocabulary import VOCABULARY
from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject

if TYPE_CHECKING:
    from langgraph.graph import StateGraph
    from pydantic import BaseModel


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from ai_missions.graphs.order_exception.graph import build_graph

    return build_graph(mission)


SPEC: Mission[BaseModel, Facts] = Mission(
    name="order-exception",
    title="Order exceptions",
    description="An order stuck in payment review, oversold, charged twice, duplicated or undeliverable: "
    "investigate across the systems and propose the fix.",
    subject=Subject(kind="order", example="SO-101851", lookup=("get_order", "order_id")),
    systems=("erp", "crm", "inventory", "payments", "shipping"),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=PLUGIN,
    policies=None,  # its policies are the company-wide corpus shipped with Enterprise Knowledge
)
