"""The customer's yes to the plan read back to them (:mod:`ai_missions.graphs.support.read_back`): the thread's last
reply was a read-back, and every message the customer sent after it says yes (the reading layer's ``affirmation``
words, in every language it claims, stated: not denied, hedged or made a condition by the clause around them) and
asks for nothing of its own. Such an answer is the plan's confirmation, not a request: the request is read without
it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.support.parse.folding import same_text
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.replies import T
from ai_missions.nodes.api import folded, lexicon, polarity

#: The opening of a read-back in every language a reply is written in: a reply holding one is a read-back.
_OPENINGS = tuple(" ".join(table["readback_open"].split()) for table in T.values() if "readback_open" in table)


def is_read_back(body: str) -> bool:
    return any(same_text(opening, body) for opening in _OPENINGS)


def says_yes(body: str) -> str | None:
    """The words of a yes to a plan (None: the message is not only that)."""
    if read_message(body).intents:
        return None
    found = lexicon()["affirmation"].search(folded(body))
    if found is None or polarity(body, [found.span()]) != "affirmed":
        return None
    return " ".join(body.split())


def confirmation(messages: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """(the read-back, the customer's yes to it) when the thread ends so; None otherwise."""
    last = max((i for i, m in enumerate(messages) if m.get("direction") == "outbound"), default=None)
    if last is None or not is_read_back(str(messages[last].get("body") or "")):
        return None
    answers = [str(m.get("body") or "") for m in messages[last + 1 :] if m.get("direction") == "inbound"]
    said = [says_yes(a) for a in answers]
    if not answers or any(s is None for s in said):
        return None
    return str(messages[last].get("body")), " ".join(str(s) for s in said)
