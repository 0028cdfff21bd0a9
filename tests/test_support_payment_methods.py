"""The support mission pays an unshipped order with another of the customer's methods on file (SUP-013) and settles
an item change's difference on a method they choose (SUP-012/SUP-007): which method a message names is read
against the methods payments lists, exactly one or asked, a negated one never chosen; the guard refuses any other
method, a gift card without the balance, a shipped order."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse import methods
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.replies import promises
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.api import read_back
from ai_missions.nodes.guard import check_action, check_actions
from tests.test_support_actions import _boots, case, tools

ON_FILE = [
    {"payment_method_id": "PM-VISA", "kind": "card", "brand": "visa", "last4": "4321", "balance": None},
    {"payment_method_id": "PM-MC", "kind": "card", "brand": "mastercard", "last4": "8765", "balance": None},
    {"payment_method_id": "PM-PP", "kind": "paypal", "brand": None, "last4": None, "balance": None},
    {"payment_method_id": "PM-GIFT", "kind": "gift_card", "brand": None, "last4": "0042", "balance": 150.0},
]


def paying(message: str, *, status: str = "pending", gift: float = 150.0, **kwargs: Any) -> dict[str, Any]:
    """The shared case (SO-100001, 100.00, paid with the visa ending 4321) with the customer's methods on file."""
    built = case(message, status=status, **kwargs)
    on_file = [dict(m, balance=gift) if m["kind"] == "gift_card" else dict(m) for m in ON_FILE]
    built["payment_methods"] = {"customer_id": "C-1", "methods": on_file}
    built["orders"]["SO-100001"]["payment"]["payment_method_id"] = "PM-VISA"
    return built


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("could the order go on my paypal account please", "PM-PP"),
        ("charge it to my gift card, not my visa", "PM-GIFT"),
        ("I'd rather use the Mastercard", "PM-MC"),
        ("use the card that ends with 8765", "PM-MC"),
        ("put it on the other card", "PM-MC"),
        ("quiero pagarlo con la tarjeta regalo", "PM-GIFT"),
        ("je préfère payer avec ma carte cadeau", "PM-GIFT"),
        ("bitte mit PayPal bezahlen", "PM-PP"),
        ("not the gift card, PayPal is fine", "PM-PP"),
    ],
)
def test_the_method_a_customer_names_is_the_one_on_file_that_fits(said: str, expected: str) -> None:
    assert methods.chosen(methods.mentions(said), ON_FILE, "PM-VISA") == (expected, True)


@pytest.mark.parametrize(
    "said",
    [
        "can I pay another way?",  # nothing named
        "pay with a card",  # two cards fit besides the visa: the mastercard... and none is said
        "use my amex",  # no amex on file
        "not my gift card",  # only what is not wanted
        "the card ending in 9999",  # digits of no card on file
    ],
)
def test_a_method_named_by_none_or_several_on_file_is_never_guessed(said: str) -> None:
    on_file = [*ON_FILE, {"payment_method_id": "PM-MC2", "kind": "card", "brand": "mastercard", "last4": "1111"}]
    assert methods.chosen(methods.mentions(said), on_file, "PM-VISA")[0] is None


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("Would it be ok to pay for order 104471 using PayPal rather than my card?", True),
        ("Kindly switch my payment on the order to the mastercard.", True),
        ("Me gustaría pagarla con PayPal, por favor.", True),
        ("Können wir die Bestellung per Geschenkkarte zahlen?", True),
        ("Can I pay with PayPal?", False),  # how one may pay, in general: a question
        ("I paid with my visa and was charged twice.", False),
        ("I'll pay the difference with my gift card.", False),  # an item change's difference, not the payment
        ("I don't want to pay with my gift card.", False),
        # in a sentence changing an item, the method pays that change, unless its clause says the order
        ("Order 104471: swap the lamp for the brass one, pay with my PayPal.", False),
        ("For 104471 I want the headphones in white instead of black - pay with mastercard", False),
        ("Swap the lamp for the brass one, and pay for the order with PayPal.", True),
        ("Swap the lamp for the brass one, and I'll pay with PayPal instead of my card.", True),
        ("Swap the lamp for the brass one. Also I want to pay for order 104471 with PayPal.", True),
    ],
)
def test_a_request_to_pay_another_way_is_read_in_other_words_and_a_general_question_is_not_one(
    message: str, asks: bool
) -> None:
    assert ("change_payment" in read_message(message).intents) is asks


def test_an_unshipped_orders_payment_moves_to_the_gift_card_the_customer_names() -> None:
    facts, verdict = decide(paying("Please pay for order SO-100001 with my gift card instead of my visa."))
    assert verdict["outcome"] == "change_payment"
    change = verdict["actions"][0]
    assert change["tool"] == "change_order_payment"
    assert change["args"] == {"order_id": "SO-100001", "payment_method_id": "PM-GIFT", "amount": 100.0}
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "now paid with your gift card (100.00)" in body
    assert promises(body, "SO-100001") == {"change_order_payment"}
    assert check_action(SPEC, change, facts) == []
    for wrong in ({"payment_method_id": "PM-PP"}, {"payment_method_id": "PM-SOMEONE"}, {"amount": 60.0}):
        assert check_action(SPEC, {**change, "args": {**change["args"], **wrong}}, facts)


