"""The trigger: start a mission for every new exception the systems show.

An exception is new when its order never had a mission, or when the order changed (per the ERP event feed, read
from a stored cursor) and now shows other exception types than its last mission saw, so a mission's own writes
do not start the same mission again. Orders with a mission in progress are skipped.
"""

from __future__ import annotations

from typing import Any

from ai_missions.runtime import MissionRuntime, RunOutcome

CURSOR_KEY = "scan.event_cursor"
PAGE = 500


async def read_changed_orders(runtime: MissionRuntime, after_id: int) -> tuple[set[str], int]:
    """Orders named in the ERP event feed after ``after_id``, and the new cursor."""
    changed: set[str] = set()
    cursor = after_id
    while True:
        page: dict[str, Any] = await runtime.systems.call("read_events", {"after_id": cursor, "limit": PAGE})
        events = page.get("events", [])
        changed.update(e["order_id"] for e in events)
        cursor = int(page.get("next_after_id", cursor))
        if len(events) < PAGE:
            return changed, cursor


def exceptions_now(runtime: MissionRuntime) -> dict[str, list[str]]:
    """The trigger scan over the book: order id -> exception types."""
    from ai_missions.integrations.scan import scan_exceptions

    return {row.order_id: list(row.types) for row in scan_exceptions(runtime.home)}


async def scan_and_start(
    runtime: MissionRuntime, *, reasoner: str = "offline", limit: int | None = None, orders: list[str] | None = None
) -> list[RunOutcome]:
    """Start missions for new exceptions (or for ``orders`` among them); returns their outcomes."""
    changed, cursor = await read_changed_orders(runtime, int(runtime.store.get_meta(CURSOR_KEY, "0") or 0))
    found = exceptions_now(runtime)
    seen = runtime.store.last_types_by_order()
    candidates = [o for o in found if o not in seen or (o in changed and sorted(found[o]) != seen[o])]
    if orders is not None:
        wanted = set(orders)
        candidates = [o for o in candidates if o in wanted]
    active = runtime.store.active_orders()
    candidates = [o for o in candidates if o not in active][:limit]
    outcomes = []
    for order_id in candidates:
        trigger = {"source": "scan", "order_id": order_id, "exception_types": found[order_id]}
        outcomes.append(await runtime.start(order_id, reasoner=reasoner, trigger=trigger))
    runtime.store.set_meta(CURSOR_KEY, str(cursor))
    return outcomes
