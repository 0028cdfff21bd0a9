"""Store and DC inventory with POS sales: on-hand stock by location, the last cycle count and the units sold since,
quarantines and recount tasks, inbound shipments to the DC and the promotions that depend on them, and the notices
merchandising gets. Quarantines and recount tasks are reversible (``release_quarantine``, ``cancel_recount_task``).
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import IdempotencyKey, Reason, RetailLocationId, Sku, Text
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, money, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, next_id, require_row, require_text
from ai_missions.kernel.errors import ConflictError, ValidationError

TaskId = Annotated[str, Field(min_length=1, max_length=64, description="Recount task id, e.g. RC-000001")]
PromoId = Annotated[str, Field(min_length=1, max_length=64, description="Promotion id, e.g. PR-0001")]

DDL = """
CREATE TABLE locations (
    location_id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('store', 'dc')), name TEXT NOT NULL,
    region TEXT NOT NULL
) STRICT;
CREATE TABLE stock (
    location_id TEXT NOT NULL REFERENCES locations (location_id), sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL CHECK (on_hand >= 0), counted_qty INTEGER NOT NULL CHECK (counted_qty >= 0),
    counted_at TEXT NOT NULL, sold_since_count INTEGER NOT NULL CHECK (sold_since_count >= 0),
    quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1)),
    PRIMARY KEY (location_id, sku)
) STRICT;
CREATE TABLE inbound_shipments (
    shipment_id TEXT PRIMARY KEY, sku TEXT NOT NULL, location_id TEXT NOT NULL REFERENCES locations (location_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0), original_eta TEXT NOT NULL, eta TEXT NOT NULL
) STRICT;
CREATE TABLE promotions (
    promo_id TEXT PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL
) STRICT;
CREATE TABLE recount_tasks (
    task_id TEXT PRIMARY KEY, location_id TEXT NOT NULL REFERENCES locations (location_id), sku TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled', 'done')), created_at TEXT NOT NULL
) STRICT;
CREATE TABLE merch_notices (
    notice_id TEXT PRIMARY KEY, promo_id TEXT NOT NULL REFERENCES promotions (promo_id), message TEXT NOT NULL,
    sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE substitutes (
    sku TEXT NOT NULL, substitute_sku TEXT NOT NULL, family TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0), PRIMARY KEY (sku, substitute_sku)
) STRICT;
"""
SYSTEM = SimulatedSystem("stores", "Store inventory, DC and merchandising", DDL)

MAX_SKUS = 20
Skus = Annotated[list[Sku], Field(min_length=1, max_length=MAX_SKUS)]


class Location(BaseModel):
    location_id: str
    kind: str
    name: str
    region: str


class StockRow(BaseModel):
    location_id: str
    kind: str
    region: str
    sku: str
    on_hand: int
    counted_qty: int
    counted_at: str
    sold_since_count: int
    quarantined: bool


class Inbound(BaseModel):
    shipment_id: str
    sku: str
    location_id: str
    quantity: int
    original_eta: str
    eta: str


class Promotion(BaseModel):
    promo_id: str
    sku: str
    name: str
    starts_at: str
    ends_at: str


class Substitute(BaseModel):
    """A SKU merchandising accepts in place of another: same product family, its own list price."""

    sku: str
    substitute_sku: str
    family: str
    unit_price: float


class RecountTask(BaseModel):
    task_id: str
    location_id: str
    sku: str
    status: str


class StockContext(ContextRead):
    skus: list[str]
    location: Location | None
    stock: list[StockRow] | None
    inbound: list[Inbound] | None
    promotions: list[Promotion] | None
    substitutes: list[Substitute] | None
    recount_tasks: list[RecountTask] | None
    book_now: str


class WriteResult(Replayable):
    detail: str
    location_id: str | None = None
    sku: str | None = None
    record_id: str | None = None


@SYSTEM.read
def get_location(conn: sqlite3.Connection, location_id: RetailLocationId) -> Location:
    """One store or DC.

    A store or the DC, with its region."""
    row = require_row(conn, "SELECT * FROM locations WHERE location_id = ?", (location_id,), "location", location_id)
    return Location(location_id=row["location_id"], kind=row["kind"], name=row["name"], region=row["region"])


def _skus(skus: list[str]) -> list[str]:
    if not isinstance(skus, list) or not skus or len(skus) > MAX_SKUS:
        raise ValidationError(f"give 1 to {MAX_SKUS} SKUs")
    return [require_text(s, "sku", max_length=64) for s in skus]


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))


def _substitutes(conn: sqlite3.Connection, wanted: list[str]) -> list[Substitute]:
    return [
        from_row(Substitute, r, unit_price=money(r["unit_price_cents"]))
        for r in conn.execute(
            f"SELECT * FROM substitutes WHERE sku IN ({_marks(wanted)}) ORDER BY sku, substitute_sku", wanted
        )
    ]


@SYSTEM.read
def get_stock_context(conn: sqlite3.Connection, skus: Skus, location_id: RetailLocationId) -> StockContext:
    """Stock of SKUs at every location, inbound shipments and promotions.

    The SKUs' stock everywhere (on hand, last count, sold since, quarantine), the given location, inbound
    shipments (original and current ETA), promotions and recount tasks."""
    wanted = _skus(skus)
    marks = _marks(wanted)
    try:
        stocked = sorted({*wanted, *(s.substitute_sku for s in _substitutes(conn, wanted))})
    except sqlite3.OperationalError:  # a book written before substitutes existed: the part reports it
        stocked = wanted
    return StockContext(
        skus=wanted,
        book_now=to_ts(book_now(conn)),
        **read_parts(
            {
                "location": lambda: get_location(conn, location_id),
                "stock": lambda: [
                    from_row(StockRow, r, quarantined=bool(r["quarantined"]))
                    for r in conn.execute(
                        "SELECT s.*, l.kind, l.region FROM stock s JOIN locations l USING (location_id) "
                        f"WHERE s.sku IN ({_marks(stocked)}) ORDER BY s.location_id, s.sku",
                        stocked,
                    )
                ],
                "inbound": lambda: [
                    Inbound.model_validate(dict(r))
                    for r in conn.execute(
                        f"SELECT * FROM inbound_shipments WHERE sku IN ({marks}) ORDER BY shipment_id", wanted
                    )
                ],
                "promotions": lambda: [
                    Promotion.model_validate(dict(r))
                    for r in conn.execute(f"SELECT * FROM promotions WHERE sku IN ({marks}) ORDER BY promo_id", wanted)
                ],
                "substitutes": lambda: _substitutes(conn, wanted),
                "recount_tasks": lambda: [
                    RecountTask.model_validate(dict(r))
                    for r in conn.execute(
                        f"SELECT * FROM recount_tasks WHERE sku IN ({marks}) ORDER BY task_id", wanted
                    )
                ],
            }
        ),
    )


def _stock_row(conn: sqlite3.Connection, location_id: str, sku: str) -> sqlite3.Row:
    get_location(conn, location_id)
    return require_row(
        conn,
        "SELECT * FROM stock WHERE location_id = ? AND sku = ?",
        (location_id, sku),
        "stock of",
        f"{sku}@{location_id}",
    )


def _set_quarantine(conn: sqlite3.Connection, location_id: str, sku: str, on: bool) -> WriteResult:
    row = _stock_row(conn, location_id, sku)
    if bool(row["quarantined"]) == on:
        raise ConflictError(f"{sku} at {location_id} is {'already' if on else 'not'} quarantined")
    conn.execute("UPDATE stock SET quarantined = ? WHERE location_id = ? AND sku = ?", (int(on), location_id, sku))
    verb = "quarantined" if on else "released from quarantine"
    return WriteResult(detail=f"{sku} at {location_id} {verb}", location_id=location_id, sku=sku)


@SYSTEM.write
def quarantine_stock(
    conn: sqlite3.Connection, location_id: RetailLocationId, sku: Sku, reason: Reason, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Stop selling a SKU at a location until it is recounted (reversible).

    Reversible: `release_quarantine` undoes it."""
    require_text(reason, "reason", max_length=500)
    return _set_quarantine(conn, location_id, sku, on=True)


