"""Orders told only by what they hold, none quoted (issue 58: "a request that spans orders becomes one part per
order"): each request goes to the order holding the items it names, an item named by an irregular plural ("the two
gaming mice") too, and of two lines of one item the one said to stay ("the white one stays") is not changed. The
wording was written for these tests."""

from __future__ import annotations

import asyncio
from typing import Any

from ai_missions.graphs.support.gather import _addresses
from ai_missions.graphs.support.parse.address_reading import read_addresses
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.words import singular
from tests.support.tau_db import card, catalogue, customer, decide, decide_thread, item, order, place, writes

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


def test_one_address_written_for_each_of_two_orders_is_read_for_both() -> None:
    """ "Please ship order #W1 to <address>. Please ship order #W2 to <address>." after a first message that asks
    the address by pointing at another order's: the thread's whole reading misses the address request, yet each
    part, read on its own sentences, asks it; the address written is looked up all the same, and each part knows
    the address it changes to (before: unknown, and both parts went to a person)."""
    db = _db()
    away = place("426 Park Ave", "Houston", "TX", "77002")
    for order_id in ("#W510", "#W520"):
        db["orders"][order_id].update(status="pending", address=dict(away))
    first = "Omar Reyes here. Both my orders should go to the same address as the account, not to Houston."
    to = "21 Birch Rd, Tulsa, OK 74103"
    said = f"Please ship order #W510 to {to}. Please ship order #W520 to {to}."
    facts, _verdict = decide_thread(db, "u5", first, said)
    parts = {p["order.id"]: p for p in facts.get("parts") or []}
    assert sorted(parts) == ["#W510", "#W520"]
    for part in parts.values():
        assert part["ticket.case_types"] == ["change_address"]
        assert (part["address.status"], part["address.differs"]) == ("resolved", True), part["address.status"]


def test_an_address_written_whole_is_looked_up_though_the_whole_thread_reads_no_address_request() -> None:
    """A part read on its own sentences may ask the address the whole thread's reading does not (tau33 415: the
    answer "Please ship order #W1 to ..." after a first message the reader could not place): the address written is
    looked up (a read), so the part knows it; before, nothing was read and the part went to a person."""
    called: list[str] = []

    async def call(key: str, tool: str, args: dict[str, Any]) -> Any:
        called.append(tool)
        return {"addresses": []} if tool == "get_address_history" else {"valid": True, "status": "deliverable"}

    said = read_addresses("Please ship order #W510 to 12 Oak St, Boise, ID 83702.")
    quiet = read_message("On the mice one please change the RGB mouse to black.")  # no address request read
    customer = {"customer_id": "C5", "name": "Omar Reyes"}
    _on_file, validation = asyncio.run(_addresses(call, said, quiet, customer, {}, "C5"))
    assert called == ["get_address_history", "validate_address"], called
    assert validation is not None
    assert validation["address"]["line1"] == "12 Oak St"
