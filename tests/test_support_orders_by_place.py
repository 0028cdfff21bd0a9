"""Which order is meant, when the customer says it by where it goes, when it was placed or by a clause of its own:
"the Chicago order", "the one going to Akron", "my most recent order", "the order I sent to my Chicago address" (a
description, never an address change), and two requests of two orders in one sentence ("cancel the rug order, and
change the kettle to the blue one"). On a small database written here; the wording was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.resolve import sent_to
from ai_missions.graphs.support.parse.understanding import items_text, read_message
from ai_missions.nodes.parts import PARTS
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

HOME, WORK = "#W8400001", "#W8400002"


def _db(work_city: str = "Chicago") -> dict[str, Any]:
    """Two pending orders of one customer: a bath rug with a floor lamp going home (Akron), a red kettle going to
    the office (``work_city``)."""
    rug, lamp = item("Bath Rug", "rug", "R1", 30.0, color="sand"), item("Floor Lamp", "lamp", "L1", 90.0, color="brass")
    red = item("Tea Kettle", "kettle", "K1", 40.0, color="red")
    blue = item("Tea Kettle", "kettle", "K2", 40.0, color="blue")
    home, work = place("3 Mill St", "Akron", "OH", "44308"), place("9 Lake Ave", work_city, "IL", "60601")
    orders = {
        HOME: order(HOME, "u6", "pending", home, [rug, lamp], "credit_card_6"),
        WORK: order(WORK, "u6", "pending", work, [red], "credit_card_6"),
    }
    user = customer("Ada Moss", home, [HOME, WORK], card("credit_card_6", "6161"))
    return {"users": {"u6": user}, "products": catalogue([rug, lamp, red, blue]), "orders": orders}


def _writes(message: str, db: dict[str, Any] | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """Each order's parts (case types) and the tools of the verdict."""
    facts, verdict = decide(db or _db(), "u6", message)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get(PARTS) or []}
    return parts, [f"{a['tool']}:{a['args'].get('order_id')}" for a in verdict["actions"] if "order_id" in a["args"]]


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        ("Please cancel the Chicago order, I don't need it.", WORK),
        ("Cancel the order going to chicago please, no longer needed.", WORK),
        ("could you cancel the one shipping to Akron? bought it by mistake", HOME),
        ("The order I sent to my Chicago address - please cancel it, I don't need it anymore.", WORK),
    ],
)
def test_an_order_said_by_the_city_it_goes_to_is_the_one_cancelled(message: str, meant: str) -> None:
    assert _writes(message)[1] == [f"cancel_order:{meant}"]


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        ("Please cancel my most recent order, I don't need it.", WORK),
        ("cancel the latest one please, bought it by mistake", WORK),
        ("Cancel my oldest order please, ordered by mistake.", HOME),
    ],
)
def test_an_order_said_by_when_it_was_placed_is_the_one_cancelled(message: str, meant: str) -> None:
    assert _writes(message)[1] == [f"cancel_order:{meant}"]


def test_a_city_every_order_goes_to_tells_none_apart_and_which_order_is_asked() -> None:
    # both orders go to Akron: "the Akron order" could be either
    assert _writes("Please cancel the Akron order, I don't need it.", _db(work_city="Akron"))[1] == []


def test_the_city_of_a_new_address_or_of_an_address_change_names_no_order() -> None:
    destinations = {HOME: {"city": "Akron"}, WORK: {"city": "Chicago"}}
    assert sent_to("Please cancel the Chicago order", destinations) == [WORK]
    assert sent_to("Ship the lamp order to 9 Lake Ave, Chicago, IL 60601 instead", destinations) == []
    assert sent_to("Please send my order to my Chicago address instead.", destinations) == []
    assert sent_to("I live in Akron, and I work in Chicago.", destinations) == []


@pytest.mark.parametrize(
    "message",
    [
        "The order I sent to my Chicago address - please cancel it, ordered by mistake.",
        "The order I shipped to my Chicago address, please cancel it",
    ],
)
def test_where_the_customer_sent_an_order_is_a_description_not_an_address_change(message: str) -> None:
    assert "change_address" not in read_message(message).intents
    assert "change_address" in read_message("Please send the order to my Chicago address instead.").intents


@pytest.mark.parametrize(
    "message",
    [
        "Cancel the rug order, and change the kettle to the blue one.",
        "Cancel the Akron order and on the Chicago one I want the kettle in blue instead.",
        "cancel the order with the rug and lamp; on the kettle order please switch it to the blue one",
    ],
)
def test_two_requests_of_two_orders_in_one_sentence_are_one_part_each(message: str) -> None:
    assert _writes(message)[0] == {HOME: ["cancel_order"], WORK: ["exchange_variant"]}


def test_two_requests_of_one_order_in_one_sentence_stay_one_part() -> None:
    parts, _tools = _writes("On the rug order, change the lamp to a brass one, and cancel the rug.")
    assert len(parts) <= 1


@pytest.mark.parametrize(
    "message",
    [
        "Could my rug order be shipped to the Chicago address instead (where my kettle order is going)?",
        "Please ship the lamp and rug order to the address where my kettle order went.",
        "Send the rug order to my Chicago address, the one where my kettle order is headed.",
    ],
)
def test_a_clause_saying_where_another_order_goes_describes_an_address_and_asks_nothing(message: str) -> None:
    """Where another order goes, said of an address, tells which address: no question of where that order is, and
    that order is not the one asked about."""
    reading = read_message(message)
    assert reading.intents == ("change_address",), reading.matched
    assert "kettle" not in items_text(message)  # the order it tells is not asked about
    # the same words as a question of their own still ask it
    assert "where_is_order" in read_message("Ship the rug order to Chicago. Also, where is my kettle order?").intents
    assert "where_is_order" in read_message("Can you tell me where my kettle order is going?").intents
