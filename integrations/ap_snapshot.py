"""The records around some invoices, as a scoped snapshot of the AP book (what an eval case carries).

For the given invoices: their vendors (bank accounts, verifications, messages), the vendors' invoices that a
duplicate or split check can see (within 60 days, or with the same number or amount) with their lines, holds,
notes, payments and events; the purchase orders those invoices quote (lines, approvals, buyer requests) and their
goods receipts; the cost centres charged (budgets and commitments); and every system's meta and id sequences.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from ai_missions.integrations.ap import normalized_number
from ai_missions.integrations.store import from_ts
from ai_missions.kernel.errors import NotFoundError

SYSTEMS = ("ap", "purchasing", "receiving", "budget")
#: How far either side of an invoice's date the vendor's other invoices are kept.
NEIGHBOURHOOD_DAYS = 60

Rows = list[dict[str, Any]]


def _rows(conn: sqlite3.Connection, table: str, column: str | None = None, values: Iterable[Any] = ()) -> Rows:
    if column is None:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
    items = sorted(set(values))
    if not items:
        return []
    marks = ", ".join("?" * len(items))
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} WHERE {column} IN ({marks}) ORDER BY rowid", items)]


def _neighbours(ap: sqlite3.Connection, invoice: sqlite3.Row) -> list[str]:
    """The vendor's invoices a duplicate or split check on ``invoice`` can see."""
    dated = from_ts(invoice["invoice_date"])
    number = normalized_number(invoice["vendor_invoice_number"])
    kept = []
    for other in ap.execute("SELECT * FROM invoices WHERE vendor_id = ?", (invoice["vendor_id"],)):
        near = abs(from_ts(other["invoice_date"]) - dated) <= timedelta(days=NEIGHBOURHOOD_DAYS)
        if (
            near
            or other["total_cents"] == invoice["total_cents"]
            or normalized_number(other["vendor_invoice_number"]) == number
        ):
            kept.append(other["invoice_id"])
    return kept


def scoped_invoices(conns: Mapping[str, sqlite3.Connection], wanted: list[str]) -> dict[str, dict[str, Rows]]:
    """The systems' rows around the invoices ``wanted`` (NotFoundError naming any unknown invoice)."""
    ap, purchasing, receiving, budget = (conns[s] for s in SYSTEMS)
    found = {r["invoice_id"]: r for r in ap.execute("SELECT * FROM invoices") if r["invoice_id"] in set(wanted)}
    if missing := [i for i in wanted if i not in found]:
        raise NotFoundError(f"unknown invoice {', '.join(repr(m) for m in missing)}")
    invoice_ids = sorted({i for row in found.values() for i in _neighbours(ap, row)})
    invoices = _rows(ap, "invoices", "invoice_id", invoice_ids)
    vendors = {r["vendor_id"] for r in invoices}
    po_ids = {r["po_id"] for r in invoices if r["po_id"]}
    centres = {r["cost_centre"] for r in found.values()}

    def common(conn: sqlite3.Connection) -> dict[str, Rows]:
        return {"meta": _rows(conn, "meta"), "sequences": _rows(conn, "sequences")}

    return {
        "ap": {
            **common(ap),
            "vendors": _rows(ap, "vendors", "vendor_id", vendors),
            "vendor_bank_accounts": _rows(ap, "vendor_bank_accounts", "vendor_id", vendors),
            "invoices": invoices,
            "invoice_lines": _rows(ap, "invoice_lines", "invoice_id", invoice_ids),
            "invoice_holds": _rows(ap, "invoice_holds", "invoice_id", invoice_ids),
            "invoice_notes": _rows(ap, "invoice_notes", "invoice_id", invoice_ids),
            "vendor_messages": _rows(ap, "vendor_messages", "vendor_id", vendors),
            "bank_verifications": _rows(ap, "bank_verifications", "vendor_id", vendors),
            "payments": _rows(ap, "payments", "invoice_id", invoice_ids),
            "invoice_events": _rows(ap, "invoice_events", "invoice_id", invoice_ids),
        },
        "purchasing": {
            **common(purchasing),
            "purchase_orders": _rows(purchasing, "purchase_orders", "po_id", po_ids),
            "po_lines": _rows(purchasing, "po_lines", "po_id", po_ids),
            "po_approvals": _rows(purchasing, "po_approvals", "po_id", po_ids),
            "buyer_requests": _rows(purchasing, "buyer_requests", "po_id", po_ids)
            + [r for r in _rows(purchasing, "buyer_requests", "invoice_id", invoice_ids) if r["po_id"] is None],
        },
        "receiving": {
            **common(receiving),
            "goods_receipts": _rows(receiving, "goods_receipts", "po_id", po_ids),
            "receipt_lines": _rows(receiving, "receipt_lines", "po_id", po_ids),
        },
        "budget": {
            **common(budget),
            "cost_centres": _rows(budget, "cost_centres", "cost_centre", centres),
            "budget_commitments": _rows(budget, "budget_commitments", "cost_centre", centres),
        },
    }
