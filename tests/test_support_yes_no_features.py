"""A feature a catalogue writes as a bare yes or no ("water resistance: no" is "green 20 hours no") is read from how
customers say it: left out ("non-waterproof", "not water resistant", "without a rotisserie", "no water
resistance"), the same word alone where they describe what they have ("the waterproof boots"). The value the item
does not have is the one wanted when said; what is said of that feature is the named item's, never another item's
name ("water" of a Water Bottle) or option ("not resistant" of earbuds). Unsure readings are asked."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.targets import modify_facts, opening_facts
from tests.support.order_record import order_record

FACTS: dict[str, Any] = {"payment.capture_refundables": []}


BOOT_VARIANTS = [
    ("B-9SY", "boots", "9 synthetic yes", 200.0),
    ("B-9SN", "boots", "9 synthetic no", 190.0),
    ("B-11LY", "boots", "11 leather yes", 230.0),
    ("B-11LN", "boots", "11 leather no", 220.0),
    ("B-11SY", "boots", "11 synthetic yes", 210.0),
]
BOOTS = order_record([("Hiking Boots", "B-9SY")], BOOT_VARIANTS)
PLAIN_BOOTS = order_record([("Hiking Boots", "B-9SN")], BOOT_VARIANTS)


@pytest.mark.parametrize(
    "text",
    [
        "Could I exchange my hiking boots for an 11 in leather, the non waterproof kind?",
        "The boots: I'd like leather ones, size 11, without waterproofing.",
        "please swap the hiking boots for leather 11s that aren't waterproof",
        "Hiking boots -> size 11 leather with no waterproofing",
        "I have the waterproof synthetic boots in 9; I want the 11 leather pair, not waterproof this time.",
    ],
)
def test_a_feature_said_left_out_is_the_options_no(text: str) -> None:
    assert modify_facts(BOOTS, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "B-11LN"}], text


def test_a_feature_said_of_both_the_item_had_and_the_one_wanted_takes_the_other_value() -> None:
    """From a "no" item: said left out of what they have, alone of what they want: the "yes"."""
    text = "My boots are not waterproof, a mistake: could they be the waterproof leather ones in size 11?"
    assert modify_facts(PLAIN_BOOTS, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "B-11LY"}]


def test_a_feature_said_as_the_item_has_it_keeps_it() -> None:
    text = "Change the hiking boots to size 11 leather, same as now otherwise (non-waterproof)."
    assert modify_facts(PLAIN_BOOTS, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "B-11LN"}]


SPEAKER_VARIANTS = [
    ("S-B20Y", "speaker", "blue 20 hours yes", 60.0),
    ("S-G20Y", "speaker", "green 20 hours yes", 62.0),
    ("S-G20N", "speaker", "green 20 hours no", 55.0),
    ("S-G10N", "speaker", "green 10 hours no", 45.0),
]


@pytest.mark.parametrize(
    "text",
    [
        "Please change my speaker to green with the 20 hour battery and no water resistance.",
        "speaker: the green one that isn't water-resistant, 20h battery like mine",
        "I'd like the Bluetooth speaker in green (20 hours, non water resistant) instead.",
        "Could the speaker be green, same battery, but not the water resistant one?",
    ],
)
def test_a_speaker_said_not_water_resistant_is_the_no(text: str) -> None:
    speaker = order_record([("Bluetooth Speaker", "S-B20Y")], SPEAKER_VARIANTS)
    assert modify_facts(speaker, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "S-G20N"}], text


@pytest.mark.parametrize(
    "text",
    [
        "Change the speaker to green, not sure if it costs more.",
        "I no longer want the blue speaker, green please.",
        "The speaker in green, it doesn't need to be water resistant.",
        "Change the speaker to green without any extra charge, not the same as last time.",
        "Green speaker please, not the one I have.",
    ],
)
def test_a_negation_of_no_feature_never_takes_the_no(text: str) -> None:
    """ "not sure", "no longer" name no feature: the "no" is never taken from them; the "yes" kept unsaid beside a
    negation is asked (the existing safety rule)."""
    speaker = order_record([("Bluetooth Speaker", "S-B20Y")], SPEAKER_VARIANTS)
    facts = modify_facts(speaker, [1], text, FACTS)
    assert facts["modify.changes"] == [], text
    assert facts["modify.ambiguous"], text


def test_a_feature_said_of_the_named_item_asks_nothing_of_the_others() -> None:
    """ "not water resistant" of the speaker: the Water Bottle is not named by "water", nor earbuds whose option is
    "not resistant" asked about."""
    order = order_record(
        [("Bluetooth Speaker", "S-B20Y"), ("Wireless Earbuds", "E-W8"), ("Water Bottle", "W-1")],
        [*SPEAKER_VARIANTS,
         ("E-W8", "earbuds", "white 8 hours IPX4", 90.0), ("E-B8", "earbuds", "blue 8 hours not resistant", 80.0),
         ("W-1", "bottle", "500ml red", 20.0), ("W-2", "bottle", "500ml blue", 20.0)],
    )  # fmt: skip
    text = (
        "On my order with the blue speaker (20 hours, water resistant), I'd like the green one that is not water"
        " resistant, same battery."
    )
    facts = modify_facts(order, [1], text, FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "S-G20N"}]
    assert facts["modify.choices"] == []


GRILLS = [
    ("G-LY", "grill", "large yes", 300.0),
    ("G-MY", "grill", "medium yes", 250.0),
    ("G-MN", "grill", "medium no", 200.0),
]


def test_without_a_rotisserie_and_with_one() -> None:
    grill = order_record([("Electric Grill", "G-LY")], GRILLS)
    text = "Could the grill be the medium size without a rotisserie?"
    assert modify_facts(grill, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "G-MN"}]
    # a feature said only as wanted ("with the rotisserie") is not told from any other word: asked
    plain = order_record([("Electric Grill", "G-MN")], GRILLS)
    facts = modify_facts(plain, [1], "I'd like the grill with the rotisserie instead.", FACTS)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


def test_two_yes_no_options_are_asked() -> None:
    """A product with two yes/no options: which one a feature word means is not read."""
    watch = order_record(
        [("Smart Watch", "W-YY")],
        [("W-YY", "watch", "black yes yes", 200.0), ("W-YN", "watch", "black yes no", 190.0),
         ("W-NY", "watch", "black no yes", 190.0)],
    )  # fmt: skip
    facts = modify_facts(watch, [1], "Change my watch to the one without GPS.", FACTS)
    assert facts["modify.changes"] == []


def test_a_return_of_the_item_said_by_its_feature_names_no_other_item() -> None:
    order = order_record(
        [("Bluetooth Speaker", "S-G20N"), ("Water Bottle", "W-1")],
        [*SPEAKER_VARIANTS, ("W-1", "bottle", "500ml red", 20.0), ("W-2", "bottle", "500ml blue", 20.0)],
    )
    order["returns"] = []
    facts = opening_facts(order, [1], "I'd like to return the green speaker, the one that isn't water resistant.")
    assert facts["return.lines"] == [1]
    # the Water Bottle said by its own name is still asked about ("the water one": meant too?)
    assert opening_facts(order, [1], "Return the speaker and the water one.")["return.lines"] == []


@pytest.mark.parametrize(
    "text",
    [
        "These hiking boots are not comfortable, could I get the 11 leather ones?",
        "The boots: not comfortable at all. Exchange them for size 11 in leather please.",
    ],
)
def test_a_word_left_out_of_no_variant_never_changes_the_feature(text: str) -> None:
    """ "not comfortable" says nothing of a variant: the "no" is not taken from it, the "yes" kept unsaid beside
    it is asked."""
    facts = modify_facts(BOOTS, [1], text, FACTS)
    assert facts["modify.changes"] == [], text
    assert facts["modify.ambiguous"], text


def test_another_items_option_word_is_not_read_as_this_items_feature() -> None:
    """ "not resistant" is an option of the earbuds on the same order: never read as the speaker's "no"; asked."""
    order = order_record(
        [("Bluetooth Speaker", "S-B20Y"), ("Wireless Earbuds", "E-W8")],
        [*SPEAKER_VARIANTS,
         ("E-W8", "earbuds", "white 8 hours IPX4", 90.0), ("E-B8", "earbuds", "blue 8 hours not resistant", 80.0)],
    )  # fmt: skip
    facts = modify_facts(order, [1], "Change the speaker to green, the one that is not resistant.", FACTS)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


