"""Context reads: one call that returns every record a system holds about an order, part by part.

A mission reads each system once (``get_customer_context``, ``get_payment_context``...) instead of once per
record: over MCP each call costs a round trip and ~1 ms of CPU on both sides. A part that cannot be read (a
customer without a fraud assessment, say) comes back as ``null`` with the reason under ``missing``; the rest of
the context still arrives. The fine-grained read tools stay for agents and people who want one record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from ai_missions.kernel.errors import MissionsError


class ContextRead(BaseModel):
    """What every context read carries besides its parts."""

    missing: dict[str, str] = Field(
        default_factory=dict, description="Parts that could not be read (null above), with the reason"
    )


def read_parts(parts: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each part's read; a part that fails is ``None`` and its error goes under ``missing``."""
    values: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for name, read in parts.items():
        try:
            values[name] = read()
        except MissionsError as exc:
            values[name] = None
            missing[name] = f"{type(exc).__name__}: {exc}"
    return {**values, "missing": missing}
