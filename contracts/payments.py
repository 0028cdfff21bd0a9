"""Payments: authorizations, captures, refunds, fraud assessments and payment holds."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "payments",
    "Payments",
    (
        read("payments", "get_payment", "An order's authorizations, captures, refunds and holds."),
        read("payments", "get_fraud_assessment", "An order's fraud score with reason codes."),
        read("payments", "get_payment_context", "An order's payment and fraud assessment, in one read."),
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
            "Charge the order's card again for an amount the customer agreed to (a price difference).",
            amount_arg="amount",
            irreversible=True,
        ),
        write_lookup("payments"),
    ),
)
