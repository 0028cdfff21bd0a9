"""Orders told only by what they hold, none quoted (issue 58: "a request that spans orders becomes one part per
order"): each request goes to the order holding the items it names, an item named by an irregular plural ("the two
gaming mice") too, and of two lines of one item the one said to stay ("the white one stays") is not changed. The
wording was written for these tests."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.words import singular
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place, writes

HOME = place("21 Birch Rd", "Tulsa", "OK", "74103")


def _db() -> dict[str, Any]:
    white = item("Gaming Mouse", "mouse", "GM-WHITE", 60.0, color="white", sensor="optical", link="wired")
    rgb = item("Gaming Mouse", "mouse", "GM-RGB", 70.0, color="RGB", sensor="optical", link="wired")
    black = item("Gaming Mouse", "mouse", "GM-BLACK", 65.0, color="black", sensor="optical", link="wired")
    wireless = item("Gaming Mouse", "mouse", "GM-WL", 80.0, color="white", sensor="optical", link="wireless")
    shoes = item("Running Shoes", "shoes", "RS-10", 120.0, size="10", color="white")
    puzzle = item("Jigsaw Puzzle", "puzzle", "JP-1000", 30.0, pieces="1000", theme="art")
    orders = {
        "#W510": order("#W510", "u5", "pending", HOME, [white, rgb], "credit_card_5"),
        "#W520": order("#W520", "u5", "delivered", HOME, [shoes, puzzle], "credit_card_5"),
    }
    user = customer("Omar Reyes", HOME, ["#W510", "#W520"], card("credit_card_5", "5555"))
    products = catalogue([white, rgb, black, wireless, shoes, puzzle])
    return {"users": {"u5": user}, "products": products, "orders": orders}


def test_a_plural_no_ending_tells_is_read_as_its_item() -> None:
    assert [singular(w) for w in ("mice", "feet", "knives", "mugs")] == ["mouse", "foot", "knife", "mug"]


def test_two_orders_told_only_by_what_they_hold_are_a_part_each() -> None:
    message = (
        "Hello, Omar Reyes here. On the order that isn't shipped yet, the one with the two gaming mice, please make "
        "the RGB one black instead, same optical wired, the white one stays as is. And from the order with the "
        "running shoes I'd like to return the shoes and the puzzle."
    )
    facts, verdict = decide(_db(), "u5", message)
    parts = {p["order.id"]: p for p in facts.get("parts") or []}
    assert {o: p["ticket.case_types"] for o, p in parts.items()} == {
        "#W510": ["exchange_variant"],
        "#W520": ["return_refund"],
    }
    assert parts["#W510"]["modify.changes"] == [{"line_no": 2, "sku": "GM-BLACK"}]  # the RGB one; the white stays
    assert set(writes(verdict)) <= {"modify_order_items", "open_return", "refund_payment"}
