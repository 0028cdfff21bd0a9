"""What raises a support mission, over MCP: a ticket waiting for the team (new or open) in the helpdesk, and its
ticket event feed to tell which tickets changed since the last scan (opened, or the customer wrote again on it)."""

from __future__ import annotations

from typing import Any

from ai_missions.mission_api import Systems

PAGE = 500


class SupportTrigger:
    systems = ("helpdesk",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        queue = await systems.call("list_open_tickets", {"limit": 5000})
        return {row["ticket_id"]: ["customer_request"] for row in queue.get("tickets", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        changed: set[str] = set()
        after = int(cursor or 0)
        while True:
            page: dict[str, Any] = await systems.call("read_ticket_events", {"after_id": after, "limit": PAGE})
            events = page.get("events", [])
            # a new ticket, or the customer answering on one (the case resumes with the whole thread)
            changed.update(e["ticket_id"] for e in events if e["type"] in ("opened", "customer_replied"))
            after = int(page.get("next_after_id", after))
            if len(events) < PAGE:
                return changed, str(after)


TRIGGER = SupportTrigger()
