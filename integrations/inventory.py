"""Inventory: stock per SKU per location, reservations and cycle counts.

``reserved`` is the sum of *confirmed* reservations at a location and ``available = on_hand - reserved``.
A *pending* reservation is a request not yet backed by stock: confirming it needs ``quantity <= available``.
Cycle counts record what was physically found; when the latest count is below on-hand the stock is phantom.
Restocks are units on their way to a location (supplier purchase orders, transfers) with their expected date.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import IdempotencyKey, LocationId, OrderId, Reason, Sku
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, from_ts, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, hours_between, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, ValidationError

ReservationId = Annotated[str, Field(min_length=1, max_length=64, description="Reservation id, e.g. RSV-000123")]

DDL = """
CREATE TABLE locations (
    location_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL
) STRICT;
CREATE TABLE products (
    sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, unit_price_cents INTEGER NOT NULL
) STRICT;
CREATE TABLE stock (
    sku TEXT NOT NULL REFERENCES products (sku), location_id TEXT NOT NULL REFERENCES locations (location_id),
    on_hand INTEGER NOT NULL CHECK (on_hand >= 0), updated_at TEXT NOT NULL,
    PRIMARY KEY (sku, location_id)
) STRICT;
CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, line_no INTEGER NOT NULL,
    sku TEXT NOT NULL REFERENCES products (sku), location_id TEXT NOT NULL REFERENCES locations (location_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'released', 'fulfilled')),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX reservations_order ON reservations (order_id);
