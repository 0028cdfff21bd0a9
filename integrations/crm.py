"""CRM: customers (tenure, tier, lifetime value, contact preferences, fraud flags), address history, notes,
support cases and messages. An outbound message reaches the customer, so it respects contact preferences."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from ai_missions.errors import ConflictError, ValidationError
from ai_missions.integrations.addresses import Address
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.store import (
    book_now,
    from_row,
    from_ts,
    idempotent_write,
    money,
    next_id,
    require_row,
    require_text,
    to_ts,
)

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


class NoteResult(BaseModel):
    note: Note
    replayed: bool = False


class MessageResult(BaseModel):
    message: Message
    delivered: bool
    replayed: bool = False


def _customer_row(conn: sqlite3.Connection, customer_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM customers WHERE customer_id = ?", (customer_id,), "customer", customer_id)


def _days(now: datetime, since: str) -> float:
    return round((now - from_ts(since)) / timedelta(days=1), 4)  # 9.96 days is not 10: thresholds compare it


def _history(conn: sqlite3.Connection, customer_id: str, now: datetime) -> list[HistoricAddress]:
    rows = conn.execute(
        "SELECT * FROM addresses WHERE customer_id = ? ORDER BY since DESC, address_id DESC", (customer_id,)
    )
    return [
        HistoricAddress(
            address_id=r["address_id"],
            address=Address(
                name=r["name"],
                line1=r["line1"],
                line2=r["line2"],
                city=r["city"],
                region=r["region"],
                postal_code=r["postal_code"],
                country=r["country"],
            ),
            since=r["since"],
            until=r["until"],
            is_current=r["until"] is None,
            days_since=_days(now, r["since"]),
        )
        for r in rows
    ]


def get_customer(conn: sqlite3.Connection, customer_id: str) -> Customer:
    """A customer with tenure, tier, lifetime value, fraud flags, open cases and contact preferences."""
    row = _customer_row(conn, customer_id)
    now = book_now(conn)
    history = _history(conn, customer_id, now)
    current = next((h.address for h in history if h.is_current), None)
    open_cases = conn.execute(
        "SELECT COUNT(*) FROM cases WHERE customer_id = ? AND status = 'open'", (customer_id,)
    ).fetchone()[0]
    first = row["first_order_at"]
    return Customer(
        customer_id=customer_id,
        name=row["name"],
        email=row["email"],
        phone=row["phone"],
        tier=row["tier"],
        is_vip=row["tier"] == "vip",
        customer_since=row["customer_since"],
        first_order_at=first,
        tenure_years=round(_days(now, first) / 365.25, 4) if first else 0.0,
        lifetime_value=money(row["lifetime_value_cents"]),
        order_count=row["order_count"],
        fraud_flags=row["fraud_flags"],
        open_cases=open_cases,
        current_address=current,
        days_since_address_change=history[0].days_since if history else None,
        contact_preferences=ContactPreferences(
            preferred_channel=row["preferred_channel"],
            allowed_channels=json.loads(row["allowed_channels"]),
            language=row["language"],
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


def find_customers(conn: sqlite3.Connection, emails: list[str], postal_codes: list[str]) -> CustomerMatches:
    """Customers whose e-mail (any case) is one of ``emails``, or whose current address has one of
    ``postal_codes``: what a customer who writes from another address gives to be recognised (the caller
    verifies the name against the ones found)."""
    if not emails and not postal_codes:
        raise ValidationError("give an e-mail or a postal code")
    mails = [e.strip().lower() for e in emails]
    codes = [c.strip() for c in postal_codes]
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


def get_address_history(conn: sqlite3.Connection, customer_id: str) -> AddressHistory:
    """A customer's addresses, newest first, with the dates they were used from and until."""
    _customer_row(conn, customer_id)
    history = _history(conn, customer_id, book_now(conn))
    return AddressHistory(
        customer_id=customer_id,
        addresses=history,
        days_since_address_change=history[0].days_since if history else None,
    )


def _note(row: sqlite3.Row) -> Note:
    return from_row(Note, row)


