"""The declared API a simulated system builds on, the simulator's own and one from another package alike: its
declaration (:class:`SimulatedSystem`, whose ``read`` and ``write`` decorators make a typed service function a tool,
the books that seed it), the shared argument types, and the storage helpers its service functions use (the book
clock, money, ids, rows) and where its tables may live besides a SQLite file (:class:`PostgresTables`). Serving, the
contract, the grant check and the idempotent-write path come with the
declaration: a system writes none of them (docs/missions.md, "A new system").
"""

from __future__ import annotations

from ai_missions.integrations.arguments import Amount, CustomerId, IdempotencyKey, LocationId, OrderId, Reason, Sku
from ai_missions.integrations.backends import PostgresTables
from ai_missions.integrations.plugin import Book, BookRows, Replayable, SimulatedSystem, sandbox_dir
from ai_missions.integrations.store import (
    book_now,
    from_row,
    from_ts,
    money,
    next_id,
    require_row,
    require_text,
    to_cents,
    to_ts,
)

__all__ = [
    "Amount",
    "Book",
    "BookRows",
    "CustomerId",
    "IdempotencyKey",
    "LocationId",
    "OrderId",
    "PostgresTables",
    "Reason",
    "Replayable",
    "SimulatedSystem",
    "Sku",
    "book_now",
    "from_row",
    "from_ts",
    "money",
    "next_id",
    "require_row",
    "require_text",
    "sandbox_dir",
    "to_cents",
    "to_ts",
]
