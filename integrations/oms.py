"""Order management: omnichannel orders (ship or pick up in store), their allocation to a store or the DC, the
returns the returns platform took in any channel and whether they reached the ledger, customer notices, goodwill
credits and internal notes. Its monitors flag orders at risk (``orders.flags``); the mission decides what is true.

Every write is idempotent by key; a reallocation and a return posting are reversible (their rollbacks are
``reallocate_order`` back to the previous location and ``reverse_return_adjustment``)."""

from __future__ import annotations

import json
import sqlite3

from pydantic import BaseModel

from ai_missions.errors import ConflictError, ValidationError
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.store import (
    book_now,
    idempotent_write,
    money,
    next_id,
    require_row,
    require_text,
    to_cents,
    to_ts,
)

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


class FlaggedOrder(BaseModel):
    order_id: str
    flags: list[str]


class OrderExceptions(BaseModel):
    orders: list[FlaggedOrder]
    #: Returns whose order the OMS does not know (a data error for a person; no mission runs on them).
    orphan_returns: list[str]


class WriteResult(BaseModel):
    order_id: str
    detail: str
    record_id: str | None = None
    previous_location_id: str | None = None
    location_id: str | None = None
    replayed: bool = False


def _order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM orders WHERE order_id = ?", (order_id,), "order", order_id)


def get_order(conn: sqlite3.Connection, order_id: str) -> Order:
    row = _order_row(conn, order_id)
    allocation = conn.execute("SELECT * FROM allocations WHERE order_id = ?", (order_id,)).fetchone()
    lines = [
        OrderLine(line_no=r["line_no"], sku=r["sku"], quantity=r["quantity"], unit_price=money(r["unit_price_cents"]))
        for r in conn.execute("SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no", (order_id,))
    ]
    return Order(
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        fulfilment=row["fulfilment"],
        pickup_store=row["pickup_store"],
        status=row["status"],
        placed_at=row["placed_at"],
        promised_at=row["promised_at"],
        total=money(row["total_cents"]),
        promo_id=row["promo_id"],
        flags=json.loads(row["flags"]),
        location_id=allocation["location_id"] if allocation else None,
        previous_location_id=allocation["previous_location_id"] if allocation else None,
        lines=lines,
    )


def _return(row: sqlite3.Row) -> Return:
    return Return(
        return_id=row["return_id"],
        order_id=row["order_id"],
        channel=row["channel"],
        sku=row["sku"],
        quantity=row["quantity"],
        refund=money(row["refund_cents"]),
        location_id=row["location_id"],
        processed_at=row["processed_at"],
        posted=bool(row["posted"]),
        posted_at=row["posted_at"],
    )


def get_return(conn: sqlite3.Connection, return_id: str) -> Return:
    return _return(require_row(conn, "SELECT * FROM returns WHERE return_id = ?", (return_id,), "return", return_id))


def get_omni_order(conn: sqlite3.Connection, order_id: str) -> OrderContext:
    """The order, its customer, returns, notices and credits (a part that fails is null under ``missing``); an
    order the OMS does not hold is NotFoundError."""
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
            }
        ),
    )


def list_flagged_orders(conn: sqlite3.Connection) -> OrderExceptions:
    """Orders the monitors flagged (not cancelled), and returns that name an order the OMS does not hold."""
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


def reallocate_order(conn: sqlite3.Connection, order_id: str, location_id: str, idempotency_key: str) -> WriteResult:
    """Allocate the order to another store or the DC (a pickup order is then picked up there)."""
    location_id = _location(location_id)

    def perform() -> WriteResult:
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

    return idempotent_write(
        conn, "reallocate_order", idempotency_key, {"order_id": order_id, "location_id": location_id}, WriteResult,
        perform,
    )  # fmt: skip


def cancel_omni_order(conn: sqlite3.Connection, order_id: str, reason: str, idempotency_key: str) -> WriteResult:
    reason = require_text(reason, "reason", max_length=500)

    def perform() -> WriteResult:
        _open_order(conn, order_id)
        conn.execute("UPDATE orders SET status = 'cancelled' WHERE order_id = ?", (order_id,))
        return WriteResult(order_id=order_id, detail="cancelled")

    return idempotent_write(
        conn, "cancel_omni_order", idempotency_key, {"order_id": order_id, "reason": reason}, WriteResult, perform
    )


def notify_customer(
    conn: sqlite3.Connection, order_id: str, topic: str, message: str, idempotency_key: str
) -> WriteResult:
    topic = require_text(topic, "topic", max_length=64)
    message = require_text(message, "message", max_length=2000)

    def perform() -> WriteResult:
        _order_row(conn, order_id)
        notice_id = next_id(conn, "NT")
        conn.execute(
            "INSERT INTO notices (notice_id, order_id, topic, message, sent_at) VALUES (?, ?, ?, ?, ?)",
            (notice_id, order_id, topic, message, to_ts(book_now(conn))),
        )
        return WriteResult(order_id=order_id, detail=f"customer told ({topic})", record_id=notice_id)

    args = {"order_id": order_id, "topic": topic, "message": message}
    return idempotent_write(conn, "notify_customer", idempotency_key, args, WriteResult, perform)


