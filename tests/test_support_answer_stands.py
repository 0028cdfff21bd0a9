"""Which items of one order the customer asks about. The customer's answer that says again what they want of one
order, quoting it, stands for the thread when the thread read whole would ask again: "On order #W9000001 I'd like to
change the Tea Kettle for the black one" after a first message that listed the order's items to describe it ("my
order - kettle, wall clock, floor lamp - ..."); an answer that leaves out a request of the thread, or still asks
something, does not. The items that describe an order are not asked about ("my order ... has a kettle, a wall clock
and a floor lamp"). On a small database written here; the wording was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.understanding import items_text
from ai_missions.nodes.parts import PARTS
from tests.support.tau_db import card, catalogue, customer, decide_thread, item, order, place

ORDER = "#W9000001"
#: A first message the thread, read whole, asks about: the order's items listed between dashes to say which it is.
FIRST = (
    "My order - kettle, wall clock, floor lamp - hasn't shipped yet. I'd like the kettle in black instead of red "
    "please."
)


def _decided(*messages: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts and verdict after the customer's messages, each answer after a question of ours."""
    # each item as ordered (the first colour) and one other variant of it in stock (the second)
    things = [("Tea Kettle", "K", 40.0, "red", "black"), ("Wall Clock", "C", 25.0, "white", "wood"),
              ("Floor Lamp", "L", 90.0, "brass", "black")]  # fmt: skip
    variants = [[item(name, sku, f"{sku}{n}", price, color=c) for n, c in ((1, had), (2, other))]
                for name, sku, price, had, other in things]  # fmt: skip
    home = place("3 Mill St", "Akron", "OH", "44308")
    orders = {ORDER: order(ORDER, "u9", "pending", home, [v[0] for v in variants], "credit_card_9")}
    user = customer("Eva Moll", home, [ORDER], card("credit_card_9", "9191"))
    db = {"users": {"u9": user}, "products": catalogue([x for v in variants for x in v]), "orders": orders}
    return decide_thread(db, "u9", *messages)


def _changes(verdict: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for a in verdict["actions"] if a["tool"] == "modify_order_items" for c in a["args"]["changes"]]


def test_an_answer_quoting_the_order_and_saying_what_changes_stands_for_the_thread() -> None:
    facts, verdict = _decided(FIRST, f"On order {ORDER} I'd like to change the Tea Kettle for the black one.")
    assert facts["reply.asking"] == []
    assert _changes(verdict) == [{"line_no": 1, "sku": "K2"}]


def test_an_answer_that_quotes_no_order_or_leaves_a_request_out_does_not() -> None:
    # no order quoted: the thread is read whole, as before
    facts, _verdict = _decided(FIRST, "the black one for the kettle")
    assert facts["reply.asking"] == ["exchange_variant"]
    # the thread also asked for an address change: an answer about the kettle alone leaves it out, and the thread
    # is read whole (the address change kept)
    first = f"{FIRST} Also please ship it to 9 Lake Ave, Chicago, IL 60601 instead."
    facts, _verdict = _decided(first, f"On order {ORDER} I'd like to change the Tea Kettle for the black one.")
    assert "change_address" in facts["ticket.case_types"]


@pytest.mark.parametrize(
    "said",
    [
        "My order that hasn't shipped yet has a kettle, a wall clock and a floor lamp.",
        "I have an order that hasn't shipped yet with a kettle, a wall clock and a floor lamp.",
        "In my pending order (kettle, wall clock, floor lamp)",
    ],
)
def test_the_items_that_describe_an_order_are_not_the_items_asked_about(said: str) -> None:
    """Listing an order's items to say which order it is names none of them for a change: only the kettle, whose
    change is asked, is changed, and nothing is asked about the clock or the lamp."""
    facts, verdict = _decided(f"{said} I'd like the kettle in black instead of red please.")
    assert facts["reply.asking"] == []
    assert _changes(verdict) == [{"line_no": 1, "sku": "K2"}]
    assert items_text(said).split()[-2:] != ["floor", "lamp."]


