"""Issue #38: "which order?" is not asked when the request says which: every order it fits ("cancel every order
you still can"), or an order called by an item it holds ("the rug order", "the order with the kettle in it"); on a
small database written here (no benchmark data). Two orders that could both be meant are still asked about."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import NOW, case_of
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.nodes.parts import PARTS
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

RUG_AND_LAMP, KETTLE, DELIVERED = "#W8200001", "#W8200002", "#W8200003"


def _db(delivered_kettle: bool = True) -> dict[str, Any]:
    """Two pending orders (a bath rug with a floor lamp; a kettle) and a third holding a kettle: delivered, or
    pending too."""
    rug, lamp = item("Bath Rug", "rug", "R1", 30.0, color="sand"), item("Floor Lamp", "lamp", "L1", 90.0, color="brass")
    kettle = item("Tea Kettle", "kettle", "K1", 40.0, color="red")
    other = item("Tea Kettle", "kettle", "K2", 40.0, color="blue")
    home = place("3 Mill St", "Akron", "OH", "44308")
    third = "delivered" if delivered_kettle else "pending"
    orders = {
        RUG_AND_LAMP: order(RUG_AND_LAMP, "u5", "pending", home, [rug, lamp], "credit_card_5"),
        KETTLE: order(KETTLE, "u5", "pending", home, [kettle], "credit_card_5"),
        DELIVERED: order(DELIVERED, "u5", third, home, [other], "credit_card_5"),
    }
    user = customer("Tove Lind", home, [DELIVERED, RUG_AND_LAMP, KETTLE], card("credit_card_5", "5151"))
    return {"users": {"u5": user}, "products": catalogue([rug, lamp, kettle, other]), "orders": orders}


def _cancelled(message: str, db: dict[str, Any] | None = None) -> dict[str, str]:
    _facts, verdict = decide(db or _db(), "u5", message)
    return {a["args"]["order_id"]: a["args"]["reason"] for a in verdict["actions"] if a["tool"] == "cancel_order"}


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Please cancel every order you still can, I don't need any of them.", "no longer needed"),
        ("I placed all of my orders by mistake, cancel whichever ones you can.", "ordered by mistake"),
        ("All my pending orders were a mistake, please cancel all of them.", "ordered by mistake"),
        # every one said of a status only orders have, or of the orders, in words between
        ("Cancel everything that's still pending, I don't need any of it.", "no longer needed"),
        ("please cancel all the pending ones, I ordered them by mistake", "ordered by mistake"),
    ],
)
def test_every_order_the_request_fits_is_cancelled_and_no_other(message: str, reason: str) -> None:
    assert _cancelled(message) == {RUG_AND_LAMP: reason, KETTLE: reason}, message


@pytest.mark.parametrize(
    "message",
    [
        "Cancel the rug order please, I no longer need it.",
        "Could you cancel the order with the bath rug in it? I don't need it anymore.",
        # what describes the order between it and "with", and a list running to the item
        "Cancel the order going to Akron with the bath rug please, no longer needed.",
        "Cancel my pending order (the one with the bath rug). No longer need it.",
        "Cancel the order with the sand colored bath rug and the brass floor lamp, no longer needed.",
        # the item named again in a sentence of someone else's order tells nothing of this one
        "Cancel the order with the bath rug please, no longer needed. My wife ordered a floor lamp too - that's hers.",
    ],
)
def test_an_order_called_by_an_item_it_holds_is_cancelled_whole(message: str) -> None:
    assert _cancelled(message) == {RUG_AND_LAMP: "no longer needed"}, message


def test_an_item_cancelled_out_of_its_order_is_still_no_cancellation_of_the_order() -> None:
    assert _cancelled("Please cancel the bath rug from my order, I no longer need it.") == {}


def test_an_answer_asking_the_order_cancelled_naming_none_of_its_items_cancels_it_whole() -> None:
    """Told that one item cannot be cancelled out of the order, the customer answers "cancel order X": the later
    message overrules the item read from the first."""
    db = _db()
    task = tau.Task(index=0, user_id="u5", instruction="", actions=(), outputs=())
    case = case_of(db, task, "Please cancel the bath rug from my order, I no longer need it.")
    decide_case = plugin_of("support").decide
    _facts, verdict = decide_case(case)
    (reply,) = [a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply"]
    assert "cancelled as a whole" in reply
    case["ticket"]["messages"] += [
        {"direction": "outbound", "body": reply, "sent_at": NOW},
        {"direction": "inbound", "body": f"Please cancel order {RUG_AND_LAMP}, I no longer need it.", "sent_at": NOW},
    ]
    _facts, verdict = decide_case(case)
    assert [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"] == [RUG_AND_LAMP]


@pytest.mark.parametrize("delivered_kettle", [True, False])
def test_an_item_two_orders_hold_is_asked_about(delivered_kettle: bool) -> None:
    # which kettle order is the customer's to say (also when one of them could no longer be cancelled: the
    # customer's answer is read with the request, never a guess)
    message = "Cancel the kettle order and the rug order, I ordered both by mistake."
    assert _cancelled(message, _db(delivered_kettle)) == {}


@pytest.mark.parametrize(
    ("message", "order", "reason"),
    [
        ("Hi, could you drop my order with the bath rug and floor lamp? I placed it by mistake.", RUG_AND_LAMP,
         "ordered by mistake"),
        ("Please void the order for the tea kettle that hasn't shipped, I no longer need it.", KETTLE,
         "no longer needed"),
        ("Withdraw the order with the floor lamp in it please, it was ordered by mistake.", RUG_AND_LAMP,
         "ordered by mistake"),
    ],
)  # fmt: skip
def test_a_cancellation_said_with_another_verb_cancels_the_order_it_names(
    message: str, order: str, reason: str
) -> None:
    assert _cancelled(message) == {order: reason}, message


@pytest.mark.parametrize(
    ("message", "cancelled"),
    [
        # "it" stands for the item named in the sentence before; its colour tells the two kettles' orders apart
        ("The red tea kettle was a mistake. Could you cancel it please?", {KETTLE: "ordered by mistake"}),
        # nothing tells them apart: asked
        ("The tea kettle was a mistake. Could you cancel it please?", {}),
    ],
)
def test_an_item_pointed_back_to_is_found_and_its_variant_tells_its_order_apart(
    message: str, cancelled: dict[str, str]
) -> None:
    assert _cancelled(message, _db(delivered_kettle=False)) == cancelled


def test_a_want_of_another_orders_item_in_no_request_words_is_read_as_its_change_not_dropped() -> None:
    """Beside a cancellation, "the kettle I got is the blue one, I need red" asks a change of the delivered kettle's
    order in words no request phrase holds: both are planned, one part each, never the cancellation alone."""
    rug, blue = (
        item("Bath Rug", "rug", "R1", 30.0, color="sand"),
        item("Tea Kettle", "kettle", "K2", 40.0, color="blue"),
    )
    red = item("Tea Kettle", "kettle", "K1", 40.0, color="red")
    home = place("3 Mill St", "Akron", "OH", "44308")
    orders = {
        RUG_AND_LAMP: order(RUG_AND_LAMP, "u5", "pending", home, [rug], "credit_card_5"),
        DELIVERED: order(DELIVERED, "u5", "delivered", home, [blue], "credit_card_5"),
    }
    user = customer("Tove Lind", home, [DELIVERED, RUG_AND_LAMP], card("credit_card_5", "5151"))
    db = {"users": {"u5": user}, "products": catalogue([rug, blue, red]), "orders": orders}
    message = (
        "The bath rug order please cancel, I ordered it by mistake. The tea kettle I got is the blue one, I need red."
    )
    facts, _verdict = decide(db, "u5", message)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get(PARTS) or []}
    assert parts == {RUG_AND_LAMP: ["cancel_order"], DELIVERED: ["exchange_variant"]}
    # a want of the items of one order is never read as the cancellation of that order
    _facts, alone = decide(
        _db(), "u5", "Please cancel an order, I no longer need it. On the rug order I want the lamp changed."
    )
    assert "cancel_order" not in {a["tool"] for a in alone["actions"]}


def test_an_order_named_by_an_item_is_found_among_all_the_orders_the_erp_lists() -> None:
    """A customer with more orders than a handful: the order holding the bath rug is the oldest of seven, and "the
    rug order" still finds it (every order the ERP lists for the customer is read, not only the newest few)."""
    rug = item("Bath Rug", "rug", "R1", 30.0, color="sand")
    fillers = [item(f"Desk {n}", f"desk{n}", f"D{n}", 50.0 + n, color="oak") for n in range(6)]
    home = place("3 Mill St", "Akron", "OH", "44308")
    oldest = "#W8300000"
    orders = {oldest: order(oldest, "u5", "pending", home, [rug], "credit_card_5")}
    for n, desk in enumerate(fillers, start=1):
        orders[f"#W830000{n}"] = order(f"#W830000{n}", "u5", "delivered", home, [desk], "credit_card_5")
    user = customer("Tove Lind", home, list(orders), card("credit_card_5", "5151"))
    db = {"users": {"u5": user}, "products": catalogue([rug, *fillers]), "orders": orders}
    assert _cancelled("Cancel the rug order please, I no longer need it.", db) == {oldest: "no longer needed"}