#: No goodwill credit above this share of the order's total.
GOODWILL_CAP_SHARE = 0.5


def issue_goodwill_credit(
    conn: sqlite3.Connection, order_id: str, amount: float, reason: str, idempotency_key: str
) -> WriteResult:
    cents = to_cents(amount)
    reason = require_text(reason, "reason", max_length=500)

    def perform() -> WriteResult:
        row = _order_row(conn, order_id)
        if cents > row["total_cents"] * GOODWILL_CAP_SHARE:
            raise ConflictError(f"a goodwill credit of {money(cents):.2f} exceeds half of order {order_id}'s total")
        credit_id = next_id(conn, "GC")
        conn.execute(
            "INSERT INTO credits (credit_id, order_id, amount_cents, reason, issued_at) VALUES (?, ?, ?, ?, ?)",
            (credit_id, order_id, cents, reason, to_ts(book_now(conn))),
        )
        return WriteResult(order_id=order_id, detail=f"credited {money(cents):.2f}", record_id=credit_id)

    args = {"order_id": order_id, "amount_cents": cents, "reason": reason}
    return idempotent_write(conn, "issue_goodwill_credit", idempotency_key, args, WriteResult, perform)


def _posting(conn: sqlite3.Connection, return_id: str, amount: float, post: bool, tool: str, key: str) -> WriteResult:
    cents = to_cents(amount)

    def perform() -> WriteResult:
        row = require_row(conn, "SELECT * FROM returns WHERE return_id = ?", (return_id,), "return", return_id)
        if conn.execute("SELECT 1 FROM orders WHERE order_id = ?", (row["order_id"],)).fetchone() is None:
            raise ConflictError(f"return {return_id} names order {row['order_id']}, which the OMS does not hold")
        if cents != row["refund_cents"]:
            raise ConflictError(f"return {return_id} refunded {money(row['refund_cents']):.2f}, not {money(cents):.2f}")
        if bool(row["posted"]) == post:
            raise ConflictError(f"return {return_id} is {'already' if post else 'not'} posted")
        posted_at = to_ts(book_now(conn)) if post else None
        conn.execute(
            "UPDATE returns SET posted = ?, posted_at = ? WHERE return_id = ?", (int(post), posted_at, return_id)
        )
        verb = "posted to the ledger" if post else "posting reversed"
        return WriteResult(order_id=row["order_id"], detail=f"return {return_id} {verb}", record_id=return_id)

    return idempotent_write(conn, tool, key, {"return_id": return_id, "amount_cents": cents}, WriteResult, perform)


def post_return_adjustment(
    conn: sqlite3.Connection, return_id: str, amount: float, idempotency_key: str
) -> WriteResult:
    """Post the return's refund and restock to the ledger (the amount must be the refund the channel gave)."""
    return _posting(conn, return_id, amount, True, "post_return_adjustment", idempotency_key)


def reverse_return_adjustment(
    conn: sqlite3.Connection, return_id: str, amount: float, idempotency_key: str
) -> WriteResult:
    return _posting(conn, return_id, amount, False, "reverse_return_adjustment", idempotency_key)


#: A substitute's list price may differ from the ordered item's by at most this share (RET-007).
SUBSTITUTE_PRICE_BAND = 0.15
CONSENT_TOPIC = "substitution_consent"


def offer_substitution(
    conn: sqlite3.Connection, order_id: str, substitute_sku: str, location_id: str, unit_price: float,
    idempotency_key: str,
) -> WriteResult:  # fmt: skip
    """Hold a substitute for the order's line at a location, offered to the customer at no more than the price they
    paid: the customer must have been asked first (a ``substitution_consent`` notice), and the substitute's price
    must be within the band of the ordered item's. The line changes only when the customer accepts."""
    substitute_sku = require_text(substitute_sku, "substitute_sku", max_length=64)
    location_id = _location(location_id)
    cents = to_cents(unit_price, "unit_price")

    def perform() -> WriteResult:
        _open_order(conn, order_id)
        line = conn.execute(
            "SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no LIMIT 1", (order_id,)
        ).fetchone()
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

    args = {"order_id": order_id, "substitute_sku": substitute_sku, "location_id": location_id, "unit_cents": cents}
    return idempotent_write(conn, "offer_substitution", idempotency_key, args, WriteResult, perform)


def add_order_note(conn: sqlite3.Connection, order_id: str, body: str, idempotency_key: str) -> WriteResult:
    body = require_text(body, "body", max_length=2000)

    def perform() -> WriteResult:
        _order_row(conn, order_id)
        note_id = next_id(conn, "ON")
        conn.execute(
            "INSERT INTO order_notes (note_id, order_id, body, added_at) VALUES (?, ?, ?, ?)",
            (note_id, order_id, body, to_ts(book_now(conn))),
        )
        return WriteResult(order_id=order_id, detail="note added", record_id=note_id)

    return idempotent_write(
        conn, "add_order_note", idempotency_key, {"order_id": order_id, "body": body}, WriteResult, perform
    )
