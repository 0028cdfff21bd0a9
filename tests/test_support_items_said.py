"""Items the customer speaks of outside the sentences read as requests, and payment words inside an item's
options: an item change never goes ahead for some of the items asked about while another is left out, and "the SD
card one" names no card to pay with."""

from __future__ import annotations

from typing import Any

from ai_missions.benchmarks.tau_retail.runner import _effect
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.resolve import (
    lines_named,
    order_items,
    partly_named,
    said_of_lines,
    things_unmatched,
)
from ai_missions.graphs.support.parse.targets import (
    changes_asked,
    lines_said_to_change,
    modify_facts,
    opening_facts,
    without_option_phrases,
)
from ai_missions.graphs.support.parse.understanding import fold, read_message, stated_claim
from tests.support.order_record import order_record
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

#: The file's two orders: an office's (a notebook, a chair, a camera) and a home's (below: an item named in part).
RECORD, HOME = (
    order_record(lines, variants)
    for lines, variants in (
        ([("Notebook", "NB-A5"), ("Office Chair", "CH-RED"), ("Digital Camera", "CAM-30")],
         [("NB-A5", "notebook", "A5 soft cover", 10.0), ("NB-A4", "notebook", "A4 soft cover", 12.0),
          ("CH-RED", "chair", "mesh red", 200.0), ("CH-GRAY", "chair", "mesh gray", 200.0),
          ("CAM-30", "camera", "30MP SD card", 500.0), ("CAM-20", "camera", "20MP SD card", 450.0)]),
        ([("Vacuum Cleaner", "VC-UP"), ("Desk Lamp", "LP-BLK"), ("Gaming Mouse", "MS-BLK")],
         [("VC-UP", "vacuum", "upright bagged", 300.0), ("VC-CN", "vacuum", "canister bagless", 320.0),
          ("LP-BLK", "lamp", "black LED", 40.0), ("LP-WHT", "lamp", "white LED", 40.0),
          ("MS-BLK", "mouse", "black wired", 30.0), ("MS-WHT", "mouse", "white wireless", 35.0)]),
    )
)  # fmt: skip
VARIANTS = RECORD["variants"]


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


# --- an item named in part, and values said with no item named ------------------------------------------------

HOME_VARIANTS = HOME["variants"]
FACTS: dict[str, Any] = {"payment.capture_refundables": []}


def _modify(text: str, named: list[int]) -> dict[str, Any]:
    return modify_facts(HOME, named, text, FACTS)


def test_an_item_named_in_part_is_asked_about_never_left_out() -> None:
    for text in (
        "Swap the lamp for the white one and the vacuum for the canister bagless model.",
        "could the desk lamp be white instead, and my vacuum canister bagless pls",
    ):
        facts = _modify(text, lines_named(text, HOME["order"]["lines"], _options()))
        assert facts["modify.changes"] == [], text  # the lamp does not change alone
        assert any("Vacuum Cleaner" in c for c in facts["modify.choices"]), text
    assert partly_named("the vacuum cleaner, please", HOME["order"]["lines"], _options()) == []  # named whole
    # beside a question of where the order is, a want of an item named in part is asked about too, not dropped
    message = "Has my order with the lamp shipped yet? I would prefer the vacuum as a canister one without a bag."
    assert changes_asked(SupportRequest(message, read_message(message), messages=(message,)), HOME) == [1]
    # a want that only points back at its item ("it") is of the item named in the sentence before
    message = (
        "My pending order has an upright vacuum in it. Could I change it to the canister one, still bagless? "
        "And does that change when it ships?"
    )
    assert changes_asked(SupportRequest(message, read_message(message), messages=(message,)), HOME) == [1]


def test_values_said_of_no_item_that_fit_several_are_asked() -> None:
    facts = _modify("Could a white wireless one come instead? Thanks.", [])  # the mouse? the lamp comes in white
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


def test_it_in_the_request_is_the_item_another_sentence_describes() -> None:
    text = (
        "I bought the black wired gaming mouse last week. A white wireless one would suit me better, can you change it?"
    )
    facts = _modify(text, [])  # the request sentence names no item
    assert facts["modify.changes"] == [{"line_no": 3, "sku": "MS-WHT"}]  # not the lamp, though it comes in white


def test_an_item_named_in_part_holds_a_return_until_asked() -> None:
    record = {**HOME, "returns": []}
    text = "Please take back the lamp and the vacuum, I don't need them."
    assert opening_facts(record, lines_named(text, HOME["order"]["lines"], _options()), text)["return.lines"] == []


def _options() -> dict[str, str]:
    return {str(v["sku"]): str(v["option"]) for v in HOME_VARIANTS}


