"""What the guard's echo check compares a support reply with: the customer's words, less what the reply repeats by
design or writes itself.

More in docs/support-parse.md (echo.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ai_missions.graphs.support.parse.address_reading import without_addresses
from ai_missions.graphs.support.parse.understanding import MAX_CHARS
from ai_missions.graphs.support.replies import T

#: A fixed phrase of a template this long or longer is the company's own words, wherever it appears.
MIN_PHRASE = 12
#: A catalogue name (an item's, an option's) this long or longer is left out as a whole word run ("M" is not).
MIN_NAME = 8
#: What replaces a phrase: a mark no reply carries, so no compared window runs across it.
_GAP = " \u2063 "


def _any_of(phrases: Iterable[str], whole_words: bool = False) -> re.Pattern[str] | None:
    """Any of the phrases, in any case and with any white space between their words, the longest first (as whole
    words only, when ``whole_words``); None when there are none."""
    kept = sorted(phrases, key=len, reverse=True)
    if not kept:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in kept)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if whole_words else alternatives, re.IGNORECASE)


#: The fixed phrases of every reply template, in every language: the words between its fields.
_FIXED = {" ".join(piece.split()) for lang in T.values() for t in lang.values() for piece in re.split(r"\{[^}]*\}", t)}
_OWN = _any_of(p for p in _FIXED if len(p) >= MIN_PHRASE)


def compared_text(body: str, catalogue: Iterable[str] = ()) -> str:
    """A customer's message as the echo check reads it: without the addresses read from it, the mission's own
    template phrases and the ``catalogue``'s names (the items and options of the orders read)."""
    text = without_addresses(body[:MAX_CHARS])
    text = _OWN.sub(_GAP, text) if _OWN is not None else text
    names = _any_of({" ".join(n.split()) for n in catalogue if len(n.strip()) >= MIN_NAME}, whole_words=True)
    return names.sub(_GAP, text) if names is not None else text