CREATE INDEX reservations_stock ON reservations (sku, location_id, status);
CREATE TABLE cycle_counts (
    count_id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES products (sku),
    location_id TEXT NOT NULL REFERENCES locations (location_id), counted_qty INTEGER NOT NULL,
    system_qty INTEGER NOT NULL, counted_at TEXT NOT NULL, counted_by TEXT NOT NULL
) STRICT;
CREATE INDEX cycle_counts_stock ON cycle_counts (sku, location_id, counted_at);
CREATE TABLE stock_adjustments (
    adjustment_id TEXT PRIMARY KEY, sku TEXT NOT NULL, location_id TEXT NOT NULL, from_qty INTEGER NOT NULL,
    to_qty INTEGER NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE TABLE restocks (
    restock_id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES products (sku),
    location_id TEXT NOT NULL REFERENCES locations (location_id), quantity INTEGER NOT NULL CHECK (quantity > 0),
    expected_at TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
    reference TEXT NOT NULL DEFAULT ''
) STRICT;
"""
SYSTEM = SimulatedSystem("inventory", "Inventory", DDL)

ReservationStatus = Literal["pending", "confirmed", "released", "fulfilled"]


class Restock(BaseModel):
    """Units on their way to a location (a supplier purchase order or a transfer), not yet received."""

    restock_id: str
    quantity: int
    expected_at: str
    due_in_days: float = Field(description="Days from now until the expected arrival (negative: overdue)")
    reference: str = ""


class LocationStock(BaseModel):
    location_id: str
    location_name: str
    on_hand: int
    reserved: int = Field(description="Units held by confirmed reservations")
    available: int = Field(description="on_hand - reserved")
    pending: int = Field(description="Units requested by pending reservations (not yet held)")
    last_counted_qty: int | None = Field(description="Units found by the latest cycle count, if any")
    last_counted_at: str | None
    restocks: list[Restock] | None = Field(
        default=None, description="Open restocks due at this location, earliest first (null: not known)"
    )


class Stock(BaseModel):
    sku: str
    name: str
    locations: list[LocationStock]
    total_on_hand: int
    total_available: int


class Reservation(BaseModel):
    reservation_id: str
    order_id: str
    line_no: int
    sku: str
    location_id: str
    quantity: int
    status: str
    created_at: str
    updated_at: str


class ReservationList(BaseModel):
    order_id: str
    reservations: list[Reservation]


class CycleCount(BaseModel):
    count_id: str
    sku: str
    location_id: str
    counted_qty: int = Field(description="Units physically found")
    system_qty: int = Field(description="On-hand the system showed when counting")
    counted_at: str
    counted_by: str


class CycleCountList(BaseModel):
    sku: str
    counts: list[CycleCount] = Field(description="Newest first")


class ReservationResult(Replayable):
    reservation: Reservation
    action: str
    previous_status: str
    previous_location_id: str | None = None


class StockAdjustmentResult(Replayable):
    adjustment_id: str
    sku: str
    location_id: str
    from_qty: int
    to_qty: int
    reason: str
    at: str


def _product(conn: sqlite3.Connection, sku: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM products WHERE sku = ?", (sku,), "SKU", sku)


def _location(conn: sqlite3.Connection, location_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM locations WHERE location_id = ?", (location_id,), "location", location_id)


def _reservation_row(conn: sqlite3.Connection, reservation_id: str) -> sqlite3.Row:
    return require_row(
        conn,
        "SELECT * FROM reservations WHERE reservation_id = ?",
        (reservation_id,),
        "reservation",
        reservation_id,
    )


def _reservation(row: sqlite3.Row) -> Reservation:
    return from_row(Reservation, row)


def _on_hand(conn: sqlite3.Connection, sku: str, location_id: str) -> int:
    row = conn.execute("SELECT on_hand FROM stock WHERE sku = ? AND location_id = ?", (sku, location_id)).fetchone()
    return 0 if row is None else int(row[0])


def _held(conn: sqlite3.Connection, sku: str, location_id: str, status: str = "confirmed") -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE sku = ? AND location_id = ? AND status = ?",
        (sku, location_id, status),
    ).fetchone()
    return int(row[0])


def available(conn: sqlite3.Connection, sku: str, location_id: str) -> int:
    """Units at a location not held by confirmed reservations."""
    return _on_hand(conn, sku, location_id) - _held(conn, sku, location_id)


@SYSTEM.read
def get_stock(conn: sqlite3.Connection, sku: Sku) -> Stock:
    """On hand, reserved and available per location for a SKU.

    Per location: on_hand, reserved (confirmed reservations), available = on_hand - reserved, pending
    (requested by pending reservations), the latest cycle count and the open restocks due (with their dates)."""
    product = _product(conn, sku)
    rows = conn.execute(
        """
        SELECT l.location_id, l.name, COALESCE(s.on_hand, 0) AS on_hand,
            (SELECT COALESCE(SUM(quantity), 0) FROM reservations r
             WHERE r.sku = ? AND r.location_id = l.location_id AND r.status = 'confirmed') AS reserved,
            (SELECT COALESCE(SUM(quantity), 0) FROM reservations r
             WHERE r.sku = ? AND r.location_id = l.location_id AND r.status = 'pending') AS pending,
            (SELECT counted_qty FROM cycle_counts c WHERE c.sku = ? AND c.location_id = l.location_id
             ORDER BY counted_at DESC, count_id DESC LIMIT 1) AS counted_qty,
            (SELECT counted_at FROM cycle_counts c WHERE c.sku = ? AND c.location_id = l.location_id
             ORDER BY counted_at DESC, count_id DESC LIMIT 1) AS counted_at
        FROM locations l LEFT JOIN stock s ON s.location_id = l.location_id AND s.sku = ?
        ORDER BY l.location_id
        """,
        (sku, sku, sku, sku, sku),
    ).fetchall()
    inbound = _restocks(conn, sku)
    locations = [
        from_row(
            LocationStock,
            r,
            location_name=r["name"],
            available=r["on_hand"] - r["reserved"],
            last_counted_qty=r["counted_qty"],
            last_counted_at=r["counted_at"],
            restocks=None if inbound is None else inbound.get(r["location_id"], []),
        )
        for r in rows
    ]
    return Stock(
        sku=sku,
        name=product["name"],
        locations=locations,
        total_on_hand=sum(s.on_hand for s in locations),
        total_available=sum(s.available for s in locations),
    )


def _restocks(conn: sqlite3.Connection, sku: str) -> dict[str, list[Restock]] | None:
    """Open restocks of a SKU by location, earliest first; None for a book kept before restocks were recorded."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'restocks'").fetchone() is None:
        return None
    now = book_now(conn)
    found: dict[str, list[Restock]] = {}
    for r in conn.execute(
        "SELECT * FROM restocks WHERE sku = ? AND status = 'open' ORDER BY expected_at, restock_id", (sku,)
    ):
        found.setdefault(r["location_id"], []).append(
            from_row(Restock, r, due_in_days=round(hours_between(from_ts(r["expected_at"]), now) / 24, 2))
        )
    return found


