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

from dataclasses import dataclass

from ai_missions.nodes.api import lexicon, statements

#: The statements layer's regions that hold no words the writer says now.
_NOT_SAID_NOW = frozenset({"quoted", "unticked"})


@dataclass(frozen=True)
class Current:
    """A message with what it does not say now blanked (``text``), and the statements said with irony, as written."""

    text: str
    ironic: tuple[str, ...] = ()


def current(message: str) -> Current:
    """``message`` as support reads it: quoted mail, unticked boxes and each statement said with irony (the lexicon's
    ``irony`` words) blanked; blanks keep the lines, so a sentence or a list item never runs into the next."""
    irony = lexicon()["irony"]
    chars, ironic = list(message), []
    for statement in statements(message):
        if statement.body and irony.search(statement.folded):
            ironic.append(statement.text)
        elif statement.region not in _NOT_SAID_NOW:
            continue
        start = message.find(statement.text, statement.start)
        for at in range(start, start + len(statement.text) if start >= 0 else 0):
            if chars[at] != "\n":
                chars[at] = " "
    return Current("".join(chars), tuple(ironic))
