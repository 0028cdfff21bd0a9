"""Store and DC inventory with POS sales: on-hand stock by location, the last cycle count and the units sold since,
quarantines and recount tasks, inbound shipments to the DC and the promotions that depend on them, and the notices
merchandising gets. Quarantines and recount tasks are reversible (``release_quarantine``, ``cancel_recount_task``).
"""

from __future__ import annotations

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
    to_ts,
)

MAX_SKUS = 20


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


class WriteResult(BaseModel):
    detail: str
    location_id: str | None = None
    sku: str | None = None
    record_id: str | None = None
    replayed: bool = False


def get_location(conn: sqlite3.Connection, location_id: str) -> Location:
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
        Substitute(
            sku=r["sku"],
            substitute_sku=r["substitute_sku"],
            family=r["family"],
            unit_price=money(r["unit_price_cents"]),
        )
        for r in conn.execute(
            f"SELECT * FROM substitutes WHERE sku IN ({_marks(wanted)}) ORDER BY sku, substitute_sku", wanted
        )
    ]


def get_stock_context(conn: sqlite3.Connection, skus: list[str], location_id: str) -> StockContext:
    """The SKUs' stock at every location (and their substitutes' stock), the given location (a pickup store, an
    allocation), inbound shipments, promotions, substitutes and recount tasks; a part that fails is null under
    ``missing``."""
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
                    StockRow(
                        location_id=r["location_id"],
                        kind=r["kind"],
                        region=r["region"],
                        sku=r["sku"],
                        on_hand=r["on_hand"],
                        counted_qty=r["counted_qty"],
                        counted_at=r["counted_at"],
                        sold_since_count=r["sold_since_count"],
                        quarantined=bool(r["quarantined"]),
                    )
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


def _set_quarantine(conn: sqlite3.Connection, location_id: str, sku: str, on: bool, tool: str, key: str) -> WriteResult:
    def perform() -> WriteResult:
        row = _stock_row(conn, location_id, sku)
        if bool(row["quarantined"]) == on:
            raise ConflictError(f"{sku} at {location_id} is {'already' if on else 'not'} quarantined")
        conn.execute("UPDATE stock SET quarantined = ? WHERE location_id = ? AND sku = ?", (int(on), location_id, sku))
        verb = "quarantined" if on else "released from quarantine"
        return WriteResult(detail=f"{sku} at {location_id} {verb}", location_id=location_id, sku=sku)

    return idempotent_write(conn, tool, key, {"location_id": location_id, "sku": sku}, WriteResult, perform)


def quarantine_stock(
    conn: sqlite3.Connection, location_id: str, sku: str, reason: str, idempotency_key: str
) -> WriteResult:
    """Nothing sells from this location's stock of the SKU until it is recounted or released."""
    require_text(reason, "reason", max_length=500)
    return _set_quarantine(conn, location_id, sku, True, "quarantine_stock", idempotency_key)


def release_quarantine(conn: sqlite3.Connection, location_id: str, sku: str, idempotency_key: str) -> WriteResult:
    return _set_quarantine(conn, location_id, sku, False, "release_quarantine", idempotency_key)


def create_recount_task(conn: sqlite3.Connection, location_id: str, sku: str, idempotency_key: str) -> WriteResult:
    def perform() -> WriteResult:
        _stock_row(conn, location_id, sku)
        task_id = next_id(conn, "RC")
        conn.execute(
            "INSERT INTO recount_tasks (task_id, location_id, sku, status, created_at) VALUES (?, ?, ?, 'open', ?)",
            (task_id, location_id, sku, to_ts(book_now(conn))),
        )
        return WriteResult(detail=f"recount {task_id} of {sku} at {location_id}", location_id=location_id, sku=sku,
                           record_id=task_id)  # fmt: skip

    args = {"location_id": location_id, "sku": sku}
    return idempotent_write(conn, "create_recount_task", idempotency_key, args, WriteResult, perform)


def cancel_recount_task(conn: sqlite3.Connection, task_id: str, idempotency_key: str) -> WriteResult:
    def perform() -> WriteResult:
        row = require_row(conn, "SELECT * FROM recount_tasks WHERE task_id = ?", (task_id,), "recount task", task_id)
        if row["status"] != "open":
            raise ConflictError(f"recount task {task_id} is {row['status']}")
        conn.execute("UPDATE recount_tasks SET status = 'cancelled' WHERE task_id = ?", (task_id,))
        return WriteResult(detail=f"recount {task_id} cancelled", location_id=row["location_id"], sku=row["sku"],
                           record_id=task_id)  # fmt: skip

    return idempotent_write(conn, "cancel_recount_task", idempotency_key, {"task_id": task_id}, WriteResult, perform)


def notify_merchandising(conn: sqlite3.Connection, promo_id: str, message: str, idempotency_key: str) -> WriteResult:
    message = require_text(message, "message", max_length=2000)

    def perform() -> WriteResult:
        require_row(conn, "SELECT * FROM promotions WHERE promo_id = ?", (promo_id,), "promotion", promo_id)
        notice_id = next_id(conn, "MN")
        conn.execute(
            "INSERT INTO merch_notices (notice_id, promo_id, message, sent_at) VALUES (?, ?, ?, ?)",
            (notice_id, promo_id, message, to_ts(book_now(conn))),
        )
        return WriteResult(detail=f"merchandising told about {promo_id}", record_id=notice_id)

    args = {"promo_id": promo_id, "message": message}
    return idempotent_write(conn, "notify_merchandising", idempotency_key, args, WriteResult, perform)