@SYSTEM.read
def get_reservations(conn: sqlite3.Connection, order_id: OrderId) -> ReservationList:
    """Reservations of an order.

    One per order line: SKU, location, quantity, status (pending, confirmed, released, fulfilled)."""
    require_row(conn, "SELECT 1 FROM reservations WHERE order_id = ? LIMIT 1", (order_id,), "order", order_id)
    rows = conn.execute("SELECT * FROM reservations WHERE order_id = ? ORDER BY line_no, reservation_id", (order_id,))
    return ReservationList(order_id=order_id, reservations=[_reservation(r) for r in rows])


@SYSTEM.read
def get_cycle_counts(
    conn: sqlite3.Connection,
    sku: Sku,
    location_id: Annotated[str | None, Field(description="Only counts at this location")] = None,
) -> CycleCountList:
    """Recent cycle counts for a SKU (per location).

    Newest first: units physically counted vs the on-hand the system showed at the time."""
    _product(conn, sku)
    if location_id is not None:
        _location(conn, location_id)
    rows = conn.execute(
        "SELECT * FROM cycle_counts WHERE sku = ? AND (? IS NULL OR location_id = ?) "
        "ORDER BY counted_at DESC, count_id DESC",
        (sku, location_id, location_id),
    )
    counts = [from_row(CycleCount, r) for r in rows]
    return CycleCountList(sku=sku, counts=counts)


# --- writes -----------------------------------------------------------------------------------------------------


class InventoryContext(ContextRead):
    """Everything inventory holds about an order and its SKUs, in one read."""

    order_id: str
    reservations: ReservationList | None
    stock: dict[str, Stock | None] = Field(description="Per SKU asked for")


@SYSTEM.read
def get_inventory_context(
    conn: sqlite3.Connection,
    order_id: OrderId,
    skus: Annotated[list[Sku], Field(max_length=100, description="The order's SKUs, whose stock to include")],
) -> InventoryContext:
    """An order's reservations and its SKUs' stock, in one read.

    `get_reservations` and `get_stock` for each SKU in one call; a part that cannot be read is null, with
    the reason under `missing` (`stock:SKU` for a SKU)."""
    parts = read_parts(
        {
            "reservations": lambda: get_reservations(conn, order_id),
            **{f"stock:{sku}": partial(get_stock, conn, sku) for sku in dict.fromkeys(skus)},
        }
    )
    stock = {key.removeprefix("stock:"): parts.pop(key) for key in list(parts) if key.startswith("stock:")}
    return InventoryContext(order_id=order_id, stock=stock, **parts)


def _set_reservation(
    conn: sqlite3.Connection, row: sqlite3.Row, action: str, status: str, location_id: str
) -> ReservationResult:
    """Give the reservation ``row`` reads this status and location, and answer with it as it then is (with where it
    was, when it moved)."""
    conn.execute(
        "UPDATE reservations SET status = ?, location_id = ?, updated_at = ? WHERE reservation_id = ?",
        (status, location_id, to_ts(book_now(conn)), row["reservation_id"]),
    )
    return ReservationResult(
        reservation=_reservation(_reservation_row(conn, row["reservation_id"])),
        action=action,
        previous_status=row["status"],
        previous_location_id=row["location_id"] if location_id != row["location_id"] else None,
    )


