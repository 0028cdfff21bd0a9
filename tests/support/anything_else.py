"""A support ticket after the mission asked whether anything else of the order is to be exchanged (SUP-007 v6)
and the customer answered: tests of what an exchange does once that is settled start from here."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.exchange_list import LIST_ASKED


def answered(case: dict[str, Any], answer: str = "That's all, thanks.") -> dict[str, Any]:
    """``case`` with the question sent (the reply's tag on the ticket, as the helpdesk keeps it) and ``answer``."""
    ticket = case["ticket"]
    at = ticket["messages"][-1]["sent_at"]
    ticket["messages"] += [
        {"direction": "outbound", "body": "Is there anything else on this order you would like to exchange?",
         "sent_at": at},
        {"direction": "inbound", "body": answer, "sent_at": at},
    ]  # fmt: skip
    ticket["tags"] = sorted({*ticket.get("tags", []), LIST_ASKED})
    return case
