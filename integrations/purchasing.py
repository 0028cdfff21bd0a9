"""Purchasing: purchase orders (lines with ordered quantity, price, status and expected date), their approvals,
and requests to the buyer about an invoice (a price to confirm, a quantity, a missing PO)."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import IdempotencyKey, InvoiceId, PoId
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.kit import book_now, money, to_ts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import from_row, next_id, require_row, require_text
from ai_missions.kernel.errors import ValidationError

DDL = """
CREATE TABLE purchase_orders (
    po_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL, buyer TEXT NOT NULL, cost_centre TEXT NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX purchase_orders_vendor ON purchase_orders (vendor_id, created_at);
CREATE TABLE po_lines (
    po_id TEXT NOT NULL REFERENCES purchase_orders (po_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    description TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')), expected_at TEXT NOT NULL,
    PRIMARY KEY (po_id, line_no)
) STRICT;
CREATE TABLE po_approvals (
    po_id TEXT NOT NULL REFERENCES purchase_orders (po_id), approver TEXT NOT NULL, role TEXT NOT NULL,
    approved_at TEXT NOT NULL, PRIMARY KEY (po_id, approver)
) STRICT;
CREATE TABLE buyer_requests (
    request_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL, po_id TEXT, buyer TEXT NOT NULL, topic TEXT NOT NULL,
    message TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'answered')), sent_at TEXT NOT NULL
) STRICT;
CREATE INDEX buyer_requests_invoice ON buyer_requests (invoice_id);
"""
SYSTEM = SimulatedSystem("purchasing", "Purchasing", DDL)

BuyerTopic = Literal["price_change", "quantity", "missing_po", "currency"]
#: Who answers for invoices that name no purchase order.
PURCHASING_DESK = "purchasing-desk"


class PurchaseOrderLine(BaseModel):
    line_no: int
    sku: str
    description: str
    quantity: int
    unit_price: float
    amount: float
    status: Literal["open", "closed"] = Field(description="closed: the buyer expects no more deliveries")
    expected_at: str


class PurchaseOrderApproval(BaseModel):
    approver: str
    role: str
    approved_at: str


class PurchaseOrder(BaseModel):
    po_id: str
    vendor_id: str
    buyer: str
    cost_centre: str
    currency: str
    status: Literal["open", "closed", "cancelled"]
    created_at: str
    total: float
    lines: list[PurchaseOrderLine]
    approvals: list[PurchaseOrderApproval]


class BuyerRequest(BaseModel):
    request_id: str
    invoice_id: str
    po_id: str | None
    buyer: str
    topic: str
    message: str
    status: Literal["open", "answered"]
    sent_at: str


class VendorPurchaseOrders(BaseModel):
    vendor_id: str
    purchase_orders: list[PurchaseOrder]


class PurchasingContext(ContextRead):
    po_id: str
    purchase_order: PurchaseOrder | None
    buyer_requests: list[BuyerRequest] | None


class BuyerRequestResult(Replayable):
    request: BuyerRequest


def _po(conn: sqlite3.Connection, row: sqlite3.Row) -> PurchaseOrder:
    lines = [
        from_row(
            PurchaseOrderLine,
            r,
            unit_price=money(r["unit_price_cents"]),
            amount=money(r["quantity"] * r["unit_price_cents"]),
        )
        for r in conn.execute("SELECT * FROM po_lines WHERE po_id = ? ORDER BY line_no", (row["po_id"],))
    ]
    approvals = [
        from_row(PurchaseOrderApproval, r)
        for r in conn.execute("SELECT * FROM po_approvals WHERE po_id = ? ORDER BY approved_at", (row["po_id"],))
    ]
    return from_row(
        PurchaseOrder, row, total=round(sum(line.amount for line in lines), 2), lines=lines, approvals=approvals
    )


def _po_row(conn: sqlite3.Connection, po_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM purchase_orders WHERE po_id = ?", (po_id,), "purchase order", po_id)


@SYSTEM.read
def get_purchase_order(conn: sqlite3.Connection, po_id: PoId) -> PurchaseOrder:
    """A purchase order with lines, prices, status and approvals.

    Lines with ordered quantity, unit price, status (closed: no more deliveries expected) and expected date;
    who approved the PO."""
    return _po(conn, _po_row(conn, po_id))


@SYSTEM.read
def list_vendor_purchase_orders(
    conn: sqlite3.Connection,
    vendor_id: Annotated[str, Field(min_length=1, max_length=64)],
    limit: Annotated[int, Field(strict=True, ge=1, le=200)] = 20,
) -> VendorPurchaseOrders:
    """A vendor's purchase orders, newest first.

    Newest first."""
    vendor_id = require_text(vendor_id, "vendor_id", max_length=64)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200:
        raise ValidationError("limit must be a whole number from 1 to 200")
    rows = conn.execute(
        "SELECT * FROM purchase_orders WHERE vendor_id = ? ORDER BY created_at DESC, po_id DESC LIMIT ?",
        (vendor_id, limit),
    ).fetchall()
    return VendorPurchaseOrders(vendor_id=vendor_id, purchase_orders=[_po(conn, r) for r in rows])


def _requests(conn: sqlite3.Connection, po_id: str) -> list[BuyerRequest]:
    return [
        from_row(BuyerRequest, r)
        for r in conn.execute("SELECT * FROM buyer_requests WHERE po_id = ? ORDER BY sent_at, request_id", (po_id,))
    ]


@SYSTEM.read
def get_purchasing_context(conn: sqlite3.Connection, po_id: PoId) -> PurchasingContext:
    """A purchase order and the buyer requests about it, in one read.

    `get_purchase_order` and the buyer requests about it in one call; an unknown PO is null under
    `purchase_order`, with the reason under `missing`."""
    return PurchasingContext(
        po_id=po_id,
        **read_parts(
            {
                "purchase_order": lambda: get_purchase_order(conn, po_id),
                "buyer_requests": lambda: _requests(conn, po_id),
            }
        ),
    )


@SYSTEM.write
def request_buyer_review(
    conn: sqlite3.Connection,
    invoice_id: InvoiceId,
    topic: BuyerTopic,
    message: Annotated[str, Field(min_length=1, max_length=2000)],
    idempotency_key: IdempotencyKey,
    po_id: PoId | None = None,
) -> BuyerRequestResult:
    """Ask the buyer to confirm a price, a quantity or a missing PO.

    Goes to the PO's buyer, or to the purchasing desk when the invoice names no PO."""
    invoice_id = require_text(invoice_id, "invoice_id", max_length=64)
    message = require_text(message, "message", max_length=2000)
    if topic not in BuyerTopic.__args__:  # type: ignore[attr-defined]
        raise ValidationError(f"topic must be one of {', '.join(BuyerTopic.__args__)}")  # type: ignore[attr-defined]
    buyer = _po_row(conn, po_id)["buyer"] if po_id else PURCHASING_DESK
    request_id = next_id(conn, "BR")
    conn.execute(
        "INSERT INTO buyer_requests (request_id, invoice_id, po_id, buyer, topic, message, status, sent_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
        (request_id, invoice_id, po_id, buyer, topic, message, to_ts(book_now(conn))),
    )
    row = conn.execute("SELECT * FROM buyer_requests WHERE request_id = ?", (request_id,)).fetchone()
    return BuyerRequestResult(request=from_row(BuyerRequest, row))
