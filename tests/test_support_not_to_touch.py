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
