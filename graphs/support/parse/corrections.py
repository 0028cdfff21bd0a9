"""A correction said in a message puts its new words in place of what it corrects: "cancel the rug order - wait, no,
the kettle order" is read as "cancel the kettle order", "change it to the red one, actually no, the blue one" as
"change it to the blue one". Which words it corrects is read from the words themselves, not from a list of
requests: the thing said last before it with as many words and the same last word ("the rug order"), else the
last one of as many words in the clause just before it. A correction that puts nothing in place ("wait, no, forget
that", "no, not that one") or whose words cannot be placed is left in the text: the request stays corrected, and a
person reads which one stands."""

from __future__ import annotations

import re

from ai_missions.graphs.support.words import WORDS

#: A correction, with any marks between its words ("wait, no", "actually no", "or rather").
_MARK = WORDS.pattern("self_correction", space=r"\W+", flags=re.IGNORECASE)
_DETERMINER = WORDS.pattern("thing_determiner", flags=re.IGNORECASE)
_NEGATOR = re.compile(rf"\b(?:{WORDS.alternation('negators')})\W*$", re.IGNORECASE)
_WORD = re.compile(r"[\w'-]+")
#: Where what a correction says ends, and where a clause begins.
_CLAUSE_END = re.compile(r"[,.;:!?\n()]|\s[-\u2013]\s")
#: The most words a thing put in place has ("the 1l glass kettle one"); the least is two ("the rug").
_MOST_WORDS = 5
#: What is left between a corrected thing and its correction: the marks that led to it ("..., wait").
_TRAILING = " ,-\u2013:;"


def _thing(said: str) -> str | None:
    """The thing a correction's words end with, from a determiner ("I mean the blue one": "the blue one"); None
    when they name none, or deny it ("not that one")."""
    for det in _DETERMINER.finditer(said):
        tail = said[det.start() :].strip()
        if 2 <= len(_WORD.findall(tail)) <= _MOST_WORDS:  # "scratch that": a pronoun, no thing
            return None if _NEGATOR.search(said[: det.start()]) else tail
    return None


def _placed(before: str, thing: str) -> tuple[int, int] | None:
    """Where in ``before`` the thing corrected is: of the things there with as many words (from a determiner, within
    a clause), the last with the same last word, else the last one in the clause just before the correction."""
    count, head = len(_WORD.findall(thing)), _WORD.findall(thing)[-1].lower()
    found: list[tuple[int, int, str]] = []
    for det in _DETERMINER.finditer(before):
        words = list(_WORD.finditer(before, det.start()))[:count]
        end = words[-1].end() if len(words) == count else None
        if end is not None and not _CLAUSE_END.search(before, det.start(), end):
            found.append((det.start(), end, words[-1].group(0).lower()))
    same = [(a, b) for a, b, last in found if last == head]
    if same:
        return same[-1]
    clause = max((m.end() for m in _CLAUSE_END.finditer(before.rstrip(_TRAILING))), default=0)
    last = [(a, b) for a, b, _ in found if a >= clause]
    return last[-1] if last else None


def _first_edit(text: str) -> tuple[tuple[int, int], str, tuple[int, int]] | None:
    """The first correction that can be placed: where its thing goes, the thing, and the words it takes up (from
    its mark to the end of what it says)."""
    for mark in _MARK.finditer(text):
        end = _CLAUSE_END.search(text, mark.end() + 1)
        stop = end.start() if end else len(text)
        # "I mean the blue one": a mark ending in a determiner gives it back to the thing
        last = _WORD.findall(mark.group(0))[-1]
        start = mark.end() - len(last) if _DETERMINER.fullmatch(last) else mark.end()
        thing = _thing(text[start:stop])
        span = _placed(text[: mark.start()], thing) if thing else None
        if thing is not None and span is not None:
            return span, thing, (mark.start(), stop)
    return None


def applied(text: str) -> str:
    """The message with each correction that names a thing put in place of the thing it corrects."""
    while edit := _first_edit(text):
        (start, end), thing, (mark, stop) = edit
        text = text[:start] + thing + text[end:mark].rstrip(_TRAILING) + text[stop:]
    return text
