"""Words an option holds only joined to another ("in" of "built-in", "on" of "on-ear") say that option only
written beside it: "in my order" asks for no built-in grinder. And a number's unit is read with the units of every
item the customer names: the "2L" of a blender named is its capacity, never "2" and the size L of a jacket beside it
on the order (which would then be asked about). A word an option holds only negated ("resistant" of "not
resistant") names that option only said negated: "water resistant" said of a garden light asks nothing of earbuds."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from tests.test_support_actions import case

GRINDERS = ["silver 2 cups drip auto shutoff", "silver 6 cups pour over timer", "silver 6 cups drip built-in grinder"]


def _one_item_order(message: str, description: str, options: list[str]) -> dict[str, Any]:
    """SO-100001 not shipped: line 1 ``description`` in ``options[0]``, the others its product's variants."""
    built = case(message, status="pending")
    record = built["orders"]["SO-100001"]
    record["order"]["lines"][0]["description"] = description
    record["order"]["lines"][0]["sku"] = "V-0"
    record["variants"][:3] = [
        {"sku": f"V-{n}", "product_id": "P-1", "option": option, "unit_price": 60.0, "available": 5}
        for n, option in enumerate(options)
    ]
    return built


@pytest.mark.parametrize(
    ("message", "wanted"),
    [
        ("The drip brewer in my order SO-100001 should be the 6 cup pour over one with a timer instead.", "V-1"),
        ("On SO-100001, could the drip brewer be swapped for the 6-cup one with the built-in grinder?", "V-2"),
        ("On SO-100001 please change the drip brewer to the 6 cups drip model with built in grinder.", "V-2"),
    ],
)
def test_a_word_of_a_joined_option_counts_only_written_joined(message: str, wanted: str) -> None:
    facts, _verdict = decide(_one_item_order(message, "Drip Brewer", GRINDERS))
    assert facts["modify.changes"] == [{"line_no": 1, "sku": wanted}], message
    assert not facts["modify.choices"]


def test_a_number_with_the_named_items_unit_asks_nothing_of_another_item() -> None:
    message = "My order SO-100001 has a blender, 2L glass. Please change it to the 1.5L glass one, nothing else."
    built = _one_item_order(message, "Blender", ["2L glass", "1.5L glass", "1.5L plastic"])
    record = built["orders"]["SO-100001"]
    record["order"]["lines"][1]["description"] = "Rain Jacket"
    record["variants"][3:] = [
        {"sku": "J-0", "product_id": "P-2", "option": "green M", "unit_price": 40.0, "available": 5},
        {"sku": "J-1", "product_id": "P-2", "option": "green L", "unit_price": 40.0, "available": 5},
    ]
    record["order"]["lines"][1]["sku"] = "J-0"
    facts, _verdict = decide(built)
    # the blender's change alone (a request the reading layer reads as one: proposed for a reviewer, not asked back);
    # nothing asked of the jacket, nothing changed on it
    assert facts["modify.summary"] == "Blender: 2L glass -> 1.5L glass"
    assert facts["modify.choices"] == []
    assert [c["line_no"] for c in facts["modify.changes"]] == [1]
    # the jacket's size said of the jacket is still read as a change asked of it
    built["ticket"]["messages"][0]["body"] = message.replace("nothing else", "and the rain jacket to L")
    facts, _verdict = decide(built)
    assert "Rain Jacket: green M -> green L" in facts["modify.summary"]


def _light_and_earbuds(message: str) -> dict[str, Any]:
    """SO-100001 not shipped: a garden light (green) and earbuds (white IPX4) whose other variants include one "not
    resistant"."""
    built = _one_item_order(message, "Garden Light", ["green", "black"])
    record = built["orders"]["SO-100001"]
    record["order"]["lines"][1].update(description="Wireless Earbuds", sku="E-0")
    record["variants"][2:] = [
        {"sku": "E-0", "product_id": "P-2", "option": "white IPX4", "unit_price": 40.0, "available": 5},
        {"sku": "E-1", "product_id": "P-2", "option": "white not resistant", "unit_price": 40.0, "available": 5},
        {"sku": "E-2", "product_id": "P-2", "option": "black IPX4", "unit_price": 40.0, "available": 5},
    ]
    return built


def test_a_word_options_hold_only_negated_names_nothing_said_plainly() -> None:
    plain = "On SO-100001, please change the garden light (water resistant, green) to the black one."
    facts, _verdict = decide(_light_and_earbuds(plain))
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "V-1"}]
    assert not facts["modify.choices"]
    # said negated, beside an item named, it still asks about the item whose option it is
    negated = "On SO-100001, please change the garden light to the black one, and I want the pair not water resistant."
    facts, _verdict = decide(_light_and_earbuds(negated))
    assert any(choice.startswith("Wireless Earbuds") for choice in facts["modify.choices"])
