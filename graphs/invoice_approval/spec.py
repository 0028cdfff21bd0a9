"""The invoice-approval mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.graphs.invoice_approval.invariants import invariants
from ai_missions.graphs.invoice_approval.questions import question_for
from ai_missions.graphs.invoice_approval.tools import TOOLS
from ai_missions.graphs.invoice_approval.vocabulary import VOCABULARY
from ai_missions.mission_api import MissionSpec, Subject

_PACKAGE = "ai_missions.graphs.invoice_approval"

SPEC = MissionSpec.in_package(
    _PACKAGE,
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
    policies=Path(__file__).resolve().parent / "policies",
    reviewers={"priya": "ap_clerk", "marco": "ap_manager"},
)
