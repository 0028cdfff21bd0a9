"""An AP book read the way the invoice mission reads it, through the service functions its servers call: the
invoices awaiting approval, and what the gather step collects for one (without a graph or MCP)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ai_missions.graphs.invoice_approval.gather import split_context
from ai_missions.integrations import ap, budget, purchasing, receiving
from ai_missions.integrations.systems import connect


def queue(home: Path) -> dict[str, list[str]]:
    """Invoice id -> its block reasons, for every invoice awaiting approval."""
    conn = connect("ap", home)
    rows = conn.execute("SELECT invoice_id, block_reasons FROM invoices WHERE status = 'awaiting_approval'")
    found = {r[0]: json.loads(r[1]) for r in rows}
    conn.close()
    return found


def gathered_of(home: Path, invoice_id: str) -> dict[str, Any]:
    """What the mission's gather step collects, read through the service functions its servers call."""
    conns = {s: connect(s, home) for s in ("ap", "purchasing", "receiving", "budget")}
    invoice = ap.get_invoice_context(conns["ap"], invoice_id)
    reads: list[tuple[str, Any]] = [("get_invoice_context", invoice)]
    po_id = invoice.invoice.po_id if invoice.invoice else None
    if po_id:
        reads.append(("get_purchasing_context", purchasing.get_purchasing_context(conns["purchasing"], po_id)))
        reads.append(("get_receiving_context", receiving.get_receiving_context(conns["receiving"], po_id)))
    cost_centre = invoice.invoice.cost_centre if invoice.invoice else ""
    reads.append(("get_budget_context", budget.get_budget_context(conns["budget"], cost_centre, invoice_id)))
    gathered: dict[str, Any] = {"missing": {}}
    for tool, answer in reads:
        parts, missing = split_context(tool, answer.model_dump(mode="json"))
        gathered.update(parts)
        gathered["missing"].update(missing)
    for conn in conns.values():
        conn.close()
    return gathered
