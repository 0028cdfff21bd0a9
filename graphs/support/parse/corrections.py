"""A correction said in a message puts its new words in place of what it corrects: "cancel the rug order - wait, no,
the kettle order" is read as "cancel the kettle order", "change it to the red one, actually no, the blue one" as
"change it to the blue one", "return the camera and the chair - oops, not the chair, I meant the shoes" as "return
the camera and the shoes".

A correction is read as a statement with three parts, each from its own words:

- **its marks:** the words around it that belong to neither thing ("wait, no", "oops, sorry", "I meant"), with any
  denial of the old thing ("not the chair", "not Houston");
- **the new thing:** what follows the marks;
- **the old thing:** the one the denial names (by its words, among what was said before), else the one said just
  before the marks that opens as the new thing does ("the one going to Houston" for "the one with the hose"), else
  the last one said with as many words and the same last word, else the last of as many words in the clause before
  it.

A take-back followed by a statement of its own, or by nothing, takes back the clause said before its marks and puts
nothing in place: "cancel the laptop order too - wait, no, scratch that, my roommate wants it" asks no cancellation
of the laptop order, "I was going to cancel the bookshelf one too, but actually no, I'll keep it" none of the
bookshelf. A correction that takes back before a thing ("no, not that one, the red one") or whose old thing cannot be
placed is left in the text: the request stays corrected, and a person reads which one stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ai_missions.graphs.support.parse.understanding import HOLDING, SENTENCE_END
from ai_missions.graphs.support.words import WORDS

#: A correction, with any marks between its words ("wait, no", "actually no", "or rather").
_MARK = WORDS.pattern("self_correction", "take_back", space=r"\W+", flags=re.IGNORECASE)
#: Words that take back without putting anything in place ("forget that", "not that one").
_TAKE_BACK = WORDS.pattern("take_back", space=r"\W+", flags=re.IGNORECASE)
#: Words of a correction that belong to neither thing ("oops", "sorry", "wait", "no", "I meant").
_FILLER_WORDS = WORDS.alternation("correction_opening", "correction_filler", space=r"\W+")
_FILLER = re.compile(rf"(?:[\W_]*\b(?:{_FILLER_WORDS})\b)*[\W_]*", re.IGNORECASE)
_DETERMINER = WORDS.pattern("thing_determiner", flags=re.IGNORECASE)
#: Where a list of things breaks into its things ("the camera and the chair").
_LIST_JOIN = WORDS.pattern("list_joins", flags=re.IGNORECASE)
#: An order told by what it holds ("the one with the lamp and the rug"): its list is its own.
_HOLDING = re.compile(HOLDING, re.IGNORECASE)
#: A denial of the old thing: "not the chair".
_DENIAL = re.compile(rf"(?:{WORDS.alternation('negators')})\s+(?=\w)", re.IGNORECASE)
_WORD = re.compile(r"[\w'#-]+")
#: Where a clause ends (a correction's parts are clauses: "the chair - oops, sorry, not the chair, I meant the shoes").
_CLAUSE_END = re.compile(r"[,.;:!?\n()]|\s[-\u2013]\s")
_DASH = re.compile(r"\s[-\u2013]\s")
#: The most words a thing put in place by its shape alone has ("the 1l glass kettle one"); the least is two.
_MOST_WORDS = 5
#: The most words of a thing put in place with no determiner ("a small - no wait, medium - blue one").
_BARE_WORDS = 2
#: What is left between a corrected thing and its correction: the marks that led to it ("..., wait").
_TRAILING = " ,-\u2013:;."
#: What opens a take-back's clause and belongs to neither side ("but actually no", "please disregard that").
_LEAD_WORDS = WORDS.alternation("correction_filler", "correction_opening", "retraction_lead", space=r"\W+")
_LEAD_ONLY = re.compile(rf"(?:[\W_]*\b(?:{_LEAD_WORDS})\b)*[\W_]*", re.IGNORECASE)
#: A clause that says something of its own: a request or a keep in it ("just cancel", "keep it").
_SAYS = re.compile(rf"\b(?:{WORDS.alternation('request_verb', 'keep')})\b", re.IGNORECASE)
#: A thing said by a number: an order's ("#W2", "W123") or a variant's ("2L glass").
_REFERENCE = re.compile(r"#|\w*\d")
#: The fewest words a clause says something of its own with, with no request or keep in it ("it's fine"); a thing
#: put in place by a determiner has at most as many ("the kettle order").
_STATEMENT_WORDS = 3


@dataclass(frozen=True, slots=True)
class _Correction:
    """Where a correction's marks are (``start``-``new``), the new thing's start and its clause's end, and the
    words of any denial among the marks."""

    start: int
    new: int
    new_end: int
    denied: tuple[str, ...]


def _clauses(text: str) -> list[tuple[int, int]]:
    """Each clause's (start, end), ends exclusive of the mark that closes it."""
    spans, at = [], 0
    for end in _CLAUSE_END.finditer(text):
        spans.append((at, end.start()))
        at = end.end()
    spans.append((at, len(text)))
    return spans


