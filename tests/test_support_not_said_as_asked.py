"""Words that ask nothing: a request said not to be made, with everything in its clause ("I really don't want to
cancel the wrong one" is neither a cancellation nor a wrong item received), and a real word one letter from a
request's word ("totally my fault" is no faulty item). The typo of a request's word is still read as that word.
And an address written in part: the one place on file on that street, or, written again whole, one place."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.understanding import close, read_message
from tests.support.tau_db import HOME, decide, decide_thread, item, one_customer, place, writes

KETTLE = item("Electric Kettle", "kettle", "EK-1", 60.0, color="white")
LAPTOP = item("Laptop", "laptop", "LP-1", 900.0, screen="13-inch")
MUG = item("Coffee Mug", "mug", "MG-1", 12.0, color="blue")
LAMP_ITEM = item("Desk Lamp", "lamp", "DL-1", 40.0, color="white")


def test_a_request_said_not_to_be_made_reads_nothing_in_its_clause() -> None:
    """The worry after a cancellation is no second request: "the wrong one" there is no wrong item (before, it was
    read as one, and a cancellation beside an item claim made the mission ask which order, again after the answer)."""
    said = (
        "Please cancel my order #W1000001 with the laptop and the kettle, I no longer need it. I have another order "
        "with a kettle in it too and I really don't want to cancel the wrong one."
    )
    assert read_message(said).intents == ("cancel_order",)
    db = one_customer({"#W1000001": [LAPTOP, KETTLE], "#W1000002": [KETTLE, MUG]}, status="pending")
    facts, verdict = decide(db, "u1", "Kim Lane here. " + said)
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert writes(verdict)["cancel_order"]["order_id"] == "#W1000001"


def test_a_request_said_not_to_be_made_beside_one_that_is_keeps_the_one_asked() -> None:
    """Only the refused clause is put aside: the return asked in the next clause stands."""
    reading = read_message("Don't cancel the order, I'd just like to return the broken mug in it.")
    assert "cancel_order" not in reading.intents
    assert "return_refund" in reading.intents


@pytest.mark.parametrize("word", ["fault", "faults", "swapped", "leaving", "broke"])
def test_a_real_word_is_no_typo(word: str) -> None:
    """A real word one letter from a request's word is that word, never the other mistyped."""
    assert not any(close(word, target) for target in ("faulty", "snapped", "leaking", "broken"))


def test_my_fault_is_no_faulty_item_but_a_typo_of_faulty_is() -> None:
    said = "I placed the order by accident, can you cancel it? Ordered by mistake, totally my fault haha"
    assert read_message(said).intents == ("cancel_order",)
    assert "damaged_item" in read_message("The kettle arrived fautly and won't heat, I'd like a refund").intents


def _away(db: dict[str, Any], order_id: str) -> dict[str, Any]:
    """The order goes to a place other than the customer's home."""
    db["orders"][order_id]["address"] = place("500 Main St", "Austin", "TX", "73301")
    return db


def test_a_street_with_no_city_or_zip_is_the_one_place_on_file_on_it() -> None:
    """ "my home in Boise (9 Elm St)": the systems hold one place on that street, the customer's own; it is the
    address wanted, as they hold it (before, the ZIP code was asked for)."""
    db = _away(one_customer({"#W1000001": [LAMP_ITEM]}, status="pending", home=HOME), "#W1000001")
    facts, verdict = decide(db, "u1", "Kim Lane. Please send order #W1000001 to my home in Boise instead (9 Elm St).")
    assert facts["address.status"] == "resolved"
    ship_to = writes(verdict)["change_ship_to"]["ship_to"]
    assert (ship_to["line1"], ship_to["city"], ship_to["postal_code"]) == ("9 Elm St", "Boise", "83702")


def test_a_street_no_place_on_file_holds_is_still_asked_for_whole() -> None:
    db = _away(one_customer({"#W1000001": [LAMP_ITEM]}, status="pending", home=HOME), "#W1000001")
    facts, _ = decide(db, "u1", "Kim Lane. Please send order #W1000001 to 12 Oak Ave, Apt 3 instead.")
    assert facts["address.status"] == "incomplete"


