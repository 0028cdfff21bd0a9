"""What raises an invoice-approval mission: AP's queue of invoices awaiting approval (with the blocks its
matching set on arrival), and AP's invoice event feed to tell which invoices changed since the last scan (both
over MCP). Every invoice in the queue needs a decision, a clean one too (``clean_match``)."""

from __future__ import annotations

from typing import Any

from ai_missions.mission_api import Systems

PAGE = 500


class InvoiceApprovalTrigger:
    systems = ("ap",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        queue = await systems.call("list_invoices_awaiting_approval", {})
        return {row["invoice_id"]: list(row["block_reasons"]) or ["clean_match"] for row in queue.get("invoices", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        changed: set[str] = set()
        after = int(cursor or 0)
        while True:
            page: dict[str, Any] = await systems.call("read_invoice_events", {"after_id": after, "limit": PAGE})
            events = page.get("events", [])
            changed.update(e["invoice_id"] for e in events)
            after = int(page.get("next_after_id", after))
            if len(events) < PAGE:
                return changed, str(after)


TRIGGER = InvoiceApprovalTrigger()
