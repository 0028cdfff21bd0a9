"""CRM: customers (tenure, tier, lifetime value, contact preferences, fraud flags), address history, notes,
support cases and messages. An outbound message reaches the customer, so it respects contact preferences."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.addresses import Address
from ai_missions.integrations.arguments import CustomerId, IdempotencyKey
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, from_ts, money, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, ValidationError

Text = Annotated[str, Field(min_length=1, max_length=4000)]

DDL = """
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'silver', 'gold', 'vip')),
    customer_since TEXT NOT NULL, first_order_at TEXT, lifetime_value_cents INTEGER NOT NULL,
    order_count INTEGER NOT NULL, fraud_flags INTEGER NOT NULL,
    preferred_channel TEXT NOT NULL, allowed_channels TEXT NOT NULL, language TEXT NOT NULL,
    marketing_opt_in INTEGER NOT NULL
) STRICT;
CREATE TABLE addresses (
    address_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    name TEXT NOT NULL, line1 TEXT NOT NULL, line2 TEXT, city TEXT NOT NULL, region TEXT NOT NULL,
    postal_code TEXT NOT NULL, country TEXT NOT NULL, since TEXT NOT NULL, until TEXT
) STRICT;
CREATE INDEX addresses_customer ON addresses (customer_id, since);
CREATE TABLE notes (
    note_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    author TEXT NOT NULL, body TEXT NOT NULL, order_id TEXT, created_at TEXT NOT NULL
) STRICT;
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE TABLE cases (
    case_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    subject TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')), priority TEXT NOT NULL,
    order_id TEXT, opened_at TEXT NOT NULL, closed_at TEXT
) STRICT;
CREATE INDEX cases_customer ON cases (customer_id, opened_at);
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')), channel TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, order_id TEXT, at TEXT NOT NULL
) STRICT;
CREATE INDEX messages_customer ON messages (customer_id, at);
"""
SYSTEM = SimulatedSystem("crm", "CRM (customers)", DDL)

Tier = Literal["standard", "silver", "gold", "vip"]
CHANNELS: tuple[str, ...] = ("email", "sms", "phone")


class ContactPreferences(BaseModel):
    preferred_channel: str
    allowed_channels: list[str]
    language: str
    marketing_opt_in: bool


class HistoricAddress(BaseModel):
    """An address the customer used, from ``since`` until ``until`` (``None``: still in use)."""

    address_id: str
    address: Address
    since: str
    until: str | None
    is_current: bool
    days_since: float = Field(description="Days between `since` and the book clock")


class Customer(BaseModel):
    """A customer. Tenure is measured from the first order to the book clock."""

    customer_id: str
    name: str
    email: str
    phone: str
    tier: str
    is_vip: bool
    customer_since: str
    first_order_at: str | None
    tenure_years: float
    lifetime_value: float
    order_count: int
    fraud_flags: int = Field(description="Past confirmed fraud or chargeback flags")
    open_cases: int
    current_address: Address | None
    days_since_address_change: float | None = Field(description="Days since the newest address in the history")
    contact_preferences: ContactPreferences


class AddressHistory(BaseModel):
    customer_id: str
    addresses: list[HistoricAddress] = Field(description="Newest first")
    days_since_address_change: float | None


class Note(BaseModel):
    note_id: str
    customer_id: str
    author: str
    body: str
    order_id: str | None
    created_at: str


class NoteList(BaseModel):
    customer_id: str
    notes: list[Note]


class Case(BaseModel):
    case_id: str
    customer_id: str
    subject: str
    status: str
    priority: str
    order_id: str | None
    opened_at: str
    closed_at: str | None


class CaseList(BaseModel):
    customer_id: str
    open_count: int
    cases: list[Case]


class Message(BaseModel):
    message_id: str
    customer_id: str
    direction: str
    channel: str
    subject: str
    body: str
    order_id: str | None
    at: str


class MessageList(BaseModel):
    customer_id: str
    messages: list[Message]


class NoteResult(Replayable):
    note: Note


class MessageResult(Replayable):
    message: Message
    delivered: bool


def _customer_row(conn: sqlite3.Connection, customer_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM customers WHERE customer_id = ?", (customer_id,), "customer", customer_id)


def _days(now: datetime, since: str) -> float:
    return round((now - from_ts(since)) / timedelta(days=1), 4)  # 9.96 days is not 10: thresholds compare it


def _history(conn: sqlite3.Connection, customer_id: str, now: datetime) -> list[HistoricAddress]:
    rows = conn.execute(
        "SELECT * FROM addresses WHERE customer_id = ? ORDER BY since DESC, address_id DESC", (customer_id,)
    )
    return [
        from_row(
            HistoricAddress,
            r,
            address=Address.from_row(r),
            is_current=r["until"] is None,
            days_since=_days(now, r["since"]),
        )
        for r in rows
    ]


@SYSTEM.read
def get_customer(conn: sqlite3.Connection, customer_id: CustomerId) -> Customer:
    """A customer: tenure, tier, lifetime value, contact preferences.

    Tier and VIP flag, tenure in years since the first order, lifetime value, past fraud flags, open cases,
    current address, days since the last address change and contact preferences."""
    row = _customer_row(conn, customer_id)
    now = book_now(conn)
    history = _history(conn, customer_id, now)
    current = next((h.address for h in history if h.is_current), None)
    open_cases = conn.execute(
        "SELECT COUNT(*) FROM cases WHERE customer_id = ? AND status = 'open'", (customer_id,)
    ).fetchone()[0]
    first = row["first_order_at"]
    return from_row(
        Customer,
        row,
        is_vip=row["tier"] == "vip",
        tenure_years=round(_days(now, first) / 365.25, 4) if first else 0.0,
        lifetime_value=money(row["lifetime_value_cents"]),
        open_cases=open_cases,
        current_address=current,
        days_since_address_change=history[0].days_since if history else None,
        contact_preferences=from_row(
            ContactPreferences,
            row,
            allowed_channels=json.loads(row["allowed_channels"]),
            marketing_opt_in=bool(row["marketing_opt_in"]),
        ),
    )


class CustomerMatch(BaseModel):
    customer_id: str
    name: str
    email: str
    postal_code: str | None = Field(description="Of the current address")


class CustomerMatches(BaseModel):
    customers: list[CustomerMatch]


#: The most customers one lookup returns (a postal code shared by more is narrowed by the name, never listed).
MAX_MATCHES = 50


@SYSTEM.read
def find_customers(
    conn: sqlite3.Connection,
    emails: Annotated[list[Annotated[str, Field(max_length=254)]] | None, Field(max_length=5)] = None,
    postal_codes: Annotated[list[Annotated[str, Field(max_length=16)]] | None, Field(max_length=5)] = None,
) -> CustomerMatches:
    """Customers by e-mail or current postal code (to recognise who wrote).

    Customers with one of these e-mails, or whose current address has one of these postal codes (at most
    50): to recognise a customer who writes from another address by what they give."""
    if not emails and not postal_codes:
        raise ValidationError("give an e-mail or a postal code")
    mails = [e.strip().lower() for e in emails or []]
    codes = [c.strip() for c in postal_codes or []]
    rows = conn.execute(
        "SELECT c.customer_id, c.name, c.email, a.postal_code FROM customers c "
        "LEFT JOIN addresses a ON a.customer_id = c.customer_id AND a.until IS NULL "
        f"WHERE LOWER(c.email) IN ({','.join('?' * len(mails)) or 'NULL'}) "
        f"OR a.postal_code IN ({','.join('?' * len(codes)) or 'NULL'}) ORDER BY c.customer_id LIMIT ?",
        (*mails, *codes, MAX_MATCHES),
    ).fetchall()
    return CustomerMatches(
        customers=[CustomerMatch(customer_id=r[0], name=r[1], email=r[2], postal_code=r[3]) for r in rows]
    )


@SYSTEM.read
def get_address_history(conn: sqlite3.Connection, customer_id: CustomerId) -> AddressHistory:
    """A customer's addresses with the dates they were used from.

    Newest first; each address has `since`/`until` dates and a fingerprint comparable with an order's
    ship-to fingerprint."""
    _customer_row(conn, customer_id)
    history = _history(conn, customer_id, book_now(conn))
    return AddressHistory(
        customer_id=customer_id,
        addresses=history,
        days_since_address_change=history[0].days_since if history else None,
    )


def _note(row: sqlite3.Row) -> Note:
    return from_row(Note, row)


@SYSTEM.read
def list_notes(conn: sqlite3.Connection, customer_id: CustomerId) -> NoteList:
    """Notes on a customer.

    Newest first."""
    _customer_row(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM notes WHERE customer_id = ? ORDER BY created_at DESC, note_id DESC", (customer_id,)
    )
    return NoteList(customer_id=customer_id, notes=[_note(r) for r in rows])


@SYSTEM.read
def list_cases(conn: sqlite3.Connection, customer_id: CustomerId) -> CaseList:
    """Support cases of a customer.

    Newest first, with the number still open."""
    _customer_row(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM cases WHERE customer_id = ? ORDER BY opened_at DESC, case_id DESC", (customer_id,)
    )
    cases = [from_row(Case, r) for r in rows]
    return CaseList(customer_id=customer_id, open_count=sum(c.status == "open" for c in cases), cases=cases)


def _message(row: sqlite3.Row) -> Message:
    return from_row(Message, row)


@SYSTEM.read
def list_messages(conn: sqlite3.Connection, customer_id: CustomerId) -> MessageList:
    """Messages to and from a customer.

    Inbound and outbound, newest first."""
    _customer_row(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM messages WHERE customer_id = ? ORDER BY at DESC, message_id DESC", (customer_id,)
    )
    return MessageList(customer_id=customer_id, messages=[_message(r) for r in rows])


class CustomerContext(ContextRead):
    """Everything the CRM holds that bears on a customer's order, in one read."""

    customer_id: str
    customer: Customer | None
    address_history: AddressHistory | None
    cases: CaseList | None
    messages: MessageList | None
    notes: NoteList | None = None


