"""Payments: authorizations, captures, refunds, fraud assessments, payment holds and customers' payment methods."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "payments",
    "Payments",
    (
        read("payments", "get_payment", "An order's authorizations, captures, refunds and holds."),
        read("payments", "get_fraud_assessment", "An order's fraud score with reason codes."),
        read("payments", "get_payment_context", "An order's payment and fraud assessment, in one read."),
        read("payments", "list_payment_methods", "A customer's payment methods on file (no full card numbers)."),
        write("payments", "place_payment_hold", "Place a payment hold on an order."),
        write("payments", "release_payment_hold", "Release an order's payment hold.", irreversible=True),
        write(
            "payments",
            "capture_payment",
            "Capture an authorization (up to its amount).",
            amount_arg="amount",
            irreversible=True,
        ),
        write("payments", "void_authorization", "Void an uncaptured authorization.", irreversible=True),
        write(
            "payments",
            "refund_payment",
            "Refund a capture (never more than captured).",
            amount_arg="amount",
            irreversible=True,
        ),
        write(
            "payments",
            "charge_payment",
            "Charge the order's payment or another of its customer's methods for an agreed amount.",
            amount_arg="amount",
            irreversible=True,
        ),
        write(
            "payments",
            "change_order_payment",
            "Move an unshipped order's payment (all of it) to another method of its customer's.",
            amount_arg="amount",
        ),
        write_lookup("payments"),
    ),
)
