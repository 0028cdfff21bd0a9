"""The ERP: orders, their status history and event feed, order holds, release to fulfilment and cancellation."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "erp",
    "ERP (orders)",
    (
        read("erp", "get_order", "An order with lines, totals, ship-to, status and holds."),
        read("erp", "list_orders", "Orders filtered by status and/or customer, newest first."),
        read(
            "erp", "find_order_reference", "The orders (and their customers) a reference as customers write it names."
        ),
        read("erp", "get_order_history", "An order's status history."),
        read("erp", "find_similar_orders", "Same-customer orders with the same items placed close in time."),
        read(
            "erp",
            "get_order_context",
            "An order, the same customer's similar orders, its returns and its products' variants, in one read.",
        ),
        read("erp", "read_events", "The order event feed (status changes) after a cursor."),
        write("erp", "place_order_hold", "Put an order on hold with a reason."),
        write("erp", "release_order_hold", "Release an order's active holds.", irreversible=True),
        write("erp", "release_to_fulfillment", "Move an order to ready_to_fulfill.", irreversible=True),
        write("erp", "cancel_order", "Cancel an order (refused after shipment).", irreversible=True),
        write("erp", "change_ship_to", "Change where an unshipped order ships."),
        write("erp", "exchange_order_item", "Exchange an order line for another variant of the same product."),
        write("erp", "open_return", "Open a return of lines of a delivered order, the refund to a chosen method."),
        write("erp", "modify_order_items", "Change an unshipped order's lines to other variants of their products."),
        write("erp", "exchange_order_items", "Exchange a delivered order's lines for other variants, at any price."),
        write_lookup("erp"),
    ),
)
