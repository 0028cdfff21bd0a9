"""Snapshots: the systems' state as JSON, whole or just the records around some orders, and loading one back.

Format ``ai-missions/snapshot@1``::

    {
      "format": "ai-missions/snapshot@1",
      "book": {"book_now": "2026-03-16T15:00:00Z", "seed": "7", "orders": "2000", "story_order_id": "SO-..."},
      "scope": {"orders": ["SO-..."]},          # or {"orders": "all"} for a whole book
      "systems": {"erp": {"orders": [{...row...}], "order_lines": [...], ...}, "crm": {...}, ...}
    }

``systems`` holds storage rows per system and table exactly as in :mod:`ai_missions.integrations.schema` (money
in integer cents, lists as JSON text). A scoped export carries, for the given orders: the orders of their
customers (lines, holds, events), those customers' CRM records, the SKUs' products, stock at every location,
cycle counts and every open reservation on them (so availability is unchanged), and the payments and shipping
records of the included orders (all of the customers' orders, so any duplicate orders too), every system's meta
(book clock) and id sequences. A scoped export around invoices (``"scope": {"invoices": [...]}``) carries the AP
book's records around them instead (:mod:`ai_missions.integrations.ap_snapshot`). A whole export holds every
system that has a database in the sandbox. Loading a snapshot replaces the sandbox's systems it holds; the systems
then behave as they did at export.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ai_missions.integrations.ap_snapshot import SYSTEMS as AP_SYSTEMS
from ai_missions.integrations.ap_snapshot import scoped_invoices
from ai_missions.integrations.loader import build_image, insert_rows, write_book
from ai_missions.integrations.store import from_ts, transaction
from ai_missions.integrations.systems import connect, declared, is_storage_system, storage_systems, tables
from ai_missions.kernel.errors import NotFoundError, ValidationError

FORMAT = "ai-missions/snapshot@1"

Snapshot = dict[str, Any]


def _rows(conn: sqlite3.Connection, table: str, where: str = "", params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is None:
        return []  # a book written before the table existed (inventory restocks) holds none of its rows
    sql = f"SELECT * FROM {table} {where} ORDER BY rowid"
    return [dict(r) for r in conn.execute(sql, tuple(params))]


def _in(column: str, values: Iterable[str]) -> tuple[str, list[str]]:
    items = sorted(set(values))
    if not items:
        return "WHERE 0", []
    return f"WHERE {column} IN ({', '.join('?' * len(items))})", items


def export_snapshot(
    order_ids: Iterable[str] | None = None, home: Path | None = None, *, invoice_ids: Iterable[str] | None = None
) -> Snapshot:
    """The whole book (no ids), the records around the given orders, or around the given invoices, as a dict."""
    if order_ids is not None and invoice_ids is not None:
        raise ValidationError("export around orders or around invoices, not both")
    if invoice_ids is not None:
        return _export_invoices(list(dict.fromkeys(invoice_ids)), home)
    if order_ids is None:
        return _export_all(home)
    conns = {s: connect(s, home) for s in _COMMERCE}
    try:
        meta = {r["key"]: r["value"] for r in conns["erp"].execute("SELECT key, value FROM meta")}
        book = {k: meta[k] for k in ("book_now", "seed", "orders", "story_order_id") if k in meta}
        wanted = list(dict.fromkeys(order_ids))
        if not wanted:
            raise ValidationError("give at least one order id")
        systems = _scoped(conns, wanted)
        if book.get("story_order_id") not in {o["order_id"] for o in systems["erp"]["orders"]}:
            book.pop("story_order_id", None)  # name the story only when the snapshot holds it
            systems["erp"]["meta"] = [r for r in systems["erp"]["meta"] if r["key"] != "story_order_id"]
        return {"format": FORMAT, "book": book, "scope": {"orders": wanted}, "systems": systems}
    finally:
        for conn in conns.values():
            conn.close()


_COMMERCE = ("erp", "crm", "inventory", "payments", "shipping")


def _export_all(home: Path | None) -> Snapshot:
    """Every table of every system the sandbox has a database of."""
    present = [s for s in storage_systems() if declared(s).exists(home)]
    if not present:
        connect("erp", home).close()  # raises BookMissingError, naming the commerce book's first system
    conns = {s: connect(s, home) for s in present}
    try:
        book: dict[str, str] = {}
        for conn in conns.values():
            meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
            book.update({k: v for k, v in meta.items() if k != "system"})
        systems = {s: {t: _rows(conns[s], t) for t in tables(s)} for s in present}
        return {"format": FORMAT, "book": book, "scope": {"orders": "all"}, "systems": systems}
    finally:
        for conn in conns.values():
            conn.close()


def _export_invoices(wanted: list[str], home: Path | None) -> Snapshot:

    if not wanted:
        raise ValidationError("give at least one invoice id")
    conns = {s: connect(s, home) for s in AP_SYSTEMS}
    try:
        systems = scoped_invoices(conns, wanted)
    finally:
        for conn in conns.values():
            conn.close()
    meta = {r["key"]: r["value"] for r in systems["ap"]["meta"]}
    book = {k: meta[k] for k in ("book_now", "seed", "invoices", "story_invoice_id") if k in meta}
    if book.get("story_invoice_id") not in {r["invoice_id"] for r in systems["ap"]["invoices"]}:
        book.pop("story_invoice_id", None)  # name the story only when the snapshot holds it
        systems["ap"]["meta"] = [r for r in systems["ap"]["meta"] if r["key"] != "story_invoice_id"]
    return {"format": FORMAT, "book": book, "scope": {"invoices": wanted}, "systems": systems}


def _method_tables(
    pay: sqlite3.Connection, customers: list[str], order_ids: list[str], authorizations: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The customers' payment methods on file, their orders' payers, and which method each authorization and
    refund is on (only the tables that hold some)."""
    refunds = [r["refund_id"] for r in _rows(pay, "refunds", *_in("order_id", order_ids))]
    tables = {
        "payment_methods": _rows(pay, "payment_methods", *_in("customer_id", customers)),
        "order_payers": _rows(pay, "order_payers", *_in("order_id", order_ids)),
        "authorization_methods": _rows(
            pay, "authorization_methods", *_in("authorization_id", [a["authorization_id"] for a in authorizations])
        ),
        "refund_methods": _rows(pay, "refund_methods", *_in("refund_id", refunds)),
    }
    return {name: rows for name, rows in tables.items() if rows}


