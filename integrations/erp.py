"""ERP: orders with lines, totals, ship-to, status, holds, status history and the order event feed.

Statuses: pending, payment_review, on_hold, ready_to_fulfill, shipped, delivered, cancelled. Every status
change appends an event to the feed (``read_events``), which is also each order's history.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.addresses import Address
from ai_missions.integrations.arguments import IdempotencyKey, OrderId, Reason
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, from_ts, money, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, hours_between, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, ValidationError

DDL = """
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL,
    placed_at TEXT NOT NULL, updated_at TEXT NOT NULL, currency TEXT NOT NULL,
    subtotal_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    ship_name TEXT NOT NULL, ship_line1 TEXT NOT NULL, ship_line2 TEXT, ship_city TEXT NOT NULL,
    ship_region TEXT NOT NULL, ship_postal_code TEXT NOT NULL, ship_country TEXT NOT NULL,
    fulfillment_method TEXT NOT NULL DEFAULT 'ship' CHECK (fulfillment_method IN ('ship', 'pickup')),
    pickup_location_id TEXT
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_status ON orders (status);
CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    description TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
) STRICT;
CREATE TABLE order_holds (
    hold_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'released')), previous_status TEXT NOT NULL,
    placed_at TEXT NOT NULL, released_at TEXT
) STRICT;
CREATE INDEX order_holds_order ON order_holds (order_id);
CREATE TABLE order_events (
    event_id INTEGER PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), type TEXT NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, at TEXT NOT NULL, reason TEXT
) STRICT;
CREATE INDEX order_events_order ON order_events (order_id, event_id);
CREATE TABLE variants (
    sku TEXT PRIMARY KEY, product_id TEXT NOT NULL, option TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0), available INTEGER NOT NULL CHECK (available >= 0)
) STRICT;
CREATE INDEX variants_product ON variants (product_id);
CREATE TABLE order_returns (
    return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), created_at TEXT NOT NULL,
    received_at TEXT, condition TEXT CHECK (condition IN ('as_new', 'opened', 'damaged')),
    refund_to TEXT CHECK (refund_to IN ('original_payment', 'gift_card'))
) STRICT;
CREATE INDEX order_returns_order ON order_returns (order_id);
CREATE TABLE return_lines (
    return_id TEXT NOT NULL REFERENCES order_returns (return_id), line_no INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), PRIMARY KEY (return_id, line_no)
) STRICT;
CREATE TABLE order_exchanges (
    exchange_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL,
    from_sku TEXT NOT NULL, to_sku TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0), at TEXT NOT NULL,
    settle_to TEXT
) STRICT;
"""
SYSTEM = SimulatedSystem("erp", "ERP (orders)", DDL)

OrderStatus = Literal["pending", "payment_review", "on_hold", "ready_to_fulfill", "shipped", "delivered", "cancelled"]
Status = Annotated[
    OrderStatus | None,
    Field(description="pending, payment_review, on_hold, ready_to_fulfill, shipped, delivered or cancelled"),
]

STATUSES: tuple[str, ...] = OrderStatus.__args__  # type: ignore[attr-defined]
CLOSED_STATUSES: frozenset[str] = frozenset({"shipped", "delivered", "cancelled"})
CHANNELS: tuple[str, ...] = ("web", "mobile", "marketplace", "phone")


class OrderLine(BaseModel):
    line_no: int
    sku: str
    description: str
    quantity: int
    unit_price: float
    line_total: float


class OrderHold(BaseModel):
    hold_id: str
    reason: str
    status: Literal["active", "released"]
    previous_status: str
    placed_at: str
    released_at: str | None = None


class Order(BaseModel):
    """An order as the ERP knows it. ``age_hours`` is measured against the book clock."""

    order_id: str
    customer_id: str
    channel: str
    status: str
    is_open: bool = Field(description="Not shipped, delivered or cancelled")
    placed_at: str
    age_hours: float
    updated_at: str
    currency: str
    lines: list[OrderLine]
    subtotal: float
    shipping: float
    tax: float
    total: float
    ship_to: Address
    fulfillment_method: Literal["ship", "pickup"] = Field(
        default="ship", description="ship: to the ship-to; pickup: the customer collects it in a store"
    )
    pickup_location_id: str | None = Field(default=None, description="The store a pickup order is collected from")
    holds: list[OrderHold]
    has_active_hold: bool


class OrderSummary(BaseModel):
    order_id: str
    customer_id: str
    channel: str
    status: str
    placed_at: str
    age_hours: float
    currency: str
    total: float
    item_count: int


class OrderList(BaseModel):
    orders: list[OrderSummary]
    count: int


class OrderEvent(BaseModel):
    event_id: int
    order_id: str
    type: str = Field(description="order.placed or order.status_changed")
    from_status: str | None
    to_status: str
    at: str
    reason: str | None = None


class OrderHistory(BaseModel):
    order_id: str
    status: str
    events: list[OrderEvent]


class EventPage(BaseModel):
    """A page of the feed: pass ``next_after_id`` back as ``after_id`` to continue."""

    events: list[OrderEvent]
    next_after_id: int
    has_more: bool


class SimilarOrder(BaseModel):
    order_id: str
    status: str
    placed_at: str
    minutes_apart: float
    placed_before: bool = Field(description="This order was placed before the one asked about")
    total: float
    same_items: bool


class SimilarOrders(BaseModel):
    order_id: str
    customer_id: str
    window_minutes: int
    matches: list[SimilarOrder]


class OrderActionResult(Replayable):
    """The outcome of an ERP write."""

    order_id: str
    action: str
    status: str
    previous_status: str
    hold_ids: list[str] = Field(default_factory=list)
    event_id: int | None = None
    at: str


_ORDER_SQL = "SELECT * FROM orders WHERE order_id = ?"


def _order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
    return require_row(conn, _ORDER_SQL, (order_id,), "order", order_id)


def _ship_to(row: sqlite3.Row) -> Address:
    return Address.from_row(row, "ship_")


def _lines(conn: sqlite3.Connection, order_id: str) -> list[OrderLine]:
    rows = conn.execute("SELECT * FROM order_lines WHERE order_id = ? ORDER BY line_no", (order_id,))
    return [
        from_row(
            OrderLine,
            r,
            unit_price=money(r["unit_price_cents"]),
            line_total=money(r["unit_price_cents"] * r["quantity"]),
        )
        for r in rows
    ]


def _holds(conn: sqlite3.Connection, order_id: str) -> list[OrderHold]:
    rows = conn.execute("SELECT * FROM order_holds WHERE order_id = ? ORDER BY placed_at, hold_id", (order_id,))
    return [from_row(OrderHold, r) for r in rows]


@SYSTEM.read
def get_order(conn: sqlite3.Connection, order_id: OrderId) -> Order:
    """An order with lines, totals, ship-to, status and holds.

    Lines, totals, currency, channel, ship-to (with a comparable fingerprint), status, holds and age in
    hours by the book clock."""
    row = _order_row(conn, order_id)
    holds = _holds(conn, order_id)
    return from_row(
        Order,
        row,
        is_open=row["status"] not in CLOSED_STATUSES,
        age_hours=hours_between(book_now(conn), from_ts(row["placed_at"])),
        lines=_lines(conn, order_id),
        subtotal=money(row["subtotal_cents"]),
        shipping=money(row["shipping_cents"]),
        tax=money(row["tax_cents"]),
        total=money(row["total_cents"]),
        ship_to=_ship_to(row),
        holds=holds,
        has_active_hold=any(h.status == "active" for h in holds),
    )


@SYSTEM.read
def list_orders(
    conn: sqlite3.Connection,
    status: Status = None,
    customer_id: Annotated[str | None, Field(description="Only this customer's orders")] = None,
    limit: Annotated[int, Field(strict=True, ge=1, le=500)] = 50,
) -> OrderList:
    """Orders filtered by status and/or customer, newest first.

    Order summaries, newest first."""
    if status is not None and status not in STATUSES:
        raise ValidationError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    if not 1 <= limit <= 500:
        raise ValidationError("limit must be between 1 and 500")
    sql = (
        "SELECT o.*, (SELECT COALESCE(SUM(quantity), 0) FROM order_lines l WHERE l.order_id = o.order_id) AS items "
        "FROM orders o WHERE (? IS NULL OR status = ?) AND (? IS NULL OR customer_id = ?) "
        "ORDER BY placed_at DESC, order_id DESC LIMIT ?"
    )
    now = book_now(conn)
    rows = conn.execute(sql, (status, status, customer_id, customer_id, limit)).fetchall()
    orders = [
        from_row(
            OrderSummary,
            r,
            age_hours=hours_between(now, from_ts(r["placed_at"])),
            total=money(r["total_cents"]),
            item_count=r["items"],
        )
        for r in rows
    ]
    return OrderList(orders=orders, count=len(orders))


class ReferenceMatch(BaseModel):
    order_id: str
    customer_id: str


class OrderReference(BaseModel):
    reference: str
    matches: list[ReferenceMatch] = Field(description="Orders this reference can name (none: no such order)")


def _plain_reference(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


@SYSTEM.read
def find_order_reference(
    conn: sqlite3.Connection,
    reference: Annotated[str, Field(min_length=1, max_length=64, description="As the customer wrote it")],
) -> OrderReference:
    """The orders (and their customers) a reference as customers write it names.

    The orders a customer's reference can name ("#W2378156", "W2378156", "104471" for SO-104471), each with
    its customer; none when the ERP has no such order."""
    plain = _plain_reference(reference)
    if not 3 <= len(plain) <= 32:
        raise ValidationError("a reference has 3 to 32 letters or digits")
    normalised = "UPPER(REPLACE(REPLACE(REPLACE(order_id, '#', ''), '-', ''), ' ', ''))"
    rows = conn.execute(
        f"SELECT order_id, customer_id FROM orders WHERE {normalised} = ? "
        f"OR LTRIM({normalised}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = ? ORDER BY order_id",
        (plain, plain if plain.isdigit() else ""),
    ).fetchall()
    return OrderReference(
        reference=reference,
        matches=[ReferenceMatch(order_id=r["order_id"], customer_id=r["customer_id"]) for r in rows],
    )


def _event(row: sqlite3.Row) -> OrderEvent:
    return from_row(OrderEvent, row)


@SYSTEM.read
def get_order_history(conn: sqlite3.Connection, order_id: OrderId) -> OrderHistory:
    """An order's status history.

    Every status change of the order, oldest first."""
    row = _order_row(conn, order_id)
    rows = conn.execute("SELECT * FROM order_events WHERE order_id = ? ORDER BY event_id", (order_id,))
    return OrderHistory(order_id=order_id, status=row["status"], events=[_event(r) for r in rows])


#: Where a return's refund goes: the payment the order was paid with, or a gift card.
RefundTo = Literal["original_payment", "gift_card"]


class ReturnLine(BaseModel):
    line_no: int = Field(description="The order line returned")
    sku: str
    quantity: int
    value: float = Field(description="Quantity times the line's unit price: what the returned items cost")


class OrderReturn(BaseModel):
    """A return of some of an order's items, as the warehouse records it."""

    return_id: str
    order_id: str
    created_at: str = Field(description="When the return was registered")
    received: bool = Field(description="The warehouse has the items back")
    received_at: str | None
    condition: Literal["as_new", "opened", "damaged"] | None = Field(description="As inspected on receipt")
    lines: list[ReturnLine]
    value: float = Field(description="The returned items' value (sum of the lines)")
    refund_to: RefundTo | None = Field(
        default=None, description="Where the refund goes once received: original_payment or gift_card"
    )


