"""A gift card named for an item change's difference that holds less than it: the change is not made and the reply
says so (SUP-007); but when the same request cancels another order paid with that card, its refund would cover the
difference, which one plan cannot wait for: a person settles it then (as for a payment moved to such a card)."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.split import _refilled_gift_cards
from ai_missions.graphs.support.vocabulary import TYPES_FACT


def _parts(cancelled_paid_with: str, captured: float) -> list[dict[str, Any]]:
    """A cancellation of an order paid ``captured`` with ``cancelled_paid_with``, and an item change whose 30.00
    difference goes to gift card GC-1, which holds 10.00."""
    cancel = {TYPES_FACT: ["cancel_order"], "order.cancellable": True, "payment.method_id": cancelled_paid_with,
              "payment.captured": captured}  # fmt: skip
    change = {TYPES_FACT: ["exchange_variant"], "payment.method_id": "GC-1", "modify.method_id": None,
              "modify.method_short": True, "modify.method_balance": 10.0, "modify.difference": 30.0,
              "modify.payment_unresolved": False}  # fmt: skip
    return [cancel, change]


def test_a_short_card_a_cancellation_in_the_request_refills_goes_to_a_person() -> None:
    parts = _parts("GC-1", 25.0)
    _refilled_gift_cards(parts)
    assert parts[1]["modify.method_short"] is False
    assert parts[1]["modify.payment_unresolved"] is True


def test_a_short_card_nothing_refills_enough_stays_short() -> None:
    for paid_with, captured in (("PM-VISA", 500.0), ("GC-1", 5.0)):
        parts = _parts(paid_with, captured)
        _refilled_gift_cards(parts)
        assert parts[1]["modify.method_short"] is True, paid_with
        assert parts[1]["modify.payment_unresolved"] is False
