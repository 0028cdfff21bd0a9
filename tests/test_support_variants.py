"""Which variant a customer wants for each item of an order when they change or exchange several at once: what is
said of each item is read as said of that item only (SUP-012, SUP-007), and a number is an option asked for only
when it is said as one. The catalogue and the wordings here are written for these tests (none is a benchmark's)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse.resolve import said_of_lines
from ai_missions.graphs.support.parse.targets import modify_facts
from ai_missions.graphs.support.parse.understanding import read_message
from tests.support.order_record import order_record
from tests.support.support_case import one_order_case

#: (sku, product, option, price, available): a tent, a sleeping bag, a camp kettle and an electric kettle (whose
#: name holds a word of the camp kettle's options).
CATALOGUE = [
    ("T-2GN", "P-TENT", "2-person green nylon", 100.0, 3),
    ("T-4GN", "P-TENT", "4-person green nylon", 140.0, 3),
    ("T-2ON", "P-TENT", "2-person orange nylon", 100.0, 3),
    ("T-4OP", "P-TENT", "4-person orange polyester", 130.0, 3),
    ("T-6GN", "P-TENT", "6-person green nylon", 180.0, 3),
    ("B-RGD", "P-BAG", "regular green down", 80.0, 3),
    ("B-LGD", "P-BAG", "long green down", 90.0, 3),
    ("B-ROD", "P-BAG", "regular orange down", 80.0, 3),
    ("B-LOS", "P-BAG", "long orange synthetic", 70.0, 3),
    ("K-1SG", "P-CK", "1 liter steel gas", 30.0, 3),
    ("K-1SE", "P-CK", "1 liter steel electric", 35.0, 3),
    ("K-2SG", "P-CK", "2 liters steel gas", 40.0, 3),
    ("E-15W", "P-EK", "1.5L white", 50.0, 3),
    ("E-2W", "P-EK", "2L white", 55.0, 3),
    ("E-15B", "P-EK", "1.5L black", 50.0, 3),
]
LINES = [
    {"line_no": 1, "sku": "T-2GN", "description": "Camping Tent", "quantity": 1, "unit_price": 100.0},
    {"line_no": 2, "sku": "B-RGD", "description": "Sleeping Bag", "quantity": 1, "unit_price": 80.0},
    {"line_no": 3, "sku": "K-1SG", "description": "Camp Kettle", "quantity": 1, "unit_price": 30.0},
    {"line_no": 4, "sku": "E-15W", "description": "Electric Kettle", "quantity": 1, "unit_price": 50.0},
]
OPTIONS = {sku: option for sku, _p, option, _price, _a in CATALOGUE}
PAID = {"payment.capture_refundables": [["CAP-1", 260.0]], "payment.card_last4": "4321"}


def record(*line_nos: int) -> dict[str, Any]:
    lines = [line for line in LINES if not line_nos or line["line_no"] in line_nos]
    return {
        "order": {"order_id": "SO-200001", "status": "pending", "lines": lines},
        "variants": [{"sku": s, "product_id": p, "option": o, "unit_price": price, "available": a}
                     for s, p, o, price, a in CATALOGUE],
    }  # fmt: skip


def changes(thread: str, named: list[int], *line_nos: int) -> list[dict[str, Any]]:
    return list(modify_facts(record(*line_nos), named, thread, PAID)["modify.changes"])


@pytest.mark.parametrize(
    ("thread", "wanted"),
    [
        ("Please change the tent to the 4-person one and the sleeping bag to orange.", {1: "T-4GN", 2: "B-ROD"}),
        ("Could the sleeping bag be the long one, and the tent in orange?", {1: "T-2ON", 2: "B-LGD"}),
        ("The tent: 4 person. The sleeping bag: long.", {1: "T-4GN", 2: "B-LGD"}),
        ("I'd like the tent bigger - the 4-person - plus a long sleeping bag", {1: "T-4GN", 2: "B-LGD"}),
        # a question answered: the first message names both, the answer says what each becomes
        (
            "I want to change my tent and my sleeping bag\nthe tent for the 4-person, green, nylon one and the "
            "sleeping bag for the long, green, down one; any difference to my card ending in 4321",
            {1: "T-4GN", 2: "B-LGD"},
        ),
    ],
)
def test_what_is_said_of_each_item_resolves_that_item_only(thread: str, wanted: dict[int, str]) -> None:
    assert changes(thread, [1, 2], 1, 2) == [{"line_no": n, "sku": sku} for n, sku in sorted(wanted.items())], thread


def test_an_items_name_said_as_a_value_of_another_item_stays_with_that_item() -> None:
    """A backpack's "laptop" compartment said as its variant ("the green, laptop one") beside a Laptop on the order:
    the words go on with the backpack; "the Laptop" with its article names the laptop."""
    lines = [
        {"line_no": 1, "sku": "P-G", "description": "Backpack", "quantity": 1, "unit_price": 60.0},
        {"line_no": 2, "sku": "L-15", "description": "Laptop", "quantity": 1, "unit_price": 900.0},
    ]
    options = {"P-G": "grey large nylon hydration", "L-15": "15-inch i5 silver"}
    values = {1: {"green", "grey", "small", "large", "polyester", "nylon", "laptop", "hydration"}, 2: {"15-inch", "i5"}}
    thread = "change the Backpack for the green, small, polyester, laptop one and the Laptop for the 17-inch, i7 one"
    said = said_of_lines(thread, lines, options, values)
    assert said is not None
    backpack, laptop = set(said[1].replace(",", " ").split()), set(said[2].replace(",", " ").split())
    assert ({"polyester", "laptop"} <= backpack, "17-inch" in backpack) == (True, False), said
    assert ("17-inch" in laptop, "polyester" in laptop) == (True, False), said


def test_the_words_naming_one_item_are_not_an_option_of_another() -> None:
    """ "the electric kettle" names the Electric Kettle; it does not ask for the electric camp kettle."""
    thread = "Change the camp kettle to 2 liters and the electric kettle to black please"
    assert changes(thread, [3, 4], 3, 4) == [{"line_no": 3, "sku": "K-2SG"}, {"line_no": 4, "sku": "E-15B"}]
    decimals = "the camp kettle: the 2 liters one. the electric kettle: 1.5L, black."  # "1.5" ends no piece
    assert changes(decimals, [3, 4], 3, 4) == [{"line_no": 3, "sku": "K-2SG"}, {"line_no": 4, "sku": "E-15B"}]
    said = said_of_lines(thread, LINES, OPTIONS)
    assert said is not None
    assert "electric" not in said[3]
    assert "electric" not in said[4]


@pytest.mark.parametrize(
    "thread",
    [
        "Change the tent to the 4-person one, not orange, and the sleeping bag to the long one",  # negated: asked
        "Change the tent and the sleeping bag to orange",  # which of them is orange is not said of the tent
        "Change the tent to the 3-person one and the sleeping bag to the long one",  # no 3-person tent
        "I want to change the tent and the sleeping bag",  # no option said at all
        "The tent in orange or green, and the sleeping bag long",  # two colours for one tent
    ],
)
def test_what_does_not_say_one_variant_per_item_changes_nothing(thread: str) -> None:
    facts = modify_facts(record(1, 2), [1, 2], thread, PAID)
    assert facts["modify.changes"] == [], thread
    assert facts["modify.line_count"] == 0


def test_a_street_number_or_a_suite_is_not_a_size_asked_for_but_a_size_is() -> None:
    ship = "Please send it to 760 Elm Avenue, Suite 564. "
    assert changes(ship + "I'd like the tent as the 4-person one instead.", [1], 1) == [{"line_no": 1, "sku": "T-4GN"}]
    # a number said as the option wanted that the tent does not come in: asked, never the nearest one
    for wanted in ("the tent in size 3 instead", "the tent for a 3 person one", "make the tent a 5 please"):
        assert changes(ship + wanted, [1], 1) == [], wanted


def test_pieces_before_any_item_are_said_of_every_item_and_one_item_alone_keeps_the_whole_text() -> None:
    said = said_of_lines("In orange please: the tent and the sleeping bag.", LINES, OPTIONS)
    assert said is not None
    assert "orange" in said[1]
    assert "orange" in said[2]
    assert said_of_lines("The tent in orange please, it has not shipped.", LINES, OPTIONS) is None
    assert changes("In orange please: the tent and the sleeping bag.", [1, 2], 1, 2) == [
        {"line_no": 1, "sku": "T-2ON"}, {"line_no": 2, "sku": "B-ROD"}]  # fmt: skip


def _order_case(message: str) -> dict[str, Any]:
    """SO-200001 (pending, the tent and the sleeping bag, 180.00 captured) as a recorded case of C-1."""
    lines = [{**line, "line_total": line["unit_price"]} for line in LINES[:2]]
    return one_order_case("variants", "TKT-9", message, {
        "order": {"order_id": "SO-200001", "customer_id": "C-1", "status": "pending", "total": 180.0,
                  "lines": lines},
        "payment": {"authorizations": [{"authorization_id": "AUTH-9", "status": "captured", "card_last4": "4321"}],
                    "captures": [{"capture_id": "CAP-9", "amount": 180.0, "refundable_amount": 180.0}],
                    "captured_amount": 180.0, "refunded_amount": 0.0},
        "shipments": [], "returns": [], "variants": record()["variants"]})  # fmt: skip


def test_two_items_changed_at_once_are_proposed_in_one_change_and_a_conditional_one_is_not() -> None:
    facts, verdict = decide(_order_case("On SO-200001 please switch the tent to the 4-person one and the sleeping "
                                        "bag to the long one, it has not shipped yet."))  # fmt: skip
    assert verdict["outcome"] == "exchange"
    change = verdict["actions"][0]
    assert change["tool"] == "modify_order_items"
    assert change["args"]["changes"] == [{"line_no": 1, "sku": "T-4GN"}, {"line_no": 2, "sku": "B-LGD"}]
    assert facts["modify.difference"] == 50.0
    _facts, conditional = decide(_order_case("On SO-200001, if the 4-person tent is cheaper than mine, swap the "
                                             "tent for it and the sleeping bag for the long one."))  # fmt: skip
    assert conditional["outcome"] != "exchange"
    assert "modify_order_items" not in [a["tool"] for a in conditional["actions"]]


def _one_item(description: str, own: str, others: list[str]) -> dict[str, Any]:
    """A pending order holding one item (``own``) of a product that also comes as ``others``, all at 50.00."""
    options = [own, *others]
    return {
        "order": {"order_id": "SO-200002", "status": "pending", "lines": [
            {"line_no": 1, "sku": "V-0", "description": description, "quantity": 1, "unit_price": 50.0}]},
        "variants": [{"sku": f"V-{n}", "product_id": "P-X", "option": o, "unit_price": 50.0, "available": 2}
                     for n, o in enumerate(options)],
    }  # fmt: skip


KETTLE = ("Coffee Maker", "15 bar 1.5L capsule", ["9 bar 1.5L capsule", "9 bar 1L capsule", "19 bar 2L pump"])
LAPTOP = ("Laptop", "15-inch 8GB silver", ["17-inch 8GB silver", "17-inch 16GB black", "13-inch 8GB silver"])
PUZZLE = ("Jigsaw Puzzle", "500 art beginner", ["1000 art beginner", "1000 animals expert", "1500 art beginner"])
#: the same number in two options with two units: the 8 of "8-inch" is not the 8 of "8GB"
TABLET = ("Tablet", "8-inch Wi-Fi 32GB", ["7-inch LTE 32GB", "7-inch LTE 8GB", "8-inch Wi-Fi 8GB"])


@pytest.mark.parametrize(
    ("item", "thread", "sku"),
    [
        # a quantity said with its unit in other words than the catalogue's: one variant
        (KETTLE, "I have the 15 bar 1.5 litre one and would like the 1 litre, 9 bar version instead", "V-2"),
        (KETTLE, "could I get the 9 bar one with 1 liter capacity", "V-2"),
        (KETTLE, "the 9 bar one please, same 1.5 litres", "V-1"),
        (LAPTOP, "Please make the laptop the 17 inch one, 8GB, still silver", "V-1"),
        (LAPTOP, 'I want the 17" laptop with 16 gb in black', "V-2"),
        # the 1000-piece one that keeps what is not said (art, beginner), not the one that changes them too
        (PUZZLE, "swap the puzzle for the 1000 piece one", "V-1"),
        (PUZZLE, "swap the puzzle for the 1000 piece one with animals, expert level", "V-2"),
        (PUZZLE, "swap the puzzle for the 1000-piece art one", "V-1"),
        (TABLET, "could the tablet be the 7-inch LTE one with 32GB", "V-1"),
        (TABLET, "tablet: 7 inch, LTE, 32 GB please", "V-1"),
        (TABLET, "the tablet with 8 GB instead", "V-3"),
        # a unit said of a number no variant comes in, or two sizes at once: asked
        (TABLET, "the 10 inch tablet", None),
        (KETTLE, "the 1.2 litre one please", None),
        (LAPTOP, "the 14 inch laptop instead", None),
        (LAPTOP, "the 13 or 17 inch laptop", None),
        (LAPTOP, "I don't want the 17 inch laptop, just a different colour", None),
        (LAPTOP, "not the 13-inch, the 17 inch laptop in black", None),
    ],
)
def test_an_option_with_a_unit_is_read_in_the_customers_words(
    item: tuple[str, str, list[str]], thread: str, sku: str | None
) -> None:
    facts = modify_facts(_one_item(*item), [1], thread, PAID)
    assert facts["modify.changes"] == ([{"line_no": 1, "sku": sku}] if sku else []), thread


@pytest.mark.parametrize(
    ("message", "exchange"),
    [
        # another variant asked for in words the phrase lists did not hold
        ("The lamp needs exchanging, it is too dim", True),
        ("I want a ceramic kettle instead of the glass one I ordered", True),
        ("I ordered the gas grill but would like the one with a side burner instead, it hasn't shipped yet", True),
        ("I'd like to pay with my gift card, and change the helmet and the lamp in it.", True),
        ("Swap the rug and the lamp on my order, put the difference on my other card.", True),
        # not an exchange: negated, hedged, the address, the payment, or what came instead of what was ordered
        ("I'm not exchanging anything, just tell me where my order is", False),
        ("maybe I'd take the medium one instead of what I ordered, not sure yet", False),
        ("I moved, please send order #4471 to 12 Oak St instead", False),
        ("Can I change my order, I want to pay with PayPal", False),
        ("Please change the address on my order, it's 12 Baker Street", False),
        ("I received a toaster instead of the kettle I ordered", False),
    ],
)
def test_an_exchange_is_read_in_other_words_and_not_where_it_is_not_asked(message: str, exchange: bool) -> None:
    assert ("exchange_variant" in read_message(message).intents) is exchange, message


def test_a_change_is_not_a_mistyped_charge() -> None:
    """ "changes" is a word of its own, never "charges" mistyped: three changes are not three charges."""
    assert (
        "double_charge" not in read_message("Three changes on my pending order: the lamp, the rug and the mug.").intents
    )
    assert "double_charge" in read_message("There are three charges on my card for one order").intents
    assert "double_charge" in read_message("you charged me three times for SO-100001").intents


def test_an_item_named_only_where_another_is_named_more_closely_is_not_changed_nor_asked_about() -> None:
    """ "the electric kettle" beside a camp kettle: both are kettles, the electric one is meant; the camp kettle is
    neither changed nor listed among the choices. Named on its own ("the kettle"), both are, and it is asked."""
    thread = "Please change the tent to the 4-person one and the electric kettle to black"
    facts = modify_facts(record(1, 3, 4), [1, 3, 4], thread, PAID)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "T-4GN"}, {"line_no": 4, "sku": "E-15B"}]
    vague = modify_facts(
        record(1, 3, 4), [1, 3, 4], "Change the tent to the 4-person one and the kettle to black", PAID
    )
    assert vague["modify.changes"] == []
    assert vague["modify.ambiguous"] is True


@pytest.mark.parametrize(
    ("message", "exchange"),
    [
        ("My order is going to the wrong address. Also I want to change the lamp and the rug in it.", True),
        ("Please update the address on my order to my new one. And swap the mug in it for another.", True),
        ("I moved, please ship my order to my new address instead.", False),
        ("Change the delivery address of my order, I'd rather have it at work instead.", False),
    ],
)
def test_an_item_change_asked_apart_from_an_address_change_is_kept(message: str, exchange: bool) -> None:
    intents = read_message(message).intents
    assert "change_address" in intents, message
    assert ("exchange_variant" in intents) is exchange, message


def test_options_asked_for_an_item_not_named_are_asked_about_not_left_out() -> None:
    """The sleeping bag written in words its name does not hold ("my sleeper"), with options only it comes in: the
    tent alone is not changed; both are asked about. Words every option list may hold ("in", "no") do not count."""
    thread = "Change the tent to the 4-person one, and my sleeper to the long synthetic one"
    facts = modify_facts(record(1, 2), [1], thread, PAID)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"] is True
    assert any(choice.startswith("Sleeping Bag") for choice in facts["modify.choices"])
    plain = modify_facts(record(1, 2), [1], "Change the tent in my order to the 4-person one, no rush", PAID)
    assert plain["modify.changes"] == [{"line_no": 1, "sku": "T-4GN"}]


def test_an_item_said_to_stay_the_same_is_neither_changed_nor_asked_about_before_shipping() -> None:
    """Asked which options, the customer says one of the two items stays as it is: the other changes alone. Said
    of a delivered order it is a replacement by the same item, which a person arranges; "the same but in orange"
    is a change."""
    thread = "I'd change the tent and the sleeping bag\nthe tent: the 4-person one. The sleeping bag: same options"
    pending = modify_facts(record(1, 2), [1, 2], thread, {**PAID, "order.cancellable": True})
    assert pending["modify.changes"] == [{"line_no": 1, "sku": "T-4GN"}]
    assert pending["modify.ambiguous"] is False
    delivered = modify_facts(record(1, 2), [1, 2], thread, {**PAID, "order.cancellable": False})
    assert delivered["modify.changes"] == []
    alone = modify_facts(record(2), [2], "the sleeping bag, the same one as it is", {**PAID, "order.cancellable": True})
    assert alone["modify.changes"] == []
    assert alone["modify.resolved"] is False  # nothing left to change: not a change, not a question
    but = "the tent: the 4-person one. The sleeping bag: the same one but in orange"
    assert changes(but, [1, 2], 1, 2) == [{"line_no": 1, "sku": "T-4GN"}, {"line_no": 2, "sku": "B-ROD"}]


@pytest.mark.parametrize(
    "thread",
    [
        "I'd like to change the sleeping bag in my order\nchange the sleeping bag for the same options please",
        "Please swap my sleeping bag for an identical one before it ships.",
        "I'd like the sleeping bag changed to the exact same one again, I know it sounds odd.",
        "Could you swap the sleeping bag for identical new ones, same specs?",
    ],
)
def test_an_item_asked_for_again_as_it_is_before_shipping_changes_to_the_same_variant(thread: str) -> None:
    """Asked for again as it is ("for the same options", "an identical one"), an item named changes to its own
    variant, nothing owed, and the plan says so, alone or beside another change; held twice on the order (which
    one?) it stays as it is; kept only ("the same one as it is"), nothing is changed (the test above)."""
    pending = {**PAID, "order.cancellable": True}
    alone = modify_facts(record(1, 2), [2], thread, pending)
    assert alone["modify.changes"] == [{"line_no": 2, "sku": "B-RGD"}]
    assert (alone["modify.resolved"], alone["modify.difference"]) == (True, 0)
    assert "Sleeping Bag: regular green down -> the same one again, as asked" in alone["modify.summary"]
    twice = record(1, 2)
    twice["order"]["lines"] = [*twice["order"]["lines"], {**LINES[1], "line_no": 3, "sku": "B-LGD"}]
    held_twice = modify_facts(twice, [2, 3], thread, pending)
    assert (held_twice["modify.changes"], held_twice["modify.resolved"]) == ([], False)
    beside = modify_facts(record(1, 2), [1, 2], "the tent: the 4-person one\n" + thread, pending)
    assert beside["modify.changes"] == [{"line_no": 1, "sku": "T-4GN"}, {"line_no": 2, "sku": "B-RGD"}]


def test_two_identical_items_change_as_many_as_the_answer_says_and_are_asked_about_once() -> None:
    """An order holding the same sleeping bag twice: "the sleeping bag" says neither one nor both, asked once (one
    line, not one per bag); the thread's answer ("just one of them", "both of them", "one of the sleeping bags")
    decides; nothing is guessed."""
    two = record(2)
    two["order"]["lines"] = [two["order"]["lines"][0], {**two["order"]["lines"][0], "line_no": 5}]
    first = "Could the sleeping bag be the long one?"
    asked = modify_facts(two, [2, 5], first, PAID)
    assert asked["modify.changes"] == []
    assert asked["modify.choices"] == ["Sleeping Bag (2 on the order), regular green down -> long green down: one of "
                                       "them, or all 2?"]  # fmt: skip
    for answer, lines in [("Just one of them, please.", [2]), ("One of the sleeping bags.", [2]),
                          ("Both of them.", [2, 5]), ("the sleeping bags, both", [2, 5])]:  # fmt: skip
        facts = modify_facts(two, [2, 5], f"{first}\n{answer}", PAID)
        assert [c["line_no"] for c in facts["modify.changes"]] == lines, answer
        assert facts["modify.difference"] == 10.0 * len(lines), answer
    unsure = modify_facts(two, [2, 5], f"{first}\nJust one of them. Actually both of them.", PAID)
    assert unsure["modify.changes"] == []


def test_two_variants_of_one_item_that_both_fit_the_options_asked_are_asked_about_not_both_changed() -> None:
    """An order with a green 2-person tent and an orange 2-person one: "the tent for the 4-person green nylon one"
    fits either (each would change to it); which one is not said: asked. "Both tents" changes both."""
    two = record(1)
    orange = {**two["order"]["lines"][0], "line_no": 6, "sku": "T-2ON"}
    two["order"]["lines"] = [two["order"]["lines"][0], orange]
    asked = modify_facts(two, [1, 6], "Could the tent be the 4-person green nylon one?", PAID)
    assert asked["modify.changes"] == []
    assert "Camping Tent: the 2-person green nylon one or the 2-person orange nylon one?" in asked["modify.choices"]
    both = modify_facts(two, [1, 6], "Could both tents be the 4-person green nylon one?", PAID)
    assert [c["line_no"] for c in both["modify.changes"]] == [1, 6]


def test_of_two_lines_of_one_item_the_one_already_as_wanted_is_not_changed_to_itself() -> None:
    """A green 2-person tent and a green 4-person one: "the tent for the 4-person green nylon one" names both by the
    item, and is said of the 2-person one: the 4-person one is already so."""
    two = record(1)
    two["order"]["lines"] = [two["order"]["lines"][0], {**two["order"]["lines"][0], "line_no": 6, "sku": "T-4GN"}]
    facts = modify_facts(two, [1, 6], "I'd like to change the Camping Tent for the 4-person, green, nylon one.", PAID)
    assert (facts["modify.changes"], facts["modify.choices"]) == ([{"line_no": 1, "sku": "T-4GN"}], [])


def test_a_line_told_by_its_own_words_is_asked_for_again_without_asking_which() -> None:
    """ "The tent (2-person, green, nylon) for the same options" beside an orange one: the green one, again as it is
    (delivered: a new one of the same); its own words told it, though they are the wanted variant's too."""
    two = record(1)
    two["order"]["status"] = "delivered"
    two["order"]["lines"] = [two["order"]["lines"][0], {**two["order"]["lines"][0], "line_no": 6, "sku": "T-2ON"}]
    facts = modify_facts(two, [1, 6], "Exchange the Camping Tent (2-person, green, nylon) for the same options.", PAID)
    assert (facts["modify.changes"], facts["modify.choices"]) == ([{"line_no": 1, "sku": "T-2GN"}], [])


