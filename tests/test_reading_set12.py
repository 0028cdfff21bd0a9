"""Mechanisms written for set 12's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 12"). Our own wordings, never the set's."""

from __future__ import annotations

import pytest

from ai_missions.nodes.reading import Source
from ai_missions.nodes.reading.lexicon import default
from tests.support.reading_checks import stated

NOTE = Source("retail", "N-12", "staff_note")


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
