"""Helpdesk: customers' tickets (portal and e-mail), their messages in and out, statuses, tags and SLA due times.

A ticket is ``new`` when the customer opened it, ``open`` while the team works it, ``pending`` when the team asked
the customer something, ``solved`` once answered and resolved (``closed`` after that, by housekeeping). A reply
reaches the customer; a note stays internal. Every write is idempotent by key, and the event feed tells a scanner
which tickets changed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import CustomerId, IdempotencyKey
from ai_missions.integrations.kit import book_now, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError

TicketId = Annotated[str, Field(min_length=1, max_length=64, description="Ticket id, e.g. TKT-000123")]
Limit = Annotated[int, Field(strict=True, ge=1, le=5000)]

DDL = """
CREATE TABLE requesters (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, language TEXT NOT NULL
) STRICT;
CREATE TABLE tickets (
    ticket_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES requesters (customer_id),
    channel TEXT NOT NULL CHECK (channel IN ('portal', 'email')), subject TEXT NOT NULL, order_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')), tags TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sla_due_at TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE TABLE ticket_messages (
    message_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')), author TEXT NOT NULL,
    body TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, sent_at);
CREATE TABLE ticket_events (
    event_id INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id), type TEXT NOT NULL,
    status TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, event_id);
"""
SYSTEM = SimulatedSystem("helpdesk", "Helpdesk", DDL)

TicketStatus = Literal["new", "open", "pending", "solved", "closed"]
Channel = Literal["portal", "email"]
#: Hours to the first answer by priority (the SLA due time is set when the ticket opens).
SLA_HOURS: dict[str, float] = {"urgent": 4, "high": 8, "normal": 24, "low": 72}
#: The longest message a ticket keeps (a longer one is refused at the door, whoever sends it).
MAX_BODY = 200_000
Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY, description="The message text")]

REPLY_STATUSES = ("open", "pending", "solved")


class TicketMessage(BaseModel):
    message_id: str
    direction: Literal["inbound", "outbound", "note"]
    author: str
    body: str
    sent_at: str


class Requester(BaseModel):
    customer_id: str
    name: str
    email: str
    language: str


class Ticket(BaseModel):
    ticket_id: str
    customer_id: str
    requester: Requester
    channel: Channel
    subject: str
    order_id: str | None = Field(description="The order the customer picked when opening it (portal), if any")
    status: TicketStatus
    priority: str
    tags: list[str]
    created_at: str
    updated_at: str
    sla_due_at: str
    sla_breached: bool = Field(description="Still waiting for an answer past the SLA due time (book clock)")
    messages: list[TicketMessage] = Field(description="Oldest first")


class TicketSummary(BaseModel):
    ticket_id: str
    customer_id: str
    channel: Channel
    subject: str
    order_id: str | None
    status: TicketStatus
    priority: str
    tags: list[str]
    created_at: str
    sla_due_at: str


class TicketList(BaseModel):
    tickets: list[TicketSummary]


class CustomerTickets(BaseModel):
    customer_id: str
    tickets: list[Ticket]


class TicketEvent(BaseModel):
    event_id: int
    ticket_id: str
    type: str
    status: str
    at: str


class TicketEvents(BaseModel):
    events: list[TicketEvent]
    next_after_id: int


class TicketWriteResult(Replayable):
    ticket: Ticket
    message: TicketMessage


def _requester(conn: sqlite3.Connection, customer_id: str) -> Requester:
    row = require_row(conn, "SELECT * FROM requesters WHERE customer_id = ?", (customer_id,), "customer", customer_id)
    return Requester(**dict(row))


def _messages(conn: sqlite3.Connection, ticket_id: str) -> list[TicketMessage]:
    rows = conn.execute(
        "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY sent_at, message_id", (ticket_id,)
    ).fetchall()
    return [from_row(TicketMessage, r) for r in rows]


def _ticket(conn: sqlite3.Connection, row: sqlite3.Row) -> Ticket:
    waiting = row["status"] in ("new", "open")
    return from_row(
        Ticket,
        row,
        requester=_requester(conn, row["customer_id"]),
        tags=json.loads(row["tags"]),
        sla_breached=waiting and to_ts(book_now(conn)) > row["sla_due_at"],
        messages=_messages(conn, row["ticket_id"]),
    )


def _summary(row: sqlite3.Row) -> TicketSummary:
    return from_row(TicketSummary, row, tags=json.loads(row["tags"]))


def _row(conn: sqlite3.Connection, ticket_id: str) -> sqlite3.Row:
    ticket_id = require_text(ticket_id, "ticket_id", max_length=64)
    return require_row(conn, "SELECT * FROM tickets WHERE ticket_id = ?", (ticket_id,), "ticket", ticket_id)


@SYSTEM.read
def get_ticket(conn: sqlite3.Connection, ticket_id: TicketId) -> Ticket:
    """A ticket with its requester, messages, status, tags and SLA due time.

    Requester, channel, the order the customer picked (if any), status, tags, SLA due time and every message
    oldest first (inbound from the customer, outbound replies, internal notes)."""
    return _ticket(conn, _row(conn, ticket_id))


@SYSTEM.read
def list_open_tickets(conn: sqlite3.Connection, limit: Limit = 500) -> TicketList:
    """Tickets waiting for the support team (new or open), oldest first.

    Tickets in status new or open, oldest first."""
    if not 1 <= limit <= 5000:
        raise ValidationError("limit must be between 1 and 5000")
    rows = conn.execute(
        "SELECT * FROM tickets WHERE status IN ('new', 'open') ORDER BY created_at, ticket_id LIMIT ?", (limit,)
    ).fetchall()
    return TicketList(tickets=[_summary(r) for r in rows])


@SYSTEM.read
def list_customer_tickets(
    conn: sqlite3.Connection, customer_id: CustomerId, limit: Annotated[int, Field(strict=True, ge=1, le=500)] = 50
) -> CustomerTickets:
    """A customer's tickets with their messages, newest first.

    What a customer sees on the portal: their tickets with every message but internal notes' text."""
    if not 1 <= limit <= 500:
        raise ValidationError("limit must be between 1 and 500")
    _requester(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM tickets WHERE customer_id = ? ORDER BY created_at DESC, ticket_id DESC LIMIT ?",
        (customer_id, limit),
    ).fetchall()
    return CustomerTickets(customer_id=customer_id, tickets=[_ticket(conn, r) for r in rows])


