"""The customer's request, taken from the ticket once: the one place the support mission reads what the customer
wrote. Everything after it (gather, the facts, the split into parts, the guard's echo check) works on the
:class:`SupportRequest` built here, never on the ticket's messages, so the thread is read the same way everywhere
and a part of a request is the same kind of thing as the whole."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise
from typing import Any

from ai_missions.graphs.support.parse import conditions, corrections, spelling, understanding
from ai_missions.graphs.support.parse.address_reading import AddressReading, read_addresses
from ai_missions.graphs.support.parse.confirmation import confirmation, is_read_back
from ai_missions.graphs.support.parse.current import Current, current
from ai_missions.graphs.support.parse.echo import compared_text
from ai_missions.graphs.support.parse.item_requests import Piece, request_pieces
from ai_missions.graphs.support.parse.resolve import (
    Claims,
    Reference,
    only_as_sources,
    references,
    said_before,
    said_not_meant,
    same_reference,
)
from ai_missions.graphs.support.parse.understanding import MAX_CHARS, MONEY, Reading, fold, read_message, unreadable
from ai_missions.graphs.support.words import WORDS

#: Sentence ends: a full stop, question or exclamation mark before a space or the end, or a line break; not one
#: inside a word or number ("1.5L", "5.8-inch", "name@example.com"), nor a semicolon, unless a numbered list's next
#: item follows it ("(1) cancel the lamp order; (2) return the rug": one request per item).
_SENTENCE = re.compile(r"[.!?]+(?=\s|$)|\n+|;\s*(?=\(?[1-9]\)\s)")
#: Where a reason's reach ends (not at a comma: "#W2, which I ordered by mistake,").
_CLAUSE = re.compile(r"[;:!?\n]|\.(?=\s|$)")
#: Words naming a refund as the remedy ("refund me", "my money back") and a replacement ("send another one").
_REFUND_REMEDY = WORDS.pattern("refund_remedy", flags=re.IGNORECASE)
_REPLACEMENT = WORDS.pattern("replacement_remedy", flags=re.IGNORECASE)
#: Said before a replacement that is not wanted ("I don't want a replacement", "rather than a new one").
_NOT_REPLACEMENT = re.compile(
    rf"\b(?:{WORDS.alternation('negators', 'not_replacement')})\b(?:\W+\w+){{0,4}}\W*$", re.IGNORECASE
)
#: What asks only to be told something: words not taken at their word that ask no more are not asked about.
_INFORMATION = frozenset({"question", "where_is_order"})


@dataclass(frozen=True)
class Parts:
    """A request's parts, read once from its words before any record is read (docs/support-parse.md)."""

    claims: Claims  # who the customer says they are
    references: tuple[Reference, ...]  # the order references written
    sources: frozenset[str]  # the orders quoted only as where something comes from ("the same address as #W2")
    spared: frozenset[str]  # the orders quoted only where they are said not to be meant ("but not #W2")
    sentences: tuple[str, ...]  # the sentences, as written
    asking: str  # the sentences that ask for something about an order (what the items named there are for)
    wanting: tuple[str, ...]  # the sentences wanting something of an item, not about paying ("pay for it by card")
    asks_change: bool  # a change of an item is asked, maybe as a question ("can I change my camera to ...?")
    addresses: AddressReading  # the addresses given, and what they are for
    items: str  # what is said of items (what is kept or not meant left out)
    #: the request's words when its one condition holds and when not (an else-branch); None: not one condition
    branches: tuple[str | None, str | None] | None
    #: the sentences stating the damage or the wrong item claimed, less what tells the order; each with the one
    #: before it when it points back to an item ("I'd like to return the kettle. It cracked after a week.")
    stating: tuple[tuple[str, str], ...]
    reason: str | None  # why they cancel, from everything they sent
    refund_only: bool  # a refund named as the remedy, a replacement only as not wanted ("no replacement")
    sent: int  # how many messages the customer sent
    pieces: tuple[Piece, ...]  # of ``items``: the words from each return or exchange asked to the next
    answer: Parts | None  # the latest message's own parts, when it answers an earlier one
    corrected: bool  # a request taken back or corrected ("wait, no, not that one")


