"""A trigger's ``changed`` read from a system's event feed: every page to the end, each subject once, and the cursor
a later scan goes on from (what the invoice and order missions' triggers read through ``feed_changes``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from ai_missions.graphs.invoice_approval.trigger import TRIGGER as INVOICES
from ai_missions.graphs.order_exception.trigger import TRIGGER as ORDERS
from ai_missions.graphs.support.trigger import TRIGGER as TICKETS
from ai_missions.kernel.triggers import Trigger


class Feed:
    """One system's event feed as its MCP tool pages it (``after_id`` and ``limit`` in, the next id out)."""

    def __init__(self, tool: str, key: str, subjects: list[str]) -> None:
        self.tool = tool
        self.events = [{"event_id": n, key: subject} for n, subject in enumerate(subjects, start=1)]
        self.calls = 0

    async def call(self, tool_name: str, args: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        assert tool_name == self.tool, f"the trigger read {tool_name}, not its feed {self.tool}"
        self.calls += 1
        page = [e for e in self.events if e["event_id"] > args["after_id"]][: args["limit"]]
        return {"events": page, "next_after_id": page[-1]["event_id"] if page else args["after_id"]}

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        return {}


@pytest.mark.parametrize(
    ("trigger", "tool", "key"),
    [(INVOICES, "read_invoice_events", "invoice_id"), (ORDERS, "read_events", "order_id")],
)
async def test_changed_reads_the_whole_feed_and_goes_on_from_its_cursor(trigger: Trigger, tool: str, key: str) -> None:
    subjects = [f"S-{n % 700}" for n in range(1200)]  # three pages of 500, subjects seen more than once
    feed = Feed(tool, key, subjects)
    changed, cursor = await trigger.changed(feed, None)
    assert changed == set(subjects)
    assert (len(changed), cursor, feed.calls) == (700, "1200", 3)
    feed.events.append({"event_id": 1201, key: "S-NEW"})
    assert await trigger.changed(feed, cursor) == ({"S-NEW"}, "1201")
    assert await trigger.changed(feed, "1201") == (set(), "1201")


async def test_the_support_trigger_counts_only_a_ticket_opened_or_answered_by_its_customer() -> None:
    feed = Feed("read_ticket_events", "ticket_id", ["T-1", "T-2", "T-3", "T-4"])
    for event, kind in zip(feed.events, ("opened", "noted", "customer_replied", "status_changed"), strict=True):
        event["type"] = kind
    assert await TICKETS.changed(feed, None) == ({"T-1", "T-3"}, "4")
