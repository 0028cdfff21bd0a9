"""Pieces of a hand-written support case (what the mission's gather step would have read) that the support tests
build their cases from."""

from __future__ import annotations

from typing import Any


def email_ticket(message: str) -> dict[str, Any]:
    """A new e-mail ticket from Ana Silva (customer C-1) naming no order, written 2026-03-16 at 15:00."""
    return {
        "ticket_id": "TKT-0001",
        "customer_id": "C-1",
        "requester": {"customer_id": "C-1", "name": "Ana Silva"},
        "channel": "email",
        "order_id": None,
        "status": "new",
        "updated_at": "2026-03-16T15:00:00Z",
        "messages": [{"direction": "inbound", "body": message, "sent_at": "2026-03-16T15:00:00Z"}],
    }
