"""What the customer portal does, without Streamlit: who the signed-in customer is, their orders and tickets, and
writing a message about one of their orders (which opens a ticket and starts the support mission on it).

More in docs/support-parse.md (portal_service.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

from ai_missions.dashboard.api import customer_of, write_as_customer
from ai_missions.mission_api import ForbiddenError, ValidationError

MISSION = "support"
MAX_MESSAGE = 20_000


class Client(Protocol):
    """The mission client (:func:`ai_missions.dashboard.api.client`), or a test's stand-in."""

    def call_tool(
        self, tool: str, args: dict[str, Any], *, mission: str, meta: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...

    def start(self, mission: str, subject_id: str, **options: Any) -> Any: ...


def my_orders(client: Client, customer_id: str, limit: int = 20) -> list[dict[str, Any]]:
    answer = client.call_tool("list_orders", {"customer_id": customer_id, "limit": limit}, mission=MISSION)
    return list(answer.get("orders", []))


def my_tickets(client: Client, customer_id: str) -> list[dict[str, Any]]:
    """The customer's tickets as they see them: internal notes left out."""
    answer = client.call_tool("list_customer_tickets", {"customer_id": customer_id}, mission=MISSION)
    return [
        {**t, "messages": [m for m in t["messages"] if m["direction"] != "note"]} for t in answer.get("tickets", [])
    ]


def clean_message(text: str) -> str:
    """The message as the portal accepts it: some text, at most :data:`MAX_MESSAGE` characters."""
    body = (text or "").strip()
    if not body:
        raise ValidationError("write a few words about what you need")
    if len(body) > MAX_MESSAGE:
        raise ValidationError(f"a message is at most {MAX_MESSAGE:,} characters")
    return body


def write_message(
    client: Client, home: Path, account: str, role: str, order_id: str, text: str, *, start: bool = True
) -> dict[str, Any]:
    """Open a ticket about one of the signed-in customer's orders; start the support mission on it.

    Returns the ticket (and the mission's outcome under ``run`` when it started)."""
    customer = customer_of(account, role)
    body = clean_message(text)
    if order_id not in {o["order_id"] for o in my_orders(client, customer, limit=100)}:
        raise ForbiddenError(f"order {order_id} is not one of your orders")
    args: dict[str, Any] = {
        "customer_id": customer,
        "channel": "portal",
        "subject": f"About order {order_id}",
        "body": body,
        "order_id": order_id,
    }
    args["idempotency_key"] = _key(customer, order_id, body)
    return _write_and_start(client, home, account, "open_ticket", args, start=start)


def answer_ticket(
    client: Client, home: Path, account: str, role: str, ticket_id: str, text: str, *, start: bool = True
) -> dict[str, Any]:
    """The signed-in customer writes again on one of their own tickets (answering the team's question); the
    support mission starts on it again and reads the whole thread, the original request with the answer.

    Returns the ticket (and the mission's outcome under ``run`` when it started)."""
    customer = customer_of(account, role)
    body = clean_message(text)
    if ticket_id not in {t["ticket_id"] for t in my_tickets(client, customer)}:
        raise ForbiddenError(f"ticket {ticket_id} is not one of your tickets")
    args: dict[str, Any] = {"ticket_id": ticket_id, "body": body, "idempotency_key": _key(customer, ticket_id, body)}
    return _write_and_start(client, home, account, "add_customer_message", args, start=start)


def _key(customer: str, about: str, body: str) -> str:
    """The same message about the same order or ticket, sent twice (a double click, a retry), is written once."""
    return f"portal:{customer}:{hashlib.sha256(f'{customer}|{about}|{body}'.encode()).hexdigest()[:24]}"


def _write_and_start(
    client: Client, home: Path, account: str, tool: str, args: dict[str, Any], *, start: bool
) -> dict[str, Any]:
    """The customer's write (the platform authorizes it and grants it); then the support mission on the ticket,
    unless the write was a replay (the run of the first one stands)."""
    written = write_as_customer(client, home, account, tool, args, mission=MISSION)
    ticket = written["ticket"]
    result: dict[str, Any] = {"ticket": ticket, "replayed": bool(written.get("replayed"))}
    if start and not result["replayed"]:
        outcome = client.start(MISSION, ticket["ticket_id"], trigger={"source": "portal", "by": account})
        result["run"] = {"run_id": outcome.run_id, "status": outcome.status, "decision_id": outcome.decision_id}
    return result
