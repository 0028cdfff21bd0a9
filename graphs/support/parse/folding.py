"""Text as the support readers compare it: lowercase plain ASCII. Its own module so that the readers of requests
(``understanding``) and of payment methods (``methods``) share it without importing each other's rules."""

from __future__ import annotations

import re
import unicodedata

from ai_missions.graphs.support.words import WORDS

#: An arrow between what one has and what one wants ("grey -> green", "size 9 → 8") says "change to".
ARROW = re.compile(r"\s*(?:-+>|=+>|\u2192|\u27f6|\u21d2)\s*")
#: An arrow before a request ("the order with the camera -> return the pet bed") only leads to it, as a colon does.
_TO_REQUEST = re.compile(rf"{ARROW.pattern}(?=(?:{WORDS.alternation('request_verb')})\b)", re.IGNORECASE)


def fold(text: str) -> str:
    """Lowercase plain ASCII, accents dropped ("ß" read as "ss": no decomposition gives it), whitespace collapsed; a
    line break stays one (a list's lines, a letter's paragraphs are each said apart: "- switch the payment" and "- the
    difference on my card"); an arrow between two things reads as the words "change to", one before a request as a
    colon."""
    decomposed = unicodedata.normalize("NFKD", ARROW.sub(" change to ", _TO_REQUEST.sub(": ", text)))
    plain = (
        "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("\u2019", "'").replace("ß", "ss")
    )
    return "\n".join(" ".join(line.split()) for line in plain.splitlines() if line.strip())


def same_text(part: str, whole: str) -> bool:
    """Whether ``part`` is in ``whole``, spacing and line breaks aside (a reply as it was sent, read back from the
    thread: is it the text the mission composes now?)."""
    return " ".join(part.split()) in " ".join(whole.split())