EARBUD_VARIANTS = [
    ("E-K8X7", "earbuds", "black 8 hours IPX7", 150.0),
    ("E-K4X7", "earbuds", "black 4 hours IPX7", 140.0),
    ("E-K4NR", "earbuds", "black 4 hours not resistant", 120.0),
    ("E-B4NR", "earbuds", "blue 4 hours not resistant", 120.0),
    ("WB-1", "bottle", "750ml plastic blue", 20.0),
    ("WB-2", "bottle", "500ml glass green", 25.0),
]
EARBUDS_AND_BOTTLE = order_record([("Wireless Earbuds", "E-K8X7"), ("Water Bottle", "WB-1")], EARBUD_VARIANTS)


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("the black wireless earbuds, can I switch them to the 4 hour battery version that isn't water resistant? "
         "Still black.", "E-K4NR"),
        ("Earbuds: the 4 hours ones that are not water-resistant please, black.", "E-K4NR"),
        ("Earbuds: black, 4 hours, IPX7; I'm not fussy about the rest.", "E-K4X7"),
    ],
)  # fmt: skip
def test_an_options_not_is_read_in_any_negative_form_and_names_no_other_item(text: str, sku: str) -> None:
    """ "not resistant" as customers write it ("isn't water resistant"); a "not" of something else is no option,
    and the "water" of it names no Water Bottle."""
    facts = modify_facts(EARBUDS_AND_BOTTLE, [1], text, FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": sku}], text
    assert not any("Water Bottle" in c for c in facts["modify.choices"])


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("Could the earbuds become black ones with the 4 hour battery and no water resistance?", "E-K4NR"),
        ("earbuds: 4h battery, black, without any water resistance", "E-K4NR"),
    ],
)
def test_a_not_option_said_as_a_feature_left_out_in_its_noun_is_that_option(text: str, sku: str) -> None:
    """ "no water resistance" of earbuds whose option is "not resistant": that option, never the item's own IPX7
    kept (what they said they do not want)."""
    facts = modify_facts(EARBUDS_AND_BOTTLE, [1], text, FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": sku}], text


@pytest.mark.parametrize(
    "text",
    [
        "I'd like the black earbuds with 4 hours of battery, no waterproofing needed.",
        "For the earbuds I want the 4 hours battery in black, no water resistance at all.",  # not said of a variant
    ],
)
def test_a_feature_left_out_that_is_not_read_as_an_option_is_asked(text: str) -> None:
    facts = modify_facts(EARBUDS_AND_BOTTLE, [1], text, FACTS)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


@pytest.mark.parametrize(
    "text",
    [
        "swap my hiking boots from a 9, not waterproof to an 11 leather, waterproof",
        "Boots: size 9 synthetic non waterproof -> leather size 11 waterproof please",
    ],
)
def test_a_negation_of_the_feature_the_item_has_refuses_no_other_option(text: str) -> None:
    """ "not waterproof" describes what they have: its "not" is the feature's, never a refusal of the 11 or leather."""
    assert modify_facts(PLAIN_BOOTS, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "B-11LY"}], text