def test_a_gift_card_short_of_the_payment_or_no_method_named_is_asked_listing_the_methods() -> None:
    _facts, short = decide(paying("Please pay for order SO-100001 with my gift card instead.", gift=40.0))
    assert short["outcome"] == "ask_customer"
    assert "change_order_payment" not in tools(short)
    body = short["actions"][0]["args"]["body"]
    assert "Your gift card has 40.00, less than the 100.00" in body
    assert "your Mastercard card (last digits 8765)" in body
    assert "PayPal" in body
    assert "gift card (balance" not in body  # a gift card that cannot pay is not offered
    _facts, which = decide(paying("I want to change the payment method on order SO-100001."))
    assert which["outcome"] == "ask_customer"
    assert "your gift card (balance 150.00)" in which["actions"][0]["args"]["body"]
    _facts, spanish = decide(paying("Quiero cambiar la forma de pago del pedido SO-100001."))
    assert "tarjeta Mastercard terminada en 8765" in spanish["actions"][0]["args"]["body"]


def test_a_shipped_order_keeps_its_payment_and_unknown_methods_go_to_a_person() -> None:
    facts, shipped = decide(paying("Please pay order SO-100001 with PayPal instead.", status="shipped"))
    assert shipped["outcome"] == "answer"
    assert "can no longer be changed" in shipped["actions"][0]["args"]["body"]
    change = {"tool": "change_order_payment", "args": {"order_id": "SO-100001", "payment_method_id": "PM-PP",
              "amount": 100.0}, "policy_ids": ["SUP-013"]}  # fmt: skip
    assert any("not yet shipped" in p for p in check_action(SPEC, change, facts))
    unknown = paying("Please pay order SO-100001 with PayPal instead.")
    del unknown["payment_methods"]
    assert decide(unknown)[1]["outcome"] == "escalate"


def _boots_paying(message: str, *, gift: float = 150.0, status: str = "pending") -> dict[str, Any]:
    built = _boots(message, status=status)
    built["payment_methods"] = copy.deepcopy(paying("", gift=gift)["payment_methods"])
    built["orders"]["SO-100001"]["payment"]["payment_method_id"] = "PM-VISA"
    return built


def test_items_change_after_the_payment_moves_and_their_difference_goes_to_the_new_method() -> None:
    facts, verdict = decide(
        _boots_paying("On SO-100001 please pay with PayPal instead, and change the boots to size 9 synthetic.")
    )
    assert verdict["outcome"] == "exchange"
    assert tools(verdict)[:2] == ["change_order_payment", "modify_order_items"]  # the payment first
    assert SPEC.tools.depends("modify_order_items", "change_order_payment")  # never changed if the move is refused
    money = [a for a in verdict["actions"] if a["tool"] in ("charge_payment", "refund_payment")]
    assert [a["args"].get("payment_method_id") for a in money] == ["PM-PP"] * len(money)
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_difference_goes_to_the_gift_card_named_only_with_the_balance_else_to_a_person() -> None:
    swap = "Could the boots on SO-100001 be size 9 synthetic instead? Put the difference on my gift card."
    facts, verdict = decide(_boots_paying(swap))
    assert verdict["outcome"] == "exchange"
    assert "change_order_payment" not in tools(verdict)
    at = next(n for n, a in enumerate(verdict["actions"]) if a["tool"] in ("charge_payment", "refund_payment"))
    money, earlier = verdict["actions"][at], verdict["actions"][:at]
    assert money["args"]["payment_method_id"] == "PM-GIFT"
    assert check_actions(SPEC, verdict["actions"], facts) == []
    other = {**money, "args": {**money["args"], "payment_method_id": "PM-PP"}}
    assert any("only to the method" in p for p in check_action(SPEC, other, facts, earlier=earlier))
    if money["tool"] == "charge_payment":  # a dearer variant: a gift card short of it goes to a person
        assert decide(_boots_paying(swap, gift=1.0))[1]["outcome"] == "escalate"


def test_a_method_said_beside_an_item_change_pays_the_change_and_the_order_keeps_its_payment() -> None:
    facts, verdict = decide(_boots_paying("SO-100001: change the boots to size 9 synthetic, pay with my PayPal."))
    assert verdict["outcome"] == "exchange"
    assert "change_order_payment" not in tools(verdict)
    money = [a for a in verdict["actions"] if a["tool"] in ("charge_payment", "refund_payment")]
    assert money
    assert [a["args"].get("payment_method_id") for a in money] == ["PM-PP"] * len(money)
    assert check_actions(SPEC, verdict["actions"], facts) == []
    moved = decide(_boots_paying("SO-100001: change the boots to size 9 synthetic, and pay for the order with PayPal."))
    assert tools(moved[1])[:2] == ["change_order_payment", "modify_order_items"]  # the twin: the order's payment


