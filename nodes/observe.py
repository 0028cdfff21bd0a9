"""The Explain rail: every finding becomes an Observation, streamed live and kept in state."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from langgraph.config import get_stream_writer

from ai_missions.nodes.reading import KINDS, THRESHOLD, Fact, Reading
from ai_missions.nodes.state import Observation


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


#: The events of the step running in this context, when something records them (:mod:`ai_missions.nodes.recording`).
_collected: ContextVar[list[dict[str, Any]] | None] = ContextVar("ai_missions_collected_events", default=None)


@contextmanager
def collecting() -> Iterator[list[dict[str, Any]]]:
    """Every event :func:`emit` streams in this context (and the threads it hands work to), in order."""
    events: list[dict[str, Any]] = []
    token = _collected.set(events)
    try:
        yield events
    finally:
        _collected.reset(token)


def emit(kind: str, **payload: Any) -> dict[str, Any]:
    """Stream one audit event (custom stream mode); a no-op outside a streaming run."""
    event = {"kind": kind, "at": now_iso(), **payload}
    if (collected := _collected.get()) is not None:
        collected.append(event)
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (unit tests of a node's helpers)
        return event
    writer(event)
    return event


def observe(node: str, source: str, finding: str, data: dict[str, Any] | None = None) -> Observation:
    """Record a finding: streamed at once, and returned for the state's ``observations`` list."""
    event = emit("observation", node=node, source=source, finding=finding, data=data or {})
    return Observation(at=event["at"], node=node, source=source, finding=finding, data=data or {})


#: How the rail words a reading's polarity: only an affirmed or negated fact read with confidence is relied on.
_POLARITY = {
    "affirmed": "states",
    "negated": "denies",
    "hedged": "only hedges",
    "conditional": "only makes conditional",
}


def _read_finding(fact: Fact) -> str:
    meaning = KINDS[fact.kind].description.split(";")[0]
    value = f" (value {fact.value})" if fact.positive and fact.value not in (None, True) else ""
    relied = fact.confidence >= THRESHOLD and fact.polarity in ("affirmed", "negated")
    return (
        f'"{fact.evidence.words}" {_POLARITY[fact.polarity]} that {meaning}{value}: '
        f"{'relied on' if relied else 'unknown'} "
        f"(confidence {fact.confidence:.2f}, {fact.reader} reader)"
    )


def read_findings(readings: Iterable[Reading], node: str = "gather") -> list[Observation]:
    """One observation per fact read from text, naming the record and field it was written in and quoting the exact
    words, so a reviewer sees what a decision relies on (and what was read but left unknown). A fact read twice
    from the same words is shown once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for reading in readings:
        for fact in reading.facts.values():
            if (overruled := reading.overruled(fact.kind)) and fact.confidence >= THRESHOLD:
                for earlier in overruled:
                    key = (earlier.kind, "overruled", earlier.evidence.words)
                    if key not in seen:
                        seen.add(key)
                        out.append(_overruled(node, earlier, fact))
            source = fact.evidence.source
            key = (fact.kind, f"{source.system}:{source.record}.{source.field}", fact.evidence.words)
            if key in seen:
                continue
            seen.add(key)
            data = {
                f"read.{fact.kind}": {
                    "polarity": fact.polarity,
                    "value": fact.value,
                    "confidence": round(fact.confidence, 2),
                    "words": fact.evidence.words,
                    "record": source.record,
                    "field": source.field,
                    "reader": fact.reader,
                }
            }
            out.append(observe(node, source.system, f"{source.record} {source.field}: {_read_finding(fact)}", data))
        for source, placed in reading.unexplained:
            key = ("unexplained", f"{source.system}:{source.record}.{source.field}", placed.words)
            if key in seen:
                continue
            seen.add(key)
            terms = f" ({', '.join(placed.terms)})" if placed.terms and placed.terms != (placed.words,) else ""
            data = {
                "unexplained": {"words": placed.words, "why": placed.why, "terms": list(placed.terms),
                                "record": source.record, "field": source.field}
            }  # fmt: skip
            finding = f'{source.record} {source.field}: not understood: "{placed.words.strip()}": {placed.why}{terms}'
            out.append(observe(node, source.system, finding, data))
    return out


def _overruled(node: str, earlier: Fact, later: Fact) -> Observation:
    """An earlier statement on a kind that a later one overruled: shown beside the one that stands."""
    was, now = earlier.evidence.source, later.evidence.source
    finding = (
        f'{was.record} {was.field}: "{earlier.evidence.words}" ({earlier.polarity}) is overruled by the later '
        f'{now.record} {now.field}: "{later.evidence.words}" ({later.polarity})'
    )
    data = {f"overruled.{earlier.kind}": {"words": earlier.evidence.words, "record": was.record, "field": was.field,
            "polarity": earlier.polarity, "by": {"record": now.record, "words": later.evidence.words}}}  # fmt: skip
    return observe(node, was.system, finding, data)
