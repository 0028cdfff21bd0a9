"""Gather: read every system about the order, concurrently, through the persistent MCP sessions.

The ERP's order context comes first (it names the customer and SKUs); one context read per other system then runs
at once, so the node takes about as long as the slowest system: five calls in all, where one call per record took
twelve or more. A system that fails or times out, or a record it cannot read, becomes an observation and its facts
stay unknown; the reasoner escalates when a decision depends on them. Reads are autonomous: they change nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.graphs.order_exception.facts import OWN_NOTES, _duplicate_facts, derive_facts
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

#: How far back and ahead the ERP is asked for copies of the order: a day, so that a copy placed more than the
#: duplicate window apart is seen (ORD-001 asks the customer about those) rather than taken for no copy at all.
DUPLICATE_LOOKBACK_MINUTES = 24 * 60

#: Each context read's parts, and the key each part is gathered under (the record read tool it stands for).
PARTS: dict[str, dict[str, str]] = {
    "get_order_context": {"order": "erp.get_order", "similar_orders": "erp.find_similar_orders"},
    "get_customer_context": {
        "customer": "crm.get_customer",
        "address_history": "crm.get_address_history",
        "cases": "crm.list_cases",
        "messages": "crm.list_messages",
        "notes": "crm.list_notes",
    },
    "get_inventory_context": {"reservations": "inventory.get_reservations"},
    "get_payment_context": {"payment": "payments.get_payment", "fraud_assessment": "payments.get_fraud_assessment"},
    "get_shipping_context": {
        "address_validation": "shipping.get_address_validation",
        "shipments": "shipping.list_shipments",
    },
}


def order_read(order_id: str) -> tuple[str, dict[str, Any]]:
    """The first read: the order, with the ERP's similar orders."""
    return "get_order_context", {"order_id": order_id, "window_minutes": DUPLICATE_LOOKBACK_MINUTES}