@dataclass(frozen=True)
class SupportRequest:
    """What the customer asks and the words it was read from.

    ``text``: what the request is read from: the thread's readable messages, oldest first, within the reading limit
    (an answer is read with the request it answers); for a part of a request about several orders, its sentences.
    ``messages``: every inbound message as written, oldest first (what a reply may echo, what an address may span).
    ``latest``: the customer's newest message when it answers an earlier one (None for a single message or a part).
    ``sent_at``: when the newest was sent (what "today" is for the request)."""

    text: str
    reading: Reading
    messages: tuple[str, ...] = ()
    latest: str | None = None
    sent_at: str | None = None
    part: bool = False
    #: (the plan read back, the customer's yes to it) when the thread ends in that yes (:mod:`.confirmation`)
    confirmed: tuple[str, str] | None = None
    #: the customer answered a plan read back to them with something other than a yes: a correction
    corrects_plan: bool = False
    #: the customer's statements since the last reply said with irony and asking for something (:mod:`.current`), as
    #: written: not taken at their word, asked about plainly, never acted on
    untaken: tuple[str, ...] = ()
    #: the customer's statements since the last reply in words of a language the reader does not claim that name an
    #: order or read as a request (:mod:`.current`), as written: not read, asked about, never acted on
    unread: tuple[str, ...] = ()
    #: the customer's statements since the last reply that ask a change in words no request is read from ("could you
    #: please change it?"): as written; asked about when nothing else asks a change, never answered past
    unplaced: tuple[str, ...] = ()

    @property
    def said(self) -> str:
        """The words the facts are taken from: a part's own sentences, or every message the customer sent, in order."""
        return self.text if self.part else "\n".join(self.messages)

    @cached_property
    def parts(self) -> Parts:
        """The request's parts, read once (the whole thread's identity and references, the rest of what is said)."""
        said, claim, items = self.said, (self.reading.claim or "").lower(), understanding.items_text(self.said)
        spoken = understanding.SENTENCE_END.split(said)
        stating = [(said_before([b, s], s), s) for b, s in pairwise(["", *spoken]) if claim and claim in s.lower()]
        return Parts(
            Claims.of(self.text),
            tuple(references(self.text)),
            frozenset(only_as_sources(self.text, self.reading.order_refs)),
            frozenset(self.not_meant(self.reading.order_refs)),
            tuple(s.strip() for s in _SENTENCE.split(self.text) if s.strip()),
            understanding.asking_sentences(self.text),
            tuple(s for s in spoken if understanding.wants_or_changes(s) and not MONEY.search(fold(s))),
            understanding.wants_or_changes(self.text),
            read_addresses(said),
            items,
            conditions.branches(said, self.reading.condition),
            tuple((understanding.items_text(b), understanding.items_text(s)) for b, s in stating),
            understanding.cancel_reason(said if self.part else " ".join(self.messages)) or self._own_reason(said),
            bool(_REFUND_REMEDY.search(said))
            and all(_NOT_REPLACEMENT.search(said[: m.start()]) for m in _REPLACEMENT.finditer(said)),
            len(self.messages),
            tuple(request_pieces(items)),
            self.of_part(self.latest, self.reading).parts if self.latest is not None else None,
            understanding.corrected(said),
        )

    def asks_apart(self, quoted: Sequence[str]) -> bool:
        """Whether, beside the one order it quotes (``quoted``: the references the systems resolved), a sentence asks
        something of an order without quoting it ("cancel the order with just the makeup kit. For #W2: change the
        dumbbells ..."): the customer's other orders are read too, to tell by what they hold which one it means. A
        number the systems do not know as an order ("the 1500-piece puzzle", "my Visa ending 1399") quotes none."""
        if len(quoted) != 1:
            return False
        return any(
            set(read_message(s).intents) - {"question"}
            and not any(same_reference(r.text, quoted[0]) for r in references(s))
            for s in self.parts.sentences
        )

    def _own_reason(self, said: str) -> str | None:
        """A part's reason when its sentences give several: the first said after its order's reference in the clause,
        as each reason is said of the references before it ("cancel #W1 (a mistake), #W2 and #W3 (not needed)")."""
        if not self.part or len(self.reading.order_refs) != 1:
            return None
        for clause in _CLAUSE.split(said.lower()):
            at = sorted((clause.find(r.text.lower()), r.text) for r in references(clause) if r.text.lower() in clause)
            for n, (start, written) in enumerate(at):
                if same_reference(written, self.reading.order_refs[0]):
                    bounds = [start, *(a for a, _ in at[n + 1 :]), len(clause)]
                    given = (understanding.cancel_reasons(clause[a:b]) for a, b in pairwise(bounds))
                    reasons = next((g for g in given if g), set())
                    return reasons.pop() if len(reasons) == 1 else None
        return None

    def not_meant(self, quoted: Sequence[str]) -> set[str]:
        """Of the orders ``quoted`` (as the systems resolved them), those the customer writes only where they say
        they are not meant ("cancel all of them except order #W2"): never one the request is about."""
        return set() if self.reading.problem else said_not_meant(self.said, quoted)

    def echoed(self, catalogue: Iterable[str]) -> list[str]:
        """Each message as the guard compares a reply with it (the company's own names, ``catalogue``, left out)."""
        return [compared_text(m, catalogue) for m in self.messages]

    def of_part(self, text: str, reading: Reading) -> SupportRequest:
        """The request made of one part's sentences (:mod:`~ai_missions.graphs.support.split`)."""
        return replace(self, text=text, reading=reading, latest=None, part=True)

    def latest_adds(self) -> bool:
        """Whether the customer's latest message goes on with what the thread asked (:func:`adds_to_before`)."""
        return self.latest is not None and understanding.adds_to_before(self.latest)

    def latest_alone(self) -> SupportRequest | None:
        """The customer's latest message read as the whole request, with the orders it quotes among those resolved:
        an answer that says again all they want overrules what the thread said before it (the split takes it only
        when it places every request of the thread); None when there is no answer."""
        if self.latest is None:
            return None
        quoted = [r.text for r in references(self.latest)]
        refs = tuple(o for o in self.reading.order_refs if any(same_reference(q, o) for q in quoted))
        return self.of_part(self.latest, replace(read_message(self.latest), order_refs=refs))