def _scoped(conns: Mapping[str, sqlite3.Connection], wanted: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    erp, crm, inv, pay, ship = (conns[s] for s in ("erp", "crm", "inventory", "payments", "shipping"))
    found = {
        r["order_id"]: r for r in erp.execute(f"SELECT * FROM orders {_in('order_id', wanted)[0]}", sorted(set(wanted)))
    }
    missing = [o for o in wanted if o not in found]
    if missing:
        raise NotFoundError(f"unknown order {', '.join(repr(m) for m in missing)}")
    customers = sorted({r["customer_id"] for r in found.values()})
    where, params = _in("customer_id", customers)
    orders = _rows(erp, "orders", where, params)
    order_ids = [o["order_id"] for o in orders]
    oin = _in("order_id", order_ids)
    lines = _rows(erp, "order_lines", *oin)
    skus = sorted({line["sku"] for line in lines})
    sin = _in("sku", skus)
    reservations = _rows(
        inv,
        "reservations",
        f"{sin[0]} AND (status IN ('pending', 'confirmed') OR order_id IN ({', '.join('?' * len(order_ids))}))",
        [*sin[1], *order_ids],
    )
    authorizations = _rows(pay, "authorizations", *oin)
    captures = _rows(pay, "captures", *oin)
    shipments = _rows(ship, "shipments", *oin)
    returns = _rows(erp, "order_returns", *oin)

    def common(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
        return {"meta": _rows(conn, "meta"), "sequences": _rows(conn, "sequences")}

    return {
        "erp": {
            **common(erp),
            "orders": orders,
            "order_lines": lines,
            "order_holds": _rows(erp, "order_holds", *oin),
            "order_events": _rows(erp, "order_events", *oin),
            "variants": _rows(
                erp, "variants", f"WHERE product_id IN (SELECT product_id FROM variants {sin[0]})", sin[1]
            ),
            "order_returns": returns,
            "return_lines": _rows(erp, "return_lines", *_in("return_id", [r["return_id"] for r in returns])),
            "order_exchanges": _rows(erp, "order_exchanges", *oin),
        },
        "crm": {
            **common(crm),
            "customers": _rows(crm, "customers", where, params),
            "addresses": _rows(crm, "addresses", where, params),
            "notes": _rows(crm, "notes", where, params),
            "cases": _rows(crm, "cases", where, params),
            "messages": _rows(crm, "messages", where, params),
        },
        "inventory": {
            **common(inv),
            "locations": _rows(inv, "locations"),
            "products": _rows(inv, "products", *sin),
            "stock": _rows(inv, "stock", *sin),
            "reservations": reservations,
            "cycle_counts": _rows(inv, "cycle_counts", *sin),
            "stock_adjustments": _rows(inv, "stock_adjustments", *sin),
            # added after the format: carried only when there are some, so older snapshots stay byte for byte
            **({"restocks": restocks} if (restocks := _rows(inv, "restocks", *sin)) else {}),
        },
        "payments": {
            **common(pay),
            "authorizations": authorizations,
            "captures": captures,
            "refunds": _rows(pay, "refunds", *oin),
            "fraud_assessments": _rows(pay, "fraud_assessments", *oin),
            "payment_holds": _rows(pay, "payment_holds", *oin),
            # added after the format: carried only when there are some, so older snapshots stay byte for byte
            **_method_tables(pay, customers, order_ids, authorizations),
        },
        "shipping": {
            **common(ship),
            "order_addresses": _rows(ship, "order_addresses", *oin),
            "shipments": shipments,
            "tracking_events": _rows(
                ship, "tracking_events", *_in("shipment_id", [s["shipment_id"] for s in shipments])
            ),
        },
    }


def read_snapshot(source: Snapshot | str | Path) -> Snapshot:
    """A snapshot from a dict, a JSON string or a file path, with its format checked."""
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"no snapshot file {path}" + (" (it is a directory)" if path.is_dir() else ""))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{path} is not JSON: {exc}") from None
    elif isinstance(source, str):
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"the snapshot is not JSON: {exc}") from None
    else:
        data = source
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ValidationError(f"not a snapshot: expected format {FORMAT!r}, found {found!r}")
    systems = data.get("systems")
    if not isinstance(systems, dict) or not systems or not all(is_storage_system(s) for s in systems):
        raise ValidationError(f"a snapshot holds some of the systems {', '.join(storage_systems())}")
    for system in systems:
        if not isinstance(systems[system], dict):
            raise ValidationError(f"snapshot {system}: expected an object of table -> rows")
        meta = {r.get("key") for r in systems[system].get("meta", [])}
        if "book_now" not in meta:
            raise ValidationError(f"snapshot {system} has no book clock (meta.book_now)")
        from_ts(next(r["value"] for r in systems[system]["meta"] if r.get("key") == "book_now"))
    return data


