"""The address wanted, said after the one an order goes to now: "it is set to ship to an old Chicago address, could
you change it to ...", "for the one currently going to Los Angeles, please change the shipping address to ...". A
change of where it goes is a request to send it there, and what is changed may take a few words."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.address_reading import read_addresses

ADDRESS = "441 Hillcrest Drive, Suite 386, Austin, TX 78762, USA"


@pytest.mark.parametrize(
    "said",
    [
        f"My order is set to ship to an old Chicago address, could you change it to {ADDRESS} please?",
        f"For the one currently going to Los Angeles, please change the shipping address to {ADDRESS}.",
        f"It still shows my previous address; please update the delivery address to {ADDRESS}.",
    ],
)
def test_the_address_asked_after_the_old_one_is_wanted(said: str) -> None:
    reading = read_addresses(said)
    assert [a.line1 for a in reading.written] == ["441 Hillcrest Drive"]
    assert reading.dropped == ()


def test_the_old_address_alone_is_still_not_wanted() -> None:
    reading = read_addresses(f"My order is still going to {ADDRESS}, which is my old place. Can I return it?")
    assert reading.written == ()
