"""An item change's difference said to go to the order's own payment ("to my PayPal" of an order paid with it) is
settled there, not sent to a person (a gift card only with the balance); and the safety that answer opens up:
a line is never changed on a word meant for another item or another line of the same product, and a return's
refund never goes to a gift card when what is read for it names another way to pay too (issue #25).

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.guard import check_actions
from tests.test_support_actions import _boots, case, tools
from tests.test_support_payment_methods import paying

_MONEY = ("charge_payment", "refund_payment")


def _paid_with(built: dict[str, Any], method_id: str, *, gift: float = 150.0) -> dict[str, Any]:
    """The case with the customer's methods on file, the order paid with ``method_id``."""
    built["payment_methods"] = paying("", gift=gift)["payment_methods"]
    built["orders"]["SO-100001"]["payment"]["payment_method_id"] = method_id
    return built


def test_a_difference_said_to_go_to_the_method_the_order_was_paid_with_goes_ahead_on_it() -> None:
    built = _paid_with(_boots("Please change the boots on SO-100001 to size 9 synthetic; difference to my PayPal."),
                       "PM-PP")  # fmt: skip
    facts, verdict = decide(built)
    assert verdict["outcome"] == "exchange"
    assert facts["modify.other_method"] is False
    money = [a for a in verdict["actions"] if a["tool"] in _MONEY]
    assert money
    assert all(not a["args"].get("payment_method_id") for a in money)  # the order's own payment
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_charge_on_the_gift_card_the_order_was_paid_with_needs_its_balance() -> None:
    dearer = "Could the boots on SO-100001 be size 9 black leather instead? Put the difference on my gift card."
    assert decide(_paid_with(_boots(dearer), "PM-GIFT", gift=150.0))[1]["outcome"] == "exchange"
    facts, verdict = decide(_paid_with(_boots(dearer), "PM-GIFT", gift=5.0))
    assert facts["modify.method_covers"] is False
    # payments would refuse the charge: nothing changes, and the reply says why with both sums (not a person's)
    assert facts["modify.method_short"] is True
    assert facts["modify.payment_unresolved"] is False
    assert verdict["outcome"] == "answer"
    assert not {"modify_order_items", *_MONEY} & set(tools(verdict))
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "5.00" in body
    assert f"{facts['modify.difference']:.2f}" in body
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_value_said_without_naming_the_item_is_asked_when_two_items_come_in_it() -> None:
    built = _boots("On SO-100001 I would like it in brown instead.")
    built["orders"]["SO-100001"]["variants"].append(
        {"sku": "SKU-2-BR", "product_id": "P-2", "option": "Brown", "unit_price": 40.0, "available": 4}
    )
    facts, verdict = decide(built)
    assert verdict["outcome"] == "ask_customer"
    assert facts["modify.changes"] == []
    assert not {"modify_order_items", *_MONEY} & set(tools(verdict))


def _two_lamps(message: str) -> dict[str, Any]:
    """SO-100001 holds two desk lamps of one product: a Small Brass one and a Large Chrome one, 50.00 each; brass,
    chrome and copper lamps in stock."""
    built = case(message, status="pending")
    record = built["orders"]["SO-100001"]
    record["order"]["lines"] = [
        {"line_no": n, "sku": sku, "description": "Desk Lamp", "quantity": 1, "unit_price": 50.0, "line_total": 50.0}
        for n, sku in ((1, "L-SB"), (2, "L-LC"))
    ]
    record["variants"] = [
        {"sku": sku, "product_id": "P-LAMP", "option": option, "unit_price": 50.0, "available": 4}
        for sku, option in (("L-SB", "Small Brass"), ("L-LC", "Large Chrome"), ("L-SC", "Small Chrome"),
                            ("L-LB", "Large Brass"), ("L-SK", "Small Copper"))
    ]  # fmt: skip
    return built


def test_one_lamp_of_two_is_asked_which_when_only_the_wanted_options_are_said() -> None:
    # "small chrome" only says what is wanted: which lamp they have is not said, neither is changed
    _facts, verdict = decide(_two_lamps("Please change the desk lamp on SO-100001 to the small chrome one."))
    assert verdict["outcome"] == "ask_customer"
    assert "modify_order_items" not in tools(verdict)


def test_of_two_lamps_the_one_already_as_wanted_is_not_the_one_changed() -> None:
    # "large chrome" is what one of the two lamps is already: the other is the one to change (read back first)
    facts, _verdict = decide(_two_lamps("Please change the desk lamp on SO-100001 to the large chrome one."))
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "L-LC"}]


def test_a_lamp_told_apart_by_what_it_is_now_changes_alone() -> None:
    facts, verdict = decide(_two_lamps("On SO-100001, the small brass desk lamp should be copper instead."))
    assert verdict["outcome"] == "exchange"
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "L-SK"}]


def test_a_return_naming_a_gift_card_and_a_card_does_not_guess_where_the_refund_goes() -> None:
    said = "I want to return the items of SO-100001, refund to my visa card, and the rest to my gift card."
    facts, verdict = decide(case(said))
    assert facts["return.refund_to"] is None
    assert not any(a["tool"] == "open_return" and a["args"].get("refund_to") == "gift_card"
                   for a in verdict["actions"])  # fmt: skip
    assert (
        decide(case("Please return the items of SO-100001, refund to my gift card."))[0]["return.refund_to"]
        == "gift_card"
    )