@SYSTEM.read
def get_customer_context(conn: sqlite3.Connection, customer_id: CustomerId) -> CustomerContext:
    """A customer, address history, cases, messages and notes, in one read.

    `get_customer`, `get_address_history`, `list_cases` and `list_messages` in one call; a part that cannot
    be read is null, with the reason under `missing`."""
    return CustomerContext(
        customer_id=customer_id,
        **read_parts(
            {
                "customer": lambda: get_customer(conn, customer_id),
                "address_history": lambda: get_address_history(conn, customer_id),
                "cases": lambda: list_cases(conn, customer_id),
                "messages": lambda: list_messages(conn, customer_id),
                "notes": lambda: list_notes(conn, customer_id),
            }
        ),
    )


@SYSTEM.write
def add_note(
    conn: sqlite3.Connection,
    customer_id: CustomerId,
    body: Text,
    idempotency_key: IdempotencyKey,
    author: Annotated[str, Field(min_length=1, max_length=100)] = "ai-missions",
    order_id: Annotated[str | None, Field(description="The order the note is about, if any")] = None,
) -> NoteResult:
    """Add a note to a customer.

    An internal note; the customer does not see it."""
    body = require_text(body, "body", max_length=4000)
    author = require_text(author, "author", max_length=100)
    _customer_row(conn, customer_id)
    note_id = next_id(conn, "NOTE")
    at = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO notes (note_id, customer_id, author, body, order_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (note_id, customer_id, author, body, order_id, at),
    )
    row = conn.execute("SELECT * FROM notes WHERE note_id = ?", (note_id,)).fetchone()
    return NoteResult(note=_note(row))