def _marks_only(clause: str) -> tuple[bool, tuple[str, ...]]:
    """Whether a clause holds only a correction's marks, and the words it denies ("not the chair")."""
    rest = clause[_FILLER.match(clause).end() :]  # type: ignore[union-attr]
    if not rest.strip():
        return True, ()
    denial = _DENIAL.match(rest)
    return (True, tuple(_WORD.findall(rest[denial.end() :]))) if denial else (False, ())


def _correction(text: str, mark: re.Match[str]) -> _Correction | None:
    """The correction around ``mark``: its marks taken in both directions, clause by clause, to the new thing."""
    clauses = _clauses(text)
    at = next(i for i, (a, b) in enumerate(clauses) if mark.start() <= b)
    denied: list[str] = []
    start = mark.start()
    alone, _ = _marks_only(text[clauses[at][0] : mark.start()])
    for a, b in reversed(clauses[:at] if alone else []):  # the marks before it: "- oops, sorry, not the chair,"
        only, words = _marks_only(text[a:b])
        if not only:
            start = b
            break
        denied += words
        start = a
    for a, b in clauses[at:]:
        a = max(a, mark.start())
        only, words = _marks_only(text[a:b])
        if only:
            denied += words
            continue
        new = _FILLER.match(text, a, b).end()  # type: ignore[union-attr]
        return _Correction(start, new, b, tuple(denied))
    return None


def _denied_thing(text: str, fix: _Correction, new: list[str]) -> tuple[int, int] | None:
    """Where the thing a denial names is ("not the chair": "the office chair"), by its own words that the new thing
    does not share ("not the vacuum one, I mean the one with the grill": "vacuum"), the last said before it."""
    before = text[: fix.start]
    shared = {w.lower() for w in new}
    words = [w for w in fix.denied if w.lower() not in shared and not _DETERMINER.fullmatch(w)]
    for word in reversed(words):
        found = [m for m in re.finditer(rf"\b{re.escape(word)}\b", before, re.IGNORECASE)]
        if not found:
            continue
        word_at = found[-1]
        clause = max((m.end() for m in _CLAUSE_END.finditer(before, 0, word_at.start())), default=0)
        opening = _opening(before, new, clause, word_at.start())
        # the thing begins at the first determiner after the list's last join ("the digital camera and the office
        # chair": "the office chair"; "the order with the rug": "the order")
        since = max((j.end() for j in _LIST_JOIN.finditer(before, clause, word_at.start())), default=clause)
        det = _DETERMINER.search(before, since, word_at.start())
        start = opening if opening is not None else (det.start() if det else word_at.start())
        # it runs on to the marks when nothing closes it before them: no clause end, and no join to another thing
        # unless it is an order told by what it holds, which lists ("the one with the vacuum and the t-shirt")
        tail = before.rstrip(_TRAILING)
        lists = opening is not None or _HOLDING.search(before, start, word_at.start()) is not None
        runs_on = not _CLAUSE_END.search(tail, word_at.end()) and (lists or not _LIST_JOIN.search(tail, word_at.end()))
        return start, (fix.start if runs_on else word_at.end())
    return None


def _opening(before: str, new: list[str], since: int, until: int) -> int | None:
    """The last place between ``since`` and ``until`` where a thing opens with the new thing's first two words."""
    if len(new) < 2 or not _DETERMINER.fullmatch(new[0]):
        return None
    pattern = re.compile(rf"\b{re.escape(new[0])}\s+{re.escape(new[1])}\b", re.IGNORECASE)
    found = [m.start() for m in pattern.finditer(before, since, until)]
    return found[-1] if found else None


def _said_before(text: str, fix: _Correction, new: list[str]) -> tuple[int, int] | None:
    """The thing said just before the marks that opens as the new thing does, running on to them."""
    before = text[: fix.start].rstrip(_TRAILING)
    sentence = max((m.end() for m in SENTENCE_END.finditer(before)), default=0)
    opening = _opening(before, new, sentence, len(before))
    if opening is None or _CLAUSE_END.search(before, opening):
        return None
    return opening, fix.start


def _shaped_alike(text: str, fix: _Correction, new: list[str]) -> tuple[int, int] | None:
    """Of the things before it with as many words (from a determiner, within a clause), the last with the same last
    word, else the last one in the clause just before the correction."""
    if not 2 <= len(new) <= _MOST_WORDS or not _DETERMINER.fullmatch(new[0]):
        return None
    before = text[: fix.start]
    count, head = len(new), new[-1].lower()
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


def _order_told_alike(text: str, fix: _Correction) -> tuple[int, int] | None:
    """An order told by what it holds, said just before the marks, for a new one told the same way ("cancel the
    order with the mouse - no wait, I mean the one with the camera and the lens")."""
    before = text[: fix.start].rstrip(_TRAILING)
    clause = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    since = max((j.end() for j in _LIST_JOIN.finditer(before, clause)), default=clause)
    det = _DETERMINER.search(before, since)
    holds = det is not None and _HOLDING.search(before, det.end()) is not None
    if not holds or not _HOLDING.search(text, fix.new, fix.new_end):
        return None
    return det.start(), fix.start  # type: ignore[union-attr]


