"""A request made on a condition the systems can settle (a variant's stock, the order's status) is settled against
what gather read: it goes ahead as usual when the condition holds (a reviewer still approves), nothing is done and
the reply says why when it does not, and a person checks every condition not read whole. Orders, products and
wording are invented here, not taken from any set."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse.conditions import settle
from tests.support.support_case import one_order_case

_WRITES = {"cancel_order", "refund_payment", "void_authorization", "open_return", "exchange_order_item"}


def _record(status: str = "pending", walnut: int = 0, oak: int = 4, variants: bool = True) -> dict[str, Any]:
    """Ana's order SO-104471: one Bookshelf in Oak (180.00, paid); the product also comes in Walnut."""
    return {
        "order": {
            "order_id": "SO-104471",
            "customer_id": "C-1",
            "status": status,
            "total": 180.0,
            "ship_to": {},
            "lines": [
                {"line_no": 1, "sku": "BS-OAK", "description": "Bookshelf", "quantity": 1, "unit_price": 180.0,
                 "line_total": 180.0},
            ],
        },
        "payment": {
            "authorizations": [{"authorization_id": "A-7", "status": "captured", "card_last4": "4321"}],
            "captures": [{"capture_id": "CAP-7", "amount": 180.0, "refundable_amount": 180.0}],
            "captured_amount": 180.0,
            "refunded_amount": 0.0,
        },
        "shipments": [],
        "returns": [],
        "variants": [
            {"sku": "BS-OAK", "product_id": "P-BS", "option": "Oak", "available": oak, "unit_price": 180.0},
            {"sku": "BS-WAL", "product_id": "P-BS", "option": "Walnut", "available": walnut, "unit_price": 190.0},
            {"sku": "BS-BLK", "product_id": "P-BS", "option": "Black", "available": 0, "unit_price": 185.0},
        ]
        if variants
        else None,
    }  # fmt: skip


def _decide(message: str, **record: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    case = one_order_case("cond", "TKT-0701", message, _record(**record))
    before = copy.deepcopy(case)
    facts, verdict = decide(case)
    assert case == before
    return facts, verdict, [a["tool"] for a in verdict["actions"]]


@pytest.mark.parametrize(
    "message",
    [
        "if the walnut one is out of stock, cancel the order, I don't need it anymore",
        "If the Walnut bookshelf is sold out please cancel my order, I ordered it by mistake.",
        "Falls die Walnut-Variante ausverkauft ist, bitte die Bestellung stornieren, ich brauche sie nicht mehr.",
        "Si la version noire est en rupture de stock, annulez la commande, je n'en ai plus besoin.",
        "Si el modelo walnut está agotado, quiero cancelar el pedido, ya no lo necesito.",
    ],
)
def test_a_stock_condition_that_holds_lets_the_request_go_ahead(message: str) -> None:
    facts, verdict, tools = _decide(message)
    assert facts["message.condition_holds"] is True, message
    assert facts["condition.about"] == "stock"
    assert facts["condition.value"] == 0
    assert "cancel_order" in facts["ticket.case_types"]
    assert "cancel_order" in tools  # proposed; a reviewer approves it
    assert verdict["outcome"] in ("cancel", "ask_customer")


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("if the walnut one is out of stock, cancel the order, I don't need it anymore", "our systems show: in stock"),
        ("Falls die Walnut-Variante ausverkauft ist, bitte die Bestellung stornieren, ich brauche sie nicht mehr.",
         "unsere Systeme zeigen: auf Lager"),
        ("Si el modelo walnut está agotado, quiero cancelar el pedido, ya no lo necesito.",
         "nuestros sistemas muestran: en stock"),
    ],
)  # fmt: skip
def test_a_stock_condition_that_does_not_hold_changes_nothing_and_says_why(message: str, said: str) -> None:
    facts, verdict, tools = _decide(message, walnut=3)
    assert facts["ticket.case_types"] == ["condition_not_met"]
    assert facts["message.condition_holds"] is False
    assert facts["condition.subject"] == "Bookshelf (Walnut)"
    assert facts["condition.value"] == 3
    assert verdict["outcome"] == "answer"
    assert not set(tools) & _WRITES
    body = verdict["actions"][0]["args"]["body"]
    assert said in body
    assert "cancelled" not in body.lower()
    assert "storniert" not in body.lower()


