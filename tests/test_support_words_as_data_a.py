"""The support readers' address, order and clause words read from words.toml (not inline in their patterns): each
test reads a wording not taken from the readers' code or comments through a public reader, and a near wording
without the listed word, which is not read so (the word, not the sentence's shape, makes the reading)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.facts import condition_holds
from ai_missions.graphs.support.parse.address_reading import address_asked, read_addresses
from ai_missions.graphs.support.parse.resolve import references, source_references


@pytest.mark.parametrize(
    "message",
    [
        "Meine Bestellung Nr. 88231 ist nie angekommen",  # de: nr.
        "Bonjour, ma commande n° 55213 est toujours en retard",  # fr: n°
        "any news on order num. 77120?",  # en: num.
        "my order id: 60418 still says pending",  # en: id
    ],
)
def test_a_number_after_an_order_number_word_is_quoted_as_an_order(message: str) -> None:
    # order_number_word: quoted, a number the systems do not know is reported as not found, not dropped
    assert [r.quoted for r in references(message)] == [True]


def test_a_number_with_no_order_word_before_it_is_not_quoted() -> None:
    assert [r.quoted for r in references("is 77120 the right one?")] == [False]


@pytest.mark.parametrize(
    ("message", "unit", "city"),
    [
        ("please get it to 88 Birch Road Bldg 7, Portland OR 97201", "Bldg 7", "Portland"),
        ("new address: 14 Alder Lane Rm 210, Eugene OR 97401", "Rm 210", "Eugene"),
    ],
)
def test_a_unit_word_after_the_street_is_read_as_the_unit(message: str, unit: str, city: str) -> None:
    # unit_word: the unit read as line 2, and the city, state and ZIP after it read whole
    (written,) = read_addresses(message).written
    assert (written.line2, written.city, written.missing) == (unit, city, ())


@pytest.mark.parametrize(
    ("message", "refers_to"),
    [
        ("Just use the address in my profile please", "account"),  # on_file_preposition, on_file_place
        ("could you use the address we had previously for it?", "other_order"),  # first_person, _used, used_before
        ("send it to where my earlier parcel went", "other_order"),  # went_where, went_which, went_what, went
        ("ship it to the same as my second order", "other_order"),  # same_as, same_as_order
    ],
)
def test_an_address_on_file_is_pointed_at_in_other_words(message: str, refers_to: str) -> None:
    assert read_addresses(message).refers_to == refers_to


def test_an_order_word_outside_the_list_points_at_no_address() -> None:
    assert read_addresses("ship it to the same as my fifth order").refers_to is None


def test_an_address_for_the_orders_to_come_is_the_accounts() -> None:
    # future_orders: the account's address changes; "my orders" alone says nothing of the account
    assert read_addresses("From now on use this one for my future orders").for_account
    assert not read_addresses("From now on use this one for my orders").for_account
    # account_make_verb, made_address, main_address_kind
    assert read_addresses("and make that the primary, thanks").for_account


def test_an_order_quoted_as_where_the_address_comes_from_is_a_source() -> None:
    # source_pointing, definite_determiner, source_address, source_of
    assert source_references("please ship it to the shipping address used for #W7701234") == ["#W7701234"]
    assert source_references("please send the shipping label for #W7701234") == []


def test_the_words_introducing_an_address_wanted_are_reported() -> None:
    # address_introducer
    asked = address_asked("Hi, for order #W5512345 please use: 40 Cedar Ave, Austin TX 78701")
    assert asked == "use:"


@pytest.mark.parametrize(("total", "holds"), [(150.0, True), (90.0, False)])
def test_a_currency_code_before_the_amount_of_a_condition(total: float, holds: bool) -> None:
    # currency_before_amount (any language): "eur" before the amount is read with it
    assert condition_holds("cancel it if it is more than eur 120", total, []) is holds
