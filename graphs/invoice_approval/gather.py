"""Gather: read every system about the invoice, concurrently, through the persistent MCP sessions.

AP's invoice context comes first (it names the PO, the vendor and the cost centre); purchasing, receiving and
budget control are then read at once, one context read each. A system that fails or times out, or a record it
cannot read, becomes an observation and its facts stay unknown; the policies then cannot approve and the
reasoner escalates. A PO that purchasing never issued is a finding (``missing_po``), not a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.graphs.invoice_approval.facts import derive_facts
from ai_missions.graphs.invoice_approval.vocabulary import TYPES_FACT
from ai_missions.mission_api import MissionsError, MissionSpec
from ai_missions.nodes.api import (
    MissionContext,
    MissionState,
    Observation,
    noting,
    observe,
    read_findings,
    read_subject,
)

#: Each context read's parts, and the key each part is gathered under (the record read tool it stands for).
PARTS: dict[str, dict[str, str]] = {
    "get_invoice_context": {
        "invoice": "ap.get_invoice",
        "vendor": "ap.get_vendor",
        "similar_invoices": "ap.find_similar_invoices",
    },
    "get_purchasing_context": {
        "purchase_order": "purchasing.get_purchase_order",
        "buyer_requests": "purchasing.buyer_requests",
    },
    "get_receiving_context": {"goods_receipts": "receiving.get_goods_receipts"},
    "get_budget_context": {"budget": "budget.get_budget", "invoice_commitments": "budget.invoice_commitments"},
}


def reads_for(invoice: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The reads the mission makes once it knows the invoice, one per system: system -> (tool, arguments)."""
    reads: dict[str, tuple[str, dict[str, Any]]] = {
        "budget": ("get_budget_context", {"cost_centre": invoice["cost_centre"], "invoice_id": invoice["invoice_id"]})
    }
    if po_id := invoice.get("po_id"):
        reads["purchasing"] = ("get_purchasing_context", {"po_id": po_id})
        reads["receiving"] = ("get_receiving_context", {"po_id": po_id})
    return reads


