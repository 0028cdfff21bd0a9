"""A request about several orders names one way to pay "for all of it" in a sentence of its own. When that is the
orders' own payment (the customer's only method), each part's price difference is settled on it; before, every part
went to a person as if another method had been named. Another method named so still goes to a person: which
difference it is for is not read. A small database written here (no benchmark data)."""

from __future__ import annotations

from typing import Any

from tests.support.tau_db import card, catalogue, customer, decide, item, order, place, writes

FIRST, SECOND = "#W8500001", "#W8500002"


def _db(methods: dict[str, Any], paid_with: str) -> dict[str, Any]:
    """Two delivered orders (a red kettle; a brass lamp), each dearer variant in stock."""
    kettle, blue = (
        item("Tea Kettle", "kettle", "K1", 40.0, color="red"),
        item("Tea Kettle", "kettle", "K2", 45.0, color="blue"),
    )
    lamp, chrome = (
        item("Floor Lamp", "lamp", "L1", 90.0, finish="brass"),
        item("Floor Lamp", "lamp", "L2", 95.0, finish="chrome"),
    )
    home = place("9 Pond Rd", "Dayton", "OH", "45402")
    orders = {
        FIRST: order(FIRST, "u8", "delivered", home, [kettle], paid_with),
        SECOND: order(SECOND, "u8", "delivered", home, [lamp], paid_with),
    }
    user = customer("Rosa Diaz", home, [FIRST, SECOND], methods)
    return {"users": {"u8": user}, "products": catalogue([kettle, blue, lamp, chrome]), "orders": orders}


MESSAGE = (
    "Rosa Diaz, zip 45402. Two exchanges please, PayPal for all of it.\n"
    "#W8500001: swap the kettle for the blue one\n#W8500002: swap the lamp for the chrome one"
)


def test_the_orders_own_method_named_for_all_settles_each_difference_on_it() -> None:
    paypal = {"paypal_8": {"id": "paypal_8", "source": "paypal"}}
    _, verdict = decide(_db(paypal, "paypal_8"), "u8", MESSAGE)
    assert verdict["outcome"] == "exchange", verdict.get("reason")
    charges = [a["args"] for a in verdict["actions"] if a["tool"] == "charge_payment"]
    assert sorted(c["order_id"] for c in charges) == [FIRST, SECOND]
    assert {c.get("payment_method_id", "paypal_8") for c in charges} == {"paypal_8"}  # none given: the order's own


def test_another_method_named_for_all_goes_to_a_person() -> None:
    both = {"paypal_8": {"id": "paypal_8", "source": "paypal"}, **card("credit_card_8", "8080")}
    _, verdict = decide(_db(both, "credit_card_8"), "u8", MESSAGE)
    assert verdict["outcome"] == "escalate"
    assert "charge_payment" not in writes(verdict)
