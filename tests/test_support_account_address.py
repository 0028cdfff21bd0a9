"""Issue #38: the account's default address changed to one the customer calls by where it is ("my Boise
address", "the address on Cedar Lane") or by their newest order, on a small database written here (no benchmark
data); the words asking for the account's address to change never name the address to use."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.evals.benchmarks.tau_retail import emulator as tau
from ai_missions.evals.benchmarks.tau_retail.cases import case_of
from ai_missions.graphs.support.address_reading import places_named, read_addresses
from ai_missions.kernel.eval_plugin import plugin_of

OLDER, NEWER, DELIVERED = "#W8100001", "#W8100002", "#W8100003"


def _place(line1: str, city: str, state: str, zip_code: str) -> dict[str, str]:
    return {"address1": line1, "address2": "", "city": city, "state": state, "zip": zip_code, "country": "USA"}


ACCOUNT = _place("5 Quarry Rd", "Salem", "OR", "97301")
TACOMA = _place("212 Cedar Lane", "Tacoma", "WA", "98402")
BOISE = _place("9 Juniper Way", "Boise", "ID", "83702")
BOISE_TOO = _place("61 Cedar Lane", "Boise", "ID", "83705")


def _db(delivered_to: dict[str, str] = ACCOUNT) -> dict[str, tau.Database]:
    """One customer whose account is in Salem, an older pending order to Tacoma, a newer one to Boise and a
    delivered one."""
    mug = {"name": "Travel Mug", "product_id": "mug", "item_id": "M1", "price": 20.0, "options": {"color": "teal"}}
    rug = {"name": "Bath Rug", "product_id": "rug", "item_id": "R1", "price": 35.0, "options": {"color": "sand"}}
    fan = {"name": "Desk Fan", "product_id": "fan", "item_id": "F1", "price": 45.0, "options": {"size": "small"}}
    products = {
        p["product_id"]: {"variants": {p["item_id"]: {"item_id": p["item_id"], "price": p["price"],
                                                      "options": p["options"], "available": True}}}
        for p in (mug, rug, fan)
    }  # fmt: skip

    def order(order_id: str, status: str, item: dict[str, Any], to: dict[str, str]) -> dict[str, Any]:
        paid = {"transaction_type": "payment", "amount": item["price"], "payment_method_id": "credit_card_3"}
        return {"order_id": order_id, "user_id": "u3", "status": status, "address": to, "items": [dict(item)],
                "fulfillments": [], "payment_history": [paid]}  # fmt: skip

    user = {
        "name": {"first_name": "Ines", "last_name": "Varga"},
        "email": "ines.varga@example.com",
        "address": ACCOUNT,
        "orders": [DELIVERED, OLDER, NEWER],
        "payment_methods": {"credit_card_3": {"id": "credit_card_3", "source": "credit_card", "last_four": "1881"}},
    }
    orders = {
        DELIVERED: order(DELIVERED, "delivered", fan, delivered_to),
        OLDER: order(OLDER, "pending", mug, TACOMA),
        NEWER: order(NEWER, "pending", rug, BOISE),
    }
    return {"users": {"u3": user}, "products": products, "orders": orders}


def _writes(message: str, db: dict[str, tau.Database] | None = None) -> dict[str, dict[str, Any]]:
    task = tau.Task(index=0, user_id="u3", instruction="", actions=(), outputs=())
    _facts, verdict = plugin_of("support").decide(case_of(db or _db(), task, message))
    return {
        a["tool"]: a["args"] for a in verdict["actions"] if a["tool"] not in ("send_ticket_reply", "add_ticket_note")
    }


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
