"""Receiving: goods receipts against purchase orders, with the quantity received and rejected per PO line.

Receiving knows purchase orders only through their receipts: a PO with nothing received yet reads as no receipts.
"""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel, Field

from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.store import require_text


class ReceiptLine(BaseModel):
    po_line_no: int
    quantity_received: int
    quantity_rejected: int


class GoodsReceipt(BaseModel):
    receipt_id: str
    po_id: str
    received_at: str
    location: str
    received_by: str
    lines: list[ReceiptLine]


class GoodsReceipts(BaseModel):
    po_id: str
    receipts: list[GoodsReceipt] = Field(description="Oldest first")
    accepted_by_line: dict[str, int] = Field(description="PO line number -> units received less rejected")


class ReceivingContext(ContextRead):
    po_id: str
    goods_receipts: GoodsReceipts | None


def get_goods_receipts(conn: sqlite3.Connection, po_id: str) -> GoodsReceipts:
    """A purchase order's receipts, with the accepted quantity per PO line."""
    po_id = require_text(po_id, "po_id", max_length=64)
    receipts = []
    accepted: dict[str, int] = {}
    for row in conn.execute(
        "SELECT * FROM goods_receipts WHERE po_id = ? ORDER BY received_at, receipt_id", (po_id,)
    ).fetchall():
        lines = [
            ReceiptLine(
                po_line_no=r["po_line_no"],
                quantity_received=r["quantity_received"],
                quantity_rejected=r["quantity_rejected"],
            )
            for r in conn.execute(
                "SELECT * FROM receipt_lines WHERE receipt_id = ? ORDER BY po_line_no", (row["receipt_id"],)
            )
        ]
        for line in lines:
            key = str(line.po_line_no)
            accepted[key] = accepted.get(key, 0) + line.quantity_received - line.quantity_rejected
        receipts.append(
            GoodsReceipt(
                receipt_id=row["receipt_id"],
                po_id=po_id,
                received_at=row["received_at"],
                location=row["location"],
                received_by=row["received_by"],
                lines=lines,
            )
        )
    return GoodsReceipts(po_id=po_id, receipts=receipts, accepted_by_line=accepted)


def get_receiving_context(conn: sqlite3.Connection, po_id: str) -> ReceivingContext:
    """Everything receiving holds about a purchase order, in one read."""
    return ReceivingContext(po_id=po_id, **read_parts({"goods_receipts": lambda: get_goods_receipts(conn, po_id)}))
