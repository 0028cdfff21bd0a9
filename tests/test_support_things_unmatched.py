"""A return never goes ahead for some of the things a customer lists while another thing they list is held by no
item of the order ("the bike, the bike helmet and the phone" of a Bicycle, a Cycling Helmet and a Smartphone: the
helmet alone had been returned). The wording here was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.resolve import lines_named, things_unmatched
from ai_missions.graphs.support.parse.targets import modify_facts, opening_facts
from tests.support.order_record import order_record

FACTS: dict[str, Any] = {"payment.capture_refundables": []}

LINES = [
    {"line_no": 1, "sku": "BK-1", "description": "Bicycle", "quantity": 1, "line_total": 900.0},
    {"line_no": 2, "sku": "HL-1", "description": "Cycling Helmet", "quantity": 1, "line_total": 80.0},
    {"line_no": 3, "sku": "PH-1", "description": "Smartphone", "quantity": 1, "line_total": 700.0},
]
OPTIONS = {"BK-1": "large red mountain", "HL-1": "M blue high ventilation", "PH-1": "black 128GB 6.1-inch"}
OTHER_ORDER = [{"line_no": 1, "sku": "KT-1", "description": "Electric Kettle", "quantity": 1, "line_total": 60.0}]


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("I'm sending back the bike, the bike helmet and the phone.", ["bike", "phone"]),
        ("please take back my trainers and the helmet", ["trainers"]),
        ("Return the helmet plus the mobile, thanks", ["mobile"]),
    ],
)
def test_a_thing_listed_beside_an_item_that_no_item_holds_is_found(text: str, things: list[str]) -> None:
    assert things_unmatched([text], LINES, OPTIONS) == things


@pytest.mark.parametrize(
    "text",
    [
        "Return the helmet and the bicycle, refund to my visa ending 4242.",
        "I'd like to send the helmet back to the original payment method.",
        "Return the helmet and the kettle.",  # the kettle is of the customer's other order
        "return the helmet, the red one, and the rest can stay",
        "Please return the helmet, the box is a bit dented but fine.",
        "The lamp and the sofa are lovely.",  # names no item of this order: no list of its items
        "Return the smartphone and my helmet, both in the large size.",
    ],
)
def test_what_names_no_thing_or_a_thing_the_customer_has_is_not(text: str) -> None:
    assert things_unmatched([text], LINES, OPTIONS, OTHER_ORDER) == []


def _return(messages: list[str]) -> dict[str, Any]:
    record = {"order": {"lines": LINES, "status": "delivered"}, "returns": [], "variants": [
        {"sku": sku, "product_id": sku, "option": option, "unit_price": 1.0, "available": 1}
        for sku, option in OPTIONS.items()
    ]}  # fmt: skip
    thread = "\n".join(messages)
    return opening_facts(record, lines_named(thread, LINES, OPTIONS), thread, OTHER_ORDER, messages)


def test_the_return_waits_for_the_customer_to_say_which_items_and_goes_ahead_once_they_have() -> None:
    first = "Hi, please return the bike, the bike helmet and the phone. Thanks"
    facts = _return([first])
    assert facts["return.lines"] == []  # never the helmet alone
    assert facts["return.which_items"] is True
    facts = _return([first, "Sorry: the Bicycle, the Cycling Helmet and the Smartphone, all three."])
    assert facts["return.lines"] == [1, 2, 3]
    # twin: every thing listed is an item of the order, so the return goes ahead at once
    assert _return(["Please return the bicycle, the cycling helmet and the smartphone."])["return.lines"] == [1, 2, 3]


def _luggage_and_speaker() -> dict[str, Any]:
    return order_record(
        [("Luggage Set", "LG-S3"), ("Bluetooth Speaker", "SP-R10")],
        [("LG-S3", "luggage", "3-piece silver softshell", 300.0), ("LG-B3", "luggage", "3-piece blue softshell", 300.0),
         ("SP-R10", "speaker", "red 10 hours", 60.0), ("SP-R20", "speaker", "red 20 hours", 70.0),
         ("SP-B20", "speaker", "blue 20 hours", 70.0)],
    )  # fmt: skip


def test_an_item_change_beside_a_thing_no_item_holds_asks_naming_the_other_items() -> None:
    """ "the suitcase set" of a Luggage Set: the speaker's change does not go ahead alone; the question names the
    order's other item as the candidate. Once a later message names the items, their words are read, and the words
    said of the thing no item held ("in blue") are not said of the speaker."""
    first = "I'd like the silver suitcase set in blue instead, and the red speaker swapped for the 20 hour one."
    facts = modify_facts(_luggage_and_speaker(), [2], first, FACTS, messages=[first])
    assert facts["modify.changes"] == []
    assert facts["modify.choices"] == ["Luggage Set 3-piece silver softshell too?"]
    answer = "The Luggage Set for the 3-piece blue softshell one, and the Bluetooth Speaker for the red 20 hours one."
    thread = f"{first}\n{answer}"
    facts = modify_facts(_luggage_and_speaker(), [1, 2], thread, FACTS, messages=[first, answer])
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "LG-B3"}, {"line_no": 2, "sku": "SP-R20"}]
    # twin: the catalogue's name goes ahead at once
    named = "I'd like the silver luggage set in blue instead, and the red speaker swapped for the 20 hour one."
    facts = modify_facts(_luggage_and_speaker(), [1, 2], named, FACTS, messages=[named])
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "LG-B3"}, {"line_no": 2, "sku": "SP-R20"}]


def test_a_possessive_is_part_of_the_thing_and_an_option_word_pays_nothing() -> None:
    assert things_unmatched(["Return the helmet and the men's cologne."], LINES, OPTIONS) == ["men's cologne"]
    assert things_unmatched(["Return the helmet and the kids' phone."], LINES, OPTIONS) == ["kids' phone"]
    lines = [("Digital Camera", "CAM-30"), ("Cycling Helmet", "HL-1")]
    record = order_record(lines, [("CAM-30", "camera", "30MP SD card", 500.0), ("HL-1", "helmet", "M blue", 80.0)])
    record["returns"] = []
    thread = "Return the camera (30MP, SD card) and the helmet. Refund to my gift card, not the original card."
    facts = opening_facts(record, [1, 2], thread, (), [thread])
    assert facts["return.refund_to"] == "gift_card"  # the camera's "SD card" is no card to be refunded on
