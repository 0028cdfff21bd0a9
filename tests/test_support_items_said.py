"""Items the customer speaks of outside the sentences read as requests, and payment words inside an item's
options: an item change never goes ahead for some of the items asked about while another is left out, and "the SD
card one" names no card to pay with."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.evals.tau_runner import _effect
from ai_missions.graphs.support.facts import lines_said_to_change, without_option_phrases

VARIANTS = [
    {"sku": "NB-A5", "product_id": "notebook", "option": "A5 soft cover", "unit_price": 10.0, "available": 5},
    {"sku": "NB-A4", "product_id": "notebook", "option": "A4 soft cover", "unit_price": 12.0, "available": 5},
    {"sku": "CH-RED", "product_id": "chair", "option": "mesh red", "unit_price": 200.0, "available": 5},
    {"sku": "CH-GRAY", "product_id": "chair", "option": "mesh gray", "unit_price": 200.0, "available": 5},
    {"sku": "CAM-30", "product_id": "camera", "option": "30MP SD card", "unit_price": 500.0, "available": 5},
    {"sku": "CAM-20", "product_id": "camera", "option": "20MP SD card", "unit_price": 450.0, "available": 5},
]
RECORD: dict[str, Any] = {
    "variants": VARIANTS,
    "order": {
        "lines": [
            {"line_no": 1, "sku": "NB-A5", "description": "Notebook", "quantity": 1, "unit_price": 10.0},
            {"line_no": 2, "sku": "CH-RED", "description": "Office Chair", "quantity": 1, "unit_price": 200.0},
            {"line_no": 3, "sku": "CAM-30", "description": "Digital Camera", "quantity": 1, "unit_price": 500.0},
        ]
    },
}


def test_an_item_said_to_become_another_variant_is_part_of_the_change() -> None:
    for text in (
        "Please change the chair to gray. The notebook should be A4, not the A5.",
        "Chair in gray please; and my notebook ought to have been the A4 one.",
        "I'd like the office chair in gray. Notebook: A4 instead of A5.",
    ):
        assert lines_said_to_change(RECORD, [2], text) == [1], text


def test_an_item_mentioned_in_its_own_options_or_not_at_all_is_not() -> None:
    for text in (
        "Please change the chair to gray. I love the A5 notebook, keep it.",
        "Please change the chair to gray.",
        "Change the chair to gray, the notebook is fine as it is.",
    ):
        assert lines_said_to_change(RECORD, [2], text) == [], text


def test_payment_is_read_without_the_items_option_words() -> None:
    text = "Make the camera the 20MP SD card one, any difference to my gift card."
    cleaned = without_option_phrases(text, VARIANTS)
    assert "SD card" not in cleaned
    assert "gift card" in cleaned
    assert without_option_phrases("Refund my visa card", VARIANTS) == "Refund my visa card"
    assert without_option_phrases("anything", []) == "anything"


def _exchange(old: list[str], new: list[str]) -> dict[str, Any]:
    kwargs = {"order_id": "#W1", "item_ids": old, "new_item_ids": new, "payment_method_id": "c"}
    return {"name": "exchange_delivered_order_items", "kwargs": kwargs}


def test_a_swap_to_the_very_same_item_is_no_part_of_a_writes_effect() -> None:
    truth = _exchange(["a", "b"], ["a2", "b"])
    assert _effect(_exchange(["a"], ["a2"])) == _effect(truth)
    assert _effect(_exchange(["a"], ["a3"])) != _effect(truth)
    assert _effect(_exchange(["b"], ["b2"])) != _effect(truth)
