"""The payments MCP server: authorizations, captures, refunds, fraud assessments, payment holds and the customers'
payment methods on file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import payments
from ai_missions.integrations.serving import (
    Amount,
    IdempotencyKey,
    OrderId,
    Reason,
    SystemServer,
    main,
    open_system,
    tool,
)

AuthorizationId = Annotated[str, Field(min_length=1, max_length=64, description="Authorization id, e.g. AUTH-000123")]
PaymentMethodId = Annotated[
    str, Field(min_length=1, max_length=64, description="A payment method on file, e.g. PM-000123")
]
CustomerId = Annotated[str, Field(min_length=1, max_length=64, description="Customer id, e.g. C-10195")]
CaptureId = Annotated[str, Field(min_length=1, max_length=64, description="Capture id, e.g. CAP-000123")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The payments server over the book under ``home``."""
    server, db = open_system("payments", home, **settings)

    @tool(server)
    def get_payment(order_id: OrderId) -> payments.Payment:
        """Authorizations (status authorized, captured, voided or expired; hours to expiry by the book clock),
        captures (oldest first) with refunded amounts, refunds, holds, and totals: authorized, captured, refunded,
        net captured, capture count, hold active."""
        return payments.get_payment(db, order_id)

    @tool(server)
    def get_fraud_assessment(order_id: OrderId) -> payments.FraudAssessment:
        """Score 0-100 (elevated from 60) and reason codes such as new_shipping_address, velocity,
        mismatched_billing, high_value, risky_ip, prior_chargeback."""
        return payments.get_fraud_assessment(db, order_id)

    @tool(server)
    def get_payment_context(order_id: OrderId) -> payments.PaymentContext:
        """`get_payment` and `get_fraud_assessment` in one call; a part that cannot be read is null, with the
        reason under `missing`."""
        return payments.get_payment_context(db, order_id)

    @tool(server)
    def list_payment_methods(customer_id: CustomerId) -> payments.PaymentMethods:
        """The customer's payment methods on file: cards (brand, last four digits), PayPal, gift cards with their
        balance; never a full card number. Empty when payments holds none for the customer."""
        return payments.list_payment_methods(db, customer_id)

    @tool(server)
    def change_order_payment(
        order_id: OrderId, payment_method_id: PaymentMethodId, amount: Amount, idempotency_key: IdempotencyKey
    ) -> payments.PaymentMethodChange:
        """Moves an order's authorized payment (``amount``: all of it) to another method of the order's own
        customer: the old authorization voided, a new one on the new method. Refused once captured (shipped),
        under a hold, for someone else's method or the one in use, or a gift card without the balance."""
        return payments.change_order_payment(db, order_id, payment_method_id, amount, idempotency_key)

    @tool(server)
    def place_payment_hold(
        order_id: OrderId, reason: Reason, idempotency_key: IdempotencyKey
    ) -> payments.PaymentHoldResult:
        """No capture while it is active; refused if one is already active."""
        return payments.place_payment_hold(db, order_id, reason, idempotency_key)

    @tool(server)
    def release_payment_hold(order_id: OrderId, idempotency_key: IdempotencyKey) -> payments.PaymentHoldResult:
        """Refused when the order has no active payment hold."""
        return payments.release_payment_hold(db, order_id, idempotency_key)

    @tool(server)
    def capture_payment(
        authorization_id: AuthorizationId, amount: Amount, idempotency_key: IdempotencyKey
    ) -> payments.CaptureResult:
        """Refused on a voided or expired authorization, beyond the uncaptured amount, or under a payment hold."""
        return payments.capture_payment(db, authorization_id, amount, idempotency_key)

    @tool(server)
    def void_authorization(authorization_id: AuthorizationId, idempotency_key: IdempotencyKey) -> payments.VoidResult:
        """Releases the customer's funds; only an uncaptured, unexpired authorization."""
        return payments.void_authorization(db, authorization_id, idempotency_key)

    @tool(server)
    def refund_payment(
        capture_id: CaptureId,
        amount: Amount,
        reason: Reason,
        idempotency_key: IdempotencyKey,
        payment_method_id: PaymentMethodId | None = None,
    ) -> payments.RefundResult:
        """Refused beyond what remains unrefunded on the capture. The money goes back to the capture's method, or
        to ``payment_method_id``, another method of the order's customer (a gift card's balance grows)."""
        return payments.refund_payment(db, capture_id, amount, reason, idempotency_key, payment_method_id)

    @tool(server)
    def charge_payment(
        order_id: OrderId,
        amount: Amount,
        reason: Reason,
        idempotency_key: IdempotencyKey,
        payment_method_id: PaymentMethodId | None = None,
    ) -> payments.CaptureResult:
        """Charges the order's payment again (a new authorization, captured at once) for an amount the customer
        agreed to, such as a dearer variant's price difference, or ``payment_method_id``, another method of the
        order's customer (a gift card only with the balance); refused without a payment or under a hold."""
        return payments.charge_payment(db, order_id, amount, reason, idempotency_key, payment_method_id)

    return server


if __name__ == "__main__":
    sys.exit(main(system="payments"))
