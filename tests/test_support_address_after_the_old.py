"""The address wanted is the one a request to send it introduces after the address it goes to now is said, in the
same clause: "it's going to the old flat - please ship it to my place in town, 48 Birch Road, ..." wants the second.
An address said after the words of the old one is still the old one."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.address_reading import read_addresses


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "my rug order is going to my ex's place (9 Pine Ct) - could you send it to my work address, "
            "48 Birch Road, Suite 2, Austin TX 78701?",
            "48 Birch Road",
        ),
        (
            "The order with the tent is going to a Reno address, please ship it to my parents at 310 Lake Drive, "
            "Boise, ID 83702 instead.",
            "310 Lake Drive",
        ),
    ],
)
def test_the_address_a_send_request_introduces_after_the_old_one_is_wanted(text: str, wanted: str) -> None:
    reading = read_addresses(text)
    assert [a.line1 for a in reading.written] == [wanted]


def test_an_address_said_after_the_old_ones_words_stays_the_old_one() -> None:
    reading = read_addresses("Please ship it to my new place, it is currently going to 12 Elm Street, Reno NV 89501.")
    assert reading.written == ()
