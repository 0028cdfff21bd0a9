"""How the support mission phrases its question to Enterprise Knowledge for each case type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS: dict[str, str] = {
    "double_charge": "customer charged twice for one order: duplicate charge refund",
    "return_refund": "refund of a returned item: returns window and refund timing",
    "where_is_order": "customer asks where the order is: tracking and delivery status reply",
    "not_received": "order not received: carrier trace, lost parcel, reship or refund",
    "cancel_order": "customer asks to cancel an order before shipping: cancellation and refund",
    "change_address": "customer asks to change the delivery address before shipping",
    "damaged_item": "item arrived damaged: replacement or refund without return",
    "wrong_item": "wrong item delivered: replacement or refund",
    "exchange_variant": "exchange for another size, colour or variant",
    "change_payment": "customer asks to pay an order not yet shipped with another payment method or gift card",
    "question": "general customer question that needs no action: answer from policy",
    "identify_customer": "customer not identified: identity verification before any order is discussed",
    "cancel_item": "customer asks to cancel one item of an order: orders are cancelled whole, offer to modify",
    "conditional_request": "customer's request depends on a condition: a person checks it before acting",
    "corrected_request": "customer takes back or corrects part of the request: a person reads what stands",
    "condition_not_met": "customer's request depends on a condition the systems show does not hold: nothing is done",
    "unclear_request": "customer message unclear: ask what they need",
    "order_not_found": "order number not found on the customer's account: identity verification",
    "order_not_owned": "order belongs to another customer: identity verification, reveal nothing",
    "which_order": "several orders fit the request: ask the customer which one",
    "unreadable_message": "empty, binary or oversized customer message: ask to write again",
}


def question_for(case_type: str, facts: Mapping[str, Any]) -> str:
    extra = "; angry customer, tone of replies" if facts.get("message.angry") else ""
    return QUESTIONS[case_type] + extra
