"""The invoice-approval mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_missions.graphs.invoice_approval import prompts
from ai_missions.graphs.invoice_approval.evals import PLUGIN
from ai_missions.graphs.invoice_approval.invariants import invariants
from ai_missions.graphs.invoice_approval.questions import question_for
from ai_missions.graphs.invoice_approval.tools import TOOLS
from ai_missions.graphs.invoice_approval.trigger import TRIGGER
from ai_missions.graphs.invoice_approval.vocabulary import VOCABULARY
from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject

if TYPE_CHECKING:
    from langgraph.graph import StateGraph
    from pydantic import BaseModel


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from ai_missions.graphs.invoice_approval.graph import build_graph

    return build_graph(mission)


SPEC: Mission[BaseModel, Facts] = Mission(
    name="invoice-approval",
    title="Invoice approval",
    description="A supplier invoice awaiting approval: match it to its PO and receipts, check duplicates, bank "
    "changes and budget, and propose approve, approve with note, hold, reject or escalate.",
    subject=Subject(
        kind="invoice", example="INV-100123", pattern=r"INV-[0-9]{4,12}", lookup=("get_invoice", "invoice_id")
    ),
    systems=("ap", "purchasing", "receiving", "budget"),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=PLUGIN,
    policies=Path(__file__).resolve().parent / "policies",
    reviewers={"priya": "ap_clerk", "marco": "ap_manager"},
)
