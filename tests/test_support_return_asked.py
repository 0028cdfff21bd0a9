"""A return asked for is opened on the items meant, or the customer is asked which: never answered as if a return
were already on its way ("we do not see the return as received yet"), and never dropped. The order meant is the one
that holds every item named; a person the thing was for is no item. On a small database written here; the wording
was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

BOTH, KEYBOARD_ONLY, PUZZLE_ONLY = "#W8700001", "#W8700002", "#W8700003"
BOTTLE = item("Water Bottle", "bottle", "B1", 20.0, color="blue")
LINEAR = item("Mechanical Keyboard", "keyboard", "K1", 120.0, switch="linear")
TACTILE = item("Mechanical Keyboard", "keyboard", "K2", 130.0, switch="tactile")
LAMP = item("Desk Lamp", "lamp", "L1", 40.0, color="white")
PUZZLE = item("Jigsaw Puzzle", "puzzle", "P1", 25.0, pieces="1000")


def _decided(message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decision on ``message`` of a customer with three delivered orders: a water bottle and a keyboard, another
    keyboard and a lamp, and a jigsaw puzzle alone."""
    home = place("3 Mill St", "Akron", "OH", "44308")
    placed = {
        BOTH: order(BOTH, "u9", "delivered", home, [BOTTLE, LINEAR], "credit_card_9"),
        KEYBOARD_ONLY: order(KEYBOARD_ONLY, "u9", "delivered", home, [TACTILE, LAMP], "credit_card_9"),
        PUZZLE_ONLY: order(PUZZLE_ONLY, "u9", "delivered", home, [PUZZLE], "credit_card_9"),
    }
    user = customer("Ada Lind", home, list(placed), card("credit_card_9", "9191"))
    products = catalogue([BOTTLE, LINEAR, TACTILE, LAMP, PUZZLE])
    return decide({"users": {"u9": user}, "products": products, "orders": placed}, "u9", message)


def _opened(verdict: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """(order, lines) of each return the plan opens."""
    return [(a["args"]["order_id"], sorted(a["args"]["line_nos"])) for a in verdict["actions"]
            if a["tool"] == "open_return"]  # fmt: skip


def _reply(verdict: dict[str, Any]) -> str:
    return next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")


@pytest.mark.parametrize(
    "message",
    [
        "The puzzle arrived, my cat hates it. Could I return it?",
        "I'd like to return the puzzle and the giraffe.",
    ],
)
def test_a_return_asked_with_no_item_read_asks_which_items_never_answers_as_if_sent(message: str) -> None:
    _facts, verdict = _decided(message)
    assert verdict["outcome"] == "ask_customer", _reply(verdict)
    assert "Which items of order #W8700003" in _reply(verdict)
    assert "Jigsaw Puzzle" in _reply(verdict)
    assert "received yet" not in _reply(verdict)
    assert _opened(verdict) == []


@pytest.mark.parametrize(
    ("message", "opened"),
    [
        # who a thing was for is no item of it
        ("I got a jigsaw puzzle as a present for my mum but she already had it. I'd like to return it please.",
         [(PUZZLE_ONLY, [1])]),
        # "what I want to return is ..." asks a return, not a question
        ("What I want to send back is the water bottle and the keyboard.", [(BOTH, [1, 2])]),
        ("hi, what we would like to return is the keyboard and the water bottle, thanks", [(BOTH, [1, 2])]),
    ],
)  # fmt: skip
def test_the_return_opens_on_the_items_meant(message: str, opened: list[tuple[str, list[int]]]) -> None:
    _facts, verdict = _decided(message)
    assert _opened(verdict) == opened, _reply(verdict)


def test_the_order_holding_every_item_named_is_the_one_meant_and_one_item_of_two_orders_is_asked() -> None:
    _facts, verdict = _decided("I'd like to return the water bottle and the mechanical keyboard.")
    assert _opened(verdict) == [(BOTH, [1, 2])], _reply(verdict)
    _facts, verdict = _decided("I'd like to return the mechanical keyboard.")
    assert verdict["outcome"] == "ask_customer"
    assert _opened(verdict) == []
    assert BOTH in _reply(verdict)
    assert KEYBOARD_ONLY in _reply(verdict)
