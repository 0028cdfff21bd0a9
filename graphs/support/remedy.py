"""The remedy a customer names for an item that arrived damaged or wrong (issue #38): a refund ("I want my money
back", "I'd like to return it"), or a replacement ("send me a new one"). SUP-005 follows it as policy allows: a
refund of an item of an order holding several is a return of that item (SUP-004), a replacement is arranged by a
person (SUP-007). No remedy is named when none is said, when both are ("refund or replacement, whatever is
faster"), when the choice is left to us, or when the one said is denied ("I don't want a refund") or hedged
("maybe a refund?"): then a person decides, as before.

The words are data (``remedy_words.toml``, per language), matched whole on folded text, sentence by sentence.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

_WORDS: dict[str, dict[str, list[str]]] = tomllib.loads(
    Path(__file__).with_name("remedy_words.toml").read_text(encoding="utf-8")
)
#: The remedies a customer may name, by the list of their words.
REMEDIES = ("refund", "replacement")
#: A decimal point ends no sentence; a comma or "but" ends the clause a negation is said in.
_SENTENCE = re.compile(r"(?:[!?;\n]|\.(?!\d))+")
_CLAUSE = re.compile(r"[,:()]|\b(?:but|pero|mais|aber)\b")
_WORD = re.compile(r"[a-z'-]+")


@cache
def _phrases(kind: str) -> re.Pattern[str]:
    """Every language's words of one list, as one whole-word pattern (longer phrases first)."""
    words = sorted({w for listed in _WORDS[kind].values() for w in listed}, key=len, reverse=True)
    return re.compile(r"(?<![a-z'])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z'])")


def _denied(before: str) -> bool:
    """A negation among the three words before, in the same clause ("don't want a refund", "keine Erstattung")."""
    clause = _CLAUSE.split(before)[-1]
    return bool(_phrases("negation").search(" ".join(_WORD.findall(clause)[-3:])))


def _remedies(folded: str, *, denied: bool) -> set[str]:
    """The remedies said in ``folded`` (folded text), stated (or, ``denied``, refused), never hedged."""
    said: set[str] = set()
    for sentence in _SENTENCE.split(folded):
        for remedy in REMEDIES:
            for match in _phrases(remedy).finditer(sentence):
                before = sentence[: match.start()]
                if _denied(before) == denied and not _phrases("hedge").search(before):
                    said.add(remedy)
    return said


def named_remedy(folded: str) -> str | None:
    """The one remedy the customer names in ``folded`` (folded text), stated: ``refund`` or ``replacement``; None
    when none is, when both are, or when the choice is left to us."""
    if _phrases("either").search(folded):
        return None
    said = _remedies(folded, denied=False)
    return said.pop() if len(said) == 1 else None


def refund_refused(folded: str) -> bool:
    """Whether the customer says they do not want a refund ("I don't want my money back"): none is made without a
    person, whatever else the policy would do for a damaged item."""
    return "refund" in _remedies(folded, denied=True)
