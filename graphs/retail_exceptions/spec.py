"""The retail-exceptions mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_missions.graphs.retail_exceptions import prompts
from ai_missions.graphs.retail_exceptions.evals import PLUGIN
from ai_missions.graphs.retail_exceptions.invariants import invariants
from ai_missions.graphs.retail_exceptions.metrics import operating_metrics
from ai_missions.graphs.retail_exceptions.questions import question_for
from ai_missions.graphs.retail_exceptions.tiers import TIERS
from ai_missions.graphs.retail_exceptions.tools import TOOLS
from ai_missions.graphs.retail_exceptions.trigger import TRIGGER
from ai_missions.graphs.retail_exceptions.vocabulary import VOCABULARY
from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject

if TYPE_CHECKING:
    from langgraph.graph import StateGraph

    from ai_missions.nodes.api import Reading

_HERE = Path(__file__).resolve().parent


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from ai_missions.graphs.retail_exceptions.graph import build_graph

    return build_graph(mission)


SPEC: Mission[Reading, Facts] = Mission(
    name="retail-exceptions",
    title="Retail exceptions",
    description="An omnichannel order the monitors flagged: check store stock and how far its count can be "
    "trusted, find alternatives, and reallocate, reconcile, notify, cancel with goodwill or escalate, within the "
    "action tiers the business sets.",
    subject=Subject(
        kind="order", example="RO-100123", pattern=r"RO-[0-9]{4,12}", lookup=("get_omni_order", "order_id")
    ),
    systems=("oms", "stores"),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=PLUGIN,
    policies=_HERE / "policies",
    reviewers={"rhea": "store_ops", "vik": "retail_manager"},
    tiers=TIERS,
    metrics=operating_metrics,
    pages={"Retail operations": _HERE / "page.py"},
)
