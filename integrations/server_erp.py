"""The ERP's MCP server: orders, status history, the order event feed, holds, release and cancel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import erp
from ai_missions.integrations.addresses import Address
from ai_missions.integrations.serving import IdempotencyKey, OrderId, Reason, SystemServer, main, open_system, tool

Status = Annotated[
    erp.OrderStatus | None,
    Field(description="pending, payment_review, on_hold, ready_to_fulfill, shipped, delivered or cancelled"),
]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The ERP server over the book under ``home``."""
    server, db = open_system("erp", home, **settings)

    @tool(server)
    def get_order(order_id: OrderId) -> erp.Order:
        """Lines, totals, currency, channel, ship-to (with a comparable fingerprint), status, holds and age in
        hours by the book clock."""
        return erp.get_order(db, order_id)

    @tool(server)
    def list_orders(
        status: Status = None,
        customer_id: Annotated[str | None, Field(description="Only this customer's orders")] = None,
        limit: Annotated[int, Field(strict=True, ge=1, le=500)] = 50,
    ) -> erp.OrderList:
        """Order summaries, newest first."""
        return erp.list_orders(db, status, customer_id, limit)

    @tool(server)
    def find_order_reference(
        reference: Annotated[str, Field(min_length=1, max_length=64, description="As the customer wrote it")],
    ) -> erp.OrderReference:
        """The orders a customer's reference can name ("#W2378156", "W2378156", "104471" for SO-104471), each with
        its customer; none when the ERP has no such order."""
        return erp.find_order_reference(db, reference)

    @tool(server)
    def get_order_history(order_id: OrderId) -> erp.OrderHistory:
        """Every status change of the order, oldest first."""
        return erp.get_order_history(db, order_id)

    @tool(server)
    def find_similar_orders(
        order_id: OrderId,
        window_minutes: Annotated[int, Field(strict=True, ge=1, le=10080, description="How far apart in time")] = 60,
    ) -> erp.SimilarOrders:
        """Other orders of the same customer with exactly the same SKUs and quantities placed within the window;
        `placed_before` marks the earlier ones (the original of a duplicate)."""
        return erp.find_similar_orders(db, order_id, window_minutes)

    @tool(server)
    def get_order_context(
        order_id: OrderId,
        window_minutes: Annotated[
            int, Field(strict=True, ge=1, le=10080, description="How far apart similar orders are")
        ] = 60,
    ) -> erp.OrderContext:
        """`get_order`, `find_similar_orders`, the order's returns (items, received date, condition, value) and the
        variants of its products (option, price, available) in one call; a part that cannot be read is null, with
        the reason under `missing`."""
        return erp.get_order_context(db, order_id, window_minutes)

    @tool(server)
    def read_events(
        after_id: Annotated[int, Field(strict=True, ge=0, description="Cursor: the last event id already seen")] = 0,
        limit: Annotated[int, Field(strict=True, ge=1, le=1000)] = 100,
    ) -> erp.EventPage:
        """Order status-change events with ids above `after_id`, oldest first."""
        return erp.read_events(db, after_id, limit)

    @tool(server)
    def place_order_hold(order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey) -> erp.OrderActionResult:
        """Status becomes on_hold; refused for shipped, delivered or cancelled orders."""
        return erp.place_order_hold(db, order_id, reason, idempotency_key)

    @tool(server)
    def release_order_hold(order_id: OrderId, idempotency_key: IdempotencyKey) -> erp.OrderActionResult:
        """Releases every active hold; the order returns to the status it had before. Refused if none."""
        return erp.release_order_hold(db, order_id, idempotency_key)

    @tool(server)
    def release_to_fulfillment(order_id: OrderId, idempotency_key: IdempotencyKey) -> erp.OrderActionResult:
        """From pending or payment_review to ready_to_fulfill; refused while a hold is active."""
        return erp.release_to_fulfillment(db, order_id, idempotency_key)

    @tool(server)
    def cancel_order(order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey) -> erp.OrderActionResult:
        """Cancels and releases holds; refused after shipment or when already cancelled."""
        return erp.cancel_order(db, order_id, reason, idempotency_key)

    @tool(server)
    def change_ship_to(order_id: OrderId, ship_to: Address, idempotency_key: IdempotencyKey) -> erp.ShipToResult:
        """Changes where the order ships (the customer asked for another address); refused once shipped, delivered
        or cancelled."""
        return erp.change_ship_to(db, order_id, ship_to, idempotency_key)

    @tool(server)
    def exchange_order_item(
        order_id: OrderId,
        line_no: Annotated[int, Field(strict=True, ge=1, description="The order line exchanged")],
        sku: Annotated[str, Field(min_length=1, max_length=64, description="The variant the customer gets instead")],
        idempotency_key: IdempotencyKey,
    ) -> erp.ExchangeResult:
        """Exchanges an order line for another variant of the same product at the same price, reserving its stock;
        refused for a cancelled order, another product or price, or not enough available."""
        return erp.exchange_order_item(db, order_id, line_no, sku, idempotency_key)

    @tool(server)
    def open_return(
        order_id: OrderId,
        line_nos: Annotated[
            list[Annotated[int, Field(strict=True, ge=1)]],
            Field(min_length=1, max_length=50, description="The order lines the customer sends back (whole lines)"),
        ],
        refund_to: Annotated[
            erp.RefundTo, Field(description="original_payment (the default) or gift_card, as the customer asked")
        ],
        idempotency_key: IdempotencyKey,
    ) -> erp.ReturnOpened:
        """Opens a return of lines of a delivered order; the refund follows when the warehouse receives them.
        Refused for an order not delivered, a line not on it, or one already on a return."""
        return erp.open_return(db, order_id, line_nos, refund_to, idempotency_key)

    @tool(server)
    def modify_order_items(
        order_id: OrderId,
        changes: Annotated[
            list[erp.ItemChange],
            Field(min_length=1, max_length=50, description="Each line to change and the variant it becomes"),
        ],
        idempotency_key: IdempotencyKey,
    ) -> erp.ItemsModified:
        """Changes lines of an order not yet shipped to other in-stock variants of the same products, all at once
        (an order's items change once); returns the price difference for payments to settle. Refused once shipped
        or cancelled, for another product, or not enough available."""
        return erp.modify_order_items(db, order_id, changes, idempotency_key)

    @tool(server)
    def exchange_order_items(
        order_id: OrderId,
        changes: Annotated[
            list[erp.ItemChange],
            Field(min_length=1, max_length=50, description="Each delivered line to exchange and its new variant"),
        ],
        idempotency_key: IdempotencyKey,
    ) -> erp.ItemsExchanged:
        """Exchanges lines of a delivered order for other in-stock variants of the same products, all at once and at
        any price, reserving them; returns the price difference for payments to settle. Refused for an order not
        delivered, a line already exchanged, another product, or not enough available."""
        return erp.exchange_order_items(db, order_id, changes, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="erp"))
