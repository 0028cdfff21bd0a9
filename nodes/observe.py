"""The Explain rail: every finding becomes an Observation, streamed live and kept in state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from langgraph.config import get_stream_writer

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
