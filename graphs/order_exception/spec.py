"""The order-exception mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from ai_missions.graphs.order_exception.invariants import invariants
from ai_missions.graphs.order_exception.questions import question_for
from ai_missions.graphs.order_exception.tools import TOOLS
from ai_missions.graphs.order_exception.vocabulary import VOCABULARY
from ai_missions.mission_api import MissionSpec, Subject

_PACKAGE = "ai_missions.graphs.order_exception"

SPEC = MissionSpec.in_package(
    _PACKAGE,
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
    policies=None,  # its policies are the company-wide corpus shipped with Enterprise Knowledge
)
