"""What a decision's writes leave in the commerce systems, counted per write tool for one order: the campaigns that
kill or race deciders check with it that no write happened twice."""

from __future__ import annotations

from collections import Counter
from contextlib import closing
from pathlib import Path

from ai_missions.integrations.systems import connect

#: Effects a second write would show, per write tool: (system, rows tied to the order).
EFFECT_ROWS = {
    "capture_payment": ("payments", "SELECT count(*) FROM captures WHERE order_id = ?"),
    "refund_payment": ("payments", "SELECT count(*) FROM refunds WHERE order_id = ?"),
    "send_customer_message": ("crm", "SELECT count(*) FROM messages WHERE order_id = ? AND direction = 'outbound'"),
    "release_payment_hold": (
        "payments",
        "SELECT count(*) FROM payment_holds WHERE order_id = ? AND status = 'released'",
    ),
    "release_to_fulfillment": (
        "erp",
        "SELECT count(*) FROM order_events WHERE order_id = ? AND to_status = 'ready_to_fulfill'",
    ),
}


def effects(home: Path, order_id: str) -> Counter[str]:
    """How many rows of each write tool's effect the systems in ``home`` hold for ``order_id``."""
    counts: Counter[str] = Counter()
    for tool, (system, sql) in EFFECT_ROWS.items():
        with closing(connect(system, home)) as db:
            counts[tool] = db.execute(sql, (order_id,)).fetchone()[0]
    return counts
