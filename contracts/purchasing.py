"""Purchasing: purchase orders with lines and approvals, and requests to the buyer about an invoice."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "purchasing",
    "Purchasing",
    (
        read("purchasing", "get_purchase_order", "A purchase order with lines, prices, status and approvals."),
        read("purchasing", "list_vendor_purchase_orders", "A vendor's purchase orders, newest first."),
        read("purchasing", "get_purchasing_context", "A purchase order and the buyer requests about it, in one read."),
        write("purchasing", "request_buyer_review", "Ask the buyer to confirm a price, a quantity or a missing PO."),
        write_lookup("purchasing"),
    ),
)