def reads_for(order: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The reads the mission makes once it knows the order, one per system: system -> (tool, arguments)."""
    order_id, customer_id = order["order_id"], order["customer_id"]
    skus = sorted({line["sku"] for line in order.get("lines", [])})
    return {
        "crm": ("get_customer_context", {"customer_id": customer_id}),
        "inventory": ("get_inventory_context", {"order_id": order_id, "skus": skus}),
        "payments": ("get_payment_context", {"order_id": order_id}),
        "shipping": ("get_shipping_context", {"order_id": order_id}),
    }


def copy_reads(similar: Mapping[str, Any] | None) -> dict[str, tuple[str, dict[str, Any]]]:
    """The reads that settle the cluster's other open copies in the same decision: each copy's payment (an
    authorization to void, a capture to refund) and its reservations (to release), two context reads per copy,
    made together with the order's own reads. Keyed ``system:order_id``."""
    others = _duplicate_facts(similar).get("duplicate.other_copy_ids") or []
    reads: dict[str, tuple[str, dict[str, Any]]] = {}
    for other in others:
        reads[f"payments:{other}"] = ("get_payment_context", {"order_id": other})
        reads[f"inventory:{other}"] = ("get_inventory_context", {"order_id": other, "skus": []})
    return reads


def split_context(tool: str, answer: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A context read's parts under their record keys, and ``(key, reason)`` for each part it could not read."""
    stock = answer.get("stock") or {}  # inventory: one part per SKU
    keys = {**PARTS[tool], **{f"stock:{sku}": f"inventory.get_stock:{sku}" for sku in stock}}
    values = {**answer, **{f"stock:{sku}": level for sku, level in stock.items()}}
    missing = [(keys.get(part, part), reason) for part, reason in (answer.get("missing") or {}).items()]
    return {key: values.get(part) for part, key in keys.items()}, missing


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    order_id = state["subject_id"]
    tool, args = order_read(order_id)
    systems, first = await read_subject(runtime.context, mission, order_id, tool, args)
    reads: dict[str, tuple[str, dict[str, Any] | None, str | None]] = {"erp": (tool, first, None)}

    async def read(system: str, tool: str, args: dict[str, Any]) -> None:
        try:
            reads[system] = (tool, await systems.call(tool, args), None)
        except MissionsError as exc:
            reads[system] = (tool, None, str(exc))

    planned = {**reads_for(first["order"]), **copy_reads(first.get("similar_orders"))}
    await asyncio.gather(*(read(system, t, a) for system, (t, a) in planned.items()))
    gathered: dict[str, Any] = {}
    observations: list[Observation] = []
    for system, (tool, answer, error) in reads.items():
        # another copy's records are kept under ``key:order_id``, apart from this order's own
        suffix = f":{system.partition(':')[2]}" if ":" in system else ""
        if answer is None:  # the system did not answer: every record it holds stays unknown
            gathered.update(dict.fromkeys(f"{key}{suffix}" for key in PARTS[tool].values()))
            missing = [(system, error or "no answer")]
        else:
            parts, missing = split_context(tool, answer)
            gathered.update({f"{key}{suffix}": value for key, value in parts.items()})
            missing = [(f"{key}{suffix}", reason) for key, reason in missing]
        for key, reason in missing:
            observations.append(observe("gather", system, f"{key} failed: {reason}", {"read": key, "error": reason}))
    with noting() as readings:  # the facts read from what people wrote, each with its words, for the rail
        facts = derive_facts(gathered)
    observations.extend(findings(gathered, facts))
    observations.extend(read_findings(readings))
    return {
        "gathered": gathered,
        "facts": facts,
        "customer_text": customer_text(gathered, order_id),
        "observations": observations,
    }


def customer_text(gathered: Mapping[str, Any], order_id: str) -> list[str]:
    """Free text written by customers or staff (open order holds' reasons, messages, case subjects, CRM notes on
    the order or the customer): data for the reasoner, never instructions."""
    texts = []
    # reasons of open order holds are written by staff: quoted for the reasoner, never facts it could obey
    for hold in (gathered.get("erp.get_order") or {}).get("holds") or []:
        if hold.get("status") == "active":
            texts.append(f"order hold {hold.get('hold_id')}: {hold.get('reason', '')}")
    for message in (gathered.get("crm.list_messages") or {}).get("messages", []):
        if message.get("direction") == "inbound" and message.get("order_id") in (order_id, None):
            texts.append(f"{message.get('subject', '')}: {message.get('body', '')}")
    for case in (gathered.get("crm.list_cases") or {}).get("cases", []):
        if case.get("order_id") == order_id:
            texts.append(f"case {case.get('case_id')}: {case.get('subject', '')}")
    for note in (gathered.get("crm.list_notes") or {}).get("notes", []):
        if note.get("order_id") in (order_id, None) and note.get("author") != OWN_NOTES:
            texts.append(f"note {note.get('note_id')} by {note.get('author', '')}: {note.get('body', '')}")
    return texts


def _money(value: Any, currency: Any) -> str:
    return "unknown" if value is None else f"{float(value):,.2f} {currency or ''}".strip()


def findings(gathered: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Observation]:
    """One line per system for a person, with the facts it contributed as data."""
    out: list[Observation] = []

    def add(source: str, finding: str, prefix: str) -> None:
        data = {k: v for k, v in facts.items() if k.startswith(prefix) and v is not None}
        out.append(observe("gather", source, finding, data))

    cur = facts.get("order.currency")
    order = gathered.get("erp.get_order") or {}
    add(
        "erp",
        f"Order {facts['order.id']} is {facts['order.status']}: {len(order.get('lines', []))} line(s), "
        f"{_money(facts['order.total'], cur)}, {facts['order.channel']}, placed {facts['order.age_hours']:.1f} h ago",
        "order.",
    )
    if gathered.get("crm.get_customer"):
        moved = facts.get("customer.days_since_address_change")
        moved_text = "no address change on record" if moved is None else f"address changed {moved:.0f} days ago"
        add(
            "crm",
            f"Customer {facts['customer.id']}: {facts['customer.tier']} tier, {facts['customer.tenure_years']:.1f} "
            f"years, lifetime value {_money(facts['customer.lifetime_value'], cur)}; {moved_text}; "
            f"{facts['customer.fraud_flags']} fraud flag(s), {facts['customer.open_cases']} open case(s)",
            "customer.",
        )
    if gathered.get("payments.get_payment") is not None:
        auth = facts.get("payment.authorization_id")
        parts = [
            f"authorization {auth} {facts['payment.auth_status']} for {_money(facts['payment.auth_amount'], cur)}, "
            f"expires in {facts['payment.auth_expires_in_hours']:.0f} h"
            if auth
            else "no authorization",
            f"captured {_money(facts['payment.captured_amount'], cur)} in {facts['payment.capture_count']} capture(s)",
        ]
        if facts.get("payment.fraud_score") is not None:
            reasons = ", ".join(facts.get("payment.fraud_reasons") or []) or "no risk reasons"
            parts.append(f"fraud score {facts['payment.fraud_score']} ({reasons})")
        if facts.get("payment.hold_active"):
            parts.append("payment hold active")
        if facts.get("payment.duplicate_capture_id"):
            parts.append(
                f"charged twice: {facts['payment.duplicate_capture_id']} of "
                f"{_money(facts['payment.duplicate_capture_amount'], cur)} is a duplicate"
            )
        text = "; ".join(parts)
        add("payments", text[:1].upper() + text[1:], "payment.")
    if facts.get("inventory.reservation_id"):
        parts = [
            f"Reservation {facts['inventory.reservation_id']} {facts['inventory.reservation_status']} at "
            f"{facts['inventory.reservation_location']}",
            f"{facts['inventory.units_short']} unit(s) short" if facts.get("inventory.units_short") else "covered",
        ]
        if facts.get("inventory.phantom"):
            parts.append(f"cycle count finds only {facts['inventory.counted_available']} available (phantom stock)")
        elif facts.get("inventory.counted_available") is not None:
            parts.append(f"cycle count confirms {facts['inventory.counted_available']} available")
        if facts.get("inventory.alternate_location"):
            parts.append(f"{facts['inventory.alternate_location']} can serve the order")
        add("inventory", "; ".join(parts), "inventory.")
    if facts.get("address.status"):
        suggestion = " (a corrected address is suggested)" if facts.get("address.has_suggestion") else ""
        add("shipping", f"Ship-to validation: {facts['address.status']}{suggestion}", "address.")
    if facts.get("duplicate.original_order_id"):
        add(
            "erp",
            f"Same items ordered {facts['duplicate.minutes_apart']} min earlier in "
            f"{facts['duplicate.original_order_id']} ({facts['duplicate.original_status']})",
            "duplicate.",
        )
    types = facts.get("exception.types") or []
    add("mission", f"Exception types: {', '.join(types) or 'none'}", "exception.")
    return out
