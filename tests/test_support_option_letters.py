"""A single letter is an option's word only beside the word it goes with ("USB-A", "Brand C"): the article "a" in
"there is a black charger" asks for no USB-A, and "Brand C" still names Brand C."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from tests.test_support_actions import case


def _charger_order(message: str, options: list[str]) -> dict[str, Any]:
    """SO-100001 not shipped: line 1 a portable charger in ``options[0]``, the other options its product's variants."""
    built = case(message, status="pending")
    record = built["orders"]["SO-100001"]
    record["order"]["lines"][0]["description"] = "Portable Charger"
    record["variants"][:3] = [
        {"sku": f"PC-{n}", "product_id": "P-1", "option": option, "unit_price": 60.0, "available": 5}
        for n, option in enumerate(options)
    ]
    record["order"]["lines"][0]["sku"] = "PC-0"
    return built


CHARGERS = ["20000mAh Wireless black", "10000mAh USB-C blue", "10000mAh USB-A blue", "5000mAh USB-A white"]
KITS = ["light professional Brand A", "dark professional Brand C", "dark professional Brand A"]


@pytest.mark.parametrize(
    ("message", "options", "wanted"),
    [
        ("In my order SO-100001 there is a black 20000mAh wireless charger. Could I change it to the blue 10000mAh "
         "one with USB-C output?", CHARGERS, "PC-1"),
        ("SO-100001: swap the charger for a blue 10000mah usb a one please", CHARGERS, "PC-2"),
        ("On SO-100001 I'd like the makeup kit as the dark professional Brand C one instead.", KITS, "PC-1"),
        ("On SO-100001 please change the makeup kit to a dark professional one, brand A.", KITS, "PC-2"),
    ],
)  # fmt: skip
def test_a_letter_is_read_only_with_the_word_it_goes_with(message: str, options: list[str], wanted: str) -> None:
    built = _charger_order(message, options)
    if options is KITS:
        built["orders"]["SO-100001"]["order"]["lines"][0]["description"] = "Makeup Kit"
    facts, _verdict = decide(built)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": wanted}], message
