"""A request about several orders that moves one order's payment and, in a sentence of its own naming only that
order's item, sends the item change's price difference to another method: the difference goes where that sentence
says (a sentence naming items of one order alone is about it, even when the customer quotes the order elsewhere).
Before, the sentence was left out of the order's part and the difference followed the order's new payment: a
charge to a method the customer did not name for it. A small database written here (no benchmark data)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.tau_db import catalogue, customer, decide, item, order, place, writes

KETTLE_ORDER, LAMP_ORDER = "#W8400001", "#W8400002"


def _db() -> dict[str, Any]:
    """Two pending orders paid by a Visa (a red kettle; a floor lamp), a PayPal on file, the blue kettle dearer."""
    kettle, blue = (
        item("Tea Kettle", "kettle", "K1", 40.0, color="red"),
        item("Tea Kettle", "kettle", "K2", 55.0, color="blue"),
    )
    lamp = item("Floor Lamp", "lamp", "L1", 90.0, color="brass")
    home = place("3 Mill St", "Akron", "OH", "44308")
    methods = {
        "credit_card_9": {"id": "credit_card_9", "source": "credit_card", "brand": "visa", "last_four": "9090"},
        "paypal_9": {"id": "paypal_9", "source": "paypal"},
    }
    orders = {
        KETTLE_ORDER: order(KETTLE_ORDER, "u9", "pending", home, [kettle], "credit_card_9"),
        LAMP_ORDER: order(LAMP_ORDER, "u9", "pending", home, [lamp], "credit_card_9"),
    }
    user = customer("Lena Ortiz", home, [KETTLE_ORDER, LAMP_ORDER], methods)
    return {"users": {"u9": user}, "products": catalogue([kettle, blue, lamp]), "orders": orders}


@pytest.mark.parametrize(
    "message",
    [
        "Cancel #W8400002, I no longer need it. On #W8400001 please move the payment to my PayPal and swap the kettle "
        "for the blue one. The extra cost for the kettle should go on my Visa card.",
        "Hello. #W8400001: pay it with PayPal from now on, and I'd like the blue kettle instead of the red. Put the "
        "kettle's price difference on the Visa please. Also please cancel #W8400002, I ordered it by mistake.",
    ],
)
def test_the_difference_goes_to_the_method_its_own_sentence_names(message: str) -> None:
    written = writes(decide(_db(), "u9", message)[1])
    assert written["change_order_payment"]["payment_method_id"] == "paypal_9", message
    assert written["charge_payment"]["payment_method_id"] == "credit_card_9", message