def test_a_head_word_two_items_share_names_the_one_whose_other_word_stands_before_it() -> None:
    lines = [
        {"line_no": 1, "sku": "SC-1", "description": "Electric Scooter", "quantity": 1, "unit_price": 300.0},
        {"line_no": 2, "sku": "SC-2", "description": "Kick Scooter", "quantity": 1, "unit_price": 90.0},
        {"line_no": 3, "sku": "LP-1", "description": "Desk Lamp", "quantity": 1, "unit_price": 40.0},
    ]
    options = {"SC-1": "25 km/h grey", "SC-2": "foldable red", "LP-1": "LED white"}
    assert lines_named("could the kick scooter come in blue?", lines, options) == [2]
    assert lines_named("I'd like my electric scooters swapped for the 30 km/h one", lines, options) == [1]
    # the twins: the head word alone names both; each item's own words name each
    assert lines_named("the scooter should be the blue one", lines, options) == [1, 2]
    assert lines_named("the kick scooter in blue, and the other scooter faster", lines, options) == [1, 2]
    assert lines_named("the kick scooter and the electric scooter both in blue", lines, options) == [1, 2]


def test_a_feature_said_left_out_is_the_catalogues_none_of_its_product() -> None:
    variants = [
        {"sku": "HS-MIC", "product_id": "headset", "option": "wired mic black", "unit_price": 60.0, "available": 5},
        {"sku": "HS-NONE", "product_id": "headset", "option": "wired none black", "unit_price": 50.0, "available": 5},
        {"sku": "HS-AIR", "product_id": "headset", "option": "wireless mic black", "unit_price": 90.0, "available": 5},
    ]
    line = {"line_no": 1, "sku": "HS-MIC", "description": "Gaming Headset", "quantity": 1, "unit_price": 60.0}
    record = {"variants": variants, "order": {"lines": [line]}}

    def changed_to(text: str) -> list[dict[str, Any]]:
        return modify_facts(record, [1], text, FACTS).get("modify.changes") or []

    assert changed_to("Could my headset be the version without a microphone?") == [{"line_no": 1, "sku": "HS-NONE"}]
    assert changed_to("headset -> same but no microphone") == [{"line_no": 1, "sku": "HS-NONE"}]
    # the twins: nothing said left out, or words that leave out no feature
    assert changed_to("Could my headset be the wireless version?") == [{"line_no": 1, "sku": "HS-AIR"}]
    assert changed_to("No rush at all: could my headset be the wireless version?") == [{"line_no": 1, "sku": "HS-AIR"}]
    assert changed_to("Could it be the wireless headset, no questions asked") == [{"line_no": 1, "sku": "HS-AIR"}]


