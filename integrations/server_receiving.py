"""The receiving MCP server: goods receipts against purchase orders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import receiving
from ai_missions.integrations.serving import SystemServer, main, open_system, tool

PoId = Annotated[str, Field(min_length=1, max_length=64, description="Purchase order id, e.g. PO-200123")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The receiving server over the book under ``home``."""
    server, db = open_system("receiving", home, **settings)

    @tool(server)
    def get_goods_receipts(po_id: PoId) -> receiving.GoodsReceipts:
        """Receipts oldest first, and the accepted quantity (received less rejected) per PO line."""
        return receiving.get_goods_receipts(db, po_id)

    @tool(server)
    def get_receiving_context(po_id: PoId) -> receiving.ReceivingContext:
        """`get_goods_receipts` in the shape of a context read (a part that fails is null under `missing`)."""
        return receiving.get_receiving_context(db, po_id)

    return server


if __name__ == "__main__":
    sys.exit(main(system="receiving"))