def load_snapshot(source: Snapshot | str | Path, home: Path | None = None) -> Path:
    """Replace the sandbox under ``home`` (default ``MISSIONS_HOME``) with a snapshot; returns the sandbox dir."""
    data = read_snapshot(source)
    return write_book(data["systems"], home)


def load_snapshot_in_place(
    source: Snapshot | str | Path,
    home: Path | None = None,
    *,
    connections: Mapping[str, sqlite3.Connection] | None = None,
    checked: bool = False,
) -> None:
    """Reset the tables inside the sandbox's existing databases to a snapshot, one transaction per system.

    Unlike :func:`load_snapshot` the database files stay in place, so MCP servers that hold them open keep
    serving (they see the new rows on their next read). ``connections`` (system -> open connection) saves
    opening the files per load; ``checked`` skips re-validating a snapshot that was already read.
    """

    data = source if checked and isinstance(source, dict) else read_snapshot(source)
    held = list(data["systems"])
    owned = {s: connect(s, home) for s in held} if connections is None else dict(connections)
    try:
        for system in held:
            conn, rows = owned[system], data["systems"][system]
            unknown = set(rows) - set(tables(system))
            if unknown:
                raise ValidationError(f"unknown {system} tables: {', '.join(sorted(unknown))}")
            if not isinstance(conn, sqlite3.Connection):  # checked where the checks are written (loader)
                build_image(system, rows)
            with transaction(conn):
                for table in reversed(tables(system)):
                    conn.execute(f"DELETE FROM {table}")
                insert_rows(conn, system, rows)
    finally:
        if connections is None:
            for conn in owned.values():
                conn.close()
