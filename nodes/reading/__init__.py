"""Facts read from what people wrote, each with the words that support it.

A mission's fact builder hands the layer the texts that carry meaning (a staff note, a supplier e-mail, a customer
message, an address line), each with where it came from (:class:`Source`), and asks for the fact kinds it needs
(:data:`KINDS`). A reader returns typed :class:`Fact` objects; :func:`read` keeps, per kind, the best one:

- ``polarity`` is ``affirmed`` or ``negated``. Hedged ("might be able to restock") and conditional ("if it's over
  $300") statements are read but never become a positive fact: :meth:`Reading.get` treats them as unknown.
- ``confidence`` in [0, 1]; below :data:`THRESHOLD` a fact is unknown (``Reading.get`` returns None), and a mission
  escalates on an unknown fact it needs, as it does for a field it could not read.
- ``evidence`` names the source record, its field and the exact words (a substring of the text), for the Explain
  rail and the queue card.

Two readers implement :class:`Reader` (``read(text, source, kinds, today=...) -> list[Fact]``): the offline reader
(:mod:`.offline`: rules, negation/hedge scope, amount/duration/date/reference parsing and semantic matching with the
shipped MiniLM model) and the LLM reader (:mod:`.llm`: one structured-output call per text, the text passed as quoted
data). A mission picks one per kind with ``read(..., readers={"restock_eta": llm_reader}, default=offline_reader)``.

Adopting it (e.g. the support mission): ``reading = read([(Source("helpdesk", "T1", "body"), text)],
["exchange_intent"])``; then ``reading.get("exchange_intent")`` is a Fact or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol

from ai_missions.nodes.reading.coverage import Placed
from ai_missions.nodes.reading.kinds import KINDS, THRESHOLD, Holder, KindSpec, Polarity

__all__ = [
    "KINDS",
    "READ",
    "THRESHOLD",
    "UNEXPLAINED",
    "Evidence",
    "Fact",
    "Holder",
    "KindSpec",
    "Polarity",
    "Reader",
    "Reading",
    "Source",
    "Text",
    "TextReading",
    "noting",
    "place_texts",
    "read",
    "read_facts",
    "read_in_order",
    "unexplained_facts",
]


@dataclass(frozen=True)
class Source:
    """Where a text came from: the system, the record and the field, and who wrote it when the caller knows
    (``customer``, ``staff``, ``vendor``; otherwise the reader tells it from the field's name: "crm_note",
    "customer_message", "vendor_email")."""

    system: str
    record: str
    field: str
    writer: str = ""


@dataclass(frozen=True)
class Text:
    """A text about a mission's subject, as its gather step hands it to the reader: where it was written, its words,
    and when (ISO 8601; texts are read in time order, so a later statement is the later word)."""

    source: Source
    text: str
    at: str = ""


#: The fact under which a mission's facts carry the statements read as facts of the kinds it decides on, each with
#: the mission's facts derived from that kind (:func:`read_facts`): a fact no rule for the case decides on is not
#: acted on silently (:func:`ai_missions.nodes.guard.fail_closed`).
READ = "text.read"
#: The fact under which a mission's facts carry what was not read (:func:`unexplained_facts`): the guard fails
#: closed on it (:func:`ai_missions.nodes.guard.guard`).
UNEXPLAINED = "text.unexplained"


@dataclass(frozen=True)
class Evidence:
    source: Source
    words: str


@dataclass(frozen=True)
class Fact:
    kind: str
    polarity: Polarity
    confidence: float
    evidence: Evidence
    value: Any = None
    reader: str = "offline"

    @property
    def positive(self) -> bool:
        """A fact a decision may rely on as true."""
        return self.polarity == "affirmed" and self.confidence >= THRESHOLD

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TextReading:
    """One text as a reader read it: the facts of the kinds asked, and every statement placed or unexplained
    (:mod:`.coverage`)."""

    source: Source
    facts: list[Fact]
    placed: list[Placed] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Placed]:
        return [p for p in self.placed if p.unexplained]


class Reader(Protocol):
    name: str

    def read(self, text: str, source: Source, kinds: Sequence[str], *, today: date | None = None) -> list[Fact]:
        """The facts of these kinds the text states (any polarity), each with its exact words."""
        ...

    def read_all(
        self, texts: Sequence[tuple[Source, str]], kinds: Sequence[str], *, today: date | None = None
    ) -> list[list[Fact]]:
        """:meth:`read` of each text, in order: a reader that embeds or calls a model can do it once for all."""
        ...

    def read_texts(
        self,
        texts: Sequence[tuple[Source, str]],
        kinds: Sequence[str],
        *,
        today: date | None = None,
        known: frozenset[str] = frozenset(),
        placing: bool = True,
    ) -> list[TextReading]:
        """Each text's facts and its statements placed; ``known``: names the records hold (they tell no language)."""
        ...