def thread_text(messages: tuple[str, ...]) -> str:
    """What is read of the thread: a message that cannot be read on its own is left out (the latest alone is read
    when none can); the newest messages are kept within the reading limit."""
    kept: list[str] = []
    for body in reversed([m for m in messages if unreadable(m) is None]):
        if sum(len(k) + 1 for k in kept) + len(body) > MAX_CHARS:
            break
        kept.insert(0, body)
    return "\n".join(kept) if kept else (messages[-1] if messages else "")


def _called(text: str, called: Mapping[str, str]) -> str:
    """The text with each word the customer calls a thing by written as the name of the item it stands for ("the
    green road bike" -> "the green road Bicycle"; :func:`.resolve.called_by_own_words`): every reader reads the item."""
    for word, name in called.items():
        said = rf"(?<![\w@.-]){re.escape(word)}(?![\w@-]|\.\w)"  # a word, never part of an e-mail address
        text = re.sub(said, name.replace("\\", ""), text, flags=re.IGNORECASE)
    return text


def request_of(ticket: Mapping[str, Any], called: Mapping[str, str] | None = None) -> SupportRequest:
    """The ticket's request, read once; ``called``: the things the customer calls by words of their own -> the items
    of theirs the systems hold that those words stand for, read as those items' names."""
    thread = list(ticket.get("messages", []))
    confirmed = confirmation(thread)
    if confirmed is not None:  # a yes to the plan read back confirms it: it asks nothing, so it is not read
        thread = thread[: max(i for i, m in enumerate(thread) if m.get("direction") == "outbound")]
    replied = max((i for i, m in enumerate(thread) if m.get("direction") == "outbound"), default=-1)
    inbound: list[tuple[Mapping[str, Any], Current]] = []
    unanswered: list[str] = []
    unread: list[str] = []
    unplaced: list[str] = []
    for at, message in enumerate(thread):
        if message.get("direction") == "inbound":
            body = str(message.get("body") or "")
            inbound.append((message, current(body) if unreadable(body) is None else Current(body)))
            if at > replied:  # irony asking for nothing ("oh great, another delay") is no request to ask about
                now = inbound[-1][1]
                unanswered += [w for w in now.ironic if set(read_message(w).intents) - _INFORMATION]
                unread += [w for w in now.unread if read_message(w).intents or any(r.quoted for r in references(w))]
                unplaced += [w for w in now.asking if understanding.change_asked(w) and not read_message(w).intents]
    messages = tuple(_called(corrections.applied(spelling.spelled(read.text)), called or {}) for _, read in inbound)
    text = thread_text(messages)
    latest = messages[-1] if len(messages) > 1 else None
    sent_at = inbound[-1][0].get("sent_at") if inbound else None
    outbound = [m for m in thread if m.get("direction") == "outbound"]
    # (the thread before a yes, when the thread ends in one: the plan confirmed is the corrected one)
    corrects = bool(outbound) and is_read_back(str(outbound[-1].get("body") or ""))
    corrects = corrects and thread[-1].get("direction") == "inbound"
    request = SupportRequest(
        text, read_message(text), messages, latest, sent_at, untaken=tuple(unanswered), unread=tuple(unread),
        unplaced=tuple(unplaced),
    )  # fmt: skip
    return replace(request, confirmed=confirmed, corrects_plan=corrects)