def test_an_answer_saying_again_the_requests_of_two_orders_stands_when_the_thread_still_asks() -> None:
    """Read with the first message, the plan still asks which clock (the first message named it among the changes);
    the answer says again both requests, each of its quoted order, and asks nothing: it is the plan."""
    lamp = item("Desk Lamp", "desk lamp", "D1", 30.0, color="green")
    home = place("3 Mill St", "Akron", "OH", "44308")
    things = [("Tea Kettle", "K", 40.0, "red", "black"), ("Wall Clock", "C", 25.0, "white", "wood")]
    variants = [[item(name, sku, f"{sku}{n}", price, color=c) for n, c in ((1, had), (2, other))]
                for name, sku, price, had, other in things]  # fmt: skip
    orders = {
        ORDER: order(ORDER, "u9", "pending", home, [v[0] for v in variants], "credit_card_9"),
        "#W9000002": order("#W9000002", "u9", "delivered", home, [lamp], "credit_card_9"),
    }
    user = customer("Eva Moll", home, [ORDER, "#W9000002"], card("credit_card_9", "9191"))
    db = {"users": {"u9": user}, "products": catalogue([lamp, *(x for v in variants for x in v)]), "orders": orders}
    first = "Please return the desk lamp. And on my pending order, change the kettle to black and the clock too."
    answer = (
        "I want to return the Desk Lamp from order #W9000002. On order #W9000001 I'd like to change the Tea Kettle "
        "for the black one."
    )
    facts, _verdict = decide_thread(db, "u9", first)
    assert [p["reply.asking"] for p in facts[PARTS]] == [[], ["exchange_variant"]]
    facts, _verdict = decide_thread(db, "u9", first, answer)
    assert [(p["order.id"], p["ticket.case_types"], p["reply.asking"]) for p in facts[PARTS]] == [
        ("#W9000002", ["return_refund"], []),
        (ORDER, ["exchange_variant"], []),
    ]


def test_an_answer_saying_again_the_exchanges_stands_for_a_thread_that_also_claimed_damage() -> None:
    """The first message says one item came cracked and asks a new one like it, and another item of another order
    changed; asked which order, the customer says again both exchanges, each of its quoted order, without the
    damage: the exchange is the damage's remedy, so the answer stands for the thread and is the plan."""
    home = place("3 Mill St", "Akron", "OH", "44308")
    kettle = [item("Tea Kettle", "K", f"K{n}", 40.0, color=c) for n, c in ((1, "red"), (2, "black"))]
    clock = [item("Wall Clock", "C", f"C{n}", 25.0, color=c) for n, c in ((1, "white"), (2, "wood"))]
    orders = {
        ORDER: order(ORDER, "u9", "delivered", home, [kettle[0]], "credit_card_9"),
        "#W9000002": order("#W9000002", "u9", "delivered", home, [clock[0]], "credit_card_9"),
    }
    user = customer("Eva Moll", home, [ORDER, "#W9000002"], card("credit_card_9", "9191"))
    db = {"users": {"u9": user}, "products": catalogue([*kettle, *clock]), "orders": orders}
    first = (
        "A couple of exchanges:\n- my red kettle: I'd like to swap it for a new one exactly the same. I think mine "
        "has a little crack?\n- from the order with the clock: the clock to the wood one instead of the white one."
    )
    answer = (
        f"On order {ORDER} I'd like to exchange the Tea Kettle for the same options. On order #W9000002 I'd like "
        "to exchange the Wall Clock for the wood one."
    )
    facts, verdict = decide_thread(db, "u9", first, answer)
    assert facts["ticket.case_types"] == ["exchange_variant"], facts["ticket.case_types"]
    exchanged = {a["args"]["order_id"]: a["args"] for a in verdict["actions"] if a["tool"].startswith("exchange_")}
    assert set(exchanged) == {ORDER, "#W9000002"}, verdict["actions"]