@dataclass
class Reading:
    """The best fact per kind over all texts read; :meth:`get` gives only what a decision may rely on.
    ``texts``: each text as read, its statements placed (what was not read is :attr:`unexplained`)."""

    facts: dict[str, Fact] = field(default_factory=dict)
    texts: list[TextReading] = field(default_factory=list)
    #: Every fact read per kind, in the order its texts were read: a later one that overruled an earlier one is the
    #: fact, and the earlier stays here to be shown beside it.
    history: dict[str, list[Fact]] = field(default_factory=dict)

    def overruled(self, kind: str) -> list[Fact]:
        """The facts of a kind read before the one that stands (in texts read in time order, the later word)."""
        held = self.facts.get(kind)
        return [f for f in self.history.get(kind, []) if f is not held]

    @property
    def unexplained(self) -> list[tuple[Source, Placed]]:
        """Every statement the reader could not place, with the text it is in."""
        return [(t.source, p) for t in self.texts for p in t.unexplained]

    @property
    def coverage(self) -> float:
        """The share of statements placed (1.0 when there were none)."""
        placed = [p for t in self.texts for p in t.placed]
        return 1.0 if not placed else sum(not p.unexplained for p in placed) / len(placed)

    def get(self, kind: str) -> Fact | None:
        """The fact, affirmed or negated, when read with confidence; None when unknown (hedged, conditional, unsure)."""
        fact = self.facts.get(kind)
        if fact is None or fact.confidence < THRESHOLD or fact.polarity in ("hedged", "conditional"):
            return None
        return fact

    def affirmed(self, kind: str) -> bool | None:
        """True/False when read with confidence, None when unknown."""
        fact = self.get(kind)
        return None if fact is None else fact.polarity == "affirmed"

    def evidence(self) -> list[dict[str, Any]]:
        """What the Explain rail shows: each fact with its words and where they were written."""
        return [
            {
                "kind": f.kind,
                "polarity": f.polarity,
                "value": f.value,
                "confidence": round(f.confidence, 2),
                "words": f.evidence.words,
                "source": f"{f.evidence.source.system}:{f.evidence.source.record}.{f.evidence.source.field}",
                "reader": f.reader,
            }
            for f in self.facts.values()
        ]


#: The readings :func:`read` returned in this context, when a gather step notes them (:func:`noting`).
_noted: ContextVar[list[Reading] | None] = ContextVar("ai_missions_noted_readings", default=None)


@contextmanager
def noting() -> Iterator[list[Reading]]:
    """Every :class:`Reading` returned in this context: a gather step shows the words behind the facts its fact
    builders read, however deep in them the reading happens."""
    readings: list[Reading] = []
    token = _noted.set(readings)
    try:
        yield readings
    finally:
        _noted.reset(token)


def _rank(fact: Fact) -> tuple[int, float]:
    # a denial or a hedge outranks an affirmation of equal confidence: never read a "no" as a "yes"
    return (fact.polarity != "affirmed", fact.confidence)


