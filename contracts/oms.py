"""Order management (omnichannel): orders with their fulfilment method and pickup store, allocations to a store or
the distribution centre, returns taken in any channel (and whether finance and the ledger saw them), customer
notices and goodwill credits, and the queue of exceptions its monitors raise."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "oms",
    "Order management",
    (
        read("oms", "get_omni_order", "An order with lines, allocations, returns, notices and credits, in one read."),
        read("oms", "list_flagged_orders", "Orders the OMS monitors flagged, with the exception kinds they saw."),
        read("oms", "get_return", "One return as the returns platform recorded it, with its ledger posting."),
        write("oms", "reallocate_order", "Move an order's allocation to another store or the DC (reversible)."),
        write("oms", "cancel_omni_order", "Cancel an order that cannot be fulfilled.", irreversible=True),
        write(
            "oms",
            "notify_customer",
            "Tell the customer about their order (delay, new pickup store, consent request).",
            reaches_outside=True,
        ),
        write(
            "oms",
            "issue_goodwill_credit",
            "Credit the customer a goodwill amount for a disruption.",
            amount_arg="amount",
            irreversible=True,
        ),
        write(
            "oms",
            "offer_substitution",
            "Hold a substitute (same family, similar price) for an order the customer was asked about; they never "
            "pay more.",
        ),
        write(
            "oms",
            "post_return_adjustment",
            "Post a return to the ledger: refund and stock (reversible).",
            amount_arg="amount",
        ),
        write("oms", "reverse_return_adjustment", "Undo a return posting (the rollback of post_return_adjustment)."),
        write("oms", "add_order_note", "Add an internal note to an order."),
        write_lookup("oms"),
    ),
)