def split_context(tool: str, answer: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A context read's parts under their record keys, and the reason for each part it could not read."""
    keys = PARTS[tool]
    missing = {keys.get(part, part): reason for part, reason in (answer.get("missing") or {}).items()}
    return {key: answer.get(part) for part, key in keys.items()}, missing


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    invoice_id = state["subject_id"]
    systems, first = await read_subject(runtime.context, mission, invoice_id, "get_invoice_context", part="invoice")
    reads: dict[str, tuple[str, dict[str, Any] | None, str | None]] = {"ap": ("get_invoice_context", first, None)}

    async def read(system: str, tool: str, args: dict[str, Any]) -> None:
        try:
            reads[system] = (tool, await systems.call(tool, args), None)
        except MissionsError as exc:
            reads[system] = (tool, None, str(exc))

    await asyncio.gather(*(read(system, t, a) for system, (t, a) in reads_for(first["invoice"]).items()))
    gathered: dict[str, Any] = {}
    missing: dict[str, str] = {}
    observations: list[Observation] = []
    for system, (tool, answer, error) in reads.items():
        if answer is None:  # the system did not answer: every record it holds stays unknown
            gathered.update(dict.fromkeys(PARTS[tool].values()))
            failed = {system: error or "no answer"}
        else:
            parts, failed = split_context(tool, answer)
            gathered.update(parts)
        missing.update(failed)
        for key, reason in failed.items():
            if key == "purchasing.get_purchase_order" and reason.startswith("NotFoundError"):
                continue  # a PO number purchasing never issued: a finding below, not a failed read
            observations.append(observe("gather", system, f"{key} failed: {reason}", {"read": key, "error": reason}))
    gathered["missing"] = missing
    with noting() as readings:  # the facts read from what people wrote, each with its words, for the rail
        facts = derive_facts(gathered)
    observations.extend(findings(gathered, facts))
    observations.extend(read_findings(readings))
    return {"gathered": gathered, "facts": facts, "customer_text": vendor_text(gathered), "observations": observations}


def vendor_text(gathered: Mapping[str, Any]) -> list[str]:
    """Free text written by the vendor (its messages to AP): data for the reasoner, never instructions."""
    vendor = gathered.get("ap.get_vendor") or {}
    return [f"{m['topic']}: {m['body']}" for m in vendor.get("messages", []) if m.get("direction") == "inbound"]


def _money(value: Any, currency: Any = "") -> str:
    return "unknown" if value is None else f"{float(value):,.2f} {currency or ''}".strip()


def findings(gathered: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Observation]:
    """One line per system for a person, with the facts it contributed as data (the evidence on the Explain rail)."""
    out: list[Observation] = []

    def add(source: str, finding: str, *prefixes: str) -> None:
        data = {k: v for k, v in facts.items() if k.startswith(prefixes) and v is not None}
        out.append(observe("gather", source, finding, data))

    invoice = gathered.get("ap.get_invoice") or {}
    cur = facts.get("invoice.currency")
    add(
        "ap",
        f"Invoice {facts['invoice.id']} ({facts['invoice.number']}) from {facts['vendor.id']} is "
        f"{facts['invoice.status']}: {len(invoice.get('lines', []))} line(s), {_money(facts['invoice.total'], cur)} "
        f"incl. tax {_money(facts['invoice.tax'], cur)}, due in {facts['invoice.days_to_due']:.0f} days, "
        f"cost centre {facts['invoice.cost_centre']}",
        "invoice.",
    )
    if gathered.get("ap.get_vendor"):
        if facts.get("vendor.bank_changed"):
            state = "verified" if facts.get("vendor.bank_verified") else "NOT verified"
            bank = f"bank account changed {facts['vendor.bank_change_days']:.0f} days before the invoice, {state}"
        else:
            bank = "bank account unchanged since onboarding"
        message = "; the vendor wrote about its bank details" if facts.get("vendor.bank_message") else ""
        add(
            "ap",
            f"Vendor {facts['vendor.id']}: {facts['vendor.category']}, {facts['vendor.tenure_years']:.1f} years, "
            f"{bank}{message}",
            "vendor.",
        )
    if facts.get("invoice.has_po") is False:
        missing = f"PO {facts['invoice.po_id']} was never issued" if facts.get("invoice.po_id") else "no PO quoted"
        add("purchasing", f"No purchase order: {missing}", "invoice.has_po", "invoice.po_id")
    elif gathered.get("purchasing.get_purchase_order"):
        po = gathered["purchasing.get_purchase_order"]
        add(
            "purchasing",
            f"PO {po['po_id']} ({po['status']}, buyer {po['buyer']}): {len(po['lines'])} line(s), "
            f"{_money(po['total'], po['currency'])}",
            "po.",
        )
    if facts.get("match.received_share") is not None:
        parts = [f"{facts['match.received_share']:.0%} of billed units received and accepted"]
        if facts.get("match.price_variance_amount"):
            parts.append(
                f"prices up to {facts['match.price_variance_pct']:.2f}% over PO "
                f"({_money(facts['match.price_variance_amount'], cur)})"
            )
        if facts.get("match.units_over_received"):
            parts.append(f"{facts['match.units_over_received']} unit(s) billed above receipt")
        if facts.get("match.units_awaiting_receipt"):
            parts.append(f"{facts['match.units_awaiting_receipt']} unit(s) still to be delivered")
        parts.append(f"matched {_money(facts['invoice.matched_amount'], cur)}")
        add("receiving", "Three-way match: " + "; ".join(parts), "match.")
    if facts.get("tax.difference"):
        add(
            "ap",
            f"Tax billed {_money(facts['invoice.tax'], cur)}, expected {_money(facts['tax.expected'], cur)} at the "
            "vendor's rate",
            "tax.",
        )
    if facts.get("duplicate.invoice_id"):
        how = "the same number" if facts.get("duplicate.same_number") else "the same amount and date"
        add(
            "ap",
            f"Repeats {facts['duplicate.invoice_id']} ({facts['duplicate.status']}) with {how}",
            "duplicate.",
        )
    if facts.get("split.invoice_ids"):
        add(
            "ap",
            f"{facts['split.count']} invoices within days just under the clerk's limit, "
            f"{_money(facts['split.total'], cur)} together: {', '.join(facts['split.invoice_ids'])}",
            "split.",
        )
    if facts.get("budget.available") is not None:
        shortfall = facts.get("budget.shortfall") or 0
        verdict = f"short by {_money(shortfall, cur)}" if shortfall > 0 else "covers it"
        add(
            "budget",
            f"Cost centre {facts['invoice.cost_centre']} has {_money(facts['budget.available'], cur)} available: "
            f"{verdict} (payable {_money(facts['invoice.payable_amount'], cur)}"
            + (
                f", discount {_money(facts['invoice.discount_amount'], cur)}"
                if facts.get("invoice.discount_available")
                else ""
            )
            + ")",
            "budget.",
        )
    types = facts.get(TYPES_FACT) or []
    add("mission", f"Case types: {', '.join(types) or 'none'}", TYPES_FACT, "invoice.exception_count")
    return out