@SYSTEM.read
def read_ticket_events(
    conn: sqlite3.Connection,
    after_id: Annotated[int, Field(strict=True, ge=0, description="Cursor: the last event id already seen")] = 0,
    limit: Limit = 500,
) -> TicketEvents:
    """The ticket event feed (opened, replied, status changes) after a cursor.

    Ticket events (opened, replied, noted) with ids above `after_id`, oldest first."""
    if not 1 <= limit <= 5000:
        raise ValidationError("limit must be between 1 and 5000")
    rows = conn.execute(
        "SELECT * FROM ticket_events WHERE event_id > ? ORDER BY event_id LIMIT ?", (after_id, limit)
    ).fetchall()
    events = [TicketEvent(**dict(r)) for r in rows]
    return TicketEvents(events=events, next_after_id=events[-1].event_id if events else after_id)


def clean_body(body: str) -> str:
    """A message body as the helpdesk keeps it: text, not empty, at most :data:`MAX_BODY` characters."""
    if not isinstance(body, str) or not body.strip():
        raise ValidationError("a message needs some text")
    if len(body) > MAX_BODY:
        raise ValidationError(f"a message is at most {MAX_BODY:,} characters (got {len(body):,})")
    return body


def _event(conn: sqlite3.Connection, ticket_id: str, kind: str, status: str, at: str) -> None:
    conn.execute(
        "INSERT INTO ticket_events (ticket_id, type, status, at) VALUES (?, ?, ?, ?)", (ticket_id, kind, status, at)
    )


def _add_message(conn: sqlite3.Connection, ticket_id: str, direction: str, author: str, body: str, at: str) -> str:
    message_id = next_id(conn, "MSG", width=7)
    conn.execute(
        "INSERT INTO ticket_messages (message_id, ticket_id, direction, author, body, sent_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (message_id, ticket_id, direction, author, body, at),
    )
    return message_id


def _result(conn: sqlite3.Connection, ticket_id: str, message_id: str) -> TicketWriteResult:
    ticket = get_ticket(conn, ticket_id)
    message = next(m for m in ticket.messages if m.message_id == message_id)
    return TicketWriteResult(ticket=ticket, message=message)