class Variant(BaseModel):
    """A sellable variant of a product (another size, colour or model of the same item)."""

    sku: str
    product_id: str
    option: str = Field(description="What tells it apart from its siblings (e.g. Blue, Large, Pro)")
    unit_price: float
    available: int = Field(description="Units that can still be sold")


class OrderContext(ContextRead):
    """An order and the ERP's other records that bear on it, in one read."""

    order: Order
    similar_orders: SimilarOrders | None
    returns: list[OrderReturn] | None = Field(default=None, description="The order's returns, oldest first")
    variants: list[Variant] | None = Field(
        default=None, description="Every variant of the products on the order's lines (theirs included)"
    )


def get_returns(conn: sqlite3.Connection, order_id: str) -> list[OrderReturn]:
    """The order's returns (registered or received), oldest first, each with its lines' value."""
    _order_row(conn, order_id)
    out = []
    rows = conn.execute("SELECT * FROM order_returns WHERE order_id = ? ORDER BY created_at, return_id", (order_id,))
    for r in rows.fetchall():
        lines = [
            from_row(ReturnLine, x, value=money(x["quantity"] * x["unit_price_cents"]))
            for x in conn.execute(
                "SELECT rl.line_no, rl.quantity, ol.sku, ol.unit_price_cents FROM return_lines rl "
                "JOIN order_lines ol ON ol.order_id = ? AND ol.line_no = rl.line_no WHERE rl.return_id = ? "
                "ORDER BY rl.line_no",
                (order_id, r["return_id"]),
            )
        ]
        out.append(
            # a book written before returns carried a refund method has no such column: its refund_to stays None
            from_row(
                OrderReturn,
                r,
                order_id=order_id,
                received=r["received_at"] is not None,
                lines=lines,
                value=round(sum(line.value for line in lines), 2),
            )
        )
    return out


