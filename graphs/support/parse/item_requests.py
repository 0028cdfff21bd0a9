"""Which items of one order a message returns and which it exchanges, when it asks for both (issue #38).

More in docs/support-parse.md (item_requests.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ai_missions.graphs.support.parse.resolve import lines_named
from ai_missions.graphs.support.parse.understanding import SENTENCE_END, blanked, plain_offsets, request_marks

RETURN, EXCHANGE = "return", "exchange"
Piece = tuple[int, int, str | None]  #: (start, end, request: None when unsure) of the words a request is said of


@dataclass(frozen=True, slots=True)
class Apart:
    """The lines each request is said of, and the text each is read from (the other request's words blanked)."""

    returned: tuple[int, ...]
    exchanged: tuple[int, ...]
    return_text: str
    exchange_text: str
    sure: bool
    #: every item named is under one request, and all of them under the same one: the other asks for none
    one_request: bool = False


def request_pieces(text: str) -> list[Piece]:
    """(start, end, request) of the text's pieces: from each request said to the next in its sentence; the words
    before a sentence's first request are its request's when it asks one kind, ``None`` (unsure) otherwise."""
    plain = plain_offsets(text)
    pieces: list[Piece] = []
    begins = 0
    for end in [m.start() for m in SENTENCE_END.finditer(plain)] + [len(plain)]:
        sentence = plain[begins:end]
        marks = request_marks(sentence)
        kinds = {kind for _, kind in marks}
        if marks:
            lead = next(iter(kinds)) if len(kinds) == 1 else None
            pieces.append((begins, begins + marks[0][0], lead))
            ends = [at for at, _ in marks[1:]] + [len(sentence)]
            pieces += [(begins + at, begins + stop, kind) for (at, kind), stop in zip(marks, ends, strict=True)]
        begins = end
    return pieces


def apart(
    items: str, pieces: Sequence[Piece], lines: Sequence[Mapping[str, object]], options: Mapping[str, str]
) -> Apart:
    """The order's lines what is said of items (``items``) returns and those it exchanges, each piece of it matched
    under its request (``pieces``: :func:`request_pieces`; ``options``: a line's sku -> its variant's option)."""
    said: dict[int, set[str | None]] = {}
    for begins, end, kind in pieces:
        for n in lines_named(items[begins:end], lines, options):
            said.setdefault(n, set()).add(kind)
    returned = tuple(sorted(n for n, kinds in said.items() if kinds == {RETURN}))
    exchanged = tuple(sorted(n for n, kinds in said.items() if kinds == {EXCHANGE}))
    clean = not any(len(k) > 1 or None in k for k in said.values())
    return Apart(
        returned=returned,
        exchanged=exchanged,
        return_text=blanked(items, [(b, e) for b, e, kind in pieces if kind != RETURN]),
        exchange_text=blanked(items, [(b, e) for b, e, kind in pieces if kind != EXCHANGE]),
        sure=bool(returned) and bool(exchanged) and clean,
        one_request=bool(returned) != bool(exchanged) and clean,
    )
