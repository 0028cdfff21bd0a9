"""What a customer does not say is never filled in for them: a yes or no feature they say nothing clear of, which
of two different variants of one item they mean. Each is asked, never guessed; what they do say
is done."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.parse.targets import _refund_to, modify_facts
from tests.support.order_record import order_record

FACTS: dict[str, Any] = {"payment.capture_refundables": []}


SPEAKER = order_record(
    [("Portable Speaker", "SP-1")],
    [("SP-1", "speaker", "red 8 hours yes", 50.0), ("SP-2", "speaker", "red 16 hours yes", 60.0),
     ("SP-3", "speaker", "red 16 hours no", 55.0)],
)  # fmt: skip


def test_a_feature_said_to_be_left_out_is_read_as_the_options_no() -> None:
    facts = modify_facts(SPEAKER, [1], "Could I get the 16 hour speaker instead, without the waterproofing?", FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "SP-3"}]


def test_a_feature_said_to_be_unneeded_is_asked_not_kept_as_it_was() -> None:
    """ "it doesn't need to be water resistant" says no value: neither the yes kept nor the no taken; asked."""
    text = "speaker: 16 hours battery pls, it doesn't need to be water resistant"
    facts = modify_facts(SPEAKER, [1], text, FACTS)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


def test_a_yes_or_no_the_customer_says_is_taken() -> None:
    facts = modify_facts(SPEAKER, [1], "Change the speaker to the red 16 hours no one.", FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "SP-3"}]
    facts = modify_facts(SPEAKER, [1], "Change the speaker to the 16 hours one, please.", FACTS)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "SP-2"}]  # nothing said against the feature: kept


KEYBOARDS = order_record(
    [("Mechanical Keyboard", "KB-60"), ("Mechanical Keyboard", "KB-80W")],
    [("KB-60", "kb", "tactile RGB 60%", 90.0), ("KB-80W", "kb", "tactile white 80%", 95.0),
     ("KB-80L", "kb", "linear RGB 80%", 99.0)],
)  # fmt: skip


def test_one_item_said_of_two_different_variants_is_asked_which() -> None:
    text = "I'd like my keyboard swapped for the linear RGB 80% model."
    facts = modify_facts(KEYBOARDS, [1, 2], text, FACTS)
    assert facts["modify.changes"] == []
    assert facts["modify.ambiguous"]


def test_a_refund_goes_where_the_sentence_about_its_items_says() -> None:
    two_ways = "Please take back the desk lamp, refund to my visa. For the kettle, any difference on my gift card."
    assert _refund_to(two_ways, ["Desk Lamp"]) == "original_payment"
    assert _refund_to("Return the lamp, store credit please; the kettle swap can go on my visa.", ["Desk Lamp"]) == (
        "gift_card"
    )
    # both named in the one sentence about the lamp: unknown, a person settles it
    assert _refund_to("Return the lamp with my gift card or my visa, whichever.", ["Desk Lamp"]) is None
    assert _refund_to("Return the lamp, gift card please.", ["Desk Lamp"]) == "gift_card"
