"""The support mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_missions.graphs.support import prompts
from ai_missions.graphs.support.invariants import invariants
from ai_missions.graphs.support.questions import question_for
from ai_missions.graphs.support.read_back import read_back
from ai_missions.graphs.support.tools import TOOLS
from ai_missions.graphs.support.trigger import TRIGGER
from ai_missions.graphs.support.vocabulary import VOCABULARY
from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject

if TYPE_CHECKING:
    from langgraph.graph import StateGraph

    from ai_missions.graphs.support.parse.request import SupportRequest
    from ai_missions.mission_api import EvalPlugin

_HERE = Path(__file__).resolve().parent


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from ai_missions.graphs.support.graph import build_graph

    return build_graph(mission)


def _evals() -> EvalPlugin:
    # deferred: start-up time (the plugin registers its scorers with the harness, about 0.2 s)
    from ai_missions.graphs.support.evals import PLUGIN

    return PLUGIN


SPEC: Mission[SupportRequest, Facts] = Mission(
    name="support",
    title="Customer support",
    description="A customer's ticket: understand what they ask, check it against the order, billing and shipping "
    "systems, and propose the refund, cancellation, ship-to change, exchange, answer or question back, with the "
    "reply to send in the customer's language.",
    subject=Subject(
        kind="ticket", example="TKT-000001", pattern=r"TKT-[0-9]{4,12}", lookup=("get_ticket", "ticket_id")
    ),
    systems=("helpdesk", "erp", "payments", "shipping", "crm"),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=_evals,
    read_back=read_back,
    policies=_HERE / "policies",
    reviewers={"sam": "support_agent", "lee": "support_lead"},
    portal_pages={"Customer portal": _HERE / "portal.py"},
    customer_tools=frozenset({"open_ticket", "add_customer_message"}),
)
