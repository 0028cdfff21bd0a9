"""Order management: omnichannel orders (ship or pick up in store), their allocation to a store or the DC, the
returns the returns platform took in any channel and whether they reached the ledger, customer notices, goodwill
credits and internal notes. Its monitors flag orders at risk (``orders.flags``); the mission decides what is true.

Every write is idempotent by key; a reallocation and a return posting are reversible (their rollbacks are
``reallocate_order`` back to the previous location and ``reverse_return_adjustment``)."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import Amount, IdempotencyKey, Reason, RetailLocationId, Text
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, from_row, money, to_cents, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, ValidationError

OrderId = Annotated[str, Field(min_length=1, max_length=64, description="Order id, e.g. RO-100123")]
ReturnId = Annotated[str, Field(min_length=1, max_length=64, description="Return id, e.g. RT-100123")]
Sku = Annotated[str, Field(min_length=1, max_length=64, description="SKU, e.g. SKU-50001")]
Topic = Annotated[str, Field(min_length=1, max_length=64, description="pickup_change, delay, cancellation...")]

DDL = """
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'gold', 'vip'))
) STRICT;
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'app', 'store')),
    fulfilment TEXT NOT NULL CHECK (fulfilment IN ('ship', 'pickup')), pickup_store TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled', 'fulfilled')),
    placed_at TEXT NOT NULL, promised_at TEXT NOT NULL, total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    promo_id TEXT, flags TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
) STRICT;
CREATE TABLE allocations (
    order_id TEXT NOT NULL REFERENCES orders (order_id), location_id TEXT NOT NULL, previous_location_id TEXT,
    changed_at TEXT NOT NULL, PRIMARY KEY (order_id)
) STRICT;
CREATE TABLE returns (
    return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel TEXT NOT NULL, sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), refund_cents INTEGER NOT NULL CHECK (refund_cents >= 0),
    location_id TEXT NOT NULL, processed_at TEXT NOT NULL, posted INTEGER NOT NULL CHECK (posted IN (0, 1)),
    posted_at TEXT
) STRICT;
CREATE INDEX returns_order ON returns (order_id);
CREATE TABLE notices (
    notice_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), topic TEXT NOT NULL,
    message TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE credits (
    credit_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), reason TEXT NOT NULL, issued_at TEXT NOT NULL
) STRICT;
CREATE TABLE order_notes (
    note_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), body TEXT NOT NULL,
    added_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT 'staff'
) STRICT;
CREATE TABLE substitutions (
    order_id TEXT PRIMARY KEY REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    substitute_sku TEXT NOT NULL, location_id TEXT NOT NULL,
    original_unit_cents INTEGER NOT NULL CHECK (original_unit_cents >= 0),
    substitute_unit_cents INTEGER NOT NULL CHECK (substitute_unit_cents >= 0),
    charged_unit_cents INTEGER NOT NULL CHECK (charged_unit_cents >= 0),
    status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined')), offered_at TEXT NOT NULL
) STRICT;
"""
SYSTEM = SimulatedSystem("oms", "Order management", DDL)

LOCATION_PATTERN = "ST-", "DC-"


class Customer(BaseModel):
    customer_id: str
    name: str
    tier: str


class OrderLine(BaseModel):
    line_no: int
    sku: str
    quantity: int
    unit_price: float


class Order(BaseModel):
    order_id: str
    customer_id: str
    channel: str
    fulfilment: str
    pickup_store: str | None
    status: str
    placed_at: str
    promised_at: str
    total: float
    promo_id: str | None
    flags: list[str]
    location_id: str | None
    previous_location_id: str | None
    lines: list[OrderLine]


class Return(BaseModel):
    return_id: str
    order_id: str
    channel: str
    sku: str
    quantity: int
    refund: float
    location_id: str
    processed_at: str
    posted: bool
    posted_at: str | None


class Notice(BaseModel):
    notice_id: str
    topic: str
    sent_at: str


class OrderNote(BaseModel):
    """A note on an order: who wrote it (store or service staff, or ``ai-missions`` for the platform's own), what
    and when."""

    note_id: str
    body: str
    author: str
    added_at: str


class Credit(BaseModel):
    credit_id: str
    amount: float
    reason: str


class OrderContext(ContextRead):
    order_id: str
    order: Order | None
    customer: Customer | None
    returns: list[Return] | None
    notices: list[Notice] | None
    credits: list[Credit] | None
    notes: list[OrderNote] | None = None


class FlaggedOrder(BaseModel):
    order_id: str
    flags: list[str]


class OrderExceptions(BaseModel):
    orders: list[FlaggedOrder]
    #: Returns whose order the OMS does not know (a data error for a person; no mission runs on them).
    orphan_returns: list[str]


class WriteResult(Replayable):
    order_id: str
    detail: str
    record_id: str | None = None
    previous_location_id: str | None = None
    location_id: str | None = None


def _order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM orders WHERE order_id = ?", (order_id,), "order", order_id)


def get_order(conn: sqlite3.Connection, order_id: str) -> Order:
    row = _order_row(conn, order_id)
    allocation = conn.execute("SELECT * FROM allocations WHERE order_id = ?", (order_id,)).fetchone()
    lines = [
        from_row(OrderLine, r, unit_price=money(r["unit_price_cents"]))
        for r in conn.execute("SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no", (order_id,))
    ]
    return from_row(
        Order,
        row,
        total=money(row["total_cents"]),
        flags=json.loads(row["flags"]),
        location_id=allocation["location_id"] if allocation else None,
        previous_location_id=allocation["previous_location_id"] if allocation else None,
        lines=lines,
    )


def _return(row: sqlite3.Row) -> Return:
    return from_row(Return, row, refund=money(row["refund_cents"]), posted=bool(row["posted"]))


@SYSTEM.read
def get_return(conn: sqlite3.Connection, return_id: ReturnId) -> Return:
    """One return as the returns platform recorded it, with its ledger posting.

    One return as the returns platform recorded it."""
    return _return(require_row(conn, "SELECT * FROM returns WHERE return_id = ?", (return_id,), "return", return_id))


@SYSTEM.read
def get_omni_order(conn: sqlite3.Connection, order_id: OrderId) -> OrderContext:
    """An order with lines, allocations, returns, notices, credits and notes, in one read.

    Order (fulfilment method, pickup store, allocation, promotion, monitor flags), customer (tier),
    returns (posted to the ledger or not), notices, credits and the order's notes with their authors; a part that
    fails is null under `missing`."""
    order_id = require_text(order_id, "order_id", max_length=64)
    _order_row(conn, order_id)

    def customer() -> Customer:
        row = _order_row(conn, order_id)
        c = require_row(
            conn, "SELECT * FROM customers WHERE customer_id = ?", (row["customer_id"],), "customer", row["customer_id"]
        )
        return Customer(customer_id=c["customer_id"], name=c["name"], tier=c["tier"])

    return OrderContext(
        order_id=order_id,
        **read_parts(
            {
                "order": lambda: get_order(conn, order_id),
                "customer": customer,
                "returns": lambda: [
                    _return(r)
                    for r in conn.execute("SELECT * FROM returns WHERE order_id = ? ORDER BY return_id", (order_id,))
                ],
                "notices": lambda: [
                    Notice(notice_id=r["notice_id"], topic=r["topic"], sent_at=r["sent_at"])
                    for r in conn.execute("SELECT * FROM notices WHERE order_id = ? ORDER BY notice_id", (order_id,))
                ],
                "credits": lambda: [
                    Credit(credit_id=r["credit_id"], amount=money(r["amount_cents"]), reason=r["reason"])
                    for r in conn.execute("SELECT * FROM credits WHERE order_id = ? ORDER BY credit_id", (order_id,))
                ],
                "notes": lambda: [
                    OrderNote(note_id=r["note_id"], body=r["body"], author=r["author"], added_at=r["added_at"])
                    for r in conn.execute(
                        "SELECT * FROM order_notes WHERE order_id = ? ORDER BY added_at, note_id", (order_id,)
                    )
                ],
            }
        ),
    )


@SYSTEM.read
def list_flagged_orders(conn: sqlite3.Connection) -> OrderExceptions:
    """Orders the OMS monitors flagged, with the exception kinds they saw.

    Open orders the monitors flagged, and returns naming an order the OMS does not hold."""
    flagged = [
        FlaggedOrder(order_id=r["order_id"], flags=json.loads(r["flags"]))
        for r in conn.execute(
            "SELECT order_id, flags FROM orders WHERE status != 'cancelled' AND flags != '[]' ORDER BY 1"
        )
    ]
    orphans = [
        r[0]
        for r in conn.execute(
            "SELECT return_id FROM returns WHERE order_id NOT IN (SELECT order_id FROM orders) ORDER BY return_id"
        )
    ]
    return OrderExceptions(orders=flagged, orphan_returns=orphans)


def _location(location_id: str) -> str:
    location_id = require_text(location_id, "location_id", max_length=32)
    if not location_id.startswith(LOCATION_PATTERN):
        raise ValidationError(f"{location_id!r} is not a store (ST-...) or DC (DC-...) id")
    return location_id


def _open_order(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    row = _order_row(conn, order_id)
    if row["status"] != "open":
        raise ConflictError(f"order {order_id} is {row['status']}")
    return row


@SYSTEM.write
def reallocate_order(
    conn: sqlite3.Connection, order_id: OrderId, location_id: RetailLocationId, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Move an order's allocation to another store or the DC (reversible).

    Reversible: reallocating back to `previous_location_id` undoes it."""
    location_id = _location(location_id)
    row = _open_order(conn, order_id)
    current = conn.execute("SELECT location_id FROM allocations WHERE order_id = ?", (order_id,)).fetchone()
    previous = current["location_id"] if current else None
    if previous == location_id:
        raise ConflictError(f"order {order_id} is already allocated to {location_id}")
    now = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO allocations (order_id, location_id, previous_location_id, changed_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (order_id) DO UPDATE SET location_id = ?, previous_location_id = ?, changed_at = ?",
        (order_id, location_id, previous, now, location_id, previous, now),
    )
    if row["fulfilment"] == "pickup" and location_id.startswith("ST-"):
        conn.execute("UPDATE orders SET pickup_store = ? WHERE order_id = ?", (location_id, order_id))
    return WriteResult(
        order_id=order_id,
        detail=f"allocated to {location_id} (was {previous})",
        previous_location_id=previous,
        location_id=location_id,
    )


@SYSTEM.write(irreversible=True)
def cancel_omni_order(
    conn: sqlite3.Connection, order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Cancel an order that cannot be fulfilled.

    Only an open order."""
    reason = require_text(reason, "reason", max_length=500)
    _open_order(conn, order_id)
    conn.execute("UPDATE orders SET status = 'cancelled' WHERE order_id = ?", (order_id,))
    return WriteResult(order_id=order_id, detail="cancelled")


@SYSTEM.write(reaches_outside=True)
def notify_customer(
    conn: sqlite3.Connection, order_id: OrderId, topic: Topic, message: Text, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Tell the customer about their order (delay, new pickup store, consent request).

    Sent to the customer's contact of record."""
    topic = require_text(topic, "topic", max_length=64)
    message = require_text(message, "message", max_length=2000)
    _order_row(conn, order_id)
    notice_id = next_id(conn, "NT")
    conn.execute(
        "INSERT INTO notices (notice_id, order_id, topic, message, sent_at) VALUES (?, ?, ?, ?, ?)",
        (notice_id, order_id, topic, message, to_ts(book_now(conn))),
    )
    return WriteResult(order_id=order_id, detail=f"customer told ({topic})", record_id=notice_id)


#: No goodwill credit above this share of the order's total.
GOODWILL_CAP_SHARE = 0.5


@SYSTEM.write(amount="amount", irreversible=True)
def issue_goodwill_credit(
    conn: sqlite3.Connection, order_id: OrderId, amount: Amount, reason: Reason, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Credit the customer a goodwill amount for a disruption.

    Never above half of the order's total."""
    cents = to_cents(amount)
    reason = require_text(reason, "reason", max_length=500)
    row = _order_row(conn, order_id)
    if cents > row["total_cents"] * GOODWILL_CAP_SHARE:
        raise ConflictError(f"a goodwill credit of {money(cents):.2f} exceeds half of order {order_id}'s total")
    credit_id = next_id(conn, "GC")
    conn.execute(
        "INSERT INTO credits (credit_id, order_id, amount_cents, reason, issued_at) VALUES (?, ?, ?, ?, ?)",
        (credit_id, order_id, cents, reason, to_ts(book_now(conn))),
    )
    return WriteResult(order_id=order_id, detail=f"credited {money(cents):.2f}", record_id=credit_id)


def _posting(conn: sqlite3.Connection, return_id: str, amount: float, post: bool) -> WriteResult:
    cents = to_cents(amount)
    row = require_row(conn, "SELECT * FROM returns WHERE return_id = ?", (return_id,), "return", return_id)
    if conn.execute("SELECT 1 FROM orders WHERE order_id = ?", (row["order_id"],)).fetchone() is None:
        raise ConflictError(f"return {return_id} names order {row['order_id']}, which the OMS does not hold")
    if cents != row["refund_cents"]:
        raise ConflictError(f"return {return_id} refunded {money(row['refund_cents']):.2f}, not {money(cents):.2f}")
    if bool(row["posted"]) == post:
        raise ConflictError(f"return {return_id} is {'already' if post else 'not'} posted")
    posted_at = to_ts(book_now(conn)) if post else None
    conn.execute("UPDATE returns SET posted = ?, posted_at = ? WHERE return_id = ?", (int(post), posted_at, return_id))
    verb = "posted to the ledger" if post else "posting reversed"
    return WriteResult(order_id=row["order_id"], detail=f"return {return_id} {verb}", record_id=return_id)


@SYSTEM.write(amount="amount")
def post_return_adjustment(
    conn: sqlite3.Connection, return_id: ReturnId, amount: Amount, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Post a return to the ledger: refund and stock (reversible).

    The amount must be the refund the channel gave; refused for a return of an unknown order."""
    return _posting(conn, return_id, amount, post=True)


@SYSTEM.write
def reverse_return_adjustment(
    conn: sqlite3.Connection, return_id: ReturnId, amount: Amount, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Undo a return posting (the rollback of post_return_adjustment).

    Only a posted return."""
    return _posting(conn, return_id, amount, post=False)


#: A substitute's list price may differ from the ordered item's by at most this share (RET-007).
SUBSTITUTE_PRICE_BAND = 0.15
CONSENT_TOPIC = "substitution_consent"


@SYSTEM.write
def offer_substitution(conn: sqlite3.Connection,
    order_id: OrderId, substitute_sku: Sku, location_id: RetailLocationId, unit_price: Amount,
    idempotency_key: IdempotencyKey,
) -> WriteResult:  # fmt: skip
    """Hold a substitute (same family, similar price) for an order the customer was asked about; they never pay
    more.

    Only after a substitution_consent notice; the customer never pays more than they did."""
    substitute_sku = require_text(substitute_sku, "substitute_sku", max_length=64)
    location_id = _location(location_id)
    cents = to_cents(unit_price, "unit_price")
    _open_order(conn, order_id)
    line = conn.execute("SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no LIMIT 1", (order_id,)).fetchone()
    if line is None:
        raise ConflictError(f"order {order_id} has no lines")
    if line["sku"] == substitute_sku:
        raise ValidationError(f"{substitute_sku} is the item ordered, not a substitute")
    asked = "SELECT 1 FROM notices WHERE order_id = ? AND topic = ?"
    if conn.execute(asked, (order_id, CONSENT_TOPIC)).fetchone() is None:
        raise ConflictError(f"ask the customer first: order {order_id} has no {CONSENT_TOPIC} notice")
    original = line["unit_price_cents"]
    if abs(cents - original) > original * SUBSTITUTE_PRICE_BAND:
        raise ConflictError(
            f"{substitute_sku} at {money(cents):.2f} is outside {SUBSTITUTE_PRICE_BAND:.0%} of the ordered "
            f"item's {money(original):.2f}"
        )
    if conn.execute("SELECT 1 FROM substitutions WHERE order_id = ?", (order_id,)).fetchone():
        raise ConflictError(f"order {order_id} already has a substitution")
    charged = min(cents, original)  # never more than the customer paid without their say
    conn.execute(
        "INSERT INTO substitutions (order_id, line_no, sku, substitute_sku, location_id, original_unit_cents, "
        "substitute_unit_cents, charged_unit_cents, status, offered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (order_id, line["line_no"], line["sku"], substitute_sku, location_id, original, cents, charged,
         "offered", to_ts(book_now(conn))),
    )  # fmt: skip
    return WriteResult(
        order_id=order_id,
        detail=f"{substitute_sku} offered for {line['sku']} at {location_id}, charged {money(charged):.2f} a unit",
        location_id=location_id,
    )


#: Who the notes written through the OMS's tool are by: the platform's missions (a person writes in the OMS itself).
OWN_AUTHOR = "ai-missions"


@SYSTEM.write
def add_order_note(
    conn: sqlite3.Connection, order_id: OrderId, body: Text, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Add an internal note to an order.

    Internal: the customer never sees it."""
    body = require_text(body, "body", max_length=2000)
    _order_row(conn, order_id)
    note_id = next_id(conn, "ON")
    conn.execute(
        "INSERT INTO order_notes (note_id, order_id, body, added_at, author) VALUES (?, ?, ?, ?, ?)",
        (note_id, order_id, body, to_ts(book_now(conn)), OWN_AUTHOR),
    )
    return WriteResult(order_id=order_id, detail="note added", record_id=note_id)
