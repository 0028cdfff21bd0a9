"""Receiving: goods receipts against purchase orders, with the quantity received and rejected per PO line.

Receiving knows purchase orders only through their receipts: a PO with nothing received yet reads as no receipts.
"""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import PoId
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.plugin import SimulatedSystem
from ai_missions.integrations.store import from_row, require_text

DDL = """
CREATE TABLE goods_receipts (
    receipt_id TEXT PRIMARY KEY, po_id TEXT NOT NULL, received_at TEXT NOT NULL, location TEXT NOT NULL,
    received_by TEXT NOT NULL
) STRICT;
CREATE INDEX goods_receipts_po ON goods_receipts (po_id, received_at);
CREATE TABLE receipt_lines (
    receipt_id TEXT NOT NULL REFERENCES goods_receipts (receipt_id), po_id TEXT NOT NULL,
    po_line_no INTEGER NOT NULL, quantity_received INTEGER NOT NULL CHECK (quantity_received >= 0),
    quantity_rejected INTEGER NOT NULL CHECK (quantity_rejected >= 0),
    PRIMARY KEY (receipt_id, po_line_no)
) STRICT;
CREATE INDEX receipt_lines_po ON receipt_lines (po_id);
"""
SYSTEM = SimulatedSystem("receiving", "Receiving", DDL)


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


@SYSTEM.read
def get_goods_receipts(conn: sqlite3.Connection, po_id: PoId) -> GoodsReceipts:
    """A purchase order's goods receipts with their lines.

    Receipts oldest first, and the accepted quantity (received less rejected) per PO line."""
    po_id = require_text(po_id, "po_id", max_length=64)
    receipts = []
    accepted: dict[str, int] = {}
    for row in conn.execute(
        "SELECT * FROM goods_receipts WHERE po_id = ? ORDER BY received_at, receipt_id", (po_id,)
    ).fetchall():
        lines = [
            from_row(ReceiptLine, r)
            for r in conn.execute(
                "SELECT * FROM receipt_lines WHERE receipt_id = ? ORDER BY po_line_no", (row["receipt_id"],)
            )
        ]
        for line in lines:
            key = str(line.po_line_no)
            accepted[key] = accepted.get(key, 0) + line.quantity_received - line.quantity_rejected
        receipts.append(from_row(GoodsReceipt, row, lines=lines))
    return GoodsReceipts(po_id=po_id, receipts=receipts, accepted_by_line=accepted)


@SYSTEM.read
def get_receiving_context(conn: sqlite3.Connection, po_id: PoId) -> ReceivingContext:
    """A purchase order's receipts and received quantity per line.

    `get_goods_receipts` in the shape of a context read (a part that fails is null under `missing`)."""
    return ReceivingContext(po_id=po_id, **read_parts({"goods_receipts": lambda: get_goods_receipts(conn, po_id)}))
