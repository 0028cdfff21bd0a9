"""What raises an order-exception mission: the exception-monitoring report, and the ERP's order event feed to
tell which orders changed since the last scan (both over MCP)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ai_missions.mission_api import Systems, feed_changes

#: How the monitor names the earlier copy a duplicate follows.
_FOLLOWS = re.compile(r"same items as (\S+?),")


def one_per_cluster(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Subject -> exception types, with one mission per cluster of duplicate copies: a copy flagged only as a
    duplicate of another flagged copy is left to that copy's mission, whose one decision cancels every other copy
    (ORD-001). Copies with other exceptions too keep their own mission."""
    found = {str(row["order_id"]): list(row["types"]) for row in rows}
    follows = {
        str(row["order_id"]): m.group(1)
        for row in rows
        if (m := _FOLLOWS.search(str((row.get("details") or {}).get("duplicate_order", ""))))
    }
    copies = {order_id for order_id, types in found.items() if "duplicate_order" in types}
    # the cluster's first flagged copy follows the kept order, which is no duplicate: it stays
    return {
        order_id: types
        for order_id, types in found.items()
        if not (types == ["duplicate_order"] and follows.get(order_id) in copies)
    }


class OrderExceptionTrigger:
    systems = ("monitor", "erp")

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        report = await systems.call("list_order_exceptions", {})
        return one_per_cluster(report.get("exceptions", []))

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        return await feed_changes(systems, "read_events", "order_id", cursor)


TRIGGER = OrderExceptionTrigger()