@SYSTEM.write
def open_ticket(
    conn: sqlite3.Connection,
    customer_id: CustomerId,
    channel: Literal["portal", "email"],
    subject: Annotated[str, Field(min_length=1, max_length=200)],
    body: Body,
    idempotency_key: IdempotencyKey,
    order_id: Annotated[str | None, Field(max_length=64)] = None,
    priority: Literal["low", "normal", "high", "urgent"] = "normal",
) -> TicketWriteResult:
    """Open a ticket with the customer's first message (portal or e-mail).

    A new ticket in status new; its SLA due time follows the priority."""
    if channel not in ("portal", "email"):
        raise ValidationError(f"unknown channel {channel!r}; expected portal or email")
    if priority not in SLA_HOURS:
        raise ValidationError(f"unknown priority {priority!r}; expected one of {', '.join(SLA_HOURS)}")
    subject = require_text(subject, "subject", max_length=200)
    body = clean_body(body)
    requester = _requester(conn, customer_id)
    now = book_now(conn)
    at = to_ts(now)
    ticket_id = next_id(conn, "TKT", width=6)
    due = to_ts(now + timedelta(hours=SLA_HOURS[priority]))
    conn.execute(
        "INSERT INTO tickets (ticket_id, customer_id, channel, subject, order_id, status, priority, tags, "
        "created_at, updated_at, sla_due_at) VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?)",
        (ticket_id, customer_id, channel, subject, order_id, priority, json.dumps([channel]), at, at, due),
    )
    message_id = _add_message(conn, ticket_id, "inbound", requester.name, body, at)
    _event(conn, ticket_id, "opened", "new", at)
    return _result(conn, ticket_id, message_id)


@SYSTEM.write(reaches_outside=True)
def send_ticket_reply(
    conn: sqlite3.Connection,
    ticket_id: TicketId,
    body: Body,
    status: Literal["open", "pending", "solved"],
    idempotency_key: IdempotencyKey,
    tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=10)] | None = None,
) -> TicketWriteResult:
    """Send a reply to the customer on a ticket and set its status (solved closes it).

    The reply reaches the customer; `solved` resolves the ticket, `pending` waits for the customer.
    Refused on a closed ticket."""
    if status not in REPLY_STATUSES:
        raise ValidationError(f"a reply sets the status to one of {', '.join(REPLY_STATUSES)}, not {status!r}")
    body = clean_body(body)
    added = sorted({require_text(t, "tag", max_length=40) for t in tags or []})
    row = _row(conn, ticket_id)
    if row["status"] == "closed":
        raise ConflictError(f"ticket {ticket_id} is closed; open a new one to write to the customer")
    at = to_ts(book_now(conn))
    message_id = _add_message(conn, ticket_id, "outbound", "support", body, at)
    merged = sorted(set(json.loads(row["tags"])) | set(added))
    conn.execute(
        "UPDATE tickets SET status = ?, tags = ?, updated_at = ? WHERE ticket_id = ?",
        (status, json.dumps(merged), at, ticket_id),
    )
    _event(conn, ticket_id, "replied", status, at)
    return _result(conn, ticket_id, message_id)


@SYSTEM.write
def add_customer_message(
    conn: sqlite3.Connection, ticket_id: TicketId, body: Body, idempotency_key: IdempotencyKey
) -> TicketWriteResult:
    """The customer writes again on their ticket (an answer to a question); it opens again for the team.

    The customer's own message on their ticket (an answer to a question): the ticket is open again for the
    team. Refused on a closed ticket."""
    body = clean_body(body)
    row = _row(conn, ticket_id)
    if row["status"] == "closed":
        raise ConflictError(f"ticket {ticket_id} is closed; open a new one")
    requester = _requester(conn, row["customer_id"])
    at = to_ts(book_now(conn))
    message_id = _add_message(conn, ticket_id, "inbound", requester.name, body, at)
    conn.execute("UPDATE tickets SET status = 'open', updated_at = ? WHERE ticket_id = ?", (at, ticket_id))
    _event(conn, ticket_id, "customer_replied", "open", at)
    return _result(conn, ticket_id, message_id)


@SYSTEM.write
def add_ticket_note(
    conn: sqlite3.Connection, ticket_id: TicketId, body: Body, idempotency_key: IdempotencyKey
) -> TicketWriteResult:
    """Add an internal note to a ticket (the customer does not see it).

    Internal only; a new ticket becomes open."""
    body = clean_body(body)
    row = _row(conn, ticket_id)
    at = to_ts(book_now(conn))
    message_id = _add_message(conn, ticket_id, "note", "support", body, at)
    status = "open" if row["status"] == "new" else row["status"]
    conn.execute("UPDATE tickets SET status = ?, updated_at = ? WHERE ticket_id = ?", (status, at, ticket_id))
    _event(conn, ticket_id, "noted", status, at)
    return _result(conn, ticket_id, message_id)


def known_ticket(conn: sqlite3.Connection, ticket_id: str) -> bool:
    try:
        _row(conn, ticket_id)
    except NotFoundError:
        return False
    return True