@SYSTEM.write
def confirm_reservation(
    conn: sqlite3.Connection, reservation_id: ReservationId, idempotency_key: IdempotencyKey
) -> ReservationResult:
    """Confirm a pending reservation (needs stock).

    Holds the units; refused when the location has fewer available than the reservation needs."""
    row = _reservation_row(conn, reservation_id)
    if row["status"] != "pending":
        raise ConflictError(f"reservation {reservation_id} is {row['status']}; only pending ones can be confirmed")
    free = available(conn, row["sku"], row["location_id"])
    if row["quantity"] > free:
        raise ConflictError(
            f"reservation {reservation_id} needs {row['quantity']} x {row['sku']} but {row['location_id']} "
            f"has {max(free, 0)} available"
        )
    return _set_reservation(conn, row, "confirm_reservation", "confirmed", row["location_id"])


@SYSTEM.write
def release_reservation(
    conn: sqlite3.Connection, reservation_id: ReservationId, idempotency_key: IdempotencyKey
) -> ReservationResult:
    """Release a reservation, returning its units.

    Any held units become available again."""
    row = _reservation_row(conn, reservation_id)
    if row["status"] not in ("pending", "confirmed"):
        raise ConflictError(f"reservation {reservation_id} is {row['status']}; it cannot be released")
    return _set_reservation(conn, row, "release_reservation", "released", row["location_id"])


@SYSTEM.write
def reallocate_reservation(
    conn: sqlite3.Connection, reservation_id: ReservationId, to_location_id: LocationId, idempotency_key: IdempotencyKey
) -> ReservationResult:
    """Move a reservation to another location.

    The reservation keeps its status; refused when the new location lacks available units."""
    row = _reservation_row(conn, reservation_id)
    _location(conn, to_location_id)
    if row["status"] not in ("pending", "confirmed"):
        raise ConflictError(f"reservation {reservation_id} is {row['status']}; it cannot be reallocated")
    if row["location_id"] == to_location_id:
        raise ConflictError(f"reservation {reservation_id} is already at {to_location_id}")
    free = available(conn, row["sku"], to_location_id)
    if row["quantity"] > free:
        raise ConflictError(
            f"{to_location_id} has {max(free, 0)} x {row['sku']} available; "
            f"reservation {reservation_id} needs {row['quantity']}"
        )
    return _set_reservation(conn, row, "reallocate_reservation", row["status"], to_location_id)


@SYSTEM.write
def adjust_stock(
    conn: sqlite3.Connection,
    sku: Sku,
    location_id: LocationId,
    counted_qty: Annotated[int, Field(strict=True, ge=0, le=1_000_000, description="Units physically there")],
    reason: Reason,
    idempotency_key: IdempotencyKey,
) -> StockAdjustmentResult:
    """Set on-hand to a counted quantity (after a cycle count).

    Refused below the units confirmed reservations hold at that location."""
    if isinstance(counted_qty, bool) or not isinstance(counted_qty, int) or counted_qty < 0:
        raise ValidationError("counted_qty must be a whole number >= 0")
    reason = require_text(reason, "reason", max_length=500)
    _product(conn, sku)
    _location(conn, location_id)
    held = _held(conn, sku, location_id)
    if counted_qty < held:
        raise ConflictError(
            f"{location_id} holds {held} x {sku} for confirmed reservations; release some before setting "
            f"on-hand to {counted_qty}"
        )
    before = _on_hand(conn, sku, location_id)
    at = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO stock (sku, location_id, on_hand, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(sku, location_id) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at",
        (sku, location_id, counted_qty, at),
    )
    adjustment_id = next_id(conn, "ADJ")
    conn.execute(
        "INSERT INTO stock_adjustments (adjustment_id, sku, location_id, from_qty, to_qty, reason, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (adjustment_id, sku, location_id, before, counted_qty, reason, at),
    )
    return StockAdjustmentResult(
        adjustment_id=adjustment_id,
        sku=sku,
        location_id=location_id,
        from_qty=before,
        to_qty=counted_qty,
        reason=reason,
        at=at,
    )
