"""What the guard's echo check compares a support reply with: the customer's words, less what the reply repeats by
design or writes itself.

The guard escalates a reply that repeats a customer's words (an injected instruction would get out that way). Two
kinds of a customer's words are left out of that comparison: an address read from the message (the reply repeats
the resolved address so the customer can catch a typo), and the fixed phrases of the mission's own reply
templates, which a customer may happen to write or quote ("... on order #W1302858 before it ships" beside our
"We have changed the items on order {order} before it ships"). Only characters equal to the company's own words
are left out: anything else the customer wrote is compared as before."""

from __future__ import annotations

import re

from ai_missions.graphs.support.address_reading import without_addresses
from ai_missions.graphs.support.replies import T
from ai_missions.graphs.support.understanding import MAX_CHARS

#: A fixed phrase of a template this long or longer is the company's own words, wherever it appears.
MIN_PHRASE = 12
#: What replaces a phrase: a mark no reply carries, so no compared window runs across it.
_GAP = " \u2063 "


def _phrases() -> re.Pattern[str] | None:
    fixed = {
        " ".join(piece.split())
        for language in T.values()
        for template in language.values()
        for piece in re.split(r"\{[^}]*\}", template)
    }
    kept = sorted((p for p in fixed if len(p) >= MIN_PHRASE), key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(r"\s+".join(map(re.escape, p.split())) for p in kept), re.IGNORECASE)


_OWN = _phrases()


def compared_text(body: str) -> str:
    """A customer's message as the echo check reads it: without the addresses read from it and without the
    mission's own template phrases."""
    text = without_addresses(body[:MAX_CHARS])
    return _OWN.sub(_GAP, text) if _OWN is not None else text
