"""A word a request turns on, mistyped by one letter, read as the word: "I want to retrun it" asks for a return,
"cancle my order" for a cancellation, "insted of the blue one" for a change.

The phrases of the intents are matched with one typo already (:func:`understanding._starts`); the readers built on
patterns (what is returned, what is kept, the item change's "instead of") match words as written. So the words that
carry a request (``request_word_spelled``) are put right once, where the thread is taken (:mod:`.request`), and
every reader reads them as written.

Only a word of five letters or more one typo from such a word (a letter added, dropped, changed, or two neighbours
swapped, the first letter kept), with or without an ending of the word, is put right. The word itself, with its
endings ("returns", "cancelled", "exchanging") or as another word's start ("addresses"), stays as written, and so
does a real word one letter from it (``not_typos``: "cancer" is not "cancel"). Nothing else of the message changes."""

from __future__ import annotations

import re

from ai_missions.graphs.support.parse.understanding import NOT_TYPOS, close, inflected
from ai_missions.graphs.support.words import WORDS

#: The words a request turns on, put right when mistyped.
_RIGHT = WORDS.phrases("request_word_spelled")
#: The endings a word may take after a typo in its stem ("retruned", "cancled" is a typo of "canceled").
_ENDINGS = tuple(sorted((e for e in WORDS.phrases("word_ending") if e), key=len, reverse=True))
_WORD = re.compile(r"[A-Za-z]{5,}")


def _as_written(word: str, right: str) -> str:
    """``right`` in the case ``word`` was written in."""
    if word.isupper():
        return right.upper()
    return right.capitalize() if word[:1].isupper() else right


def _put_right(word: str) -> str:
    """The word, or the request word it mistypes (with the ending it was written with)."""
    low = word.lower()
    if low in NOT_TYPOS or any(inflected(low, right) or low.startswith(right) for right in _RIGHT):
        return word  # the word itself, with an ending or as the start of another ("addresses", "refundable")
    for right in _RIGHT:
        if close(low, right):
            return _as_written(word, right)
        for ending in _ENDINGS:
            stem = low[: -len(ending)]
            if low.endswith(ending) and stem not in NOT_TYPOS and close(stem, right):
                return _as_written(word, right + ending)
    return word


def spelled(text: str) -> str:
    """The text with each mistyped request word put right (:func:`_put_right`)."""
    return _WORD.sub(lambda m: _put_right(m.group(0)), text)