def _changed_to(variants: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The change asked of an order whose one line is the first variant."""
    own = variants[0]
    line = {"line_no": 1, "sku": own["sku"], "description": own["product_id"], "quantity": 1, "unit_price": 100.0}
    record = {"variants": variants, "order": {"lines": [line]}}
    return modify_facts(record, [1], text, FACTS).get("modify.changes") or []


def test_a_word_of_a_two_word_value_said_after_another_value_of_that_choice_says_no_value() -> None:
    chair = [
        {"sku": f"CH-{n}", "product_id": "Desk Chair", "option": option, "unit_price": 100.0, "available": 5}
        for n, option in enumerate(["fabric blue standard", "mesh red standard", "mesh red high-back"])
    ]
    # "back" after "standard" is said of the chair they have, never the high-back one
    assert _changed_to(chair, "my chair (blue fabric, standard back) should be red mesh") == [
        {"line_no": 1, "sku": "CH-1"}
    ]
    assert _changed_to(chair, "my chair should be red mesh with the high back") == [{"line_no": 1, "sku": "CH-2"}]
    bottle = [
        {"sku": f"BT-{n}", "product_id": "Flask", "option": option, "unit_price": 30.0, "available": 5}
        for n, option in enumerate(["750ml glass black", "500ml stainless steel green", "500ml glass green"])
    ]
    # the twin: "steel" after a value it stands beside in a variant is said, so the glass one is not chosen for it
    assert _changed_to(bottle, "I'd like the flask as the 500ml steel one in green") == []
    assert _changed_to(bottle, "I'd like the flask as the 500ml one in green") == [{"line_no": 1, "sku": "BT-2"}]


def test_a_value_said_as_wanted_is_the_new_variants_even_where_the_one_had_holds_it_too() -> None:
    """Size M reads "medium", as a helmet's medium vents do: "for the S, white, medium one" asks medium vents (its
    size is said apart), so the low-vent one is not offered beside it; said only as had, it chooses nothing."""
    helmet = [
        {"sku": f"HM-{n}", "product_id": "Cycling Helmet", "option": option, "unit_price": 100.0, "available": 5}
        for n, option in enumerate(["M blue low", "S white medium", "S white low"])
    ]
    assert _changed_to(helmet, "exchange the cycling helmet for the S, white, medium one") == [
        {"line_no": 1, "sku": "HM-1"}
    ]
    assert _changed_to(helmet, "my medium helmet: I want it small and white instead") == []


def test_a_variant_whose_options_read_as_one_word_twice_is_chosen_when_its_values_are_said_as_written() -> None:
    """ "M red medium" reads "medium" twice (size M, medium vents): "red with medium ventilation, same size" and the
    answer "the M, red, medium one" both choose it, not "M red low" (its "M" reads "medium" too), which "in red"
    alone chooses. Before, it was asked whatever was said: a question round after round."""
    helmet = [
        {"sku": f"HM-{n}", "product_id": "Cycling Helmet", "option": option, "unit_price": 100.0, "available": 5}
        for n, option in enumerate(["M blue low", "M red medium", "M red low", "M red high", "S red medium"])
    ]
    for said in ("change the helmet to red with medium ventilation, same size", "the helmet: the M, red, medium one"):
        assert _changed_to(helmet, said) == [{"line_no": 1, "sku": "HM-1"}], said
    assert _changed_to(helmet, "the helmet in red please") == [{"line_no": 1, "sku": "HM-2"}]  # the rest as it is


def test_a_value_said_of_something_else_gives_way_to_the_one_said_as_wanted_of_the_same_choice() -> None:
    """Words about another order's kettle ("the white glass one") are not asked of this one, where what is wanted
    names the other value of that choice (black): no variant holds both. A value of another choice said elsewhere
    is still asked ("and in blue too")."""
    kettle = [
        {"sku": f"KT-{n}", "product_id": "Electric Kettle", "option": option, "unit_price": 100.0, "available": 5}
        for n, option in enumerate(["1L steel black", "1L glass white", "1L glass black", "2L glass black"])
    ]
    text = "Change the kettle for the 1L, glass, black one. My other order has the white glass kettle, that one stays."
    assert _changed_to(kettle, text) == [{"line_no": 1, "sku": "KT-2"}]
    shirt = [
        {"sku": f"TS-{n}", "product_id": "T-Shirt", "option": option, "unit_price": 20.0, "available": 5}
        for n, option in enumerate(["M red", "L red", "L blue", "M blue"])
    ]
    assert _changed_to(shirt, "Change the t-shirt for the L one, and I'd like it in blue") == [
        {"line_no": 1, "sku": "TS-2"}
    ]


SPEAKERS = order_record(
    [("Bluetooth Speaker", "S-G10N"), ("Bluetooth Speaker", "S-K10N")],
    [("S-G10N", "speaker", "green 10 hours no", 45.0), ("S-K10N", "speaker", "black 10 hours no", 45.0)],
)


def test_two_lines_of_one_item_are_told_apart_by_their_own_option_said_of_a_thing() -> None:
    said = said_of_lines(
        "Swap the green speaker for a red one, and the black one for a blue one", *order_items(SPEAKERS)
    )
    assert said is not None
    assert ("red" in said[1], "blue" in said[1]) == (True, False)
    assert ("red" in said[2], "blue" in said[2]) == (False, True)


def test_an_option_word_going_on_from_what_is_wanted_names_no_line() -> None:
    """ "black one" without a determiner goes on from "for the 20 hours": wanted of the green one, not the black."""
    assert said_of_lines("Change the green speaker for the 20 hours, black one", *order_items(SPEAKERS)) is None


LAMP_AND_SPEAKERS = order_record(
    [("Bluetooth Speaker", "S-G10N"), ("Desk Lamp", "L-W"), ("Bluetooth Speaker", "S-K10N")],
    [("S-G10N", "speaker", "green 10 hours no", 45.0), ("L-W", "lamp", "white LED", 30.0),
     ("S-K10N", "speaker", "black 10 hours no", 45.0)],
)  # fmt: skip


def test_what_is_had_is_read_again_after_a_comma_that_names_the_next_thing() -> None:
    """A list of changes put with commas: the words after "for the" are wanted only up to the next thing said ("the
    black speaker"), which says which of two lines of one item the customer means."""
    text = "Please change two things: the desk lamp for the warm one, the black speaker for a red one."
    assert lines_named(text, *order_items(LAMP_AND_SPEAKERS)) == [2, 3]
    # a comma inside what is wanted is still wanted ("for the 20 hours, black one" names no black speaker had)
    assert lines_named("the desk lamp for the 20 hours, black one", *order_items(LAMP_AND_SPEAKERS)) == [2]


def test_two_lines_of_one_item_told_apart_by_their_options_in_brackets() -> None:
    """ "the Bluetooth Speaker (green, 10 hours, no) for the red ... and the Bluetooth Speaker (black, 10 hours, no)
    for the blue ...", as the benchmark's scripted customer names two lines of one item: each line's change is what
    follows its own bracket; cut into pieces, the bare values named no line, and every option of both was asked."""
    lines = [
        {"line_no": 1, "sku": "SP-G", "description": "Bluetooth Speaker"},
        {"line_no": 2, "sku": "SP-K", "description": "Bluetooth Speaker"},
    ]
    options = {"SP-G": "green 10 hours no", "SP-K": "black 10 hours no"}
    said = said_of_lines(
        "exchange the Bluetooth Speaker (green, 10 hours, no) for the red, 20 hours, yes one and the Bluetooth "
        "Speaker (black, 10 hours, no) for the blue, 20 hours, no one",
        lines,
        options,
    )
    assert said is not None
    assert ("red" in said[1], "blue" in said[1]) == (True, False), said
    assert ("blue" in said[2], "red" in said[2]) == (True, False), said


def test_an_option_said_in_the_possessive_is_the_option() -> None:
    """ "the woody women's 30ml" says the option "women": read as an unknown word, the men's one the customer has
    was kept, and the plan read back changed the scent and size of a men's perfume."""
    perfume = [
        {"sku": f"PF-{n}", "product_id": "Perfume", "option": option, "unit_price": 80.0, "available": 5}
        for n, option in enumerate(["oriental 100ml men", "woody 30ml men", "woody 30ml women"])
    ]
    assert _changed_to(perfume, "exchange the perfume for the woody women's 30ml one") == [
        {"line_no": 1, "sku": "PF-2"}
    ]


def test_a_variant_said_with_its_one_names_no_other_thing_and_its_exchange_is_the_remedy_named() -> None:
    """ "the short 3 ft glass one just looks wrong in my place, can I exchange it for the 6 ft brown wood one?": the
    words after "one" are no thing of their own (read as one, every other item was asked "too?"), and the exchange
    asked for a named variant is the remedy of the claim said with it, never a person's choice between remedies."""
    lines = [{"line_no": n, "sku": sku, "description": "Bookshelf"} for n, sku in ((1, "BS-5"), (2, "BS-3"))]
    options = {"BS-5": "glass white 5 ft", "BS-3": "glass white 3 ft", "BS-6": "wood brown 6 ft"}
    said = "the short 3 ft glass one just looks wrong in my place, can I exchange it for the 6 ft brown wood one?"
    assert things_unmatched([said], lines, options) == []
    tall = item("Bookshelf", "shelf", "BS-6", 300.0, material="wood", color="brown", height="6 ft")
    short = item("Bookshelf", "shelf", "BS-3", 200.0, material="glass", color="white", height="3 ft")
    five = item("Bookshelf", "shelf", "BS-5", 250.0, material="glass", color="white", height="5 ft")
    home = place("8 Pine St", "Reno", "NV", "89501")
    orders = {"#W700": order("#W700", "u7", "delivered", home, [five, short], "credit_card_7")}
    user = customer("Lee Park", home, ["#W700"], card("credit_card_7", "7777"))
    db = {"users": {"u7": user}, "products": catalogue([tall, short, five]), "orders": orders}
    facts, verdict = decide(db, "u7", f"I got two bookshelves in order #W700 and {said} The 5 ft one is staying.")
    assert facts["modify.changes"] == [{"line_no": 2, "sku": "BS-6"}]
    assert verdict["outcome"] != "escalate", verdict["summary"]


def test_a_defect_is_a_damage_stated_and_a_new_pair_is_a_replacement() -> None:
    """ "The shoes have a defect on the sole so I want those swapped for a new pair": "defect" states the damage in the
    customer's words ("defective" with it, read as its ending), and "a new pair" asks the item again as it is, like
    "a new one" (any word a variant is said with). Before, the claim rested on a near spelling and went to a person,
    and the shoes were offered every other variant."""
    for said in ("The shoes have a defect on the sole.", "The kettle is defective."):
        reading = read_message(said)
        assert stated_claim(fold(said), reading.intents) is not None, said
    shoes = [
        {"sku": f"RS-{n}", "product_id": "Running Shoes", "option": option, "unit_price": 100.0, "available": 5}
        for n, option in enumerate(["10 white leather", "9 red leather", "10 black mesh"])
    ]
    assert _changed_to(shoes, "the shoes have a defect, I want those swapped for a new pair") == [
        {"line_no": 1, "sku": "RS-0"}
    ]
