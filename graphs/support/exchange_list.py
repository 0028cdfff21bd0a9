"""The other items of a delivered order an exchange is made on: the plan read back names them once per ticket, as
each item is exchanged only once (SUP-007 v9, :mod:`ai_missions.graphs.support.read_back`).

More in docs/support-parse.md (exchange_list.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The ticket tag of a reply that named the order's other items (asked whether they are exchanged too).
LIST_ASKED = "exchange_list_asked"


def other_items_facts(
    record: Mapping[str, Any], facts: Mapping[str, Any], ticket: Mapping[str, Any], kept: Iterable[int] = ()
) -> dict[str, Any]:
    """``exchange.others``: the order's items no exchange or question of this request is about, nor said to stay
    (``kept``: their lines), by name; ``exchange.list_asked``: the ticket named them already."""
    lines = record["order"].get("lines") or []
    about = {int(c["line_no"]) for c in facts.get("modify.changes") or []} | {int(n) for n in kept}
    about |= {int(n) for n in facts.get("order.lines_named") or []}
    if facts.get("exchange.sku") and facts.get("exchange.line_no") is not None:
        about.add(int(facts["exchange.line_no"]))
    others = [str(x.get("description") or x["sku"]) for x in lines if int(x["line_no"]) not in about]
    asked = LIST_ASKED in (ticket.get("tags") or [])
    delivered = facts.get("shipment.status") == "delivered"
    return {
        "exchange.others": others if delivered else [],
        "exchange.list_asked": asked,
    }
