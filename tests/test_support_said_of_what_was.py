"""What a message says of what was done or what stays, read as such and never as a request (the seventh round's
classes, 2026-11-29): where an order went ("had them sent to ..."), what the customer did themselves ("the order I
already cancelled"), a change of the account's address said not to be made, a claim about items not delivered beside
the change asked of them, and a line of two of one item said to stay. The wording was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.address_reading import read_addresses
from ai_missions.graphs.support.parse.understanding import read_message
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place, writes

HOME = place("9 Elm St", "Boise", "ID", "83702")
OLD = place("426 Park Ave", "Houston", "TX", "77002")


@pytest.mark.parametrize(
    "message",
    [
        "I ordered a desk lamp and had it sent to 426 Park Ave, Houston, TX 77002, where I no longer live. Please "
        "cancel it, I ordered it by mistake.",
        "It was shipped to 426 Park Ave, Houston, TX 77002 but I don't need it anymore, cancel it please.",
        "The thermostat from order #W100, delivered to the Houston address, is the wrong one for me: cancel the rest.",
        "The bottle that was delivered with my clock to the Houston address leaks; please cancel the other order.",
    ],
)
def test_where_an_order_was_sent_is_no_address_asked_for(message: str) -> None:
    assert "change_address" not in read_message(message).intents


@pytest.mark.parametrize(
    "message",
    [
        "Return the lamp from the order I already cancelled half of? No: the lamp from the other one.",
        "The speaker came in the same box as the rug from the order that I ended up cancelling.",
        "Two separate things: where is my rug?",
        "Please change the lamp to the white one. If there's an extra charge, take it from my card.",
        # a real word one letter from "charge", and a zoom: "charger ... 3x" is no charge made three times
        "In my order with the portable charger, change the camera from the 5x one to the 3x SD card one.",
    ],
)
def test_what_the_customer_did_or_counts_asks_no_cancellation_nor_a_double_charge(message: str) -> None:
    assert not {"cancel_order", "double_charge"} & set(read_message(message).intents)


def test_an_account_address_change_said_not_to_be_made_is_none() -> None:
    said = "Ship it to 12 Oak St, Boise, ID 83702 instead. Don't change my account address, this is for one order."
    assert read_addresses(said).for_account is False
    assert read_addresses("Please also update my account address to 12 Oak St, Boise, ID 83702.").for_account


def _db() -> dict[str, Any]:
    black = item("Electric Toothbrush", "brush", "TB-BLACK", 50.0, color="black", battery="rechargeable")
    blue = item("Electric Toothbrush", "brush", "TB-BLUE", 45.0, color="blue", battery="AA")
    white = item("Electric Toothbrush", "brush", "TB-WHITE", 45.0, color="white", battery="AA")
    boots = item("Hiking Boots", "boots", "BOOT-12", 140.0, size="12", material="leather")
    small = item("Hiking Boots", "boots", "BOOT-7", 140.0, size="7", material="leather")
    orders = {
        "#W100": order("#W100", "u1", "delivered", HOME, [black, blue], "credit_card_1"),
        "#W200": order("#W200", "u1", "pending", OLD, [boots], "credit_card_1"),
    }
    user = customer("Ana Perez", HOME, ["#W100", "#W200"], card("credit_card_1", "4242"))
    return {"users": {"u1": user}, "products": catalogue([black, blue, white, boots, small]), "orders": orders}


def test_of_two_lines_of_one_item_the_one_said_to_stay_is_not_changed() -> None:
    message = (
        "On #W100 the black rechargeable toothbrush -> I'd like the white one that takes AA batteries. The blue AA "
        "toothbrush is my partner's, that one stays! Card ending 4242 for any difference."
    )
    facts, _verdict = decide(_db(), "u1", message)
    assert [c["sku"] for c in facts["modify.changes"] or []] == ["TB-WHITE"]
    assert [c["line_no"] for c in facts["modify.changes"] or []] == [1]  # the black one, not the partner's blue one


def test_a_wrong_size_said_of_items_not_delivered_is_the_change_asked_of_them() -> None:
    message = (
        "Two things. First, my pending order has hiking boots in size 12 - wrong size, they are for my brother and "
        "he is a 7. Could you change them to size 7? Second, please return the black toothbrush from my delivered "
        "order."
    )
    facts, verdict = decide(_db(), "u1", message)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get("parts") or []}
    assert parts == {"#W200": ["exchange_variant"], "#W100": ["return_refund"]}
    assert set(writes(verdict)) <= {"modify_order_items", "open_return", "refund_payment"}
