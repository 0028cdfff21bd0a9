"""What a method is named for, when the difference is said in the phrase before its comma: "For the grill's price
difference, please use my Mastercard" is the difference's method, beside "change the payment to my PayPal". Before,
the Mastercard was read as a second method for the order's payment and the order went to a person. And a method said
as the alternative of one not wanted is not wanted either ("not the gift card or the Visa").

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse import methods
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.guard import check_actions
from tests.test_support_exchange_settle_to import paying_boots


@pytest.mark.parametrize(
    ("said", "scopes"),
    [
        ("For the boots' price difference, please use my Mastercard.", [methods.DIFFERENCE]),
        ("As for any difference, my PayPal is fine.", [methods.DIFFERENCE]),
        # the order's payment named in the method's own clause: the order's, whatever came before
        ("About the difference, put the whole order on my PayPal instead.", [methods.ORDER]),
        # a clause that ends on "and", not on a comma, is a request of its own
        ("There may be a difference and please use my PayPal.", [methods.ORDER]),
    ],
)
def test_a_method_after_a_phrase_about_the_difference_is_the_differences(said: str, scopes: list[str]) -> None:
    assert [m.scope for m in methods.mentions(said)] == scopes


def test_the_order_moves_to_one_method_and_the_difference_goes_to_the_other() -> None:
    said = (
        "For order SO-100001, could you change the payment method to my PayPal? And I'd rather have the boots in a "
        "9, still black leather. For the boots' price difference, please use my Mastercard."
    )
    facts, verdict = decide(paying_boots(said))
    assert verdict["outcome"] == "exchange", verdict
    read = (facts["paymethod.method_id"], facts["modify.method_id"], facts["modify.difference"])
    assert read == ("PM-PP", "PM-MC", 20)
    charge = next(a for a in verdict["actions"] if a["tool"] == "charge_payment")
    assert charge["args"]["payment_method_id"] == "PM-MC"
    assert check_actions(SPEC, verdict["actions"], facts) == []


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        ("Put any difference on my PayPal please, not the gift card or the Visa.", [True, False, False]),
        ("no gift card or paypal please, my visa", [False, False, True]),
        ("not my visa, or rather use my paypal", [False, True]),  # a clause of its own: chosen, not refused
        ("use my visa or my paypal", [True, True]),  # two wanted: which one is asked, never guessed
    ],
)
def test_a_method_said_as_the_alternative_of_one_not_wanted_is_not_wanted(said: str, wanted: list[bool]) -> None:
    assert [m.wanted for m in methods.mentions(said)] == wanted
