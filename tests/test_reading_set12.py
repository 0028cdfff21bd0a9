"""Mechanisms written for set 12's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 12"). Our own wordings, never the set's."""

from __future__ import annotations

import pytest

from ai_missions.nodes.reading import Source
from ai_missions.nodes.reading.lexicon import default
from ai_missions.nodes.reading.offline import bank_method
from tests.support.reading_checks import stated

NOTE = Source("retail", "N-12", "staff_note")
CUSTOMER = Source("helpdesk", "T-12", "customer_message")


@pytest.mark.parametrize("word", ["gratuita", "boutiques", "pasar", "commerciales"])
def test_an_ending_added_or_left_off_is_no_typo(word: str) -> None:
    """A plural, a gender or an infinitive of a lexicon word is another form of it, kept as written: "gratuita" is
    not "gratuit" misspelt, "pasar" not "pasare"."""
    assert default().correct(word) == word


@pytest.mark.parametrize(("typo", "meant"), [("cancle", "cancel"), ("refnd", "refund")])
def test_a_typo_is_still_corrected(typo: str, meant: str) -> None:
    assert default().correct(typo).startswith(meant)


def test_what_held_at_first_is_taken_back_with_the_words_that_follow() -> None:
    """ "First refused ..., then ...": the writer marks the refusal as what held first; the fact keeps the words that
    came after it."""
    fact = stated("Buyer first refused the substitute sofa, but now he is happy with it.", "delivery_refused", NOTE)
    assert fact is not None
    assert fact.polarity == "negated", fact
    assert "happy with it" in fact.evidence.words


def test_a_first_time_followed_by_nothing_stands() -> None:
    fact = stated("Buyer refused the substitute sofa at first sight.", "delivery_refused", NOTE)
    assert fact is not None
    assert fact.polarity == "affirmed", fact


def test_a_method_is_read_in_its_own_sentence() -> None:
    """A denial in the next sentence ("No discrepancies.") denies nothing of the channel named before it."""
    text = "New IBAN checked with the vendor via the number on file. No discrepancies found."
    assert bank_method(text) == "call_back"


def test_a_bare_figure_beside_the_extra_in_the_statement_before_is_the_amount() -> None:
    fact = stated("please add the stand too, that's another 30 right? ok charge it", "upcharge_agreed", CUSTOMER)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    assert fact.value == 30.0
