"""Whether the customer has listed every item they want exchanged from a delivered order (SUP-007 v6).

More in docs/support-parse.md (exchange_list.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The ticket tag of a reply that asked whether the exchange lists every item of the order.
LIST_ASKED = "exchange_list_asked"


def anything_else_facts(
    record: Mapping[str, Any], facts: Mapping[str, Any], ticket: Mapping[str, Any]
) -> dict[str, Any]:
    """``exchange.others``: the order's items no exchange or question of this request is about (their names);
    ``exchange.list_asked``: the ticket asked already; ``exchange.anything_else``: an exchange is ready to be made
    on a delivered order with other items and the customer was not asked yet, so it is asked first."""
    lines = record["order"].get("lines") or []
    about = {int(c["line_no"]) for c in facts.get("modify.changes") or []}
    about |= {int(n) for n in facts.get("order.lines_named") or []}
    if facts.get("exchange.sku") and facts.get("exchange.line_no") is not None:
        about.add(int(facts["exchange.line_no"]))
    others = [str(x.get("description") or x["sku"]) for x in lines if int(x["line_no"]) not in about]
    asked = LIST_ASKED in (ticket.get("tags") or [])
    delivered = facts.get("shipment.status") == "delivered"
    ready = (facts.get("modify.resolved") is True and int(facts.get("modify.line_count") or 0) > 0) or (
        bool(facts.get("exchange.sku"))
        and facts.get("exchange.same_price") is True
        and facts.get("exchange.in_stock") is True
        and not facts.get("modify.changes")
    )
    return {
        "exchange.others": others if delivered else [],
        "exchange.list_asked": asked,
        "exchange.anything_else": delivered and bool(others) and not asked and ready,
    }
