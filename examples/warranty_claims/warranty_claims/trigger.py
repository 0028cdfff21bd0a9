"""What raises a warranty mission: the warranty system's open claims (over MCP), each with what kind it is."""

from __future__ import annotations

from ai_missions.mission_api import Systems
from warranty_claims.facts import derive_facts
from warranty_claims.vocabulary import TYPES_FACT


class WarrantyTrigger:
    systems = ("warranty",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        found = await systems.call("list_open_claims", {})
        return {c["claim"]["claim_id"]: list(derive_facts(c)[TYPES_FACT]) for c in found.get("claims", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        return set(await self.find(systems)), cursor or ""


TRIGGER = WarrantyTrigger()
