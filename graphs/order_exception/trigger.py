"""What raises an order-exception mission: the exception-monitoring report, and the ERP's order event feed to
tell which orders changed since the last scan (both over MCP)."""

from __future__ import annotations

from typing import Any

from ai_missions.triggers import Systems

PAGE = 500


class OrderExceptionTrigger:
    systems = ("monitor", "erp")

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        report = await systems.call("list_order_exceptions", {})
        return {row["order_id"]: list(row["types"]) for row in report.get("exceptions", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        changed: set[str] = set()
        after = int(cursor or 0)
        while True:
            page: dict[str, Any] = await systems.call("read_events", {"after_id": after, "limit": PAGE})
            events = page.get("events", [])
            changed.update(e["order_id"] for e in events)
            after = int(page.get("next_after_id", after))
            if len(events) < PAGE:
                return changed, str(after)


TRIGGER = OrderExceptionTrigger()
