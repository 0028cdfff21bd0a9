"""The support mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.graphs.support.invariants import invariants
from ai_missions.graphs.support.questions import question_for
from ai_missions.graphs.support.read_back import read_back
from ai_missions.graphs.support.tools import TOOLS
from ai_missions.graphs.support.vocabulary import VOCABULARY
from ai_missions.mission_api import MissionSpec, Subject

_PACKAGE = "ai_missions.graphs.support"
_HERE = Path(__file__).resolve().parent

SPEC = MissionSpec.in_package(
    _PACKAGE,
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
    read_back=read_back,
    policies=_HERE / "policies",
    reviewers={"sam": "support_agent", "lee": "support_lead"},
    portal_pages={"Customer portal": _HERE / "portal.py"},
    customer_tools=frozenset({"open_ticket", "add_customer_message"}),
)