def test_a_street_written_again_whole_is_one_place_not_two_to_choose_from() -> None:
    """The street first without its city and ZIP, then whole in the answer: the whole one, not a question which of
    the two (before, both were offered as choices)."""
    db = _away(one_customer({"#W1000001": [LAMP_ITEM]}, status="pending", home=HOME), "#W1000001")
    facts, _ = decide_thread(
        db,
        "u1",
        "Kim Lane. Please send order #W1000001 to 12 Oak Ave, Apt 3 instead.",
        "12 Oak Ave, Apt 3, Denver, CO 80202",
        asked="Could you reply with the full address: street and number, city, state and ZIP code?",
    )
    assert facts["address.status"] != "which"
    assert "80202" in str(facts["address.evidence"])


def test_where_an_order_goes_said_beside_a_denial_is_no_address_change() -> None:
    """ "it hasn't shipped, it's going to the LA address": a sending word denied and an address word in one sentence
    describe the order; no change of address is read (before, the pair was read, and the account's address was
    planned as the new ship-to). Asked of someone, the contraction denies nothing."""
    said = (
        "The puzzle I ordered (it hasn't shipped, it's going to the LA address) is the 1000 piece one. Could it be "
        "the 500 piece one instead?"
    )
    assert "change_address" not in read_message(said).intents
    assert "change_address" in read_message("Can't you just ship it to my new address instead?").intents


def test_damage_said_of_it_is_of_the_item_named_in_the_sentence_before() -> None:
    """ "I'd like to return the kettle from order #W1000001. It cracked after a week.": the return is the remedy the
    customer named for the kettle (before, "it" named no item, and the claim went to a person)."""
    db = one_customer({"#W1000001": [KETTLE, MUG]}, status="delivered")
    said = "Kim Lane. I'd like to return the kettle from order #W1000001. It cracked after a week. Refund to my card."
    facts, verdict = decide(db, "u1", said)
    assert facts["claim.returned"] is True
    assert writes(verdict)["open_return"]["line_nos"] == [1]


def test_a_change_asked_right_after_the_sentence_that_says_its_order_is_of_that_order() -> None:
    """The order is said in one sentence that asks nothing ("the boots in my order that's shipping to New York are
    wrong"), the change in the next, naming no order: it is of that order (before, beside a cancellation of another
    order, it went to the customer's delivered order with boots, and a person was asked)."""
    boots_12 = item("Hiking Boots", "boots", "HB-12", 150.0, size="12")
    boots_10 = item("Hiking Boots", "boots", "HB-10", 150.0, size="10")
    boots_7 = item("Hiking Boots", "boots", "HB-7", 140.0, size="7")
    bells = item("Dumbbell Set", "bells", "DB-1", 90.0, weight="30 lbs")
    espresso = item("Espresso Machine", "espresso", "EM-1", 300.0, pressure="19 bar")
    orders = {"#W1000001": [boots_12, LAMP_ITEM], "#W1000002": [boots_10, bells], "#W1000003": [espresso, bells]}
    db = one_customer(orders, boots_7, status="pending")
    db["orders"]["#W1000001"]["address"] = place("1 Park Ave", "New York", "NY", "10016")
    db["orders"]["#W1000002"]["status"] = "delivered"
    said = (
        "Kim Lane. The hiking boots in my order that's shipping to New York are wrong. I need a size 7 instead of "
        "the size 12. Put any difference on my card. Also cancel the order with the espresso machine and the "
        "dumbbells, I don't need it."
    )
    facts, _ = decide(db, "u1", said)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts["parts"]}
    assert parts == {"#W1000001": ["exchange_variant"], "#W1000003": ["cancel_order"]}


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("And in the order where I got two speakers, I want to exchange the green one for a red one.", False),
        ("My order, where is it? It has been two weeks.", True),
        ("Where is my order?", True),
    ],
)
def test_a_question_word_right_after_what_it_says_of_asks_nothing(said: str, asked: bool) -> None:
    """ "the order where I got two speakers" says which order; it does not ask where one is (before, it did, and the
    question beside a cancellation and an exchange made the mission ask which order, again after the answer)."""
    assert ("where_is_order" in read_message(said).intents) is asked
