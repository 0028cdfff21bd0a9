"""The warranty mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject
from warranty_claims import prompts
from warranty_claims.evals import PLUGIN
from warranty_claims.invariants import invariants
from warranty_claims.questions import question_for
from warranty_claims.tools import TOOLS
from warranty_claims.trigger import TRIGGER
from warranty_claims.vocabulary import VOCABULARY

if TYPE_CHECKING:
    from langgraph.graph import StateGraph


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from warranty_claims.graph import build_graph

    return build_graph(mission)


SPEC: Mission[None, Facts] = Mission(
    name="warranty-claims",
    title="Warranty claims",
    description="Check each open warranty claim against the warranty window and its serial's history; a covered "
    "claim is approved and credited once a warranty agent signs off.",
    subject=Subject(kind="claim", example="WC-1001", pattern=r"WC-[0-9]{4,8}", lookup=("get_claim", "claim_id")),
    systems=("warranty",),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=PLUGIN,
    policies=Path(__file__).resolve().parent / "policies",
    reviewers={"wanda": "warranty_agent", "lars": "warranty_lead"},
)
