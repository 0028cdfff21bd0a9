"""The customer's thread is taken from the ticket in one place (``graphs/support/request.py``): gather, the facts and
the split into parts work on the :class:`SupportRequest` built there, never on the ticket's messages."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.facts import derive_facts
from ai_missions.graphs.support.request import SupportRequest, request_of
from ai_missions.graphs.support.understanding import read_message
from tests.support.support_case import one_order_case

SUPPORT = Path(__file__).resolve().parents[1] / "graphs" / "support"
#: The one module that takes the thread; the customer portal's page and service show a customer their own tickets
#: and post their messages (they decide nothing).
TAKES_THE_THREAD = {"request.py", "portal.py", "portal_service.py"}


def _reads_messages(source: str) -> list[int]:
    """Lines that take a ticket's ``messages``: ``x["messages"]`` or ``x.get("messages", ...)``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            key = node.args[0] if node.args else None
        if isinstance(key, ast.Constant) and key.value == "messages":
            lines.append(node.lineno)
    return lines


def test_only_the_request_module_takes_the_tickets_messages() -> None:
    modules = [p for p in SUPPORT.glob("*.py") if p.name not in TAKES_THE_THREAD]
    assert len(modules) > 15
    found = {p.name: lines for p in modules if (lines := _reads_messages(p.read_text(encoding="utf-8")))}
    assert found == {}
    # what the scan looks for, planted
    assert _reads_messages('bodies = [m["body"] for m in ticket.get("messages", [])]') == [1]
    assert _reads_messages('last = ticket["messages"][-1]') == [1]


def _pending_case(message: str) -> dict[str, Any]:
    record = {
        "order": {"order_id": "SO-300002", "customer_id": "C-1", "status": "pending", "total": 54.0,
                  "lines": [{"line_no": 1, "sku": "K-1", "description": "Kettle", "quantity": 1,
                             "unit_price": 54.0, "line_total": 54.0}]},
        "payment": {"authorizations": [{"authorization_id": "AUTH-9", "status": "authorized", "card_last4": "4321"}],
                    "captures": [], "captured_amount": 0.0, "refunded_amount": 0.0},
        "shipments": [], "returns": [], "variants": [],
    }  # fmt: skip
    return one_order_case("read-once", "TKT-9", message, record)


def _gathered(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "helpdesk.get_ticket": case["ticket"],
        "identity": {"customer_id": "C-1", "how": "sender"},
        "crm.get_customer": case["customer"],
        "orders": case["orders"],
        "recent_orders": case["recent_orders"],
    }


def test_the_facts_are_taken_from_the_request_not_from_the_tickets_messages() -> None:
    asked = "Please cancel SO-300002, I ordered it by mistake."
    case = _pending_case(asked)
    facts = derive_facts(_gathered(case), request_of(case["ticket"]))
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert facts["cancel.reason"] == "ordered by mistake"
    # the same ticket read from another request: what the request says decides, the ticket's words are not read again
    other = "Where is SO-300002?"
    request = SupportRequest(other, read_message(other), (other,), None, case["ticket"]["messages"][-1]["sent_at"])
    facts = derive_facts(_gathered(case), request)
    assert facts["ticket.case_types"] == ["where_is_order"]
    assert facts["cancel.reason"] is None


def test_a_later_answer_is_the_requests_latest_and_an_unreadable_message_is_left_out() -> None:
    ticket = one_order_case("t", "TKT-10", "cancel my kettle order please", _pending_case("x")["orders"]["SO-300002"])
    ticket = ticket["ticket"]
    ticket["messages"] += [
        {"direction": "outbound", "body": "Which order?", "sent_at": "2026-03-16T15:05:00Z"},
        {"direction": "inbound", "body": "\x00\x01" * 30, "sent_at": "2026-03-16T15:06:00Z"},
        {"direction": "inbound", "body": "it's SO-300002", "sent_at": "2026-03-16T15:07:00Z"},
    ]
    request = request_of(ticket)
    assert request.text == "cancel my kettle order please\nit's SO-300002"
    assert request.latest == "it's SO-300002"
    assert request.sent_at == "2026-03-16T15:07:00Z"
    assert len(request.messages) == 3
    assert "Which order?" not in request.whole
    assert request.reading.intents == ("cancel_order",)
    assert request.reading.order_refs == ("SO-300002",)
    part = request.of_part("cancel SO-300002", request.reading)
    assert part.part
    assert part.latest is None
    assert part.said == "cancel SO-300002"