def list_notes(conn: sqlite3.Connection, customer_id: str) -> NoteList:
    """Notes on a customer, newest first."""
    _customer_row(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM notes WHERE customer_id = ? ORDER BY created_at DESC, note_id DESC", (customer_id,)
    )
    return NoteList(customer_id=customer_id, notes=[_note(r) for r in rows])


def list_cases(conn: sqlite3.Connection, customer_id: str) -> CaseList:
    """Support cases of a customer, newest first."""
    _customer_row(conn, customer_id)
    rows = conn.execute(
        "SELECT * FROM cases WHERE customer_id = ? ORDER BY opened_at DESC, case_id DESC", (customer_id,)
    )
    cases = [from_row(Case, r) for r in rows]
    return CaseList(customer_id=customer_id, open_count=sum(c.status == "open" for c in cases), cases=cases)


def _message(row: sqlite3.Row) -> Message:
    return from_row(Message, row)


def list_messages(conn: sqlite3.Connection, customer_id: str) -> MessageList:
    """Messages to and from a customer, newest first."""
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


def get_customer_context(conn: sqlite3.Connection, customer_id: str) -> CustomerContext:
    """The customer, their address history, cases, messages and notes."""
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


def add_note(
    conn: sqlite3.Connection,
    customer_id: str,
    body: str,
    idempotency_key: str,
    author: str = "ai-missions",
    order_id: str | None = None,
) -> NoteResult:
    """Add a note to a customer."""
    body = require_text(body, "body", max_length=4000)
    author = require_text(author, "author", max_length=100)

    def perform() -> NoteResult:
        _customer_row(conn, customer_id)
        note_id = next_id(conn, "NOTE")
        at = to_ts(book_now(conn))
        conn.execute(
            "INSERT INTO notes (note_id, customer_id, author, body, order_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (note_id, customer_id, author, body, order_id, at),
        )
        row = conn.execute("SELECT * FROM notes WHERE note_id = ?", (note_id,)).fetchone()
        return NoteResult(note=_note(row))

    args = {"customer_id": customer_id, "body": body, "author": author, "order_id": order_id}
    return idempotent_write(conn, "add_note", idempotency_key, args, NoteResult, perform)


def send_customer_message(
    conn: sqlite3.Connection,
    customer_id: str,
    channel: str,
    subject: str,
    body: str,
    idempotency_key: str,
    order_id: str | None = None,
) -> MessageResult:
    """Send a message to a customer on a channel they allow (it reaches them: not undoable)."""
    if channel not in CHANNELS:
        raise ValidationError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    subject = require_text(subject, "subject", max_length=200)
    body = require_text(body, "body", max_length=4000)

    def perform() -> MessageResult:
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

    args = {"customer_id": customer_id, "channel": channel, "subject": subject, "body": body, "order_id": order_id}
    return idempotent_write(conn, "send_customer_message", idempotency_key, args, MessageResult, perform)


class CustomerAddressResult(BaseModel):
    """The outcome of an account address change: the address it held before and the one it holds now."""

    customer_id: str
    action: str = "update_customer_address"
    previous_address: Address | None = Field(description="The account's address before (None: it had none)")
    address: HistoricAddress = Field(description="The account's address now, current from the book clock")
    replayed: bool = False


def update_customer_address(
    conn: sqlite3.Connection, customer_id: str, address: Address, idempotency_key: str
) -> CustomerAddressResult:
    """Make ``address`` the account's current address (the default for future orders): the one in use is kept in
    the history, ended now. Refused when it is the address already in use (nothing would change). Orders keep the
    ship-to they were placed with; each order's own is changed in the ERP and shipping."""
    for name in ("name", "line1", "city", "region", "postal_code", "country"):
        require_text(getattr(address, name), f"address.{name}", max_length=200)

    def perform() -> CustomerAddressResult:
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

    args = {"customer_id": customer_id, "address": address.model_dump(exclude={"fingerprint"})}
    return idempotent_write(conn, "update_customer_address", idempotency_key, args, CustomerAddressResult, perform)