def test_a_status_condition_is_settled_by_the_orders_status() -> None:
    message = "Please cancel order SO-104471 unless it has already shipped, I ordered it by mistake."
    facts, _verdict, tools = _decide(message)
    assert facts["message.condition_holds"] is True
    assert (facts["condition.about"], facts["condition.value"]) == ("status", "pending")
    assert "cancel_order" in tools
    assert "You made this request on a condition (order SO-104471: not shipped yet)" in facts["reply.text"]
    # said of an order already delivered, a return only if it was delivered: delivered, the return is read as usual
    returning = "return the bookshelf from SO-104471 if it has been delivered"
    facts, _verdict, _tools = _decide(returning, status="delivered")
    assert facts["message.condition_holds"] is True
    assert "return_refund" in facts["ticket.case_types"]


def test_a_status_condition_that_does_not_hold_changes_nothing() -> None:
    message = "Cancel order SO-104471 only if it has not been sent yet, I ordered it by mistake."
    facts, verdict, tools = _decide(message, status="shipped")
    assert facts["ticket.case_types"] == ["condition_not_met"]
    assert verdict["outcome"] == "answer"
    assert not set(tools) & _WRITES
    assert "our systems show: shipped" in facts["reply.text"]


@pytest.mark.parametrize(
    ("message", "record"),
    [
        # a date, a payment, a price comparison: not settled by stock or status
        ("cancel the order unless it ships this week", {}),
        ("only cancel it if it hasn't been paid with the gift card", {}),
        ("if the cheapest one is under $150, cancel the order, I do not need it anymore", {}),
        # a variant the product does not have, an extra word, no variants read from the ERP
        ("if the cherry one is out of stock, cancel the order, I don't need it anymore", {}),
        ("if the walnut one is out of stock by friday, cancel the order, I don't need it anymore", {}),
        ("if the walnut one is out of stock, cancel the order, I don't need it anymore", {"variants": False}),
        # an item's status, not the order's
        ("cancel the order if the bookshelf has shipped, I don't need it anymore", {}),
        # two states said at once; a second condition the reader does not keep
        ("if the walnut one is out of stock and shipped, cancel the order", {}),
        (
            "If the walnut one is out of stock, cancel the order, I ordered it by mistake. If the total is over $100, "
            "refund me.",
            {},
        ),
    ],
)
def test_a_condition_not_read_whole_still_goes_to_a_person(message: str, record: dict[str, Any]) -> None:
    facts, verdict, tools = _decide(message, **record)
    assert facts["ticket.case_types"] == ["conditional_request"], message
    assert facts["message.condition_holds"] is None
    assert verdict["outcome"] == "escalate"
    assert not set(tools) & _WRITES


def test_unless_turns_the_state_round_in_every_language() -> None:
    record = _record(walnut=3)
    for clause in ("unless the walnut one is in stock", "a menos que el walnut este disponible",
                   "a moins que la version walnut soit disponible"):  # fmt: skip
        settled = settle(clause, record)
        assert settled is not None, clause
        assert (settled.wanted, settled.holds) == (False, False), clause
    settled = settle("es sei denn sie wurde schon versandt", _record(status="delivered"))
    assert settled is not None
    assert (settled.state, settled.holds) == ("shipped", False)


@pytest.mark.parametrize(
    ("message", "holds", "subject"),
    [
        ("if the walnut one is under $200, cancel the order, I ordered it by mistake", True, "Bookshelf (Walnut)"),
        ("if the walnut one costs less than 150 dollars, cancel the order, I ordered it by mistake", False,
         "Bookshelf (Walnut)"),
        ("Si le prix de la version walnut est de plus de 150 euros, annulez la commande, je n'en ai plus besoin.",
         True, "Bookshelf (Walnut)"),
        ("if the total is at least 180, cancel it, I ordered it by mistake", True, "SO-104471"),
    ],
)  # fmt: skip
def test_a_price_condition_is_settled_by_the_erps_prices(message: str, holds: bool, subject: str) -> None:
    facts, verdict, tools = _decide(message)
    assert facts["message.condition_holds"] is holds, message
    assert (facts["condition.about"], facts["condition.subject"]) == ("price", subject)
    if holds:
        assert "cancel_order" in tools
    else:
        assert facts["ticket.case_types"] == ["condition_not_met"]
        assert verdict["outcome"] == "answer"
        assert not set(tools) & _WRITES
        assert "our systems show: 190.00" in facts["reply.text"]


