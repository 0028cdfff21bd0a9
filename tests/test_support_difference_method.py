"""A price difference the customer asks to settle on another card goes to a person (SUP-007, SUP-012), however the
card is named: its brand, its last digits with or without the word card, masked digits, "my other card"; never
settled on the order's own card instead (issue #25).

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse.targets import _other_card
from ai_missions.graphs.support.parse.understanding import fold
from tests.support.support_case import one_order_case


@pytest.mark.parametrize(
    "text",
    [
        "put the difference on my mastercard please",
        "refund the difference to the card ending 8089",
        "use the one that ends with 8089 for the difference",
        "the difference goes to my card ****8089",
        "last four digits 8089",
        "la diferencia a mi tarjeta terminada en 8089",
        "la différence sur ma carte Mastercard",
        "die Differenz bitte auf die Karte, die auf 8089 endet",
    ],
)
def test_another_card_is_read_however_it_is_named(text: str) -> None:
    assert _other_card(fold(text), "4321", "visa")


@pytest.mark.parametrize(
    "text",
    [
        "refund the difference to my visa ending in 4321",  # the order's own card, by brand and digits
        "put it on my visa",
        "the same card as before, ****4321",
        "please exchange the jacket for the red one",  # no card named at all
    ],
)
def test_the_orders_own_card_is_not_another(text: str) -> None:
    assert not _other_card(fold(text), "4321", "visa")


def test_any_card_named_is_another_when_the_order_was_not_paid_by_a_known_card() -> None:
    assert _other_card(fold("charge the difference to my credit card"), None, None)
    assert not _other_card(fold("please exchange the jacket for the red one"), None, None)


def _jacket_case(message: str) -> dict[str, Any]:
    """SO-300002: a fleece jacket (Medium Black, 149.48) delivered five days ago, paid by a visa ending in 4321; the
    Small Red one (141.29) in stock."""
    variants = [
        {"sku": "J-MB", "product_id": "P-J", "option": "Medium Black", "unit_price": 149.48, "available": 5},
        {"sku": "J-SR", "product_id": "P-J", "option": "Small Red", "unit_price": 141.29, "available": 5},
    ]
    return one_order_case("difference", "TKT-7", message, {
        "order": {"order_id": "SO-300002", "customer_id": "C-1", "status": "delivered", "total": 149.48,
                  "lines": [{"line_no": 1, "sku": "J-MB", "description": "Fleece Jacket", "quantity": 1,
                             "unit_price": 149.48, "line_total": 149.48}]},
        "payment": {"authorizations": [{"authorization_id": "AUTH-7", "status": "captured", "card_last4": "4321",
                                        "card_brand": "visa"}],
                    "captures": [{"capture_id": "CAP-7", "amount": 149.48, "refundable_amount": 149.48}],
                    "captured_amount": 149.48, "refunded_amount": 0.0},
        "shipments": [{"status": "delivered", "carrier": "UPS", "tracking_number": "1Z7",
                       "shipped_at": "2026-03-09T10:00:00Z", "delivered_at": "2026-03-11T10:00:00Z"}],
        "returns": [], "variants": variants})  # fmt: skip


ASK = "Please exchange the fleece jacket from SO-300002 for the small red one"


@pytest.mark.parametrize(
    "where",
    ["and refund the difference to my Mastercard.", "and send the difference to the card ending 8089.",
     "with the difference on my other card."],
)  # fmt: skip
def test_a_difference_to_another_card_goes_to_a_person(where: str) -> None:
    facts, verdict = decide(_jacket_case(f"{ASK} {where}"))
    tools = [a["tool"] for a in verdict["actions"]]
    assert facts["modify.other_method"] is True
    assert not {"refund_payment", "charge_payment", "exchange_order_items", "exchange_order_item"} & set(tools)
    assert verdict["outcome"] == "escalate"


def test_the_difference_on_the_orders_own_card_goes_ahead() -> None:
    facts, verdict = decide(_jacket_case(f"{ASK} and refund the difference to my visa ending in 4321."))
    assert facts["modify.other_method"] is False
    refund = next(a for a in verdict["actions"] if a["tool"] == "refund_payment")
    assert refund["args"]["amount"] == 8.19
