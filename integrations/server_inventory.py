"""The inventory's MCP server: stock per location, reservations and cycle counts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import inventory
from ai_missions.integrations.serving import (
    IdempotencyKey,
    LocationId,
    OrderId,
    Reason,
    Sku,
    SystemServer,
    main,
    open_system,
    tool,
)

ReservationId = Annotated[str, Field(min_length=1, max_length=64, description="Reservation id, e.g. RSV-000123")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The inventory server over the book under ``home``."""
    server, db = open_system("inventory", home, **settings)

    @tool(server)
    def get_stock(sku: Sku) -> inventory.Stock:
        """Per location: on_hand, reserved (confirmed reservations), available = on_hand - reserved, pending
        (requested by pending reservations), the latest cycle count and the open restocks due (with their dates)."""
        return inventory.get_stock(db, sku)

    @tool(server)
    def get_reservations(order_id: OrderId) -> inventory.ReservationList:
        """One per order line: SKU, location, quantity, status (pending, confirmed, released, fulfilled)."""
        return inventory.get_reservations(db, order_id)

    @tool(server)
    def get_cycle_counts(
        sku: Sku,
        location_id: Annotated[str | None, Field(description="Only counts at this location")] = None,
    ) -> inventory.CycleCountList:
        """Newest first: units physically counted vs the on-hand the system showed at the time."""
        return inventory.get_cycle_counts(db, sku, location_id)

    @tool(server)
    def get_inventory_context(
        order_id: OrderId,
        skus: Annotated[list[Sku], Field(max_length=100, description="The order's SKUs, whose stock to include")],
    ) -> inventory.InventoryContext:
        """`get_reservations` and `get_stock` for each SKU in one call; a part that cannot be read is null, with
        the reason under `missing` (`stock:SKU` for a SKU)."""
        return inventory.get_inventory_context(db, order_id, skus)

    @tool(server)
    def confirm_reservation(
        reservation_id: ReservationId, idempotency_key: IdempotencyKey
    ) -> inventory.ReservationResult:
        """Holds the units; refused when the location has fewer available than the reservation needs."""
        return inventory.confirm_reservation(db, reservation_id, idempotency_key)

    @tool(server)
    def release_reservation(
        reservation_id: ReservationId, idempotency_key: IdempotencyKey
    ) -> inventory.ReservationResult:
        """Any held units become available again."""
        return inventory.release_reservation(db, reservation_id, idempotency_key)

    @tool(server)
    def reallocate_reservation(
        reservation_id: ReservationId, to_location_id: LocationId, idempotency_key: IdempotencyKey
    ) -> inventory.ReservationResult:
        """The reservation keeps its status; refused when the new location lacks available units."""
        return inventory.reallocate_reservation(db, reservation_id, to_location_id, idempotency_key)

    @tool(server)
    def adjust_stock(
        sku: Sku,
        location_id: LocationId,
        counted_qty: Annotated[int, Field(strict=True, ge=0, le=1_000_000, description="Units physically there")],
        reason: Reason,
        idempotency_key: IdempotencyKey,
    ) -> inventory.StockAdjustmentResult:
        """Refused below the units confirmed reservations hold at that location."""
        return inventory.adjust_stock(db, sku, location_id, counted_qty, reason, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="inventory"))
