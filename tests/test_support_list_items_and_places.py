"""How customers lay out several requests and the addresses in them. A numbered list run on with semicolons ("(1)
...; (2) ...") is one request per item, each its own sentence; "the order going to Reno" is the order, not a thing
named beside the items of a request; the place an order is to go may be said before its address ("shipped to Reno
instead: 12 Oak Street, ...", "should come to my Reno place instead, 12 Oak Street, ..."), and the address may be
another order's ("the Reno address my kettle order is going to (12 Oak Street, ...)", "same as my kettle order"):
that order is where the address comes from, not what is asked about. Where an order was delivered, said to tell
which it is ("from the order delivered to my Austin address"), asks no address change. The wordings are written
here (none is a benchmark's)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.address_reading import read_addresses
from ai_missions.graphs.support.parse.request import request_of
from ai_missions.graphs.support.parse.resolve import things_unmatched
from ai_missions.graphs.support.parse.understanding import items_text, read_message, without_kept

LINES = [{"line_no": 1, "sku": "a", "description": "Desk Lamp"}, {"line_no": 2, "sku": "b", "description": "Area Rug"}]


def _sentences(body: str) -> tuple[str, ...]:
    return request_of({"messages": [{"direction": "inbound", "body": body}]}).parts.sentences


def test_a_numbered_list_run_on_with_semicolons_is_one_sentence_per_item() -> None:
    body = "hi, in short: (1) cancel the order with the lamp; (2) return the rug from the other one; 3) that's all"
    assert _sentences(body) == (
        "hi, in short: (1) cancel the order with the lamp",
        "(2) return the rug from the other one",
        "3) that's all",
    )


def test_a_semicolon_before_no_list_item_still_joins_its_sentence() -> None:
    assert _sentences("cancel the lamp order; it was a mistake (2 of them)") == (
        "cancel the lamp order; it was a mistake (2 of them)",
    )


@pytest.mark.parametrize(
    "said",
    [
        "the order going to Reno: return the desk lamp and the rug",
        "for the order being shipped to Reno, return the desk lamp and the rug",
    ],
)
def test_an_order_said_by_where_it_goes_is_no_thing_beside_the_items(said: str) -> None:
    assert things_unmatched([said], LINES, {}) == []
    assert things_unmatched(["return the desk lamp and the bike"], LINES, {}) == ["bike"]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Please have it shipped to Reno instead: 12 Oak Street, Reno, NV 89501.", True),
        ("It should come to my Reno place instead, 12 Oak Street, Reno, NV 89501.", True),
        # twins: an address said after no sending asked asks no address change
        ("It was sent to my old place, 12 Oak Street, Reno, NV 89501, and I'd like to return it.", False),
        ("I want to return the lamp, 12 Oak Street, Reno, NV 89501 is where I live.", False),
    ],
)
def test_the_place_said_before_the_address_it_is_to_go_to_asks_an_address_change(text: str, asked: bool) -> None:
    intents = read_message(text).intents
    assert intents == ("change_address",) if asked else "change_address" not in intents


@pytest.mark.parametrize(
    "text",
    [
        "My order with the lamp should go to Reno - 12 Oak Street, Reno, NV 89501. And swap the lamp for the red one.",
        "It's headed to Boise but I'd like it sent to my Reno address instead: 12 Oak Street, Reno, NV 89501. Could "
        "you also switch the lamp to the red one?",
    ],
)
def test_an_address_asked_beside_an_item_change_is_read_with_it(text: str) -> None:
    assert set(read_message(text).intents) == {"change_address", "exchange_variant"}


def test_an_item_change_in_a_clause_of_its_own_beside_an_address_written_is_read() -> None:
    text = (
        "Please send it to my home in Reno instead (12 Oak Street, Reno, NV 89501), and make the kettle the silver "
        "one instead of the white one"
    )
    assert set(read_message(text).intents) == {"change_address", "exchange_variant"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("ship it to the Reno address my kettle/toaster order is going to (12 Oak Street)", "my kettle/toaster order"),
        ("send it to 12 Oak Street, Reno, NV 89501, same as my kettle order.", "my kettle order"),
        ("have it go to the same place as my kettle order", "my kettle order"),
    ],
)
def test_an_order_told_only_as_where_an_address_comes_from_is_not_what_is_asked_about(text: str, kept: str) -> None:
    assert kept not in items_text(text)
    assert kept not in without_kept(text)
    assert "kettle" in without_kept("ship my kettle order to 12 Oak Street, Reno, NV 89501")


def test_another_orders_address_asked_for_this_one_is_the_address_wanted() -> None:
    text = "Please ship it to the Reno address my kettle order is going to (12 Oak Street, Reno, NV 89501)."
    assert [a.evidence for a in read_addresses(text).written] == ["12 Oak Street, Reno, NV 89501"]
    moved = "My kettle order is going to 12 Oak Street, Reno, NV 89501, please send it to 9 Elm St, Boise, ID 83702."
    assert [a.evidence for a in read_addresses(moved).written] == ["9 Elm St, Boise, ID 83702"]


def test_where_an_order_was_delivered_said_to_tell_which_it_is_asks_no_address_change() -> None:
    assert read_message("From the order delivered to my Austin address, I want to return the lamp.").intents == (
        "return_refund",
    )
    assert read_message("I want the order delivered to my Reno address instead.").intents == ("change_address",)


@pytest.mark.parametrize(
    "text",
    [
        "My order with the lamp is going to Boise - I actually need it at home, 12 Oak Street, Reno, NV 89501.",
        "I'd like them at my Reno place: 12 Oak Street, Reno, NV 89501.",
    ],
)
def test_where_the_customer_wants_it_said_before_the_address_asks_an_address_change(text: str) -> None:
    assert "change_address" in read_message(text).intents
    assert (
        "change_address" not in read_message("I bought it at 12 Oak Street, Reno, NV 89501, can I return it?").intents
    )