@pytest.mark.parametrize(
    "text",
    [
        "I don't want the waterproof 11 leather ones, change my boots to something else",
        "boots: not leather, size 11",
        # the feature said negated where it is not read as left out: which yes or no is asked, never the own kept
        "the boots I have aren't waterproof (size 9); can I get the 11 leather waterproof ones?",
    ],
)
def test_a_negation_before_another_word_still_refuses_the_option_and_an_unread_one_is_asked(text: str) -> None:
    facts = modify_facts(PLAIN_BOOTS, [1], text, FACTS)
    assert facts["modify.changes"] == [], text


TWO_SPEAKER_VARIANTS = [
    ("S-G10N", "speaker", "green 10 hours no", 45.0),
    ("S-K10N", "speaker", "black 10 hours no", 45.0),
    ("S-R20Y", "speaker", "red 20 hours yes", 65.0),
    ("S-B20Y", "speaker", "blue 20 hours yes", 60.0),
    ("S-B20N", "speaker", "blue 20 hours no", 55.0),
]
TWO_SPEAKERS = order_record([("Bluetooth Speaker", "S-G10N"), ("Bluetooth Speaker", "S-K10N")], TWO_SPEAKER_VARIANTS)


@pytest.mark.parametrize(
    "text",
    [
        "Two speakers on this order: the green one (10 hours, not water resistant) should be a red 20 hour water "
        "resistant one, and the black one a blue 20 hour one, still not water resistant.",
        "Please swap my green speaker, which is not water resistant, for the red 20-hour water resistant one; the "
        "black one for a blue 20 hour model that's still not water resistant.",
        # the feature said left out only of the other line: what is said of this one is read with it, never dropped
        "Swap the green speaker for a red one with the 20 hour battery that is water resistant, and the black one "
        "for a blue 20 hour one, no water resistance needed.",
    ],
)
def test_two_lines_of_one_item_each_take_what_is_said_after_their_own_option(text: str) -> None:
    changes = modify_facts(TWO_SPEAKERS, [1, 2], text, FACTS)["modify.changes"]
    assert changes == [{"line_no": 1, "sku": "S-R20Y"}, {"line_no": 2, "sku": "S-B20N"}], text


