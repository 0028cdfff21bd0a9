"""What the customer says is not to be touched is not touched: "cancel the rug order but leave the kettle alone",
"don't touch the lamp order", "cancel all my pending orders except the kettle one". The order named there is none of
the request's, nor one of "every order". On a small database written here; the wording was written for these
tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.understanding import only_kept, without_kept
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

RUG, KETTLE, LAMP = "#W8600001", "#W8600002", "#W8600003"


def _cancelled(message: str, orders: int = 3) -> list[str]:
    """The orders cancelled of ``orders`` pending ones holding a rug, a kettle and a lamp (one item each)."""
    things = [
        item("Bath Rug", "rug", "R1", 30.0, color="sand"),
        item("Tea Kettle", "kettle", "K1", 40.0, color="red"),
        item("Floor Lamp", "lamp", "L1", 90.0, color="brass"),
    ][:orders]
    home = place("3 Mill St", "Akron", "OH", "44308")
    placed = {
        n: order(n, "u8", "pending", home, [x], "credit_card_8")
        for n, x in zip((RUG, KETTLE, LAMP), things, strict=False)
    }
    user = customer("Ida Berg", home, list(placed), card("credit_card_8", "8181"))
    db: dict[str, Any] = {"users": {"u8": user}, "products": catalogue(things), "orders": placed}
    _facts, verdict = decide(db, "u8", message)
    return sorted(a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order")


@pytest.mark.parametrize(
    "message",
    [
        "Cancel the rug order but leave the kettle alone, I don't need it.",
        "please cancel the rug order, don't touch the kettle order. no longer needed",
    ],
)
def test_an_order_said_to_be_left_alone_is_not_cancelled(message: str) -> None:
    assert _cancelled(message, orders=2) == [RUG]


@pytest.mark.parametrize(
    "message",
    [
        f"Actually I changed my mind, please do NOT cancel {KETTLE}. Instead cancel {RUG}, no longer needed.",
        f"I changed my mind about order {KETTLE}, please keep it. Cancel {RUG} though, I don't need it.",
        f"Please don't cancel {KETTLE} after all. Cancel {RUG}, not needed anymore.",
        f"You didn't cancel {RUG} yet, please cancel it, no longer needed.",  # what was not done is still asked
        f"I changed my mind, please don't cancel {KETTLE}.",  # nothing to cancel: a change of mind, not a reason
        # someone else's want, the writer keeping it
        f"My husband keeps telling me to cancel {KETTLE} but I want to keep it. Cancel {RUG} please, not needed.",
    ],
)
def test_a_request_said_not_to_be_made_spares_what_it_names(message: str) -> None:
    assert _cancelled(message, orders=2) == ([] if RUG not in message else [RUG])


@pytest.mark.parametrize(
    "message",
    [
        "Cancel all my pending orders except the kettle one, I don't need them.",
        "Please cancel all my orders but leave the kettle order alone, ordered by mistake.",
    ],
)
def test_every_order_but_the_one_said_to_be_spared_is_cancelled(message: str) -> None:
    assert _cancelled(message) == [RUG, LAMP]


@pytest.mark.parametrize(
    "message",
    [
        f"Cancel {RUG}, I no longer need it, but not {KETTLE}.",
        f"Please cancel all of my orders except order {KETTLE}, ordered them by mistake.",
    ],
)
def test_an_order_quoted_where_it_is_said_not_to_be_meant_is_not_cancelled(message: str) -> None:
    assert KETTLE not in _cancelled(message)
    assert RUG in _cancelled(message)


def test_what_is_not_meant_and_what_is_are_two_sides_of_one_text() -> None:
    text = "Cancel the rug order but leave the kettle alone."
    assert only_kept(text).split() == ["leave", "the", "kettle", "alone"]
    assert without_kept(text).split() == ["Cancel", "the", "rug", "order", "but", "."]
    assert len(only_kept(text)) == len(without_kept(text)) == len(text)


@pytest.mark.parametrize(
    "message",
    [
        # an order told apart as cancelled, or said to have been, asks no cancellation of it
        "Cancel the rug order please, not needed. Why does my account still show that old cancelled kettle order?",
        "My kettle order was cancelled last week, fine. Now please cancel the rug order too, ordered by mistake.",
        # a change said as what happened asks no item change
        "Life changed plans on me, so I don't need the rug order anymore. Please cancel it.",
        "My plans changed and I no longer need the rug order, please cancel it.",
    ],
)
def test_what_was_done_or_happened_asks_nothing_beside_the_cancellation_asked(message: str) -> None:
    assert _cancelled(message, orders=2) == [RUG]


def test_a_list_under_a_heading_that_asks_is_asked_item_by_item_and_an_order_with_nothing_to_do_is_left() -> None:
    message = (
        "I need to cancel two of my orders:\n"
        "- the bath rug: bought it twice by accident\n"
        "- the tea kettle: no longer needed\n"
        "The lamp order is fine, nothing to do there."
    )
    assert _cancelled(message) == [RUG, KETTLE]


def test_leave_that_keeps_the_order_its_sentence_named_before() -> None:
    message = "I placed an order by mistake: a bath rug. Please cancel it. My kettle order is on its way, leave that."
    assert _cancelled(message, orders=2) == [RUG]


def _rug_pending_kettle_cancelled(message: str) -> dict[str, Any]:
    """The verdict on ``message`` of a customer with a pending rug order and a kettle order cancelled already."""
    home = place("3 Mill St", "Akron", "OH", "44308")
    rug, kettle = (
        item("Bath Rug", "rug", "R1", 30.0, color="sand"),
        item("Tea Kettle", "kettle", "K1", 40.0, color="red"),
    )
    placed = {RUG: order(RUG, "u8", "pending", home, [rug], "credit_card_8"),
              KETTLE: order(KETTLE, "u8", "cancelled", home, [kettle], "credit_card_8")}  # fmt: skip
    user = customer("Ida Berg", home, list(placed), card("credit_card_8", "8181"))
    db: dict[str, Any] = {"users": {"u8": user}, "products": catalogue([rug, kettle]), "orders": placed}
    return decide(db, "u8", message)[1]


def test_a_question_whether_an_order_was_cancelled_asks_no_cancellation_of_it() -> None:
    verdict = _rug_pending_kettle_cancelled(
        "I placed an order by mistake: a bath rug. Please cancel it. Was my kettle order charged, or fully cancelled?"
    )
    assert [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"] == [RUG]


def test_asked_to_cancel_an_order_cancelled_already_the_reply_says_so_not_that_it_shipped() -> None:
    verdict = _rug_pending_kettle_cancelled(f"Please cancel order {KETTLE}, I no longer need it.")
    reply = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert f"Order {KETTLE} was cancelled" in reply
    assert "shipped" not in reply
