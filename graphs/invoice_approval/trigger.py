"""What raises an invoice-approval mission: AP's queue of invoices awaiting approval (with the blocks its
matching set on arrival), and AP's invoice event feed to tell which invoices changed since the last scan (both
over MCP). Every invoice in the queue needs a decision, a clean one too (``clean_match``)."""

from __future__ import annotations

from ai_missions.mission_api import Systems, feed_changes


class InvoiceApprovalTrigger:
    systems = ("ap",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        queue = await systems.call("list_invoices_awaiting_approval", {})
        return {row["invoice_id"]: list(row["block_reasons"]) or ["clean_match"] for row in queue.get("invoices", [])}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        return await feed_changes(systems, "read_invoice_events", "invoice_id", cursor)


TRIGGER = InvoiceApprovalTrigger()