def read(
    texts: Iterable[tuple[Source, str]],
    kinds: Sequence[str],
    default: Reader,
    readers: Mapping[str, Reader] | None = None,
    *,
    today: date | None = None,
    placing: bool = False,
    known: frozenset[str] = frozenset(),
    in_order: bool = False,
) -> Reading:
    """Read every text for the kinds asked, each kind with its reader (``readers``) or ``default``. ``placing``:
    also place every statement (one reader for every kind), so that :attr:`Reading.unexplained` says what was not
    read; ``known``: names the records hold. ``in_order``: the texts come in the order they were written, and a
    later text's fact of a kind, read with confidence, overrules an earlier one (the earlier stays in
    :attr:`Reading.history`); otherwise a denial or a hedge outranks an affirmation wherever it was written."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown fact kinds: {unknown}")
    by_reader: dict[int, tuple[Reader, list[str]]] = {}
    for kind in kinds:
        reader = (readers or {}).get(kind, default)
        by_reader.setdefault(id(reader), (reader, []))[1].append(kind)
    if placing and not by_reader:  # no kind decided on: every statement is still placed, or unexplained
        by_reader[id(default)] = (default, [])
    best: dict[str, Fact] = {}
    present = [(source, text) for source, text in texts if text and text.strip()]
    read_texts: list[TextReading] = []
    history: dict[str, list[Fact]] = {}
    for reader, own in by_reader.values():
        if not present:
            break
        if placing and len(by_reader) == 1:
            read_texts = reader.read_texts(present, own, today=today, known=known)
            found = [t.facts for t in read_texts]
        else:
            found = reader.read_all(present, own, today=today)
        for facts in found:
            for fact in facts:
                history.setdefault(fact.kind, []).append(fact)
                held = best.get(fact.kind)
                later = in_order and fact.confidence >= THRESHOLD
                if held is None or later or _rank(fact) > _rank(held):
                    best[fact.kind] = fact
    reading = Reading(best, read_texts, history)
    if (noted := _noted.get()) is not None:
        noted.append(reading)
    return reading


def place_texts(texts: Iterable[Text], kinds: Sequence[str], reader: Reader, *, known: Iterable[str] = ()) -> Reading:
    """Every text about a subject read in time order for the mission's kinds, each statement placed: the reading
    whose :attr:`Reading.unexplained` says what was not read. ``known``: names the records hold (parties, items)."""
    ordered = sorted(texts, key=lambda t: t.at)
    names = frozenset(w.lower() for name in known for w in str(name).split() if w)
    return read([(t.source, t.text) for t in ordered], kinds, reader, placing=True, known=names, in_order=True)


def read_in_order(texts: Iterable[Text], kinds: Sequence[str], reader: Reader, *, today: date | None = None) -> Reading:
    """The texts read in the order they were written, so the later word on a kind stands (and the earlier is kept
    in :attr:`Reading.history`, shown beside it)."""
    ordered = sorted(texts, key=lambda t: t.at)
    return read([(t.source, t.text) for t in ordered], kinds, reader, today=today, in_order=True)


def unexplained_facts(reading: Reading) -> list[dict[str, Any]]:
    """What was not read, as a mission's facts carry it (:data:`UNEXPLAINED`): each statement with its record, its
    words, why, and the words to highlight."""
    return [
        {
            "source": f"{source.system}:{source.record}.{source.field}",
            "record": source.record,
            "field": source.field,
            "words": placed.words,
            "why": placed.why,
            "terms": list(placed.terms),
        }
        for source, placed in reading.unexplained
    ]


def read_facts(reading: Reading, derives: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The statements placed as facts, as a mission's facts carry them (:data:`READ`): each with its kind, polarity,
    words, record, and ``derives[kind]``, the mission's facts derived from that kind."""
    found = []
    for text in reading.texts:
        source = text.source
        kinds = {f.kind: f for f in text.facts}
        for placed in text.placed:
            fact = kinds.get(placed.why) if placed.placement == "fact" else None
            if fact is None:
                continue
            found.append(
                {
                    "kind": fact.kind,
                    "polarity": fact.polarity,
                    "words": placed.words,
                    "source": f"{source.system}:{source.record}.{source.field}",
                    "record": source.record,
                    "field": source.field,
                    "facts": list(derives.get(fact.kind, ())),
                }
            )
    return found
