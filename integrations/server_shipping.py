"""The shipping MCP server: address validation, the ship-to of record, shipments and tracking."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import shipping
from ai_missions.integrations.addresses import Address, AddressValidation
from ai_missions.integrations.serving import IdempotencyKey, OrderId, SystemServer, main, open_system, tool

Line = Annotated[str, Field(min_length=1, max_length=200)]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The shipping server over the book under ``home``."""
    server, db = open_system("shipping", home, **settings)

    @tool(server)
    def validate_address(
        name: Line,
        line1: Line,
        city: Line,
        region: Annotated[str, Field(min_length=1, max_length=40, description="State code, e.g. WA")],
        postal_code: Annotated[str, Field(min_length=1, max_length=20)],
        country: Annotated[str, Field(min_length=2, max_length=2)] = "US",
        line2: Annotated[str | None, Field(max_length=200)] = None,
    ) -> AddressValidation:
        """Any address; changes nothing. A corrected result carries the suggested address."""
        return shipping.validate_address(name, line1, city, region, postal_code, country, line2)

    @tool(server)
    def get_address_validation(order_id: OrderId) -> shipping.OrderAddressValidation:
        """Status valid, corrected (with a suggestion) or undeliverable, the issues, and the ship-to in use."""
        return shipping.get_address_validation(db, order_id)

    @tool(server)
    def list_shipments(order_id: OrderId) -> shipping.ShipmentList:
        """Carrier, tracking number, status and tracking events; `shipped` is false when nothing has left."""
        return shipping.list_shipments(db, order_id)

    @tool(server)
    def get_shipping_context(order_id: OrderId) -> shipping.ShippingContext:
        """`get_address_validation` and `list_shipments` in one call; a part that cannot be read is null, with the
        reason under `missing`."""
        return shipping.get_shipping_context(db, order_id)

    @tool(server)
    def apply_address_correction(order_id: OrderId, idempotency_key: IdempotencyKey) -> shipping.CorrectionResult:
        """Refused when there is no suggestion (valid or undeliverable) or the order has shipped."""
        return shipping.apply_address_correction(db, order_id, idempotency_key)

    @tool(server)
    def update_shipment_address(
        order_id: OrderId, ship_to: Address, idempotency_key: IdempotencyKey
    ) -> shipping.ShipmentAddressResult:
        """The ship-to shipping will put on the order's label (its own copy; the ERP's `change_ship_to` does not
        reach it), validated anew; refused once a parcel has shipped."""
        return shipping.update_shipment_address(db, order_id, ship_to, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="shipping"))
