"""A method the customer says they paid with, and another named after it in the same sentence: the other one is
wanted ("I paid with PayPal, but I'd prefer the refund to go to my gift card"). Before, both were read as wanted, the
return's refund method was unknown and the return went to a person with no reason a person could use.

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse import methods
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.guard import check_actions
from tests.test_support_actions import _boots
from tests.test_support_payment_methods import paying


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        ("I paid with PayPal, but I'd prefer the refund go to my gift card.", [False, True]),
        ("we paid for it with the visa - could the money come back on my gift card instead?", [False, True]),
        ("I bought it using my gift card and want the rest charged to PayPal", [False, True]),
        # nothing else named after it: the method paid with is still the one meant ("put it back there")
        ("I paid with PayPal, please put it back there.", [True]),
        # said apart, in sentences of their own: not read as one replacing the other
        ("I paid for it with my visa. Refund to my gift card.", [True, True]),
        # a wish, not what was paid: "I want it charged to PayPal" names no one who paid
        ("I want it charged to my PayPal, not the visa.", [True, False]),
    ],
)
def test_a_method_paid_with_is_not_wanted_when_another_is_named_after_it(said: str, wanted: list[bool]) -> None:
    assert [m.wanted for m in methods.mentions(said)] == wanted


def test_a_return_refunded_to_the_gift_card_named_after_the_method_paid_with() -> None:
    message = (
        "I'd like to return the hiking boots and the desk lamp from SO-100001. I paid with my visa, but I'd prefer "
        "the refund go to my gift card. Is that possible?"
    )
    built = _boots(message, status="delivered")
    built["payment_methods"] = paying("")["payment_methods"]
    facts, verdict = decide(built)
    assert verdict["outcome"] == "return", verdict
    opened = next(a for a in verdict["actions"] if a["tool"] == "open_return")
    assert opened["args"]["refund_to"] == "gift_card"
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_return_whose_refund_method_is_left_open_goes_to_a_person_who_is_told_why() -> None:
    """A gift card and a card both wanted, in a sentence that names no item: where the refund goes is not guessed.
    Before, SUP-004's return clause fired anyway and the run escalated on arguments it could not fill."""
    built = _boots(
        "I'd like to return the hiking boots from SO-100001. A refund to my gift card or to my visa, whichever is "
        "easier for you.",
        status="delivered",
    )
    built["payment_methods"] = paying("")["payment_methods"]
    facts, verdict = decide(built)
    assert facts["return.refund_to"] is None
    assert verdict["outcome"] == "escalate"
    assert "where the refund goes" in verdict["summary"]
    assert verdict["actions"] == []