def test_a_settled_payment_waits_with_the_plan_while_the_variant_of_an_item_changed_with_it_is_asked() -> None:
    facts, verdict = decide(
        _boots_paying("On SO-100001 please pay with PayPal instead, and switch the boots to a different size.")
    )
    assert facts["modify.ambiguous"] is True
    assert verdict["outcome"] == "ask_customer"
    assert tools(verdict)[0] == "change_order_payment"  # the plan's payment does not depend on the variant
    assert "modify_order_items" not in tools(verdict)
    assert check_actions(SPEC, verdict["actions"], facts) == []
    held = read_back(SPEC, verdict, facts)  # type: ignore[arg-type]
    assert "change_order_payment" not in tools(held)  # nothing is written while the question is open
    body = next(a["args"]["body"] for a in held["actions"] if a["tool"] == "send_ticket_reply")
    assert "now paid with" not in body  # the reply asks, and announces nothing
    assert "Which one would you like?" in body


@pytest.mark.parametrize(
    ("said", "scopes"),
    [
        ("I'd like my order paid by gift card, and the lamp in red", ["order"]),
        ("swap the lamp for the red one; whatever difference there is goes on my gift card", ["difference"]),
        ("use paypal for the order, but put any difference on the mastercard", ["order", "difference"]),
        ("switch the payment to PayPal please", ["order"]),
    ],
)
def test_a_method_is_read_for_the_orders_payment_or_for_a_price_difference_by_its_clause(
    said: str, scopes: list[str]
) -> None:
    assert [m.scope for m in methods.mentions(said)] == scopes


def _only_gift(message: str, *, gift: float) -> dict[str, Any]:
    """The boots order paid with the visa, the customer's only other method a gift card."""
    built = _boots_paying(message, gift=gift)
    built["payment_methods"]["methods"] = [
        m for m in built["payment_methods"]["methods"] if m["payment_method_id"] in ("PM-VISA", "PM-GIFT")
    ]
    return built


def test_a_gift_card_short_of_the_order_with_no_other_method_keeps_the_payment_without_asking() -> None:
    facts, verdict = decide(_only_gift("Please pay for order SO-100001 with my gift card instead.", gift=30.0))
    assert facts["paymethod.stays"] is True
    assert verdict["outcome"] == "answer"
    assert "change_order_payment" not in tools(verdict)
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "Your gift card has 30.00, less than the 140.00" in body
    assert "stays paid as it is, with your Visa card (last digits 4321)" in body
    assert "no other payment method" not in body  # the visa is one: what the reply says is what billing holds


def test_with_an_item_change_the_difference_goes_to_a_method_said_for_it_else_which_one_is_asked() -> None:
    asked = "On SO-100001 I want to pay with my gift card instead, and change the boots to size 9 synthetic."
    facts, verdict = decide(_only_gift(asked, gift=30.0))
    assert facts["modify.method_asked"] is True  # the gift card was named for the order, not for the difference
    assert verdict["outcome"] == "ask_customer"
    assert not {"change_order_payment", "modify_order_items", "refund_payment"} & set(tools(verdict))
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "cost 20.00 less: should the difference go to your Visa card (last digits 4321) or your gift card" in body
    said = asked + " The difference can go on my gift card."
    facts, verdict = decide(_only_gift(said, gift=30.0))
    assert verdict["outcome"] == "exchange"
    assert "change_order_payment" not in tools(verdict)
    refund = next(a for a in verdict["actions"] if a["tool"] == "refund_payment")
    assert refund["args"]["payment_method_id"] == "PM-GIFT"
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_kind_said_for_the_difference_that_fits_several_methods_is_asked_which_once() -> None:
    """ "Any difference on my credit card" of a customer with a Visa and a Mastercard on file: which card is asked,
    with the methods that could take it, and nothing is written; the answer naming one settles it."""
    asked = "On SO-100001 please change the boots to size 9 synthetic, and put any difference on my credit card."
    facts, verdict = decide(_boots_paying(asked))
    assert facts["modify.method_asked"] is True
    assert verdict["outcome"] == "ask_customer"
    assert not {"modify_order_items", "refund_payment", "charge_payment"} & set(tools(verdict))
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "Visa card (last digits 4321)" in body
    assert "Mastercard card (last digits 8765)" in body
    answered = _boots_paying(asked)
    at = answered["ticket"]["messages"][-1]["sent_at"]
    answered["ticket"]["messages"] += [
        {"direction": "outbound", "body": body, "sent_at": at},
        {"direction": "inbound", "body": "The Mastercard, please.", "sent_at": at},
    ]
    facts, verdict = decide(answered)
    assert facts["modify.method_asked"] is False
    refund = next(a for a in verdict["actions"] if a["tool"] == "refund_payment")
    assert refund["args"]["payment_method_id"] == "PM-MC"
