"""A reason that could be a cancellation's ("I changed my mind", "I don't need the large one anymore") said in the
sentence that asks for an item to be changed is that change's reason: "changed my mind on the kettle, I'd like the
black one" changes the kettle and cancels nothing. Said alone, or with a cancellation's own verb, it still cancels."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.understanding import read_message


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I changed my mind about the colour of the backpack, could I get it in green instead of grey?",
        "on the jacket order - changed my mind on the size, i want the large instead of the medium",
    ],
)
def test_a_reason_said_with_an_item_change_is_the_change_s_reason(text: str) -> None:
    assert read_message(text).intents == ("exchange_variant",)


@pytest.mark.parametrize(
    "text",
    [
        "I changed my mind about the whole thing, I don't want the order any more.",
        "Changed my mind on the blender. Please cancel that order, and switch the mug in my other one to blue.",
    ],
)
def test_the_reason_alone_or_with_a_cancellation_s_verb_still_cancels(text: str) -> None:
    assert "cancel_order" in read_message(text).intents
