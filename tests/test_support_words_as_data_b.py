"""The request reader's module-level patterns read their words from the word lists (words.toml), not from inline
regexes: wordings written here, not taken from the readers' code or comments, and in the lists' other languages,
are read through the public reader the way the lists say (a quoted number, a size asked for, a street written
abroad, a courtesy condition, paying with the verb last, a return, a kept item, an order named by its item)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.graphs.support import words
from ai_missions.graphs.support.parse import understanding
from ai_missions.graphs.support.parse.understanding import (
    asks_to_return,
    items_text,
    read_message,
    wants_or_changes,
    without_kept,
)
from ai_missions.graphs.support.words import WORDS


@pytest.mark.parametrize(
    ("text", "loose"),
    [
        ("Bestellung Nr. 4471 bitte stornieren", ("4471",)),  # de: number_abbreviation
        ("cancel order no 88 for me", ("88",)),
        ("cancel the 4471 one for me", ()),  # a bare short number quotes no order
    ],
)
def test_a_number_abbreviated_after_the_order_word_quotes_it(text: str, loose: tuple[str, ...]) -> None:
    assert read_message(text).loose_refs == loose


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Quisiera la talla M, por favor", ("Medium",)),  # es: size_word
        ("Je voudrais la taille S", ("Small",)),  # fr
        ("Ich hätte gern Grosse XL", ("X-Large",)),  # de
        ("could I have size XS please", ("X-Small",)),
        ("these look small, a large please", ("Large",)),  # size_said_of_item: "look small" is the item had
        ("it runs a bit large, I'd like a medium one", ("Medium",)),  # size_degree
        ("it was way too small", ()),
        ("a small, please", ("Small",)),
    ],
)
def test_a_size_is_read_from_the_size_lists(text: str, options: tuple[str, ...]) -> None:
    assert read_message(text).options == options


def test_every_word_saying_how_the_item_had_is_keeps_the_size_from_being_asked() -> None:
    """Each word of the lists generated into lookbehinds stops a size after it being read as wanted."""
    for word in WORDS.phrases("size_degree", "size_said_of_item"):
        assert read_message(f"sadly {word} large").options == (), word
    assert read_message("sadly, large").options == ("Large",)


@pytest.mark.parametrize(
    ("text", "gives"),
    [
        ("Por favor mándenlo a calle Serrano", True),  # es: street_word_before_name
        ("Livrez plutôt rue Lepic", True),  # fr
        ("Bitte an Gartenstr. 7 liefern", True),  # de: street_word_ending_name
        ("Neue Adresse: Lindenweg 12", True),
        ("Ich war in der Lindenweg-Schule", False),
        ("the street party was fun", False),
    ],
)
def test_a_street_written_the_way_other_countries_write_it_is_an_address(text: str, gives: bool) -> None:
    assert read_message(text).gives_address is gives


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("Please cancel 104471 if you could", None),  # may_i_who, courtesy_modal
        ("Cancel order 104471 if we may", None),
        ("Please cancel 104471 if you could not ship it by Friday", "if you could not ship it by friday"),
        ("cancel 104471 if you can't deliver by Friday", "if you can't deliver by friday"),
    ],
)
def test_someone_may_is_courtesy_unless_negated(text: str, condition: str | None) -> None:
    assert read_message(text).condition == condition


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Ich will die 104471 per Rechnung zahlen", True),  # de: pay_with_first, pay_verb_last
        ("Bestellung 104471: ich möchte per Gutschein bezahlen", True),
        ("Ich möchte nicht mit PayPal zahlen", False),
    ],
)
def test_paying_with_a_method_said_verb_last_is_a_payment_change(text: str, asks: bool) -> None:
    assert ("change_payment" in read_message(text).intents) is asks


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("could you take the heater back", "take the heater back"),  # send_back_particle
        ("we'd like to request a return on the blender", "request a return"),  # return_asked_noun
        ("We'd like to request a return label", None),  # return_asked_not
        ("I did my tax return", None),  # return_named_after
        ("in return I expect a discount", None),
        ("I want to return the mug", "return"),  # return_word
    ],
)
def test_a_return_is_asked_by_the_return_lists(text: str, said: str | None) -> None:
    assert asks_to_return(text.lower()) == said


def test_an_item_kept_or_an_order_named_by_its_item_is_not_what_is_asked() -> None:
    kept = without_kept("the lamp we're keeping, return the speaker")  # keeping_subject + keeping_verb
    assert "lamp" not in kept
    assert "return the speaker" in kept
    named = items_text("please cancel my standing desk purchase")  # order_determiner, item_order_noun
    assert "desk" not in named
    assert "purchase" in named
    assert wants_or_changes("the lamp: from grey to green")  # change_from, send_to
    assert not wants_or_changes("I got it from my aunt")


@pytest.fixture
def with_more_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped words, with "seemed" said of the item had and the Portuguese street word "rua", read by the
    request reader for the test; the shipped words again after it."""
    text = words.PATH.read_text(encoding="utf-8")
    assert "[size_said_of_item]\nen = [" in text
    assert "[street_word_before_name]\n" in text
    extended = tmp_path / "words.toml"
    text = text.replace("[size_said_of_item]\nen = [", '[size_said_of_item]\nen = ["seemed", ', 1)
    text = text.replace("[street_word_before_name]\n", '[street_word_before_name]\npt = ["rua"]\n', 1)
    extended.write_text(text, encoding="utf-8")
    monkeypatch.setattr(words, "WORDS", words.Words(extended))
    importlib.reload(understanding)
    yield
    monkeypatch.undo()
    importlib.reload(understanding)


def test_words_not_in_the_file_are_not_read() -> None:
    assert understanding.read_message("it seemed large").options == ("Large",)
    assert not understanding.read_message("mande para rua Augusta").gives_address


def test_words_added_to_the_file_are_read_with_no_code_changed(with_more_words: None) -> None:
    assert understanding.read_message("it seemed large").options == ()
    assert understanding.read_message("mande para rua Augusta").gives_address
