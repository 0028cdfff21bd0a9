"""What raises a retail-exceptions mission: the OMS monitors' list of flagged orders (over MCP). Returns that
name an order the OMS does not hold are not subjects: the scan reports them for a person (bad input)."""

from __future__ import annotations

from ai_missions.mission_api import Systems


class RetailTrigger:
    systems = ("oms",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        found = await systems.call("list_flagged_orders", {})
        return {row["order_id"]: list(row["flags"]) for row in found.get("orders", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        return set(await self.find(systems)), cursor or "0"


TRIGGER = RetailTrigger()