def _bare(text: str, fix: _Correction, new: list[str]) -> tuple[int, int] | None:
    """A word or two put in place of as many said just before the marks ("a small - no wait, medium - blue one")."""
    if not 1 <= len(new) <= _BARE_WORDS or _DETERMINER.fullmatch(new[0]):
        return None
    before = text[: fix.start]
    words = list(_WORD.finditer(before))[-len(new) :]
    if len(words) < len(new) or _CLAUSE_END.search(before, words[0].start()) or before[words[-1].end() :].strip():
        return None
    return words[0].start(), words[-1].end()


def _first_edit(text: str) -> tuple[int, int, _Correction] | None:
    """The first correction whose old thing can be placed: the old thing's span and the correction."""
    for mark in _MARK.finditer(text):
        fix = _correction(text, mark)
        if fix is None or _TAKE_BACK.search(text, fix.start, fix.new):
            continue
        new = _WORD.findall(text[fix.new : fix.new_end])
        if not new or _TAKE_BACK.search(text, fix.new, fix.new_end):
            continue
        if fix.denied:  # "not the chair": the thing it names, or nothing when it names none said before
            span = _denied_thing(text, fix, new)
        else:
            span = (
                _said_before(text, fix, new)
                or _shaped_alike(text, fix, new)
                or _order_told_alike(text, fix)
                or _bare(text, fix, new)
            )
        if span is not None:
            return span[0], span[1], fix
    return None


def _lead_only(text: str) -> bool:
    return _LEAD_ONLY.fullmatch(text) is not None


def _states(clause: str) -> bool:
    """Whether what follows a take-back says something of its own (nothing put in place of what it takes back):
    nothing at all, a request or a keep ("just cancel", "keep it"), or a clause of a few words ("it's fine"), more
    when it opens with a determiner ("my roommate wants the laptop"); not a thing ("the red one", "#W2", "the one
    with the lamp")."""
    rest = clause[_LEAD_ONLY.match(clause).end() :]  # type: ignore[union-attr]
    words = re.findall(r"\w+", rest)
    if not words:
        return True
    if _REFERENCE.match(rest) or _DENIAL.match(rest):  # "#W2", "not that one": a thing is put right, not taken back
        return False
    if _DETERMINER.fullmatch(words[0]):  # "the kettle order" is a thing; "my roommate wants the laptop" says more
        return len(words) > _STATEMENT_WORDS and not _HOLDING.search(rest)
    return len(words) >= _STATEMENT_WORDS or _SAYS.search(rest) is not None


def _first_retraction(text: str) -> tuple[int, int] | None:
    """The first take-back that puts nothing in place (:func:`_states`): the clause said before its marks, from its
    start (back over clauses of marks only: "cancel it too - wait, no, scratch that"), to the marks' end."""
    clauses = _clauses(text)
    for mark in _MARK.finditer(text):
        if _DENIAL.match(mark.group(0)):  # "not that one": a thing is put right, not taken back
            continue
        at = next(i for i, (a, b) in enumerate(clauses) if mark.start() <= b)
        following = next((c for c in clauses[at + 1 :] if not _lead_only(text[c[0] : c[1]])), None)
        after = text[mark.end() : clauses[at][1]]
        if _lead_only(after) and following is not None:  # "scratch that, my roommate wants it": the next clause
            after = text[following[0] : following[1]]
        if not _states(after):
            continue
        start = clauses[at][0]
        if _lead_only(text[start : mark.start()]):  # the marks open their clause: it takes back the one before
            before = [c for c in clauses[:at] if not _lead_only(text[c[0] : c[1]])]
            if not before:
                continue
            start = before[-1][0]
        return start, mark.end()
    return None


def applied(text: str) -> str:
    """The message with each correction that names a thing put in place of the thing it corrects, and each clause a
    take-back takes back (:func:`_first_retraction`) left out."""
    text = _edited(text)
    while retraction := _first_retraction(text):
        start, end = retraction
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _edited(text: str) -> str:
    """The message with each correction that names a thing put in place of the thing it corrects."""
    while edit := _first_edit(text):
        old, old_end, fix = edit
        if old_end >= fix.start:  # the old thing runs on to the marks: the new one follows on from where it began
            rest = text[fix.new :]
            closing = _DASH.match(text, fix.new_end)
            if _DASH.match(text, old_end) and closing:  # "a small - no wait, medium - blue"
                rest = text[fix.new : fix.new_end] + " " + text[closing.end() :]
            text = text[:old] + rest
        else:
            new = text[fix.new : fix.new_end]
            text = text[:old] + new + text[old_end : fix.start].rstrip(_TRAILING) + text[fix.new_end :]
    return text
