"""Issue #38: the account's default address changed to one the customer calls by where it is ("my Boise
address", "the address on Cedar Lane") or by their newest order, on a small database written here (no benchmark
data); the words asking for the account's address to change never name the address to use."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import case_of
from ai_missions.graphs.support.parse.address_reading import places_named, read_addresses
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.split import split_request
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place, writes

OLDER, NEWER, DELIVERED = "#W8100001", "#W8100002", "#W8100003"

ACCOUNT = place("5 Quarry Rd", "Salem", "OR", "97301")
TACOMA = place("212 Cedar Lane", "Tacoma", "WA", "98402")
BOISE = place("9 Juniper Way", "Boise", "ID", "83702")
BOISE_TOO = place("61 Cedar Lane", "Boise", "ID", "83705")


def _db(delivered_to: dict[str, str] = ACCOUNT) -> dict[str, Any]:
    """One customer whose account is in Salem, an older pending order to Tacoma, a newer one to Boise and a
    delivered one."""
    mug = item("Travel Mug", "mug", "M1", 20.0, color="teal")
    rug = item("Bath Rug", "rug", "R1", 35.0, color="sand")
    fan = item("Desk Fan", "fan", "F1", 45.0, size="small")
    orders = {
        DELIVERED: order(DELIVERED, "u3", "delivered", delivered_to, [fan], "credit_card_3"),
        OLDER: order(OLDER, "u3", "pending", TACOMA, [mug], "credit_card_3"),
        NEWER: order(NEWER, "u3", "pending", BOISE, [rug], "credit_card_3"),
    }
    user = customer("Ines Varga", ACCOUNT, [DELIVERED, OLDER, NEWER], card("credit_card_3", "1881"))
    return {"users": {"u3": user}, "products": catalogue([mug, rug, fan]), "orders": orders}


def _writes(message: str, db: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    return writes(decide(db or _db(), "u3", message)[1])


@pytest.mark.parametrize(
    ("message", "city"),
    [
        ("Please switch the address on my profile to my Tacoma address.", "Tacoma"),
        ("Could you make my Boise place my default address?", "Boise"),
        ("Update the default address on my account to the address on Cedar Lane.", "Tacoma"),
        ("I'd like my account address to be the same as my latest order.", "Boise"),
    ],
)
def test_the_account_address_becomes_the_one_on_file_the_customer_names(message: str, city: str) -> None:
    writes = _writes(message)
    assert set(writes) == {"update_customer_address"}, message
    assert writes["update_customer_address"]["address"]["city"] == city, message


def test_an_order_and_the_account_both_move_to_the_place_named() -> None:
    writes = _writes("Ship my travel mug order to my Boise address, and make that my default address from now on.")
    assert writes["change_ship_to"]["order_id"] == OLDER
    assert writes["change_ship_to"]["ship_to"]["city"] == "Boise"
    assert writes["update_customer_address"]["address"]["city"] == "Boise"


@pytest.mark.parametrize(
    "message",
    [
        # the account's address is what changes, and no message names the one to use: never the account's own
        "I have moved. Please update my default address and send the bath rug order there too.",
        "Change my default address to the one on the travel mug order.",
        # a place said as not wanted, or one with nothing on file there
        "Please update my profile address, but not to my Tacoma address.",
        "Set my account address to my Portland address please.",
    ],
)
def test_nothing_is_written_when_the_address_to_use_is_not_one_on_file_named(message: str) -> None:
    assert _writes(message) == {}, message


def test_two_places_on_file_fitting_the_words_are_asked_about_never_picked() -> None:
    db = _db(delivered_to=BOISE_TOO)
    assert _writes("Please change my profile address to my Boise address.", db) == {}
    assert (
        _writes("Please change my profile address to my Juniper Way address.", db)["update_customer_address"][
            "address"
        ]["line1"]
        == "9 Juniper Way"
    )


def test_the_words_that_call_a_place_are_matched_against_what_the_systems_hold() -> None:
    reading = read_addresses("Make my default address my Juniper Way home, not my Tacoma flat.")
    held = [
        {"line1": "9 Juniper Way", "city": "Boise", "region": "ID", "postal_code": "83702", "country": "US"},
        {"line1": "212 Cedar Lane", "city": "Tacoma", "region": "WA", "postal_code": "98402", "country": "US"},
    ]
    assert [a["city"] for a in places_named(held, *reading.places)] == ["Boise"]
    # "my new place" or "the shipping address" say nothing of where: no candidate words at all
    assert read_addresses("Update my profile address to my new place.").places == ()
    assert read_addresses("Use the shipping address for my account").places == ()


@pytest.mark.parametrize(
    "message",
    [
        "I have a travel mug coming and a bath rug too, please send that one to my Salem address.",
        "Change the travel mug to red on one order and the bath rug on the other, plus ship that one to my Salem "
        "address.",
        "First the travel mug, then the bath rug; this order has to go to my Salem address.",
    ],
)
def test_an_address_said_of_that_one_is_never_given_to_every_order_the_sentence_names(message: str) -> None:
    case = case_of(_db(), tau.Task(index=0, user_id="u3", instruction="", actions=(), outputs=()), message)
    parts = (
        split_request(SupportRequest(message, read_message(message), (message,)), case["orders"], case["recent_orders"])
        or []
    )
    assert not [p for p in parts if p.order_id == OLDER and "change_address" in p.intents], message
