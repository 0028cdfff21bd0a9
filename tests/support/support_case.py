"""Pieces of a hand-written support case (what the mission's gather step would have read) that the support tests
build their cases from."""

from __future__ import annotations

from typing import Any


def email_ticket(message: str, ticket_id: str = "TKT-0001") -> dict[str, Any]:
    """A new e-mail ticket from Ana Silva (customer C-1) naming no order, written 2026-03-16 at 15:00."""
    return {
        "ticket_id": ticket_id,
        "customer_id": "C-1",
        "requester": {"customer_id": "C-1", "name": "Ana Silva"},
        "channel": "email",
        "order_id": None,
        "status": "new",
        "updated_at": "2026-03-16T15:00:00Z",
        "messages": [{"direction": "inbound", "body": message, "sent_at": "2026-03-16T15:00:00Z"}],
    }


def one_order_case(case_id: str, ticket_id: str, message: str, record: dict[str, Any]) -> dict[str, Any]:
    """A standard customer's (C-1) e-mail ``message`` about their one recent order: ``record`` as the gather step
    reads it (``order``, ``payment``, ``shipments``, ``returns``, ``variants``)."""
    order_id = record["order"]["order_id"]
    return {
        "case_id": case_id,
        "ticket": email_ticket(message, ticket_id),
        "customer": {"customer_id": "C-1", "tier": "standard"},
        "orders": {order_id: record},
        "recent_orders": [order_id],
    }
