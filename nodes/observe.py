"""The Explain rail: every finding becomes an Observation, streamed live and kept in state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from langgraph.config import get_stream_writer

from ai_missions.nodes.state import Observation


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def emit(kind: str, **payload: Any) -> dict[str, Any]:
    """Stream one audit event (custom stream mode); a no-op outside a streaming run."""
    event = {"kind": kind, "at": now_iso(), **payload}
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
