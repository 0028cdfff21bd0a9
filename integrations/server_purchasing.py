"""The purchasing MCP server: purchase orders with lines and approvals, and requests to buyers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import purchasing
from ai_missions.integrations.serving import IdempotencyKey, SystemServer, main, open_system, tool

PoId = Annotated[str, Field(min_length=1, max_length=64, description="Purchase order id, e.g. PO-200123")]
InvoiceId = Annotated[str, Field(min_length=1, max_length=64, description="Invoice id, e.g. INV-100123")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The purchasing server over the book under ``home``."""
    server, db = open_system("purchasing", home, **settings)

    @tool(server)
    def get_purchase_order(po_id: PoId) -> purchasing.PurchaseOrder:
        """Lines with ordered quantity, unit price, status (closed: no more deliveries expected) and expected date;
        who approved the PO."""
        return purchasing.get_purchase_order(db, po_id)

    @tool(server)
    def list_vendor_purchase_orders(
        vendor_id: Annotated[str, Field(min_length=1, max_length=64)],
        limit: Annotated[int, Field(strict=True, ge=1, le=200)] = 20,
    ) -> purchasing.VendorPurchaseOrders:
        """Newest first."""
        return purchasing.list_vendor_purchase_orders(db, vendor_id, limit)

    @tool(server)
    def get_purchasing_context(po_id: PoId) -> purchasing.PurchasingContext:
        """`get_purchase_order` and the buyer requests about it in one call; an unknown PO is null under
        `purchase_order`, with the reason under `missing`."""
        return purchasing.get_purchasing_context(db, po_id)

    @tool(server)
    def request_buyer_review(
        invoice_id: InvoiceId,
        topic: purchasing.BuyerTopic,
        message: Annotated[str, Field(min_length=1, max_length=2000)],
        idempotency_key: IdempotencyKey,
        po_id: PoId | None = None,
    ) -> purchasing.BuyerRequestResult:
        """Goes to the PO's buyer, or to the purchasing desk when the invoice names no PO."""
        return purchasing.request_buyer_review(db, invoice_id, topic, message, idempotency_key, po_id)

    return server


if __name__ == "__main__":
    sys.exit(main(system="purchasing"))
