"""The declared API a simulated system from another package builds on: its service functions (storage, the book
clock, money, idempotent writes) and its MCP server (grant checks, the write lookup, structured errors, all from
:class:`SystemServer`). Its declaration (:class:`SimulatedSystem`, :class:`Book`) imports
:mod:`ai_missions.integrations.plugin` instead, which the registry loads before this module can be.
"""

from __future__ import annotations

from ai_missions.integrations.serving import Amount, IdempotencyKey, Reason, SystemServer, open_system, tool
from ai_missions.integrations.store import (
    book_now,
    from_ts,
    idempotent_write,
    money,
    next_id,
    require_row,
    require_text,
    to_cents,
    to_ts,
)

__all__ = [
    "Amount",
    "IdempotencyKey",
    "Reason",
    "SystemServer",
    "book_now",
    "from_ts",
    "idempotent_write",
    "money",
    "next_id",
    "open_system",
    "require_row",
    "require_text",
    "to_cents",
    "to_ts",
    "tool",
]
