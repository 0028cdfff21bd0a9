"""Where an order was sent, said as why it is cancelled, is no request to send it elsewhere: "I ordered the lamp to
my sister's address by mistake, please cancel it" asks one thing, a cancellation. An address complaint that comes
with an address to use, or with no cancellation beside it, still asks for the address."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.understanding import read_message


@pytest.mark.parametrize(
    "text",
    [
        "I ordered the desk lamp to my sister's address by mistake. Please cancel that order.",
        "Liam Wu, zip 94120. I ordered a bunch of things to a Dallas address by mistake. Can you cancel that order?",
        "oops - bought the tent and stove to the old Tucson address by mistake, could you cancel it",
    ],
)
def test_an_address_said_as_why_an_order_is_cancelled_asks_only_the_cancellation(text: str) -> None:
    assert read_message(text).intents == ("cancel_order",)


@pytest.mark.parametrize(
    "text",
    [
        "Cancel order #W1234567. My other order went to the wrong address by mistake: send it to 12 Oak Street, "
        "Austin, TX 78701 instead.",
        "My order with the rug has the wrong address by mistake, please fix it.",
    ],
)
def test_an_address_complaint_with_an_address_or_without_a_cancellation_still_asks_for_it(text: str) -> None:
    assert "change_address" in read_message(text).intents