def _variant(row: sqlite3.Row) -> Variant:
    return from_row(Variant, row, unit_price=money(row["unit_price_cents"]))


def get_variants(conn: sqlite3.Connection, order_id: str) -> list[Variant]:
    """Every variant of the products the order's lines are variants of (an unknown SKU has none)."""
    rows = conn.execute(
        "SELECT * FROM variants WHERE product_id IN (SELECT v.product_id FROM variants v JOIN order_lines l "
        "ON l.sku = v.sku WHERE l.order_id = ?) ORDER BY product_id, sku",
        (order_id,),
    )
    return [_variant(r) for r in rows]


@SYSTEM.read
def get_order_context(
    conn: sqlite3.Connection,
    order_id: OrderId,
    window_minutes: Annotated[
        int, Field(strict=True, ge=1, le=10080, description="How far apart similar orders are")
    ] = 60,
) -> OrderContext:
    """An order, the same customer's similar orders, its returns and its products' variants, in one read.

    `get_order`, `find_similar_orders`, the order's returns (items, received date, condition, value) and the
    variants of its products (option, price, available) in one call; a part that cannot be read is null, with
    the reason under `missing`."""
    order = get_order(conn, order_id)
    return OrderContext(
        order=order,
        **read_parts(
            {
                "similar_orders": lambda: find_similar_orders(conn, order_id, window_minutes),
                "returns": lambda: get_returns(conn, order_id),
                "variants": lambda: get_variants(conn, order_id),
            }
        ),
    )