def test_a_yes_no_option_said_as_without_is_read_as_its_no() -> None:
    """ "without the splash proofing" of a speaker whose options say yes/no to it: the 20-hour one without it, never
    the one that keeps it; "no splash proofing: no" as the catalogue writes it, too."""
    speaker = _one_item("Speaker", "blue 10 hours yes", ["blue 20 hours no", "blue 20 hours yes"])
    facts = modify_facts(speaker, [1], "the speaker in the 20 hour version, without the splash proofing", PAID)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "V-1"}]
    assert modify_facts(speaker, [1], "the speaker with 20 hours, no splash proofing: no", PAID)["modify.changes"] == [
        {"line_no": 1, "sku": "V-1"}
    ]


HELMET_VARIANTS = [
    ("H-SWL", "helmet", "S white low", 150.0),
    ("H-LBL", "helmet", "L black low", 160.0),
    ("H-SBM", "helmet", "S black medium", 155.0),
    ("H-MRH", "helmet", "M red high", 158.0),
]
TWO_HELMETS = order_record([("Cycling Helmet", "H-SWL"), ("Cycling Helmet", "H-LBL")], HELMET_VARIANTS)


@pytest.mark.parametrize(
    "text",
    [
        "For the black helmet, large, low ventilation: make it small with medium ventilation, keep the black.",
        "my cycling helmet (L / black / low vents) should become an S, black, medium ventilation",
        # or by what only it has, said before anything wanted and of no other line
        "Of my two helmets please switch only the black one to the small one with medium ventilation.",
        "I have two cycling helmets; please change just the black helmet into a small one with medium ventilation.",
    ],
)
def test_of_two_lines_of_one_product_the_one_described_apart_is_the_one_changed(text: str) -> None:
    """Of two lines of one product, the one described by all its options, or by what only it has, is changed."""
    facts = modify_facts(TWO_HELMETS, [1, 2], text, {"payment.capture_refundables": []})
    assert facts["modify.changes"] == [{"line_no": 2, "sku": "H-SBM"}], facts["modify.choices"]


@pytest.mark.parametrize(
    "text",
    [
        "change the cycling helmet to the small black one with medium ventilation",  # neither described: which?
        "i'd like a different helmet: black with medium ventilation",  # said of neither
        "the helmet in S, white, low ventilation: I want it in L and black with low ventilation",  # not a swap of both
    ],
)
def test_lines_of_one_product_not_told_apart_by_their_options_are_asked(text: str) -> None:
    facts = modify_facts(TWO_HELMETS, [1, 2], text, {"payment.capture_refundables": []})
    assert facts["modify.changes"] == [], text
    assert facts["modify.ambiguous"] is True
