"""The order-management MCP server: omnichannel orders, allocations, returns, customer notices and credits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import oms
from ai_missions.integrations.serving import Amount, IdempotencyKey, Reason, SystemServer, main, open_system, tool

OrderId = Annotated[str, Field(min_length=1, max_length=64, description="Order id, e.g. RO-100123")]
ReturnId = Annotated[str, Field(min_length=1, max_length=64, description="Return id, e.g. RT-100123")]
Sku = Annotated[str, Field(min_length=1, max_length=64, description="SKU, e.g. SKU-50001")]
LocationId = Annotated[str, Field(min_length=1, max_length=32, description="Store ST-... or DC DC-...")]
Topic = Annotated[str, Field(min_length=1, max_length=64, description="pickup_change, delay, cancellation...")]
Text = Annotated[str, Field(min_length=1, max_length=2000, description="Plain text, kept in the record")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The OMS server over the book under ``home``."""
    server, db = open_system("oms", home, **settings)

    @tool(server)
    def get_omni_order(order_id: OrderId) -> oms.OrderContext:
        """Order (fulfilment method, pickup store, allocation, promotion, monitor flags), customer (tier),
        returns (posted to the ledger or not), notices and credits; a part that fails is null under `missing`."""
        return oms.get_omni_order(db, order_id)

    @tool(server)
    def list_flagged_orders() -> oms.OrderExceptions:
        """Open orders the monitors flagged, and returns naming an order the OMS does not hold."""
        return oms.list_flagged_orders(db)

    @tool(server)
    def get_return(return_id: ReturnId) -> oms.Return:
        """One return as the returns platform recorded it."""
        return oms.get_return(db, return_id)

    @tool(server)
    def reallocate_order(
        order_id: OrderId, location_id: LocationId, idempotency_key: IdempotencyKey
    ) -> oms.WriteResult:
        """Reversible: reallocating back to `previous_location_id` undoes it."""
        return oms.reallocate_order(db, order_id, location_id, idempotency_key)

    @tool(server)
    def cancel_omni_order(order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey) -> oms.WriteResult:
        """Only an open order."""
        return oms.cancel_omni_order(db, order_id, reason, idempotency_key)

    @tool(server)
    def notify_customer(
        order_id: OrderId, topic: Topic, message: Text, idempotency_key: IdempotencyKey
    ) -> oms.WriteResult:
        """Sent to the customer's contact of record."""
        return oms.notify_customer(db, order_id, topic, message, idempotency_key)

    @tool(server)
    def issue_goodwill_credit(
        order_id: OrderId, amount: Amount, reason: Reason, idempotency_key: IdempotencyKey
    ) -> oms.WriteResult:
        """Never above half of the order's total."""
        return oms.issue_goodwill_credit(db, order_id, amount, reason, idempotency_key)

    @tool(server)
    def post_return_adjustment(return_id: ReturnId, amount: Amount, idempotency_key: IdempotencyKey) -> oms.WriteResult:
        """The amount must be the refund the channel gave; refused for a return of an unknown order."""
        return oms.post_return_adjustment(db, return_id, amount, idempotency_key)

    @tool(server)
    def reverse_return_adjustment(
        return_id: ReturnId, amount: Amount, idempotency_key: IdempotencyKey
    ) -> oms.WriteResult:
        """Only a posted return."""
        return oms.reverse_return_adjustment(db, return_id, amount, idempotency_key)

    @tool(server)
    def offer_substitution(
        order_id: OrderId, substitute_sku: Sku, location_id: LocationId, unit_price: Amount,
        idempotency_key: IdempotencyKey,
    ) -> oms.WriteResult:  # fmt: skip
        """Only after a substitution_consent notice; the customer never pays more than they did."""
        return oms.offer_substitution(db, order_id, substitute_sku, location_id, unit_price, idempotency_key)

    @tool(server)
    def add_order_note(order_id: OrderId, body: Text, idempotency_key: IdempotencyKey) -> oms.WriteResult:
        """Internal: the customer never sees it."""
        return oms.add_order_note(db, order_id, body, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="oms"))
