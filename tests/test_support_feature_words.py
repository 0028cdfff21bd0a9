"""What a customer says of an item's yes/no feature ("instead of the 4K silver waterproof") is that item's: it names
no other thing the order would have to hold, so nothing else of the order is asked about. A database written here."""

from __future__ import annotations

from typing import Any

from tests.support.tau_db import HOME, LAMP, card, catalogue, customer, decide, item, order, writes

ORDER = "#W8400001"
CAMERA = item("Action Camera", "acam", "AC-4S", 300.0, resolution="4K", waterproof="yes", color="silver")
OTHER = item("Action Camera", "acam", "AC-5B", 340.0, resolution="5K", waterproof="no", color="black")
MOUSE = item("Gaming Mouse", "mouse", "GM-W", 60.0, color="white", sensor="optical")


def _db() -> dict[str, Any]:
    user = customer("Eli Kato", HOME, [ORDER], card("credit_card_4", "4444"))
    orders = {ORDER: order(ORDER, "u4", "pending", HOME, [CAMERA, MOUSE, LAMP], "credit_card_4")}
    return {"users": {"u4": user}, "products": catalogue([CAMERA, OTHER, MOUSE, LAMP]), "orders": orders}


def test_a_feature_said_of_the_item_changed_names_no_other_thing() -> None:
    message = (
        "Eli Kato, zip 83702. On my pending order I want the action camera changed to the 5K black one, not "
        "waterproof, instead of the 4K silver waterproof. Card for the difference."
    )
    facts, verdict = decide(_db(), "u4", message)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "AC-5B"}]
    assert facts["modify.choices"] == []
    assert writes(verdict)["modify_order_items"]["order_id"] == ORDER
