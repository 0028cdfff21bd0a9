"""Issue #38: "which order?" is not asked when the request says which: every order it fits ("cancel every order
you still can"), or an order called by an item it holds ("the rug order", "the order with the kettle in it"); on a
small database written here (no benchmark data). Two orders that could both be meant are still asked about."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.evals.benchmarks.tau_retail import emulator as tau
from ai_missions.evals.benchmarks.tau_retail.cases import case_of
from ai_missions.kernel.eval_plugin import plugin_of

RUG_AND_LAMP, KETTLE, DELIVERED = "#W8200001", "#W8200002", "#W8200003"


def _item(name: str, product: str, item: str, price: float, colour: str) -> dict[str, Any]:
    return {"name": name, "product_id": product, "item_id": item, "price": price, "options": {"color": colour}}


def _db(delivered_kettle: bool = True) -> dict[str, tau.Database]:
    """Two pending orders (a bath rug with a floor lamp; a kettle) and a third holding a kettle: delivered, or
    pending too."""
    rug, lamp = _item("Bath Rug", "rug", "R1", 30.0, "sand"), _item("Floor Lamp", "lamp", "L1", 90.0, "brass")
    kettle, other = _item("Tea Kettle", "kettle", "K1", 40.0, "red"), _item("Tea Kettle", "kettle", "K2", 40.0, "blue")
    items = (rug, lamp, kettle, other)
    products: dict[str, Any] = {}
    for i in items:
        variant = {"item_id": i["item_id"], "price": i["price"], "options": i["options"], "available": True}
        products.setdefault(i["product_id"], {"variants": {}})["variants"][i["item_id"]] = variant
    place = {"address1": "3 Mill St", "address2": "", "city": "Akron", "state": "OH", "zip": "44308", "country": "USA"}

    def order(order_id: str, status: str, *lines: dict[str, Any]) -> dict[str, Any]:
        paid = {"transaction_type": "payment", "amount": sum(x["price"] for x in lines),
                "payment_method_id": "credit_card_5"}  # fmt: skip
        return {"order_id": order_id, "user_id": "u5", "status": status, "address": place,
                "items": [dict(x) for x in lines], "fulfillments": [], "payment_history": [paid]}  # fmt: skip

    user = {
        "name": {"first_name": "Tove", "last_name": "Lind"},
        "email": "tove.lind@example.com",
        "address": place,
        "orders": [DELIVERED, RUG_AND_LAMP, KETTLE],
        "payment_methods": {"credit_card_5": {"id": "credit_card_5", "source": "credit_card", "last_four": "5151"}},
    }
    orders = {
        RUG_AND_LAMP: order(RUG_AND_LAMP, "pending", rug, lamp),
        KETTLE: order(KETTLE, "pending", kettle),
        DELIVERED: order(DELIVERED, "delivered" if delivered_kettle else "pending", other),
    }
    return {"users": {"u5": user}, "products": products, "orders": orders}


def _cancelled(message: str, db: dict[str, tau.Database] | None = None) -> dict[str, str]:
    task = tau.Task(index=0, user_id="u5", instruction="", actions=(), outputs=())
    _facts, verdict = plugin_of("support").decide(case_of(db or _db(), task, message))
    return {a["args"]["order_id"]: a["args"]["reason"] for a in verdict["actions"] if a["tool"] == "cancel_order"}


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Please cancel every order you still can, I don't need any of them.", "no longer needed"),
        ("I placed all of my orders by mistake, cancel whichever ones you can.", "ordered by mistake"),
        ("All my pending orders were a mistake, please cancel all of them.", "ordered by mistake"),
    ],
)
def test_every_order_the_request_fits_is_cancelled_and_no_other(message: str, reason: str) -> None:
    assert _cancelled(message) == {RUG_AND_LAMP: reason, KETTLE: reason}, message


@pytest.mark.parametrize(
    "message",
    [
        "Cancel the rug order please, I no longer need it.",
        "Could you cancel the order with the bath rug in it? I don't need it anymore.",
    ],
)
def test_an_order_called_by_an_item_it_holds_is_cancelled_whole(message: str) -> None:
    assert _cancelled(message) == {RUG_AND_LAMP: "no longer needed"}, message


def test_an_item_cancelled_out_of_its_order_is_still_no_cancellation_of_the_order() -> None:
    assert _cancelled("Please cancel the bath rug from my order, I no longer need it.") == {}


@pytest.mark.parametrize("delivered_kettle", [True, False])
def test_an_item_two_orders_hold_is_asked_about(delivered_kettle: bool) -> None:
    # which kettle order is the customer's to say (also when one of them could no longer be cancelled: the
    # customer's answer is read with the request, never a guess)
    message = "Cancel the kettle order and the rug order, I ordered both by mistake."
    assert _cancelled(message, _db(delivered_kettle)) == {}
