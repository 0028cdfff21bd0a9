"""Purchasing: purchase orders (lines with ordered quantity, price, status and expected date), their approvals,
and requests to the buyer about an invoice (a price to confirm, a quantity, a missing PO)."""

from __future__ import annotations

import sqlite3
from typing import Literal

from pydantic import BaseModel, Field

from ai_missions.errors import ValidationError
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.store import (
    book_now,
    from_row,
    idempotent_write,
    money,
    next_id,
    require_row,
    require_text,
    to_ts,
)

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


class BuyerRequestResult(BaseModel):
    request: BuyerRequest
    replayed: bool = False


def _po(conn: sqlite3.Connection, row: sqlite3.Row) -> PurchaseOrder:
    lines = [
        PurchaseOrderLine(
            line_no=r["line_no"],
            sku=r["sku"],
            description=r["description"],
            quantity=r["quantity"],
            unit_price=money(r["unit_price_cents"]),
            amount=money(r["quantity"] * r["unit_price_cents"]),
            status=r["status"],
            expected_at=r["expected_at"],
        )
        for r in conn.execute("SELECT * FROM po_lines WHERE po_id = ? ORDER BY line_no", (row["po_id"],))
    ]
    approvals = [
        from_row(PurchaseOrderApproval, r)
        for r in conn.execute("SELECT * FROM po_approvals WHERE po_id = ? ORDER BY approved_at", (row["po_id"],))
    ]
    return PurchaseOrder(
        po_id=row["po_id"],
        vendor_id=row["vendor_id"],
        buyer=row["buyer"],
        cost_centre=row["cost_centre"],
        currency=row["currency"],
        status=row["status"],
        created_at=row["created_at"],
        total=round(sum(line.amount for line in lines), 2),
        lines=lines,
        approvals=approvals,
    )


def _po_row(conn: sqlite3.Connection, po_id: str) -> sqlite3.Row:
    return require_row(conn, "SELECT * FROM purchase_orders WHERE po_id = ?", (po_id,), "purchase order", po_id)


def get_purchase_order(conn: sqlite3.Connection, po_id: str) -> PurchaseOrder:
    """A purchase order with its lines and approvals."""
    return _po(conn, _po_row(conn, po_id))


def list_vendor_purchase_orders(conn: sqlite3.Connection, vendor_id: str, limit: int = 20) -> VendorPurchaseOrders:
    """A vendor's purchase orders, newest first."""
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


def get_purchasing_context(conn: sqlite3.Connection, po_id: str) -> PurchasingContext:
    """The purchase order and the buyer requests about it; an unknown PO is a missing part, not an error (an
    invoice may quote a PO number purchasing never issued)."""
    return PurchasingContext(
        po_id=po_id,
        **read_parts(
            {
                "purchase_order": lambda: get_purchase_order(conn, po_id),
                "buyer_requests": lambda: _requests(conn, po_id),
            }
        ),
    )


def request_buyer_review(
    conn: sqlite3.Connection,
    invoice_id: str,
    topic: BuyerTopic,
    message: str,
    idempotency_key: str,
    po_id: str | None = None,
) -> BuyerRequestResult:
    """Ask the PO's buyer (or the purchasing desk, without a PO) to confirm something about an invoice."""
    invoice_id = require_text(invoice_id, "invoice_id", max_length=64)
    message = require_text(message, "message", max_length=2000)
    if topic not in BuyerTopic.__args__:  # type: ignore[attr-defined]
        raise ValidationError(f"topic must be one of {', '.join(BuyerTopic.__args__)}")  # type: ignore[attr-defined]

    def perform() -> BuyerRequestResult:
        buyer = _po_row(conn, po_id)["buyer"] if po_id else PURCHASING_DESK
        request_id = next_id(conn, "BR")
        conn.execute(
            "INSERT INTO buyer_requests (request_id, invoice_id, po_id, buyer, topic, message, status, sent_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
            (request_id, invoice_id, po_id, buyer, topic, message, to_ts(book_now(conn))),
        )
        row = conn.execute("SELECT * FROM buyer_requests WHERE request_id = ?", (request_id,)).fetchone()
        return BuyerRequestResult(request=from_row(BuyerRequest, row))

    args = {"invoice_id": invoice_id, "topic": topic, "message": message, "po_id": po_id}
    return idempotent_write(conn, "request_buyer_review", idempotency_key, args, BuyerRequestResult, perform)
