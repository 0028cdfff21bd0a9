"""The store-inventory MCP server: stock by store and DC with counts, quarantines, recounts, inbound shipments and
promotions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import stores
from ai_missions.integrations.serving import IdempotencyKey, Reason, SystemServer, main, open_system, tool

LocationId = Annotated[str, Field(min_length=1, max_length=32, description="Store ST-... or DC DC-...")]
Sku = Annotated[str, Field(min_length=1, max_length=64, description="SKU, e.g. SKU-1001")]
Skus = Annotated[list[Sku], Field(min_length=1, max_length=stores.MAX_SKUS)]
TaskId = Annotated[str, Field(min_length=1, max_length=64, description="Recount task id, e.g. RC-000001")]
PromoId = Annotated[str, Field(min_length=1, max_length=64, description="Promotion id, e.g. PR-0001")]
Text = Annotated[str, Field(min_length=1, max_length=2000, description="Plain text, kept in the record")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The stores server over the book under ``home``."""
    server, db = open_system("stores", home, **settings)

    @tool(server)
    def get_stock_context(skus: Skus, location_id: LocationId) -> stores.StockContext:
        """The SKUs' stock everywhere (on hand, last count, sold since, quarantine), the given location, inbound
        shipments (original and current ETA), promotions and recount tasks."""
        return stores.get_stock_context(db, skus, location_id)

    @tool(server)
    def get_location(location_id: LocationId) -> stores.Location:
        """A store or the DC, with its region."""
        return stores.get_location(db, location_id)

    @tool(server)
    def quarantine_stock(
        location_id: LocationId, sku: Sku, reason: Reason, idempotency_key: IdempotencyKey
    ) -> stores.WriteResult:
        """Reversible: `release_quarantine` undoes it."""
        return stores.quarantine_stock(db, location_id, sku, reason, idempotency_key)

    @tool(server)
    def release_quarantine(location_id: LocationId, sku: Sku, idempotency_key: IdempotencyKey) -> stores.WriteResult:
        """Only a quarantined SKU."""
        return stores.release_quarantine(db, location_id, sku, idempotency_key)

    @tool(server)
    def create_recount_task(location_id: LocationId, sku: Sku, idempotency_key: IdempotencyKey) -> stores.WriteResult:
        """Reversible: `cancel_recount_task` undoes it while it is open."""
        return stores.create_recount_task(db, location_id, sku, idempotency_key)

    @tool(server)
    def cancel_recount_task(task_id: TaskId, idempotency_key: IdempotencyKey) -> stores.WriteResult:
        """Only an open task."""
        return stores.cancel_recount_task(db, task_id, idempotency_key)

    @tool(server)
    def notify_merchandising(promo_id: PromoId, message: Text, idempotency_key: IdempotencyKey) -> stores.WriteResult:
        """Merchandising's inbox for the promotion."""
        return stores.notify_merchandising(db, promo_id, message, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="stores"))