@SYSTEM.write
def release_quarantine(
    conn: sqlite3.Connection, location_id: RetailLocationId, sku: Sku, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Lift a SKU's quarantine at a location (the rollback of a quarantine).

    Only a quarantined SKU."""
    return _set_quarantine(conn, location_id, sku, on=False)


@SYSTEM.write
def create_recount_task(
    conn: sqlite3.Connection, location_id: RetailLocationId, sku: Sku, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Ask a store to recount a SKU (reversible).

    Reversible: `cancel_recount_task` undoes it while it is open."""
    _stock_row(conn, location_id, sku)
    task_id = next_id(conn, "RC")
    conn.execute(
        "INSERT INTO recount_tasks (task_id, location_id, sku, status, created_at) VALUES (?, ?, ?, 'open', ?)",
        (task_id, location_id, sku, to_ts(book_now(conn))),
    )
    return WriteResult(detail=f"recount {task_id} of {sku} at {location_id}", location_id=location_id, sku=sku,
                       record_id=task_id)  # fmt: skip


@SYSTEM.write
def cancel_recount_task(conn: sqlite3.Connection, task_id: TaskId, idempotency_key: IdempotencyKey) -> WriteResult:
    """Cancel an open recount task (the rollback of creating one).

    Only an open task."""
    row = require_row(conn, "SELECT * FROM recount_tasks WHERE task_id = ?", (task_id,), "recount task", task_id)
    if row["status"] != "open":
        raise ConflictError(f"recount task {task_id} is {row['status']}")
    conn.execute("UPDATE recount_tasks SET status = 'cancelled' WHERE task_id = ?", (task_id,))
    return WriteResult(detail=f"recount {task_id} cancelled", location_id=row["location_id"], sku=row["sku"],
                       record_id=task_id)  # fmt: skip


@SYSTEM.write
def notify_merchandising(
    conn: sqlite3.Connection, promo_id: PromoId, message: Text, idempotency_key: IdempotencyKey
) -> WriteResult:
    """Tell merchandising a promotion is at risk from an inbound delay.

    Merchandising's inbox for the promotion."""
    message = require_text(message, "message", max_length=2000)
    require_row(conn, "SELECT * FROM promotions WHERE promo_id = ?", (promo_id,), "promotion", promo_id)
    notice_id = next_id(conn, "MN")
    conn.execute(
        "INSERT INTO merch_notices (notice_id, promo_id, message, sent_at) VALUES (?, ?, ?, ?)",
        (notice_id, promo_id, message, to_ts(book_now(conn))),
    )
    return WriteResult(detail=f"merchandising told about {promo_id}", record_id=notice_id)