@SYSTEM.read
def read_events(
    conn: sqlite3.Connection,
    after_id: Annotated[int, Field(strict=True, ge=0, description="Cursor: the last event id already seen")] = 0,
    limit: Annotated[int, Field(strict=True, ge=1, le=1000)] = 100,
) -> EventPage:
    """The order event feed (status changes) after a cursor.

    Order status-change events with ids above `after_id`, oldest first."""
    if after_id < 0:
        raise ValidationError("after_id must be >= 0")
    if not 1 <= limit <= 1000:
        raise ValidationError("limit must be between 1 and 1000")
    rows = conn.execute(
        "SELECT * FROM order_events WHERE event_id > ? ORDER BY event_id LIMIT ?", (after_id, limit + 1)
    ).fetchall()
    events = [_event(r) for r in rows[:limit]]
    return EventPage(
        events=events, next_after_id=events[-1].event_id if events else after_id, has_more=len(rows) > limit
    )


def _items(conn: sqlite3.Connection, order_id: str) -> Counter[str]:
    items: Counter[str] = Counter()
    for r in conn.execute("SELECT sku, quantity FROM order_lines WHERE order_id = ?", (order_id,)):
        items[r["sku"]] += r["quantity"]
    return items


@SYSTEM.read
def find_similar_orders(
    conn: sqlite3.Connection,
    order_id: OrderId,
    window_minutes: Annotated[int, Field(strict=True, ge=1, le=10080, description="How far apart in time")] = 60,
) -> SimilarOrders:
    """Same-customer orders with the same items placed close in time.

    Other orders of the same customer with exactly the same SKUs and quantities placed within the window;
    `placed_before` marks the earlier ones (the original of a duplicate)."""
    if not 1 <= window_minutes <= 7 * 24 * 60:
        raise ValidationError("window_minutes must be between 1 and 10080")
    row = _order_row(conn, order_id)
    placed = from_ts(row["placed_at"])
    window = timedelta(minutes=window_minutes)
    items = _items(conn, order_id)
    others = conn.execute(
        "SELECT * FROM orders WHERE customer_id = ? AND order_id != ? AND placed_at BETWEEN ? AND ? "
        "ORDER BY placed_at, order_id",
        (row["customer_id"], order_id, to_ts(placed - window), to_ts(placed + window)),
    ).fetchall()
    matches = []
    for other in others:
        other_placed = from_ts(other["placed_at"])
        same = _items(conn, other["order_id"]) == items
        if not same:
            continue
        matches.append(
            from_row(
                SimilarOrder,
                other,
                minutes_apart=round(abs((placed - other_placed).total_seconds()) / 60, 1),
                placed_before=(other_placed, other["order_id"]) < (placed, order_id),
                total=money(other["total_cents"]),
                same_items=same,
            )
        )
    return SimilarOrders(
        order_id=order_id, customer_id=row["customer_id"], window_minutes=window_minutes, matches=matches
    )


# --- writes -----------------------------------------------------------------------------------------------------


