"""Words about an order that ask nothing of it: what the customer says is not meant ("not the ones in my other order
that hasn't arrived"), what only tells an item's order apart ("they came along with the e-reader"), and a "wrong one"
said of an order they cancel before it ships (their own choice, nothing came). Databases written here."""

from __future__ import annotations

from typing import Any

from tests.support.tau_db import HOME, LAMP, RUG, card, catalogue, customer, decide, item, order, writes

BELLS = item("Dumbbell Set", "bells", "DB-IRON", 300.0, weight="55-75 lbs", material="iron")
RUBBER_BELLS = item("Dumbbell Set", "bells", "DB-RUB", 90.0, weight="5-25 lbs", material="rubber")
BOOTS = item("Hiking Boots", "boots", "BOOT-10", 240.0, size="10")
READER = item("E-Reader", "reader", "ER-8", 150.0, storage="8GB")
KETTLE = item("Electric Kettle", "kettle", "EK-1", 60.0, color="black")


def _db(first: tuple[str, list[dict[str, Any]]], second: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Kim Lane's two orders: #W8500001 (its status, items) and #W8500002 (its status, items)."""
    user = customer("Kim Lane", HOME, ["#W8500001", "#W8500002"], card("credit_card_1", "1111"))
    orders = {
        "#W8500001": order("#W8500001", "u1", first[0], HOME, first[1], "credit_card_1"),
        "#W8500002": order("#W8500002", "u1", second[0], HOME, second[1], "credit_card_1"),
    }
    return {"users": {"u1": user}, "products": catalogue([*first[1], *second[1]]), "orders": orders}


def test_a_claim_said_of_another_order_not_meant_is_no_request_of_it() -> None:
    db = _db(("delivered", [BELLS, LAMP]), ("pending", [RUBBER_BELLS, RUG]))
    message = (
        "Kim Lane, zip 83702. I want to send back the iron dumbbell set that was delivered to me, not the ones in my "
        "other order that hasn't arrived. Refund to my card please."
    )
    facts, verdict = decide(db, "u1", message)
    assert verdict["outcome"] == "return", facts.get("ticket.case_types")
    assert writes(verdict)["open_return"]["order_id"] == "#W8500001"


def test_items_an_item_came_along_with_tell_its_order_and_are_not_returned() -> None:
    db = _db(("delivered", [BOOTS, READER, KETTLE]), ("delivered", [BOOTS, LAMP]))
    message = (
        "Kim Lane, zip 83702. I'd like to return the hiking boots, they came along with the e-reader and the kettle."
    )
    _facts, verdict = decide(db, "u1", message)
    assert writes(verdict)["open_return"]["order_id"] == "#W8500001"
    assert writes(verdict)["open_return"]["line_nos"] == [1]


def test_a_wrong_one_said_of_an_order_cancelled_before_it_ships_is_their_own_choice() -> None:
    db = _db(("pending", [LAMP, KETTLE]), ("pending", [RUG]))
    message = (
        "Kim Lane, zip 83702. Please cancel my pending order with the desk lamp and the kettle, I placed it by "
        "accident. I think I hit buy on the wrong one."
    )
    facts, verdict = decide(db, "u1", message)
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert writes(verdict)["cancel_order"]["order_id"] == "#W8500001"
