"""What raises a support mission, over MCP: a ticket waiting for the team (new or open) in the helpdesk, and its
ticket event feed to tell which tickets changed since the last scan (opened, or the customer wrote again on it)."""

from __future__ import annotations

from ai_missions.mission_api import Systems, feed_changes


class SupportTrigger:
    systems = ("helpdesk",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        queue = await systems.call("list_open_tickets", {"limit": 5000})
        return {row["ticket_id"]: ["customer_request"] for row in queue.get("tickets", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        # a new ticket, or the customer answering on one (the case resumes with the whole thread)
        return await feed_changes(
            systems, "read_ticket_events", "ticket_id", cursor, types=("opened", "customer_replied")
        )


TRIGGER = SupportTrigger()