def test_a_feature_after_a_left_out_word_not_read_as_one_is_never_read_as_had() -> None:
    """ "still not water resistant" of a speaker without it: not the water resistant one, whatever "still" says."""
    speaker = order_record([("Bluetooth Speaker", "S-G10N")], TWO_SPEAKER_VARIANTS)
    text = "Change my speaker to blue with the 20 hour battery, still not water resistant."
    assert modify_facts(speaker, [1], text, FACTS)["modify.changes"] == [{"line_no": 1, "sku": "S-B20N"}]


GREEN_AND_BLACK_VARIANTS = [
    ("S-G10N", "speaker", "green 10 hours no", 45.0),
    ("S-K10N", "speaker", "black 10 hours no", 45.0),
    ("S-R10N", "speaker", "red 10 hours no", 47.0),
    ("S-R10Y", "speaker", "red 10 hours yes", 52.0),
]
GREEN_AND_BLACK = order_record(
    [("Bluetooth Speaker", "S-G10N"), ("Bluetooth Speaker", "S-K10N")], GREEN_AND_BLACK_VARIANTS
)


@pytest.mark.parametrize(
    "text",
    [
        "I got two speakers - the green one I'd like to swap for red, same everything else; leave the black one.",
        "The green speaker should be red, everything else the same. Keep the black one as it is.",
    ],
)
def test_an_item_left_as_it_is_says_nothing_of_the_one_changed(text: str) -> None:
    """Of two lines of one product, the one left as it is names its colour: not a value wanted for the other."""
    facts = modify_facts(GREEN_AND_BLACK, [1], text, FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "S-R10N"}], facts["modify.choices"]


PACK_AND_LAPTOP = order_record(
    [("Laptop", "L-13"), ("Backpack", "P-GLH")],
    [
        ("L-13", "laptop", "13-inch i5 silver", 900.0),
        ("L-15", "laptop", "15-inch i7 silver", 1200.0),
        ("P-GLH", "backpack", "grey large hydration", 80.0),
        ("P-GSL", "backpack", "green small laptop", 85.0),
        ("P-GSC", "backpack", "green small camera", 82.0),
    ],
)


def test_another_items_name_that_is_an_option_of_this_one_is_said_of_it() -> None:
    """ "a laptop compartment" beside a Laptop on the order: for the backpack, "laptop" is the option wanted."""
    text = "change the laptop to the 15-inch i7 one and the backpack to the green small one with a laptop compartment"
    facts = modify_facts(PACK_AND_LAPTOP, [1, 2], text, FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "L-15"}, {"line_no": 2, "sku": "P-GSL"}], facts[
        "modify.choices"
    ]
