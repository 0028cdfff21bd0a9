"""The retail-exceptions mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.graphs.retail_exceptions.invariants import invariants
from ai_missions.graphs.retail_exceptions.questions import question_for
from ai_missions.graphs.retail_exceptions.tiers import TIERS
from ai_missions.graphs.retail_exceptions.tools import TOOLS
from ai_missions.graphs.retail_exceptions.vocabulary import VOCABULARY
from ai_missions.mission_api import MissionSpec, Subject

_PACKAGE = "ai_missions.graphs.retail_exceptions"
_HERE = Path(__file__).resolve().parent

SPEC = MissionSpec.in_package(
    _PACKAGE,
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
    policies=_HERE / "policies",
    reviewers={"rhea": "store_ops", "vik": "retail_manager"},
    tiers=TIERS,
    metrics=f"{_PACKAGE}.metrics:operating_metrics",
    pages={"Retail operations": _HERE / "page.py"},
)
