"""An item the order holds on several identical lines is returned as many times as the customer says: one of them,
all of them, or asked about; never silently left out of a return that goes ahead with the rest (issue #25).

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.resolve import lines_named, quantity_said
from ai_missions.graphs.support.parse.targets import opening_facts
from ai_missions.graphs.support.parse.understanding import asking_sentences

#: A delivered order: a laptop, a water bottle, a toothbrush, a camera and the same water bottle again.
LINES = [
    {"line_no": 1, "sku": "LAP", "description": "Laptop", "quantity": 1, "unit_price": 900.0, "line_total": 900.0},
    {"line_no": 2, "sku": "BOT", "description": "Water Bottle", "quantity": 1, "unit_price": 40.0, "line_total": 40.0},
    {"line_no": 3, "sku": "TB", "description": "Electric Toothbrush", "quantity": 1, "unit_price": 60.0,
     "line_total": 60.0},
    {"line_no": 4, "sku": "CAM", "description": "Action Camera", "quantity": 1, "unit_price": 300.0,
     "line_total": 300.0},
    {"line_no": 5, "sku": "BOT", "description": "Water Bottle", "quantity": 1, "unit_price": 40.0, "line_total": 40.0},
]  # fmt: skip
OPTIONS = {"LAP": "15-inch i5 grey", "BOT": "500ml stainless steel green", "TB": "blue", "CAM": "5K silver"}
RECORD: dict[str, Any] = {
    "order": {"order_id": "SO-1", "status": "delivered", "lines": LINES},
    "returns": [],
    "variants": [{"sku": k, "option": v} for k, v in OPTIONS.items()],
}


def _return_lines(message: str, record: dict[str, Any] = RECORD) -> list[int]:
    named = lines_named(asking_sentences(message), LINES, OPTIONS)
    return list(opening_facts(record, named, message)["return.lines"])


@pytest.mark.parametrize(
    "message",
    [
        "I'd like to return the laptop, the electric toothbrush and one of the two water bottles.",
        "Please return the laptop, the toothbrush, and one water bottle (I have two identical ones).",
        "I want to return the laptop, toothbrush and a water bottle.",
        # the item in a sentence of its own that only goes on with the request
        "I want to return the laptop and the toothbrush. Also one of the water bottles, I only need one.",
    ],
)
def test_one_of_several_identical_lines_is_returned_once(message: str) -> None:
    assert _return_lines(message) == [1, 2, 3]


@pytest.mark.parametrize(
    "message",
    [
        "I want to return the laptop, toothbrush and both water bottles.",
        "I want to return the laptop, the toothbrush and the water bottles.",
        "I want to send back the laptop, the toothbrush and the two water bottles.",
    ],
)
def test_every_identical_line_is_returned_when_the_customer_says_all(message: str) -> None:
    assert _return_lines(message) == [1, 2, 3, 5]


@pytest.mark.parametrize(
    "message",
    [
        "I want to return the laptop, toothbrush and the water bottle.",
        "Return please: the laptop, a toothbrush and the water bottle.",
    ],
)
def test_how_many_unsaid_is_asked_never_dropped_nor_doubled(message: str) -> None:
    facts = opening_facts(RECORD, lines_named(asking_sentences(message), LINES, OPTIONS), message)
    assert facts["return.lines"] == []
    assert facts["return.which_items"] is True


def test_the_one_returned_is_one_not_yet_on_a_return() -> None:
    record = {**RECORD, "returns": [{"return_id": "R-1", "lines": [{"line_no": 2}]}]}
    facts = opening_facts(record, [1, 2, 5], "Return the laptop and one of the water bottles.")
    assert facts["return.lines"] == [1, 5]


def test_the_same_variant_at_two_prices_is_asked() -> None:
    dearer = [dict(line) for line in LINES]
    dearer[4]["unit_price"] = dearer[4]["line_total"] = 45.0
    record = {**RECORD, "order": {**RECORD["order"], "lines": dearer}}
    assert opening_facts(record, [1, 2, 5], "Return the laptop and one of the water bottles.")["return.lines"] == []


@pytest.mark.parametrize(
    ("text", "description", "said"),
    [
        ("one of the two water bottles", "Water Bottle", "one"),
        ("both water bottles", "Water Bottle", "all"),
        ("the water bottle", "Water Bottle", None),
        ("je renvoie une des deux gourdes", "Gourde", "one"),
        ("je renvoie les deux gourdes", "Gourde", "all"),
        ("ich schicke nur eine Tasse zurück, die andere behalte ich", "Tasse", "one"),
        ("ich schicke beide Tassen zurück", "Tasse", "all"),
        ("devuelvo una de las tazas", "Taza", "one"),
        ("devuelvo ambas tazas", "Taza", "all"),
        # what came is told, then what is asked of it: the asking sentence says how many
        ("Two identical mugs arrived. Could I swap one of them for the grey one?", "Coffee Mug", "one"),
        ("I got two of the same mugs. Please exchange both mugs for grey.", "Coffee Mug", "all"),
        ("Two identical mugs arrived. Could I swap them for the grey one?", "Coffee Mug", "all"),
    ],
)
def test_how_many_is_read_in_the_piece_naming_the_item(text: str, description: str, said: str | None) -> None:
    assert quantity_said(text, description) == said


@pytest.mark.parametrize(
    ("message", "gift"),
    [
        ("Return the laptop, refund to my gift card.", True),  # said of nothing else: of this return
        ("I'm sending the laptop back; the refund on a gift card please", True),
        ("Return the laptop please. The desk lamp from my other order goes back too, to my gift card.", False),
        ("Return the laptop and put the lamp's refund on my gift card", False),
        ("Return the laptop and the lamp, both to my gift card", True),  # the piece names this return's item too
    ],
)
def test_a_gift_card_asked_for_another_items_refund_is_not_this_returns(message: str, gift: bool) -> None:
    other_order = [{"line_no": 1, "sku": "LMP", "description": "Desk Lamp", "quantity": 1, "unit_price": 30.0}]
    facts = opening_facts(RECORD, [1], message, other_order)
    assert (facts["return.refund_to"] == "gift_card") is gift, message
