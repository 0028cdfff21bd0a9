"""What of a customer's message says what they want now, read with the platform's statements layer, not a second one.

A message may carry words that are not its writer's request: an earlier mail quoted under the answer ("> Yes cancel
it"), a form's box left unticked (a choice not made: "[ ] Cancel this order"), words said with irony ("oh sure, just
cancel it"). The first two are someone else's words or no one's; the last are not to be taken at their word.
Support's readers read what is left, so none of them is taken for a request, and a want said with irony is asked about
plainly, never acted on (issue 57: a mission does not act while words about its subject are unexplained).

The lexicon's ``machine`` words are not used here: they hold "cancel all", which a customer writes to ask for just
that ("cancel all my pending orders except the kettle one"); text written to the machine asks support for nothing it
does not read as the customer's own request, and every write is read back to the customer and approved by a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ai_missions.nodes.api import Statement, foreign_words, lexicon, statements

#: The statements layer's regions that hold no words the writer says now.
_NOT_SAID_NOW = frozenset({"quoted", "unticked"})


@dataclass(frozen=True)
class Current:
    """A message with what it does not say now blanked (``text``), and as written the statements said with irony and
    those holding words of a language the reader does not claim (``unread``: "Por favor, não cancele o pedido")."""

    text: str
    ironic: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()
    #: the statements left that ask something ("could you please change it?"), as written
    asking: tuple[str, ...] = ()


def _deferred(statement: Statement, said: Sequence[Statement]) -> bool:
    """A want for later: said with a hedge, asking nothing, and a time that is not now in it or in what its sentence
    goes on to say ("I might send back the umbrella at some point too, but not today"): a plan, no request now. A
    hedge alone is no plan ("I suppose I'll be returning it then" asks the return)."""
    if not (statement.body and statement.hedged and statement.mood != "request"):
        return False
    later = lexicon()["deferred"]
    rest = [s for s in said if s.sentence == statement.sentence and s.index > statement.index]
    return any(later.search(s.folded) for s in (statement, *rest[:1]))


def current(message: str) -> Current:
    """``message`` as support reads it: quoted mail, unticked boxes, each statement said with irony (the lexicon's
    ``irony`` words), each in words of a language not claimed (never misread as one it knows: "não cancele" is no
    "cancele") and each want for later (:func:`_deferred`) blanked; blanks keep the lines, so a sentence or a list
    item never runs into the next. The statements left that ask something are listed too (``asking``)."""
    irony = lexicon()["irony"]
    chars, ironic, unread, asking = list(message), [], [], []
    said = statements(message)
    for statement in said:
        if statement.body and irony.search(statement.folded):
            ironic.append(statement.text)
        elif statement.body and foreign_words(statement.text):
            unread.append(statement.text)
        elif statement.region not in _NOT_SAID_NOW and not _deferred(statement, said):
            if statement.body and statement.mood == "request":
                asking.append(statement.text)
            continue
        start = message.find(statement.text, statement.start)
        for at in range(start, start + len(statement.text) if start >= 0 else 0):
            if chars[at] != "\n":
                chars[at] = " "
    return Current("".join(chars), tuple(ironic), tuple(unread), tuple(asking))