@SYSTEM.write(reaches_outside=True)
def send_customer_message(
    conn: sqlite3.Connection,
    customer_id: CustomerId,
    channel: Literal["email", "sms", "phone"],
    subject: Annotated[str, Field(min_length=1, max_length=200)],
    body: Text,
    idempotency_key: IdempotencyKey,
    order_id: Annotated[str | None, Field(description="The order the message is about, if any")] = None,
) -> MessageResult:
    """Send a message to a customer (it reaches them).

    Reaches the customer (cannot be taken back); refused on a channel they do not allow."""
    if channel not in CHANNELS:
        raise ValidationError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    subject = require_text(subject, "subject", max_length=200)
    body = require_text(body, "body", max_length=4000)
    row = _customer_row(conn, customer_id)
    allowed = json.loads(row["allowed_channels"])
    if channel not in allowed:
        raise ConflictError(
            f"customer {customer_id} does not accept {channel} messages (allowed: {', '.join(allowed)})"
        )
    message_id = next_id(conn, "MSG")
    at = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO messages (message_id, customer_id, direction, channel, subject, body, order_id, at) "
        "VALUES (?, ?, 'outbound', ?, ?, ?, ?, ?)",
        (message_id, customer_id, channel, subject, body, order_id, at),
    )
    msg = conn.execute("SELECT * FROM messages WHERE message_id = ?", (message_id,)).fetchone()
    return MessageResult(message=_message(msg), delivered=True)


class CustomerAddressResult(Replayable):
    """The outcome of an account address change: the address it held before and the one it holds now."""

    customer_id: str
    action: str = "update_customer_address"
    previous_address: Address | None = Field(description="The account's address before (None: it had none)")
    address: HistoricAddress = Field(description="The account's address now, current from the book clock")


@SYSTEM.write
def update_customer_address(
    conn: sqlite3.Connection, customer_id: CustomerId, address: Address, idempotency_key: IdempotencyKey
) -> CustomerAddressResult:
    """Change the address on a customer's account (the default for future orders); the old one stays in the
    history.

    Make the address the account's current one (the default for future orders); the one in use stays in
    the history, ended now. Refused when it is already the address in use. Orders keep their own ship-to."""
    for name in ("name", "line1", "city", "region", "postal_code", "country"):
        require_text(getattr(address, name), f"address.{name}", max_length=200)
    _customer_row(conn, customer_id)
    now = book_now(conn)
    current = next((h for h in _history(conn, customer_id, now) if h.is_current), None)
    if current is not None and current.address.fingerprint == address.fingerprint:
        raise ConflictError(f"customer {customer_id} already has this address; nothing to change")
    at = to_ts(now)
    conn.execute("UPDATE addresses SET until = ? WHERE customer_id = ? AND until IS NULL", (at, customer_id))
    address_id = next_id(conn, "ADDR")
    conn.execute(
        "INSERT INTO addresses (address_id, customer_id, name, line1, line2, city, region, postal_code, country, "
        "since, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (address_id, customer_id, address.name, address.line1, address.line2, address.city, address.region,
         address.postal_code, address.country, at),
    )  # fmt: skip
    now_current = next(h for h in _history(conn, customer_id, now) if h.address_id == address_id)
    return CustomerAddressResult(
        customer_id=customer_id,
        previous_address=current.address if current is not None else None,
        address=now_current,
    )
