"""The support readers' words are data (``graphs/support/words.toml``): a wording added to the file is read, with no
code changed, and one not in it is not."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.graphs.support import words
from ai_missions.graphs.support.parse import methods


@pytest.fixture
def with_gift_card_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped words, with one more language's gift card word ("cadeaubon", Dutch), read by the payment
    methods reader for the test; the shipped words again after it."""
    text = words.PATH.read_text(encoding="utf-8")
    assert "[gift_card]\n" in text
    extended = tmp_path / "words.toml"
    extended.write_text(text.replace("[gift_card]\n", '[gift_card]\nnl = ["cadeaubon"]\n', 1), encoding="utf-8")
    monkeypatch.setattr(words, "WORDS", words.Words(extended))
    importlib.reload(methods)
    yield
    monkeypatch.undo()
    importlib.reload(methods)


def _kinds(text: str) -> list[str]:
    return [m.kind for m in methods.mentions(text) if m.wanted]


def test_a_gift_card_word_not_in_the_file_is_not_read() -> None:
    assert _kinds("please put the difference on my cadeaubon") == []
    assert _kinds("please put the difference on my gift card") == ["gift_card"]


def test_a_gift_card_word_added_to_the_file_is_read_as_the_gift_card(with_gift_card_word: None) -> None:
    assert words.WORDS.phrases("gift_card", languages=("nl",)) == ("cadeaubon",)
    assert _kinds("please put the difference on my cadeaubon") == ["gift_card"]
    assert _kinds("not my cadeaubon, my paypal please") == ["paypal"]


def test_a_list_reads_its_phrases_as_whole_words_the_longest_first() -> None:
    pattern = words.WORDS.pattern("card")
    assert pattern.search("pay by credit card")[0] == "credit card"  # type: ignore[index]
    assert pattern.search("a cardboard box") is None
    assert words.WORDS.table("card_brands")["master card"] == "mastercard"