def _change_status(conn: sqlite3.Connection, order_id: str, old: str, new: str, reason: str, at: str) -> int:
    conn.execute("UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?", (new, at, order_id))
    cursor = conn.execute(
        "INSERT INTO order_events (order_id, type, from_status, to_status, at, reason) "
        "VALUES (?, 'order.status_changed', ?, ?, ?, ?)",
        (order_id, old, new, at, reason),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _active_holds(conn: sqlite3.Connection, order_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM order_holds WHERE order_id = ? AND status = 'active' ORDER BY placed_at, hold_id", (order_id,)
    ).fetchall()


@SYSTEM.write
def place_order_hold(
    conn: sqlite3.Connection, order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey
) -> OrderActionResult:
    """Put an order on hold with a reason.

    Status becomes on_hold; refused for shipped, delivered or cancelled orders."""
    reason = require_text(reason, "reason", max_length=500)
    row = _order_row(conn, order_id)
    status = row["status"]
    if status in CLOSED_STATUSES:
        raise ConflictError(f"order {order_id} is {status}; it can no longer be held")
    at = to_ts(book_now(conn))
    hold_id = next_id(conn, "HOLD")
    previous = status
    if status == "on_hold":  # stacking a hold keeps the status the order returns to
        previous = _active_holds(conn, order_id)[0]["previous_status"]
    conn.execute(
        "INSERT INTO order_holds (hold_id, order_id, reason, status, previous_status, placed_at) "
        "VALUES (?, ?, ?, 'active', ?, ?)",
        (hold_id, order_id, reason, previous, at),
    )
    event_id = None if status == "on_hold" else _change_status(conn, order_id, status, "on_hold", reason, at)
    return OrderActionResult(
        order_id=order_id,
        action="place_order_hold",
        status="on_hold",
        previous_status=status,
        hold_ids=[hold_id],
        event_id=event_id,
        at=at,
    )


@SYSTEM.write(irreversible=True)
def release_order_hold(
    conn: sqlite3.Connection, order_id: OrderId, idempotency_key: IdempotencyKey
) -> OrderActionResult:
    """Release an order's active holds.

    Releases every active hold; the order returns to the status it had before. Refused if none."""
    row = _order_row(conn, order_id)
    holds = _active_holds(conn, order_id)
    if not holds:
        raise ConflictError(f"order {order_id} has no active hold")
    at = to_ts(book_now(conn))
    conn.executemany(
        "UPDATE order_holds SET status = 'released', released_at = ? WHERE hold_id = ?",
        [(at, h["hold_id"]) for h in holds],
    )
    status, back_to = row["status"], holds[0]["previous_status"]
    event_id = None
    if status == "on_hold":
        event_id = _change_status(conn, order_id, status, back_to, "hold released", at)
    return OrderActionResult(
        order_id=order_id,
        action="release_order_hold",
        status=back_to if status == "on_hold" else status,
        previous_status=status,
        hold_ids=[h["hold_id"] for h in holds],
        event_id=event_id,
        at=at,
    )


@SYSTEM.write(irreversible=True)
def release_to_fulfillment(
    conn: sqlite3.Connection, order_id: OrderId, idempotency_key: IdempotencyKey
) -> OrderActionResult:
    """Move an order to ready_to_fulfill.

    From pending or payment_review to ready_to_fulfill; refused while a hold is active."""
    row = _order_row(conn, order_id)
    status = row["status"]
    if _active_holds(conn, order_id):
        raise ConflictError(f"order {order_id} has an active hold; release it first")
    if status not in ("pending", "payment_review"):
        raise ConflictError(f"order {order_id} is {status}; only pending or payment_review orders can be released")
    at = to_ts(book_now(conn))
    event_id = _change_status(conn, order_id, status, "ready_to_fulfill", "released to fulfillment", at)
    return OrderActionResult(
        order_id=order_id,
        action="release_to_fulfillment",
        status="ready_to_fulfill",
        previous_status=status,
        event_id=event_id,
        at=at,
    )


@SYSTEM.write(irreversible=True)
def cancel_order(
    conn: sqlite3.Connection, order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey
) -> OrderActionResult:
    """Cancel an order (refused after shipment).

    Cancels and releases holds; refused after shipment or when already cancelled."""
    reason = require_text(reason, "reason", max_length=500)
    row = _order_row(conn, order_id)
    status = row["status"]
    if status in ("shipped", "delivered"):
        raise ConflictError(f"order {order_id} is {status}; it cannot be cancelled after shipment")
    if status == "cancelled":
        raise ConflictError(f"order {order_id} is already cancelled")
    at = to_ts(book_now(conn))
    holds = _active_holds(conn, order_id)
    conn.executemany(
        "UPDATE order_holds SET status = 'released', released_at = ? WHERE hold_id = ?",
        [(at, h["hold_id"]) for h in holds],
    )
    event_id = _change_status(conn, order_id, status, "cancelled", reason, at)
    return OrderActionResult(
        order_id=order_id,
        action="cancel_order",
        status="cancelled",
        previous_status=status,
        hold_ids=[h["hold_id"] for h in holds],
        event_id=event_id,
        at=at,
    )


class ShipToResult(Replayable):
    """The outcome of a ship-to change."""

    order_id: str
    action: str = "change_ship_to"
    status: str
    previous_ship_to: Address
    ship_to: Address
    at: str


@SYSTEM.write
def change_ship_to(
    conn: sqlite3.Connection, order_id: OrderId, ship_to: Address, idempotency_key: IdempotencyKey
) -> ShipToResult:
    """Change where an unshipped order ships.

    Changes where the order ships (the customer asked for another address); refused once shipped, delivered
    or cancelled."""
    for name in ("name", "line1", "city", "region", "postal_code", "country"):
        require_text(getattr(ship_to, name), f"ship_to.{name}", max_length=200)
    row = _order_row(conn, order_id)
    if row["status"] in CLOSED_STATUSES:
        raise ConflictError(f"order {order_id} is {row['status']}; its ship-to can no longer be changed")
    at = to_ts(book_now(conn))
    conn.execute(
        "UPDATE orders SET ship_name = ?, ship_line1 = ?, ship_line2 = ?, ship_city = ?, ship_region = ?, "
        "ship_postal_code = ?, ship_country = ?, updated_at = ? WHERE order_id = ?",
        (
            ship_to.name,
            ship_to.line1,
            ship_to.line2,
            ship_to.city,
            ship_to.region,
            ship_to.postal_code,
            ship_to.country,
            at,
            order_id,
        ),
    )
    return ShipToResult(
        order_id=order_id,
        status=row["status"],
        previous_ship_to=_ship_to(row),
        ship_to=_ship_to(_order_row(conn, order_id)),
        at=at,
    )


class ExchangeResult(Replayable):
    """The outcome of an exchange: the new variant is reserved for the customer, the old one is expected back."""

    exchange_id: str
    order_id: str
    line_no: int
    from_sku: str
    to_sku: str
    quantity: int
    available_after: int = Field(description="Units of the new variant left to sell")
    settle_to: str | None = Field(default=None, description="The customer's method recorded for the difference")
    at: str


#: The customer's payment method chosen for an exchange's price difference (the payments system's id), recorded
#: with the exchange even when the difference is nothing: payments moves the money, the order keeps the choice.
SettleTo = Annotated[
    str | None,
    Field(min_length=1, max_length=64, description="The customer's method for any price difference"),
]


@SYSTEM.write
def exchange_order_item(
    conn: sqlite3.Connection,
    order_id: OrderId,
    line_no: Annotated[int, Field(strict=True, ge=1, description="The order line exchanged")],
    sku: Annotated[str, Field(min_length=1, max_length=64, description="The variant the customer gets instead")],
    idempotency_key: IdempotencyKey,
    settle_to: SettleTo = None,
) -> ExchangeResult:
    """Exchange an order line for another variant of the same product.

    Exchanges an order line for another variant of the same product at the same price, reserving its stock and
    recording the method the customer chose for any difference (``settle_to``); refused for a cancelled order,
    another product or price, or not enough available."""
    sku = require_text(sku, "sku", max_length=64)
    row = _order_row(conn, order_id)
    if row["status"] == "cancelled":
        raise ConflictError(f"order {order_id} is cancelled; nothing to exchange")
    line = conn.execute("SELECT * FROM order_lines WHERE order_id = ? AND line_no = ?", (order_id, line_no)).fetchone()
    if line is None:
        raise ValidationError(f"order {order_id} has no line {line_no}")
    old = conn.execute("SELECT * FROM variants WHERE sku = ?", (line["sku"],)).fetchone()
    new = require_row(conn, "SELECT * FROM variants WHERE sku = ?", (sku,), "variant", sku)
    if old is None or old["product_id"] != new["product_id"] or sku == line["sku"]:
        raise ConflictError(f"{sku} is not another variant of the item on line {line_no} ({line['sku']})")
    if new["unit_price_cents"] != line["unit_price_cents"]:
        raise ConflictError(f"{sku} costs {money(new['unit_price_cents']):.2f}, not the line's price")
    if new["available"] < line["quantity"]:
        raise ConflictError(f"{sku} has {new['available']} available; the line needs {line['quantity']}")
    at = to_ts(book_now(conn))
    exchange_id = next_id(conn, "EXC")
    conn.execute("UPDATE variants SET available = available - ? WHERE sku = ?", (line["quantity"], sku))
    conn.execute(
        "INSERT INTO order_exchanges (exchange_id, order_id, line_no, from_sku, to_sku, quantity, at, settle_to) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (exchange_id, order_id, line_no, line["sku"], sku, line["quantity"], at, settle_to),
    )
    return ExchangeResult(
        exchange_id=exchange_id,
        order_id=order_id,
        line_no=line_no,
        from_sku=line["sku"],
        to_sku=sku,
        quantity=line["quantity"],
        available_after=new["available"] - line["quantity"],
        settle_to=settle_to,
        at=at,
    )


class ReturnOpened(Replayable):
    """The outcome of opening a return: the warehouse expects these lines back; the refund follows on receipt."""

    return_id: str
    order_id: str
    line_nos: list[int]
    value: float = Field(description="The lines' value: the most the return can refund")
    refund_to: RefundTo
    at: str


@SYSTEM.write
def open_return(
    conn: sqlite3.Connection,
    order_id: OrderId,
    line_nos: Annotated[
        list[Annotated[int, Field(strict=True, ge=1)]],
        Field(min_length=1, max_length=50, description="The order lines the customer sends back (whole lines)"),
    ],
    refund_to: Annotated[
        RefundTo, Field(description="original_payment (the default) or gift_card, as the customer asked")
    ],
    idempotency_key: IdempotencyKey,
) -> ReturnOpened:
    """Open a return of lines of a delivered order, the refund to a chosen method.

    Opens a return of lines of a delivered order; the refund follows when the warehouse receives them.
    Refused for an order not delivered, a line not on it, or one already on a return."""
    if not line_nos:
        raise ValidationError("line_nos: name at least one order line")
    if refund_to not in ("original_payment", "gift_card"):
        raise ValidationError(f"refund_to: {refund_to!r} is not original_payment or gift_card")
    wanted = sorted(set(line_nos))
    row = _order_row(conn, order_id)
    if row["status"] != "delivered":
        raise ConflictError(f"order {order_id} is {row['status']}; only a delivered order's items are returned")
    lines = {
        r["line_no"]: r for r in conn.execute("SELECT * FROM order_lines WHERE order_id = ?", (order_id,)).fetchall()
    }
    missing = [n for n in wanted if n not in lines]
    if missing:
        raise ValidationError(f"order {order_id} has no line {', '.join(map(str, missing))}")
    taken = {
        r["line_no"]
        for r in conn.execute(
            "SELECT rl.line_no FROM return_lines rl JOIN order_returns r ON r.return_id = rl.return_id "
            "WHERE r.order_id = ?",
            (order_id,),
        )
    }
    again = [n for n in wanted if n in taken]
    if again:
        raise ConflictError(f"order {order_id} line {', '.join(map(str, again))} is already on a return")
    at = to_ts(book_now(conn))
    return_id = next_id(conn, "RET")
    conn.execute(
        "INSERT INTO order_returns (return_id, order_id, created_at, refund_to) VALUES (?, ?, ?, ?)",
        (return_id, order_id, at, refund_to),
    )
    conn.executemany(
        "INSERT INTO return_lines (return_id, line_no, quantity) VALUES (?, ?, ?)",
        [(return_id, n, lines[n]["quantity"]) for n in wanted],
    )
    value = money(sum(lines[n]["quantity"] * lines[n]["unit_price_cents"] for n in wanted))
    return ReturnOpened(
        return_id=return_id, order_id=order_id, line_nos=wanted, value=value, refund_to=refund_to, at=at
    )


class ItemChange(BaseModel):
    """One order line to change to another variant of its product."""

    line_no: int = Field(ge=1, description="The order line changed")
    sku: str = Field(min_length=1, max_length=64, description="The variant the line becomes")


class ItemChanged(BaseModel):
    line_no: int
    from_sku: str
    to_sku: str
    option: str = Field(description="The new variant's option")
    quantity: int
    from_price: float
    to_price: float

    @classmethod
    def of(cls, line_no: int, line: sqlite3.Row, new: sqlite3.Row, quantity: int) -> ItemChanged:
        """A line's change from its variant row (``line``) to another (``new``), prices as money."""
        return cls(
            line_no=line_no,
            from_sku=line["sku"],
            to_sku=new["sku"],
            option=new["option"],
            quantity=quantity,
            from_price=money(line["unit_price_cents"]),
            to_price=money(new["unit_price_cents"]),
        )


def _line_changes(changes: list[ItemChange]) -> list[ItemChange]:
    """The changes in line order, each line named once and at least one: refused in one line otherwise."""
    if not changes:
        raise ValidationError("changes: name at least one order line")
    if len({c.line_no for c in changes}) != len(changes):
        raise ValidationError("changes: each order line once")
    return sorted(changes, key=lambda c: c.line_no)


class ItemsModified(Replayable):
    """The outcome of changing an unshipped order's items: its lines now hold the new variants."""

    order_id: str
    status: str
    lines: list[ItemChanged]
    difference: float = Field(description="New total less the previous one: > 0 owed by the customer, < 0 owed to them")
    previous_total: float
    total: float
    settle_to: str | None = Field(default=None, description="The customer's method recorded for the difference")
    event_id: int
    at: str


#: The event an item change leaves in the order's history (an order's items change once).
ITEMS_MODIFIED = "order.items_modified"


@SYSTEM.write
def modify_order_items(
    conn: sqlite3.Connection,
    order_id: OrderId,
    changes: Annotated[
        list[ItemChange],
        Field(min_length=1, max_length=50, description="Each line to change and the variant it becomes"),
    ],
    idempotency_key: IdempotencyKey,
    settle_to: SettleTo = None,
) -> ItemsModified:
    """Change an unshipped order's lines to other variants of their products, or to the same one again.

    Changes lines of an order not yet shipped to in-stock variants of the same products (another one, or the same
    again when the customer asks for it as it is), all at once (an order's items change once); returns the price
    difference for payments to settle, on the method the customer chose for it (``settle_to``, recorded in the
    change's event). Refused once shipped or cancelled, for another product, or not enough available."""
    wanted = _line_changes(changes)
    row = _order_row(conn, order_id)
    status = row["status"]
    if status in CLOSED_STATUSES:
        raise ConflictError(f"order {order_id} is {status}; only an order not yet shipped changes its items")
    if conn.execute(
        "SELECT 1 FROM order_events WHERE order_id = ? AND type = ?", (order_id, ITEMS_MODIFIED)
    ).fetchone():
        raise ConflictError(f"order {order_id} had its items changed already; they change once")
    done: list[ItemChanged] = []
    diff = 0
    for change in wanted:
        line = conn.execute(
            "SELECT * FROM order_lines WHERE order_id = ? AND line_no = ?", (order_id, change.line_no)
        ).fetchone()
        if line is None:
            raise ValidationError(f"order {order_id} has no line {change.line_no}")
        old = conn.execute("SELECT * FROM variants WHERE sku = ?", (line["sku"],)).fetchone()
        new = require_row(conn, "SELECT * FROM variants WHERE sku = ?", (change.sku,), "variant", change.sku)
        if old is None or old["product_id"] != new["product_id"]:  # the same variant again: as the customer asks
            raise ConflictError(f"{change.sku} is not a variant of the item on line {change.line_no}")
        if new["available"] < line["quantity"]:
            raise ConflictError(f"{change.sku} has {new['available']} available; line needs {line['quantity']}")
        qty = line["quantity"]
        conn.execute("UPDATE variants SET available = available - ? WHERE sku = ?", (qty, change.sku))
        conn.execute("UPDATE variants SET available = available + ? WHERE sku = ?", (qty, line["sku"]))
        conn.execute(
            "UPDATE order_lines SET sku = ?, unit_price_cents = ? WHERE order_id = ? AND line_no = ?",
            (change.sku, new["unit_price_cents"], order_id, change.line_no),
        )
        diff += qty * (new["unit_price_cents"] - line["unit_price_cents"])
        done.append(ItemChanged.of(change.line_no, line, new, qty))
    at = to_ts(book_now(conn))
    conn.execute(
        "UPDATE orders SET subtotal_cents = subtotal_cents + ?, total_cents = total_cents + ?, updated_at = ? "
        "WHERE order_id = ?",
        (diff, diff, at, order_id),
    )
    what = "; ".join(f"line {c.line_no} {c.from_sku} -> {c.to_sku}" for c in done)
    what += f"; difference settled on {settle_to}" if settle_to else ""
    cursor = conn.execute(
        "INSERT INTO order_events (order_id, type, from_status, to_status, at, reason) VALUES (?, ?, ?, ?, ?, ?)",
        (order_id, ITEMS_MODIFIED, status, status, at, f"items changed: {what}"),
    )
    assert cursor.lastrowid is not None
    return ItemsModified(
        order_id=order_id,
        status=status,
        lines=done,
        difference=money(diff),
        previous_total=money(row["total_cents"]),
        total=money(row["total_cents"] + diff),
        settle_to=settle_to,
        event_id=cursor.lastrowid,
        at=at,
    )


class ItemsExchanged(Replayable):
    """The outcome of exchanging a delivered order's items: each new variant is reserved for the customer, the items
    they have are expected back; the order's lines stay as delivered."""

    order_id: str
    exchange_ids: list[str]
    lines: list[ItemChanged]
    difference: float = Field(description="The new variants' price less the old ones': > 0 owed by the customer")
    settle_to: str | None = Field(default=None, description="The customer's method recorded for the difference")
    at: str


@SYSTEM.write
def exchange_order_items(
    conn: sqlite3.Connection,
    order_id: OrderId,
    changes: Annotated[
        list[ItemChange],
        Field(min_length=1, max_length=50, description="Each delivered line to exchange and its new variant"),
    ],
    idempotency_key: IdempotencyKey,
    settle_to: SettleTo = None,
) -> ItemsExchanged:
    """Exchange a delivered order's lines for other variants, at any price, or for the same one (a replacement).

    Exchanges lines of a delivered order for in-stock variants of the same products (another one, or the same
    again: a replacement), all at once and at any price, reserving them; returns the price difference for payments
    to settle, on the method the customer chose for it (``settle_to``, recorded with each line's exchange). Refused
    for an order not delivered, a line already exchanged, another product, or not enough available."""
    wanted = _line_changes(changes)
    row = _order_row(conn, order_id)
    if row["status"] != "delivered":
        raise ConflictError(f"order {order_id} is {row['status']}; only a delivered order's items are exchanged")
    done: list[ItemChanged] = []
    ids: list[str] = []
    diff = 0
    at = to_ts(book_now(conn))
    for change in wanted:
        line = conn.execute(
            "SELECT * FROM order_lines WHERE order_id = ? AND line_no = ?", (order_id, change.line_no)
        ).fetchone()
        if line is None:
            raise ValidationError(f"order {order_id} has no line {change.line_no}")
        if conn.execute(
            "SELECT 1 FROM order_exchanges WHERE order_id = ? AND line_no = ?", (order_id, change.line_no)
        ).fetchone():
            raise ConflictError(f"order {order_id} line {change.line_no} was exchanged already")
        old = conn.execute("SELECT * FROM variants WHERE sku = ?", (line["sku"],)).fetchone()
        new = require_row(conn, "SELECT * FROM variants WHERE sku = ?", (change.sku,), "variant", change.sku)
        if old is None or old["product_id"] != new["product_id"]:  # the same variant again: a replacement
            raise ConflictError(f"{change.sku} is not a variant of the item on line {change.line_no}")
        if new["available"] < line["quantity"]:
            raise ConflictError(f"{change.sku} has {new['available']} available; line needs {line['quantity']}")
        qty = line["quantity"]
        exchange_id = next_id(conn, "EXC")
        conn.execute("UPDATE variants SET available = available - ? WHERE sku = ?", (qty, change.sku))
        conn.execute(
            "INSERT INTO order_exchanges (exchange_id, order_id, line_no, from_sku, to_sku, quantity, at, settle_to) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (exchange_id, order_id, change.line_no, line["sku"], change.sku, qty, at, settle_to),
        )
        diff += qty * (new["unit_price_cents"] - line["unit_price_cents"])
        ids.append(exchange_id)
        done.append(ItemChanged.of(change.line_no, line, new, qty))
    return ItemsExchanged(
        order_id=order_id, exchange_ids=ids, lines=done, difference=money(diff), settle_to=settle_to, at=at
    )
