"""A damaged or wrong item is refunded without a return only on the customer's own words saying so (SUP-005), and
the guard refuses any refund nothing shown backs (issue #25: a description of the item's options, "just in case",
read as a damaged item, refunded in full).

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.invariants import invariants
from ai_missions.graphs.support.parse.understanding import read_message
from tests.support.support_case import one_order_case

#: A customer describing the item they have (its options) next to the one they want: an exchange, never a
#: damaged or wrong item.
DESCRIBED = [
    "I received my smart watch in silver with the leather band, but I'd like the gold one instead of the silver.",
    "The watch I received is silver, leather band, LCD. I want the gold one, just in case it's possible.",
    "Just in case, I'd like the gold version of my smart watch (mine is silver, leather band).",
    "The case of my watch is silver and I want it in gold.",
    "The fleece jacket I got is a medium in black, I want a large in navy instead of the medium.",
    "I got the lamp with the glass shade; could I have it swapped for the one with the linen shade?",
    "I'm leaving on a trip soon, so I'd prefer the kettle in white rather than the black one I received.",
    "Recibí el reloj plateado con correa de cuero y quiero el dorado en lugar del plateado.",
    "J'ai reçu la montre argentée avec bracelet en cuir, je voudrais la dorée au lieu de l'argentée.",
    "Ich habe die silberne Uhr mit Lederarmband erhalten und hätte gern die goldene statt der silbernen.",
    # where it is asked to go, not what came
    "could my kettle order be sent to 12 Oak Road, Austin, TX 78701 instead of Dallas?",
]

#: The customer says the item arrived broken, or that what came is not what they ordered: read as such, with the
#: words that say it.
STATED = [
    ("The lamp arrived cracked.", "damaged_item", "cracked"),
    ("You sent me a blue one but I ordered black.", "wrong_item", "but i ordered"),
    ("You sent me a blue one instead of the black one I ordered.", "wrong_item", "sent ... instead of"),
    ("I want a refund because I got a blue one instead of the black one.", "wrong_item", "got ... instead of"),
    ("Instead of the black kettle I ordered, I received a red one.", "wrong_item", "ordered ... a red"),
    ("I have been sent a red kettle instead of the black one.", "wrong_item", "sent ... instead of"),
    ("The mug came smashed to pieces in the box.", "damaged_item", "smashed"),
    ("The item I received is not what I ordered.", "wrong_item", "not what i ordered"),
    ("La lámpara llegó rota y no funciona.", "damaged_item", "no funciona"),
    ("Recibí una tetera roja en lugar de la negra que pedí.", "wrong_item", "recibi ... en lugar de"),
    ("La lampe est arrivée cassée.", "damaged_item", "cassee"),
    ("J'ai reçu une bouilloire rouge au lieu de la noire.", "wrong_item", "recu ... au lieu de"),
    ("Die Lampe kam kaputt an.", "damaged_item", "kaputt"),
    ("Ich habe einen blauen Wasserkocher statt des schwarzen erhalten.", "wrong_item", "statt ... erhalten"),
]


@pytest.mark.parametrize("text", DESCRIBED)
def test_an_item_described_next_to_the_one_wanted_is_neither_damaged_nor_wrong(text: str) -> None:
    reading = read_message(text)
    assert not {"damaged_item", "wrong_item"} & set(reading.intents), reading.matched
    assert reading.claim is None


@pytest.mark.parametrize(("text", "intent", "words"), STATED)
def test_damage_or_a_wrong_item_the_customer_states_is_read_with_their_words(
    text: str, intent: str, words: str
) -> None:
    reading = read_message(text)
    assert intent in reading.intents
    assert reading.claim == words


@pytest.mark.parametrize("text", ["My headphones are brokn, the left side is silent.", "The lamp is damagd."])
def test_a_damage_read_through_a_typo_is_read_but_not_stated(text: str) -> None:
    reading = read_message(text)
    assert reading.intents == ("damaged_item",)
    assert reading.claim is None
    # a phrase of several words with one mistyped is still the customer's words (they do not meet by chance)
    assert read_message("The headphones arrived brokn.").claim == "arrived broken"


def _watch_case(message: str) -> dict[str, Any]:
    """SO-300001: one smart watch (Silver) delivered five days ago, 370.38 captured; the Gold one in stock."""
    variants = [
        {"sku": "W-SIL", "product_id": "P-W", "option": "Silver", "unit_price": 370.38, "available": 5},
        {"sku": "W-GLD", "product_id": "P-W", "option": "Gold", "unit_price": 370.38, "available": 5},
    ]
    return one_order_case("claims", "TKT-8", message, {
        "order": {"order_id": "SO-300001", "customer_id": "C-1", "status": "delivered", "total": 370.38,
                  "lines": [{"line_no": 1, "sku": "W-SIL", "description": "Smart Watch", "quantity": 1,
                             "unit_price": 370.38, "line_total": 370.38}]},
        "payment": {"authorizations": [{"authorization_id": "AUTH-8", "status": "captured", "card_last4": "4321"}],
                    "captures": [{"capture_id": "CAP-8", "amount": 370.38, "refundable_amount": 370.38}],
                    "captured_amount": 370.38, "refunded_amount": 0.0},
        "shipments": [{"status": "delivered", "carrier": "UPS", "tracking_number": "1Z8",
                       "shipped_at": "2026-03-09T10:00:00Z", "delivered_at": "2026-03-11T10:00:00Z"}],
        "returns": [], "variants": variants})  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        "My smart watch on SO-300001 is silver with a leather band; just in case, can I have the gold one?",
        "SO-300001: the watch is brokn.",  # a damage read only through a typo: a person reads it
    ],
)
def test_no_refund_without_a_return_unless_the_customer_says_damaged_or_wrong(message: str) -> None:
    facts, verdict = decide(_watch_case(message))
    assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]
    assert verdict["outcome"] != "refund"
    assert "damaged" not in str(facts.get("reply.text")).lower()


@pytest.mark.parametrize(
    "message",
    ["The watch from SO-300001 arrived cracked.", "You sent me a gold watch but I ordered silver, order SO-300001."],
)
def test_a_stated_damage_or_wrong_item_on_one_item_is_still_refunded(message: str) -> None:
    facts, verdict = decide(_watch_case(message))
    assert verdict["outcome"] == "refund"
    refund = next(a for a in verdict["actions"] if a["tool"] == "refund_payment")
    assert refund["args"]["amount"] == 370.38
    assert facts["claim.words"]


BASE = {"order.owned": True, "payment.refundable": 370.38, "ticket.open": True, "order.cancellable": False}


def test_the_guard_refuses_a_refund_nothing_backs() -> None:
    refund = {"capture_id": "CAP-8", "amount": 370.38}
    # a damaged item read, but no words of the customer's saying so: refused
    unbacked = invariants("refund_payment", refund, {**BASE, "ticket.case_types": ["damaged_item"]}, [])
    assert any("nothing backs it" in p for p in unbacked)
    assert invariants("refund_payment", refund, {**BASE, "ticket.case_types": ["exchange_variant"]}, [])
    claimed = {**BASE, "ticket.case_types": ["damaged_item"], "claim.words": "cracked"}
    assert invariants("refund_payment", refund, claimed, []) == []
    # words of a claim alone do not back a refund of another request
    assert invariants("refund_payment", refund, {**claimed, "ticket.case_types": ["exchange_variant"]}, [])


def test_the_guard_lets_a_refund_through_on_what_the_systems_show() -> None:
    small = {"capture_id": "CAP-8", "amount": 20.0}
    duplicate = {**BASE, "payment.duplicate": True, "payment.duplicate_amount": 20.0}
    assert invariants("refund_payment", small, duplicate, []) == []
    assert invariants("refund_payment", {**small, "amount": 40.0}, duplicate, [])  # more than the duplicate
    received = {**BASE, "return.received": True, "return.refund_due": 20.0}
    assert invariants("refund_payment", small, received, []) == []
    assert invariants("refund_payment", {**small, "amount": 370.38}, received, [])
    assert invariants("refund_payment", small, BASE, ["exchange_order_items"]) == []
    assert invariants("refund_payment", small, BASE, ["modify_order_items"]) == []
    assert invariants("refund_payment", small, BASE, ["cancel_order"]) == []


@pytest.mark.parametrize(
    "text",
    [
        "I ordered the wrong size by mistake, please cancel it.",
        "I accidentally ordered the wrong color of the kettle; can I get the black one instead?",
        "I picked the wrong option when I ordered the lamp, I want the white one.",
        "Please cancel my order, I ordered the wrong item, and change my address to my new one.",
        "We chose the incorrect model, can we switch to the 12-inch one?",
        # "wrong" after what they chose
        "on my pending order i got the sizes wrong, the shirt should be a medium",
        "We had the colour wrong on the kettle order, please make it the red one.",
        "The boots are for my nephew and I got his size completely wrong, could you change them to a 7?",
        # what came does not suit them
        "The makeup kit I received is the wrong shade for me, I'd like to exchange it for the medium one.",
    ],
)
def test_the_customers_own_wrong_choice_is_not_a_wrong_item_sent(text: str) -> None:
    reading = read_message(text)
    assert "wrong_item" not in reading.intents, reading.matched
    assert reading.claim is None
    # the shop's mistake stays one, even beside "I ordered"; what came stays what came
    assert read_message("I ordered the black kettle but you sent the wrong colour.").claim is not None
    assert read_message("I got the wrong size: the shirt is an XL and I ordered a medium.").claim is not None