def test_the_else_branch_is_the_request_done_when_the_condition_does_not_hold() -> None:
    message = "If my order has been delivered, return the bookshelf, otherwise cancel it, I ordered it by mistake."
    facts, _verdict, tools = _decide(message)  # pending: not delivered, the else-branch
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert (facts["message.condition_holds"], facts["condition.branch"]) == (False, "else")
    assert "cancel_order" in tools
    assert "in case the condition you named (order SO-104471: delivered) did not hold" in facts["reply.text"]
    assert "our systems show: not delivered yet" in facts["reply.text"]
    facts, _verdict, tools = _decide(message, status="delivered")  # delivered: the return alone, never the cancel
    assert facts["ticket.case_types"] == ["return_refund"]
    assert (facts["message.condition_holds"], facts["condition.branch"]) == (True, "then")
    assert "cancel_order" not in tools


@pytest.mark.parametrize(
    "message",
    [
        "if the walnut one is out of stock, cancel the order, I ordered it by mistake. Otherwise please send it to my "
        "address on file",
        "Falls die Walnut-Variante ausverkauft ist, bitte die Bestellung stornieren, ich brauche sie nicht mehr, sonst "
        "schicken Sie sie bitte an meine Adresse im Konto.",
        "Si la version walnut est en rupture de stock, annulez la commande, je n'en ai plus besoin, sinon envoyez-la à "
        "mon adresse enregistrée.",
    ],
)
def test_only_the_branch_the_systems_choose_is_acted_on(message: str) -> None:
    facts, _verdict, tools = _decide(message)  # the walnut one is out of stock: the cancellation alone
    assert facts["ticket.case_types"] == ["cancel_order"], message
    assert facts["condition.branch"] == "then"
    assert "cancel_order" in tools
    facts, _verdict, tools = _decide(message, walnut=3)  # in stock: never the cancellation
    assert "cancel_order" not in facts["ticket.case_types"], message
    assert facts["condition.branch"] == "else"
    assert not {"cancel_order", "refund_payment"} & set(tools)


def test_an_else_branch_after_a_condition_not_read_whole_goes_to_a_person() -> None:
    facts, verdict, tools = _decide("cancel the order if it ships after friday, otherwise change it to the walnut one")
    assert facts["ticket.case_types"] == ["conditional_request"]
    assert verdict["outcome"] == "escalate"
    assert not set(tools) & _WRITES


_METHODS = [
    {"payment_method_id": "PM-CARD", "kind": "card", "brand": "visa", "last4": "4321"},
    {"payment_method_id": "PM-GIFT", "kind": "gift_card", "balance": 50.0},
]


def _decide_paid(message: str, paid_with: str, methods: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The order paid with ``paid_with``, Ana's methods on file as payments lists them."""
    record = _record()
    record["payment"]["payment_method_id"] = paid_with
    case = {**one_order_case("cond", "TKT-0702", message, record), "payment_methods": {"methods": methods}}
    facts, verdict = decide(case)
    return facts, [a["tool"] for a in verdict["actions"]]


@pytest.mark.parametrize(
    "message",
    [
        "only cancel it if it hasn't been paid with the gift card, I ordered it by mistake",
        "Bitte stornieren, falls sie nicht mit der Geschenkkarte bezahlt wurde, ich brauche sie nicht mehr.",
        "Si el pedido no se ha pagado con la tarjeta regalo, quiero cancelar el pedido, ya no lo necesito.",
    ],
)
def test_a_condition_on_the_method_paid_with_is_settled_by_payments(message: str) -> None:
    facts, tools = _decide_paid(message, "PM-CARD", _METHODS)  # paid by card: not with the gift card, it holds
    assert facts["message.condition_holds"] is True, message
    assert facts["condition.about"] == "payment"
    assert "cancel_order" in tools
    facts, tools = _decide_paid(message, "PM-GIFT", _METHODS)  # paid with the gift card: nothing is done
    assert facts["ticket.case_types"] == ["condition_not_met"]
    assert not set(tools) & _WRITES
    # two gift cards on file: which one is meant is not known, a person checks it
    two = [*_METHODS, {"payment_method_id": "PM-GIFT2", "kind": "gift_card", "balance": 10.0}]
    facts, tools = _decide_paid(message, "PM-CARD", two)
    assert facts["ticket.case_types"] == ["conditional_request"]
    assert not set(tools) & _WRITES
