"""What a customer keeps is not what they send back, and a change asked as a question is still asked: "return the
grill, keeping the e-reader" returns the grill alone, with the refund where the sentence after it says; "can the
kettle be changed to the 1.5L one?" beside a payment change, or "can I change my camera to the 2K one?" alone, is
read as the item change it is (resolved on the customer's orders, confirmed before it is made)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail import runner as tau_runner
from ai_missions.graphs.support.parse import methods as paying
from ai_missions.graphs.support.parse.resolve import lines_named
from ai_missions.graphs.support.parse.targets import items_asked_to_change, opening_facts
from ai_missions.graphs.support.parse.understanding import (
    change_asked,
    items_text,
    read_message,
    wants_or_changes,
    without_kept,
)

BENCH = tau.DEFAULT_PATH
needs_bench = pytest.mark.skipif(not (BENCH / "tasks_train.json").exists(), reason="tau-bench retail data absent")

RECORD: dict[str, Any] = {
    "returns": [],
    "variants": [],
    "order": {
        "status": "delivered",
        "lines": [
            {"line_no": 1, "sku": "G-1", "description": "Grill", "quantity": 1, "line_total": 500.0},
            {"line_no": 2, "sku": "E-1", "description": "E-Reader", "quantity": 1, "line_total": 200.0},
            {"line_no": 3, "sku": "S-1", "description": "Sunglasses", "quantity": 1, "line_total": 100.0},
        ],
    },
}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Return the grill and the sunglasses (keeping the e-reader), refund to my gift card.", "e-reader"),
        ("I want to send back the grill and sunglasses, I'm keeping the e-reader though.", "e-reader"),
        ("Sending back the grill. Keeping the e-reader. Gift card refund please.", "e-reader"),
        ("I'll keep the e-reader and return the grill and the sunglasses to my gift card.", "e-reader"),
        ("Please return the sunglasses, the grill too, but I will hold on to the e-reader.", "e-reader"),
        ("E-reader is great, but I want to send back the grill and the sunglasses. Gift card please.", "e-reader"),
        ("The e-reader works fine; return the grill and the sunglasses.", "e-reader"),
        ("The e-reader is lovely, but please return the grill and the sunglasses.", "e-reader"),
        # the item first, then the speaker's own keep closing the clause
        ("Return the grill and the sunglasses to my gift card. The e-reader I keep.", "e-reader"),
        ("Return the grill and the sunglasses, the e-reader we'll keep.", "e-reader"),
        # the item, then how it stays
        ("Return the grill and the sunglasses. The e-reader can remain as it is.", "e-reader"),
        ("Return the grill and the sunglasses; the e-reader remains unchanged. Gift card.", "e-reader"),
    ],
)
def test_an_item_said_to_be_kept_is_not_returned_and_the_refund_stays_with_the_returned(text: str, kept: str) -> None:
    cleaned = without_kept(text)
    assert kept not in cleaned.lower()
    assert "grill" in cleaned.lower()
    facts = opening_facts(RECORD, [1, 3], cleaned)
    assert facts["return.lines"] == [1, 3]
    assert facts["return.refund_to"] == ("gift_card" if "gift" in text.lower() else "original_payment")


@pytest.mark.parametrize(
    ("text", "kept", "returned"),
    [
        # a list of items said to stay: every one of them stays, not the last alone
        ("Please send back the grill - the e-reader and the sunglasses can stay as they are.", ("e-reader", "sun"), ()),
        ("Grill goes back; sunglasses and e-reader will stay.", ("e-reader", "sun"), ()),
        ("Returning the grill. The sunglasses and the e-reader are fine.", ("e-reader", "sun"), ()),
        # an "and" after a request of its own opens the kept clause: what is asked before it stays asked
        ("Send back the sunglasses and the e-reader stays with me. The grill too.", ("e-reader",), ("sun",)),
        ("Return the sunglasses and keep the e-reader aside, plus the grill.", ("e-reader",), ("sun",)),
        # a keep of one bare word: the word is kept, the request around it stands
        ("Return the grill and the black sunglasses (not the brown ones, keeping brown).", ("brown",), ("black",)),
        # a plural "stay" ending its clause; said of "those", what the sentence before it names
        ("Return the grill, the sunglasses stay.", ("sun",), ()),
        ("The sunglasses are great on hikes, so those stay. Return the grill.", ("sun",), ()),
    ],
)
def test_every_item_of_a_list_said_to_stay_stays(text: str, kept: tuple[str, ...], returned: tuple[str, ...]) -> None:
    cleaned = without_kept(text).lower()
    assert "grill" in cleaned
    assert all(word not in cleaned for word in kept), cleaned
    assert all(word in cleaned for word in returned), cleaned


@pytest.mark.parametrize(
    "text",
    [
        "Busy day, so I'll keep it quick: please return the grill and the sunglasses.",
        "I'll keep it short - I want to send back the grill and the sunglasses, the e-reader too.",
    ],
)
def test_a_keep_said_of_it_keeps_nothing_said_after_it(text: str) -> None:
    """ "Keep it" points back to what was said before it; the words after ("quick: please return ...") are not kept,
    and here nothing before it is an item."""
    cleaned = without_kept(text).lower()
    assert {"grill", "sunglasses"} <= set(cleaned.replace(".", " ").replace(",", " ").split()), cleaned
    assert opening_facts(RECORD, [1, 3], cleaned)["return.requested"] is True
    assert "e-reader" not in without_kept("The e-reader works, I'll keep it. Return the grill.").lower()


def test_a_gift_card_said_after_a_kept_item_is_the_returned_items_refund() -> None:
    text = "Return the grill and the sunglasses. Keeping the e-reader. Refund to my gift card, not PayPal."
    assert opening_facts(RECORD, [1, 3], text)["return.refund_to"] == "original_payment"  # the kept item owns it
    assert opening_facts(RECORD, [1, 3], without_kept(text))["return.refund_to"] == "gift_card"


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to keep the e-reader, return it with the grill.",  # negated: it is returned
        "Return the grill but keep the refund on my card.",  # money, read as such
        "Keep me posted, and return the grill.",  # nothing kept
        "The e-reader is ok to return too, with the grill.",  # "ok to": no state of the e-reader
    ],
)
def test_what_is_not_an_item_kept_stays_in_the_text(text: str) -> None:
    assert without_kept(text) == text


def test_a_change_verb_in_any_form_not_negated_asks_a_change() -> None:
    asked = ("can the kettle be changed to the 1.5L one?", "Could you switch my camera to 2K", "upgrading the helmet",
             "swapping the mouse for the white one", "I'd like it replaced with the blue one")  # fmt: skip
    for text in asked:
        assert change_asked(text), text
    for text in ("I don't want to change the kettle", "never swapped anything", "How long does shipping take?"):
        assert not change_asked(text), text


def _solved(index: int, message: str) -> tau_runner.TaskResult:
    db = tau.load_database(BENCH)
    return tau_runner.run_task(db, tau.load_tasks(BENCH)[index], message)


@needs_bench
@pytest.mark.parametrize(
    "message",
    [
        "Hi, I'm Daiki Davis, zip 94102. Can I change my indoor security camera to the 2K one with 130 degrees? "
        "Gift card for any difference.",
        "Daiki Davis here (94102). Could my security camera be switched to the 2K resolution, 130 degree model? Use "
        "the gift card if needed.",
    ],
)
def test_an_exchange_asked_as_a_question_is_made_after_the_customer_confirms(message: str) -> None:
    result = _solved(199, message)  # tau task 199: one camera exchanged for its 2K 130-degree variant
    assert result.solved, result
    assert not result.unsafe
    assert result.questions == 2  # the order's other items named with the plan read back, then its yes


@needs_bench
def test_an_item_change_beside_a_payment_change_that_cannot_be_made_is_still_made() -> None:
    # tau task 253: the gift card cannot pay the whole order (64 of 1,166.43), the kettle's difference it can
    message = (
        "Hello, Fatima Anderson here (zip 78786). For my pending order #W6368178 I'd like to pay with my gift card "
        "instead of PayPal. Also can the electric kettle be changed to the 1.5L one? Put the difference on the gift "
        "card."
    )
    result = _solved(253, message)
    assert result.solved, result
    assert not result.unsafe
    assert result.questions == 2  # which kettle, then the plan read back (saying the gift card cannot pay)
    assert "so it cannot pay for it" in result.thread[-2]["body"]


@needs_bench
def test_items_kept_beside_a_return_are_never_returned() -> None:
    # tau task 346: the grill and the sunglasses go back to the gift card; the e-reader stays
    message = (
        "Hello, Sophia Lee (sophia.lee4144@example.com). I'd like to send back the grill and the sunglasses from "
        "order #W7366745, I'm keeping the e-reader though. The refund should go on my gift card."
    )
    result = _solved(346, message)
    assert result.solved, result
    assert not result.unsafe


KETTLES: dict[str, Any] = {
    "variants": [
        {"sku": "K-1", "product_id": "kettle", "option": "1L plastic white", "unit_price": 50.0, "available": 3},
        {"sku": "K-15", "product_id": "kettle", "option": "1.5L plastic white", "unit_price": 55.0, "available": 3},
        {"sku": "K-2G", "product_id": "kettle", "option": "2L glass black", "unit_price": 60.0, "available": 3},
        {"sku": "M-W", "product_id": "mouse", "option": "white wireless", "unit_price": 20.0, "available": 3},
        {"sku": "M-B", "product_id": "mouse", "option": "black wired", "unit_price": 20.0, "available": 3},
    ],
    "order": {
        "status": "pending",
        "lines": [
            {"line_no": 1, "sku": "K-1", "description": "Electric Kettle", "quantity": 1, "line_total": 50.0},
            {"line_no": 2, "sku": "M-B", "description": "Wireless Mouse", "quantity": 1, "line_total": 20.0},
        ],
    },
}


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Honestly I want the kettle in the 1.5 liter size.", [1]),
        ("The kettle I picked is too small. I'd prefer the 1.5 one.", [1]),  # "one" told apart by the values
        ("My kettle should be glass, and black.", [1]),
        ("Can the mouse be switched to the white one?", [2]),
        ("The mouse should have been white. The kettle is fine.", [2]),
    ],
)
def test_a_change_is_read_from_values_only_another_variant_of_a_named_item_has(text: str, lines: list[int]) -> None:
    assert items_asked_to_change(text, KETTLES) == lines


@pytest.mark.parametrize(
    "text",
    [
        "I love the 1L plastic kettle, it's perfect.",  # its own values: nothing to change
        "I don't need a 1.5 liter kettle, the small one is fine.",  # negated
        "Where is my order with the kettle?",  # no change, no want
        "The white mouse arrived, thanks.",  # said, not wanted
    ],
)
def test_values_said_without_a_want_or_of_the_item_itself_ask_no_change(text: str) -> None:
    assert items_asked_to_change(text, KETTLES) == []


def test_a_want_or_change_in_any_words_is_read_and_a_negated_one_is_not() -> None:
    for text in ("I'd prefer a bigger one", "it should be the blue one", "could you get me the 2L instead",
                 "b) laptop: from the 17-inch i5 to the 15-inch i7"):  # fmt: skip
        assert wants_or_changes(text), text
    for text in ("I don't need another one", "thanks for the help", "never wanted a refund"):
        assert not wants_or_changes(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Please move the payment over to my PayPal.",
        "Could the payment be switched to my Amex?",
        "Bill my mastercard instead.",
        "Please bill the whole order to my PayPal.",
        "Use my gift card for this order instead of PayPal.",
        "- switch payment from gift card to my Mastercard ending 6976\n- the difference on the same card",
    ],
)
def test_moving_the_orders_payment_is_read_in_words_no_phrase_holds(text: str) -> None:
    assert "change_payment" in read_message(text).intents


@pytest.mark.parametrize(
    "text",
    [
        "Any difference goes on my Mastercard.",  # a difference's method
        "Please refund the lamp to my gift card.",  # a refund's
        "I paid for the order with my Visa.",  # what was paid
        "I was charged on my Visa for this order, fine.",
        "I don't want to switch the order to PayPal.",  # negated
        "Change the camera on my order to the 30MP SD card one.",  # an item's option, not a card of theirs
        "Bill my Amex ending 3003 for it.",  # "bill" the verb, not the order's bill: the method for what is asked
    ],
)
def test_other_money_and_an_items_card_are_no_payment_move(text: str) -> None:
    assert "change_payment" not in read_message(text).intents


def test_a_method_moved_from_is_not_wanted_and_an_options_card_is_not_theirs() -> None:
    said = paying.mentions("switch from my gift card to my Mastercard ending 6976")
    assert [(m.kind, m.wanted) for m in said] == [("gift_card", False), ("card", True)]
    assert [m.wanted for m in paying.mentions("pay for it from my gift card")] == [True]  # nothing moved to
    assert [m.theirs for m in paying.mentions("the 30MP SD card one, or my card")] == [False, True]


@needs_bench
def test_a_gift_card_the_same_request_refills_is_left_to_a_person_not_refused() -> None:
    # tau task 68: two orders the gift card paid for are cancelled; it covers the third order only with their refunds
    message = (
        "Hi, Mia Jackson (mia.jackson5798@example.com). Orders #W6236251 and #W2618034 were mistakes, please cancel "
        "both. And order #W1205816 should be paid with my gift card instead."
    )
    result = _solved(68, message)
    assert result.outcome == "escalate"
    assert result.says_why
    assert "refunds" in result.why
    assert not result.writes  # nothing done on any part: a person sequences it


@pytest.mark.parametrize(
    ("text", "meant", "not_meant"),
    [
        ("From my order with the grill, the e-reader and the sunglasses, I only want to return the grill.", "grill",
         "e-reader"),
        ("I need to send back the sunglasses from my order with the grill. Not the grill, just the sunglasses.",
         "sunglasses", "grill"),
        ("Return everything except the e-reader: the grill and the sunglasses.", "sunglasses", "e-reader"),
        ("Sending back the grill (not the e-reader order). The sunglasses I'm keeping.", "grill", "sunglasses"),
    ],
)  # fmt: skip
def test_items_that_tell_the_order_apart_or_are_said_not_meant_are_not_asked_for(
    text: str, meant: str, not_meant: str
) -> None:
    read = items_text(text).lower()
    assert meant in read
    assert not_meant not in read


def test_a_method_said_not_wanted_and_a_plain_negation_stay_for_their_own_readers() -> None:
    for text in ("Refund to my gift card, not my Visa.", "I did not receive the lamp.", "Return the grill, thanks."):
        assert items_text(text) == text


def test_differences_in_the_plural_are_a_differences_method_not_the_orders() -> None:
    for text in ("Pay differences with my Visa ending 4015.", "Any price differences to my PayPal please."):
        assert "change_payment" not in read_message(text).intents, text
        assert all(m.scope == paying.DIFFERENCE for m in paying.mentions(text)), text


@needs_bench
def test_an_order_quoted_only_as_where_the_address_comes_from_is_not_the_one_changed() -> None:
    # tau task 485: #W1130240 ships to the address of #W8838515; its dumbbell set changes too
    message = (
        "Hello, Liam Li here. Please send order #W1130240 to 707 Maple Drive, Suite 817, San Antonio, TX 78202, "
        "the same address as order #W8838515. On it I'd also like the dumbbells switched from 30-50 lbs urethane "
        "to the 5-25 lbs rubber set. Gift card for any difference."
    )
    result = _solved(485, message)
    assert result.solved, result
    assert not result.unsafe


@needs_bench
def test_an_item_change_beside_asking_where_the_order_is_is_read_not_dropped() -> None:
    message = (
        "Hello, Liam Li here. Where is my order #W1130240 at the moment? Also I'd like the dumbbells in it switched "
        "from 30-50 lbs urethane to the 5-25 lbs rubber set, gift card for any difference."
    )
    result = _solved(485, message)
    assert "exchange_variant" in result.read or result.says_why, result
    assert not result.unsafe


ESPRESSO_LINES = [
    {"line_no": 1, "sku": "E-19", "description": "Espresso Machine", "quantity": 1},
    {"line_no": 2, "sku": "E-9", "description": "Espresso Machine", "quantity": 1},
]
ESPRESSO_OPTIONS = {"E-19": "19 bar 1L manual", "E-9": "9 bar 2L automatic", "E-15": "15 bar 1L manual"}


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Change the espresso machine for the 15 bar, 1L, manual one.", [1, 2]),  # what is wanted tells nothing
        ("Please switch the espresso machine to a 1L manual.", [1, 2]),
        ("My 2L automatic espresso machine -> the 15 bar manual one please.", [2]),  # what they have tells
        ("Change the 19 bar espresso machine for the 15 bar one.", [1]),
    ],
)
def test_which_of_two_lines_of_one_item_is_told_by_what_they_have_not_what_they_want(
    text: str, lines: list[int]
) -> None:
    assert lines_named(text, ESPRESSO_LINES, ESPRESSO_OPTIONS) == lines


def test_the_scripted_customer_says_which_line_it_has_when_asked() -> None:
    instruction = (
        "For #W1, modify Tea Kettle {'material': 'glass', 'capacity': '1 liter'} to {'capacity': '2 liters'}; "
        "via paypal_1. "
    )
    asked = "- Tea Kettle: the ceramic 1.5 liters one or the glass 1 liter one?\nWhich one would you like?"
    answer = tau_runner.customer_answer(instruction, {"payment_methods": {}}, asked)
    assert "Tea Kettle (glass, 1 liter) for the glass, 2 liters one" in answer
    assert "(glass, 1 liter)" not in tau_runner.customer_answer(instruction, {"payment_methods": {}}, "Which one?")


@needs_bench
def test_a_method_said_of_every_request_reaches_every_part() -> None:
    # tau task 270: a speaker changed on one order, two items returned from another, the gift card for both
    message = (
        "Aarav Gonzalez here (aarav.gonzalez9269@example.com). On #W9160732 please switch the black bluetooth "
        "speaker to the blue one, same 10 hour battery and not water resistant. From #W6797115 I'm sending back the "
        "air purifier and the mechanical keyboard. My gift card for all of it, the difference and the refund."
    )
    result = _solved(270, message)
    assert result.solved, result
    assert not result.unsafe


@needs_bench
@pytest.mark.parametrize(
    ("index", "message"),
    [
        # tau task 299: two orders quoted with what each holds (the boots in both), then "cancel both"
        (299, "Raj Lopez (raj.lopez2997@example.com). I won't need my orders #W3502364 (bottle, skateboard, boots) "
              "and #W5107138 (boots, hose, lamp, grill, backpack) anymore. Could you cancel both?"),
        # tau task 355: one return said of two quoted orders, each closing its own items; the refunds for both
        (355, "Ethan Kim, ethan.kim3231@example.com. I'd like to return the notebook, the espresso machine and the "
              "laptop from W1763367 and the jigsaw puzzle and the water bottle from W3942875. Refunds to my gift "
              "card."),
        # tau task 355: each order said before its own items; both orders hold a jigsaw puzzle
        (355, "Ethan Kim, ethan.kim3231@example.com. I'm sending back things from two orders - from order W1763367 "
              "the laptop, notebook and espresso machine; from order W3942875 the water bottle and the puzzle. Gift "
              "card for the refunds."),
        # tau task 318: the order an address is taken from, said after it ("the one on my order ..."), is no part
        (318, "Liam Santos, zip 78762. Order #W6794581 should go to 441 Hillcrest Drive, Suite 386, Austin, TX "
              "78762 (it's the one on my order #W4011814). On it, swap the steel kettle for the 1L glass one and the "
              "red cycling helmet for a black L with high ventilation. Visa 3530 for the difference."),
        # tau task 314: an order quoted as where one address comes from, then as the next block's own order
        (314, "Aarav Davis, aarav.davis1165@example.com.\nOrder #W3196599\n- new address: 178 Lakeview Drive, Suite "
              "576, Fort Worth, TX 76150, the same as my order #W7430166\n- switch the rubber dumbbell set to the "
              "55-75 lbs iron one\nOrder #W7430166\n- new address: 808 Chestnut Street, Suite 832, Phoenix, AZ "
              "85072\n- the kettle should be white instead of silver\nGift card for any difference."),
        # tau task 298: "bill" as the verb for a method, beside an item change, moves no order's payment
        (298, "Olivia Ito, 80218. Cancel #W3657213. On #W5442520 I want the laser sensor on the gaming mouse; bill "
              "my Visa ending 9182. For #W5866402, the espresso machine should be the 9 bar capsule model and the "
              "sneakers gray leather in size 10; PayPal for that one."),
    ],
)  # fmt: skip
def test_one_request_of_several_quoted_orders_or_orders_said_before_their_items_are_each_own_part(
    index: int, message: str
) -> None:
    result = _solved(index, message)
    assert result.solved, result
    assert not result.unsafe


def test_an_order_said_again_after_what_else_is_said_of_it_is_described_by_its_items() -> None:
    """ "my order delivered to Chicago (the one with the e-reader, grill and sunglasses)": the items tell the order
    apart; what is returned is what the request names."""
    text = (
        "Got my order delivered to the Chicago address (the one with the e-reader, grill and sunglasses). I want to"
        " send back the grill and the sunglasses."
    )
    assert "e-reader" not in items_text(text)
    assert "send back the grill" in items_text(text)
