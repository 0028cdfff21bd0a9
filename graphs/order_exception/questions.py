"""How the order mission phrases its question to Enterprise Knowledge for each exception type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS: dict[str, str] = {
    "payment_review": "order in payment review with an elevated fraud score: keep or release the payment hold",
    "auth_expiring": "payment authorization not captured and about to expire: capture before expiry",
    "oversell": "reservation pending but the location is short of stock: reallocate to another warehouse",
    "phantom_inventory": "cycle count found fewer units than the system shows: phantom inventory",
    "address_invalid": "shipping address failed validation: apply the corrected address or contact the customer",
    "duplicate_order": "same customer ordered the same items twice minutes apart: cancel the duplicate order",
    "double_charge": "customer charged twice, two captures on one order: refund the duplicate capture",
    "capture_on_cancelled": "payment captured on an order that was cancelled: refund the capture to the customer",
}


def question_for(exception_type: str, facts: Mapping[str, Any]) -> str:
    extra = []
    if facts.get("customer.is_vip"):
        extra.append("VIP customer")
    if exception_type == "payment_review" and facts.get("payment.fraud_reasons"):
        extra.append("fraud reasons " + ", ".join(facts["payment.fraud_reasons"]))
    # order-level context that changes what may be done, so the policies about it are retrieved too
    if facts.get("order.active_holds"):
        extra.append("the order is on an order hold in the ERP; releasing order holds")
    if facts.get("order.fulfillment_method") == "pickup":
        extra.append("store pickup order")
    return QUESTIONS[exception_type] + (f" ({'; '.join(extra)})" if extra else "")
