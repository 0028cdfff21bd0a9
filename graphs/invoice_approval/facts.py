"""Derive the invoice mission's facts (:data:`~ai_missions.graphs.invoice_approval.vocabulary.FACTS`) from what
the systems returned.

``gathered`` maps ``"system.tool"`` to each read's structured result (``None`` when it could not be read) and
``"missing"`` to the reasons parts could not be read; a fact that cannot be derived is ``None``, and a case type
that depends on an unknown fact is not claimed (and ``clean_match`` is then never claimed either).

Money is worked in cents. The matched amount is what the invoice may be paid at most: per line, the units both
billed and accepted at goods receipt, at the billed price when it is within the price tolerance of the PO price
and at the PO price otherwise, with the invoice's own tax ratio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.invoice_approval.vocabulary import EXCEPTIONS, FACTS, TYPES_FACT
from ai_missions.nodes.api import (
    READ,
    THRESHOLD,
    UNEXPLAINED,
    OfflineReader,
    Source,
    Text,
    place_texts,
    read_facts,
    read_in_order,
    reading_model,
    unexplained_facts,
)

#: The price tolerance of the three-way match (AP-003): the billed price may exceed the PO price by this share.
#: Bank verification methods are read by the reading layer (offline reader).
READER = OfflineReader(semantic=False)
PRICE_TOLERANCE = 0.02
#: The kinds of fact this mission reads from what people wrote: every statement about the invoice is placed against
#: them, or it is unexplained (issue 57).
KINDS_READ = ("bank_verified", "invoice_supersedes", "ledger_posted")
#: What the mission reads from what people wrote, as a typed model: a field per kind it decides on, with the words
#: that decide it, and what was not read (issue 57).
READING = reading_model("InvoiceReading", KINDS_READ)
#: The facts each kind read decides (what a clause must read for a statement of the kind to be acted on).
DERIVES = {
    "bank_verified": ("vendor.bank_verified",),
    "invoice_supersedes": ("invoice.supersedes_earlier",),
    "ledger_posted": ("invoice.posted_by_hand",),
}
#: The AP clerk's approval limit (AP-002): invoices just under it from one vendor within days may be a split.
CLERK_LIMIT = 5000.0
SPLIT_BAND = 0.8
SPLIT_WINDOW_DAYS = 7.0
NON_PO_CATEGORIES = frozenset({"utilities", "telecom", "subscriptions"})
#: The author of the notes the mission writes itself (``add_invoice_note``'s default): never evidence.
OWN_NOTE_AUTHOR = "mission"
TAX_TOLERANCE = 0.015


def cents(amount: float) -> int:
    return round(amount * 100)


def derive_facts(gathered: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = dict.fromkeys(FACTS)
    missing: Mapping[str, str] = gathered.get("missing") or {}
    invoice = gathered.get("ap.get_invoice")
    vendor = gathered.get("ap.get_vendor")
    po = gathered.get("purchasing.get_purchase_order")
    receipts = gathered.get("receiving.get_goods_receipts")
    if invoice:
        facts.update(_invoice_facts(invoice))
        facts["invoice.has_po"] = _has_po(invoice, po, missing)
    if vendor:
        facts.update(_vendor_facts(vendor, invoice))
    if invoice and vendor:
        facts.update(_tax_facts(invoice, vendor))
    if invoice:
        texts = written_about(invoice, vendor)
        facts["invoice.supersedes_earlier"] = said(texts, "invoice_supersedes") if vendor else None
        facts["invoice.posted_by_hand"] = said(texts, "ledger_posted")
        written = [*texts, *_verification_text(vendor)]
        names = [str((vendor or {}).get("name") or "")]
        placed = place_texts(written, KINDS_READ, READER, known=names)
        facts[UNEXPLAINED], facts[READ] = unexplained_facts(placed), read_facts(placed, DERIVES)
    if invoice and po:
        facts.update({"po.status": po["status"], "po.currency": po["currency"], "po.buyer": po["buyer"]})
    matched: int | None = None
    if invoice and facts["invoice.has_po"] is False:
        matched = cents(invoice["total"])
    elif invoice and po and receipts is not None:
        match = three_way_match(invoice, po, receipts)
        matched = match.pop("matched_cents")
        facts.update(match)
    if invoice and matched is not None:
        facts.update(_amounts(invoice, matched))
    if invoice and gathered.get("ap.find_similar_invoices") is not None:
        facts.update(_duplicate_facts(gathered["ap.find_similar_invoices"]))
        facts.update(_split_facts(invoice, gathered["ap.find_similar_invoices"]))
    budget = gathered.get("budget.get_budget")
    if budget and facts["invoice.payable_amount"] is not None:
        shortfall = round(facts["invoice.payable_amount"] - budget["available"], 2)
        facts.update(
            {
                "budget.available": budget["available"],
                "budget.shortfall": shortfall,
                "budget.overrun_pct": round(max(shortfall, 0) / budget["budget"] * 100, 3),
            }
        )
    types = detect(facts)
    facts["invoice.exception_count"] = len([t for t in types if t != "clean_match"])
    facts[TYPES_FACT] = types
    facts["invoice.hold_reason"] = hold_reason(facts) if types else None
    facts["invoice.note"] = approval_note(facts) if types else None
    return facts


def _invoice_facts(invoice: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "invoice.id": invoice["invoice_id"],
        "invoice.number": invoice["vendor_invoice_number"],
        "invoice.status": invoice["status"],
        "invoice.currency": invoice["currency"],
        "invoice.subtotal": invoice["subtotal"],
        "invoice.tax": invoice["tax"],
        "invoice.total": invoice["total"],
        "invoice.open_amount": invoice["open_amount"],
        "invoice.paid_amount": invoice["paid_amount"],
        "invoice.age_days": invoice["age_days"],
        "invoice.days_to_due": invoice["days_to_due"],
        "invoice.cost_centre": invoice["cost_centre"],
        "invoice.po_id": invoice["po_id"],
        "invoice.hold_active": invoice["hold_active"],
        "vendor.id": invoice["vendor_id"],
    }


def _has_po(invoice: Mapping[str, Any], po: Mapping[str, Any] | None, missing: Mapping[str, str]) -> bool | None:
    """False when the invoice quotes no PO or purchasing never issued the one it quotes; None when unknown."""
    if not invoice.get("po_id"):
        return False
    if po:
        return True
    reason = missing.get("purchasing.get_purchase_order", "")
    return False if reason.startswith("NotFoundError") else None


def written_about(invoice: Mapping[str, Any], vendor: Mapping[str, Any] | None) -> list[Text]:
    """Every free text people wrote about this invoice, with when: AP's notes on it (the mission's own excepted),
    the invoice's description, and the vendor's inbound messages about it or about no invoice in particular."""
    invoice_id = str(invoice["invoice_id"])
    texts = [
        Text(
            Source("ap", str(n["note_id"]), "invoice note", writer="staff"),
            str(n["body"]),
            str(n.get("created_at") or ""),
        )
        for n in invoice.get("notes") or []
        if n.get("author") != OWN_NOTE_AUTHOR
    ]
    texts.append(
        Text(Source("ap", invoice_id, "invoice description", writer="vendor"), str(invoice.get("description") or ""))
    )
    texts += [
        Text(Source("ap", str(m["message_id"]), f"vendor message ({m['topic']})", writer="vendor"), str(m["body"]),
             str(m.get("sent_at") or ""))
        for m in (vendor or {}).get("messages") or []
        if m.get("direction") == "inbound" and m.get("invoice_id") in (invoice_id, None)
    ]  # fmt: skip
    return texts


def said(texts: list[Text], kind: str) -> bool | None:
    """Whether these texts state a fact of ``kind`` (the reading layer, with its words; a later text's word on it
    stands): True when one does, False when none does or the kind's words are barely there, None when one says it
    unsurely (hedged, on a condition, hearsay): then a person decides."""
    reading = read_in_order(texts, [kind], READER)
    fact = reading.facts.get(kind)
    if fact is not None and fact.confidence >= THRESHOLD and reading.get(kind) is None:
        return None
    return reading.affirmed(kind) is True


def _verification_text(vendor: Mapping[str, Any] | None) -> list[Text]:
    """How AP wrote down that the active bank account was verified, as a text about the invoice's vendor."""
    active = next(
        (
            a
            for a in (vendor or {}).get("bank_accounts") or []
            if a["account_id"] == (vendor or {}).get("active_account_id")
        ),
        None,
    )
    method = str((active or {}).get("verification_method") or "")
    if not active or not method:
        return []
    source = Source("ap", str(active["account_id"]), "bank_accounts.verification_method", writer="staff")
    return [Text(source, method, str(active.get("verified_at") or ""))]


def verified_by_call_back(vendor: Mapping[str, Any], notes: Sequence[Text] = ()) -> bool | None:
    """AP-008: only a call-back to a number on file verifies an account; "verified by e-mail reply" does not. The
    active account's verification method is read (reading layer), with AP's notes on the invoice after it, in the
    order they were written: a later note that says the check was no call-back, or was to the number the change
    came with, overrules the record's method. None when the last word says it in words that cannot be read with
    confidence."""
    if not vendor.get("bank_verified"):
        return False
    written = _verification_text(vendor)
    if not written:
        return None
    fact = read_in_order([*written, *notes], ["bank_verified"], READER).get("bank_verified")
    if fact is None:
        return None
    return fact.polarity == "affirmed" and fact.value == "call_back"


def _vendor_facts(vendor: Mapping[str, Any], invoice: Mapping[str, Any] | None) -> dict[str, Any]:
    changed_at = vendor.get("bank_changed_at")
    change_days = None
    if changed_at and invoice:
        change_days = round(_day_number(invoice["received_at"]) - _day_number(changed_at), 1)
    messages = vendor.get("messages") or []
    return {
        "vendor.id": vendor["vendor_id"],
        "vendor.category": vendor["category"],
        "vendor.status": vendor["status"],
        "vendor.tenure_years": vendor["tenure_years"],
        "vendor.non_po_category": vendor["category"] in NON_PO_CATEGORIES,
        "vendor.bank_account_id": vendor.get("active_account_id"),
        "vendor.bank_changed": changed_at is not None,
        "vendor.bank_verified": verified_by_call_back(vendor, _staff_notes(invoice)),
        "vendor.bank_change_days": change_days,
        "vendor.bank_message": any(m["direction"] == "inbound" and m["topic"] == "bank_details" for m in messages),
    }


def _staff_notes(invoice: Mapping[str, Any] | None) -> list[Text]:
    """AP's notes on the invoice (the mission's own excepted), with when each was written."""
    return [
        Text(
            Source("ap", str(n["note_id"]), "invoice note", writer="staff"),
            str(n["body"]),
            str(n.get("created_at") or ""),
        )
        for n in (invoice or {}).get("notes") or []
        if n.get("author") != OWN_NOTE_AUTHOR
    ]


def _day_number(timestamp: str) -> float:
    from datetime import datetime

    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ")
    return moment.toordinal() + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400


def _tax_facts(invoice: Mapping[str, Any], vendor: Mapping[str, Any]) -> dict[str, Any]:
    expected = round(cents(invoice["subtotal"]) * vendor["tax_rate_percent"] / 100) / 100
    return {"tax.expected": expected, "tax.difference": round(invoice["tax"] - expected, 2)}


def three_way_match(invoice: Mapping[str, Any], po: Mapping[str, Any], receipts: Mapping[str, Any]) -> dict[str, Any]:
    """Invoice lines against PO lines and accepted receipts: variances, over-billing, what awaits delivery, and the
    matched amount in cents."""
    po_lines = {line["line_no"]: line for line in po.get("lines", [])}
    accepted = {int(k): int(v) for k, v in (receipts.get("accepted_by_line") or {}).items()}
    worst_pct, variance, over_units, over_value, awaiting, billed_units, matched_units = 0.0, 0, 0, 0, 0, 0, 0
    matched_lines = 0
    for line in invoice.get("lines", []):
        ordered = po_lines.get(line["po_line_no"])
        price, quantity = cents(line["unit_price"]), int(line["quantity"])
        billed_units += quantity
        if ordered is None:  # a line billing something the PO never ordered
            over_units += quantity
            over_value += quantity * price
            continue
        po_price = cents(ordered["unit_price"])
        if price > po_price:
            worst_pct = max(worst_pct, (price - po_price) / po_price * 100)
            variance += (price - po_price) * quantity
        units = min(quantity, accepted.get(ordered["line_no"], 0))
        matched_units += units
        excess = quantity - units
        if excess > 0 and ordered["status"] == "open" and quantity <= ordered["quantity"]:
            awaiting += excess
        elif excess > 0:
            over_units += excess
            over_value += excess * price
        within = price <= po_price * (1 + PRICE_TOLERANCE)
        matched_lines += units * (price if within else po_price)
    ratio = cents(invoice["total"]) / cents(invoice["subtotal"])
    return {
        "match.price_variance_pct": round(worst_pct, 2),
        "match.price_variance_amount": variance / 100,
        "match.units_over_received": over_units,
        "match.over_received_amount": over_value / 100,
        "match.units_awaiting_receipt": awaiting,
        "match.received_share": round(matched_units / billed_units, 3) if billed_units else None,
        "matched_cents": round(matched_lines * ratio),
    }


def _amounts(invoice: Mapping[str, Any], matched: int) -> dict[str, Any]:
    open_cents = cents(invoice["open_amount"])
    matched = min(matched, open_cents)
    discount = invoice.get("discount") or {}
    in_full = matched >= open_cents
    available = bool(discount.get("available")) and in_full
    payable = open_cents - cents(discount.get("amount") or 0) if available else matched
    return {
        "invoice.matched_amount": matched / 100,
        "invoice.payable_amount": payable / 100,
        "invoice.discount_available": available,
        "invoice.discount_amount": cents(discount.get("amount") or 0) / 100 if available else 0.0,
    }


def _duplicate_facts(similar: Mapping[str, Any]) -> dict[str, Any]:
    earlier = [
        m
        for m in similar.get("matches", [])
        if m["earlier"] and m["status"] != "rejected" and (m["same_number"] or (m["same_amount"] and m["same_date"]))
    ]
    if not earlier:
        return {}
    original = max(earlier, key=lambda m: (m["same_number"], -abs(m["days_apart"])))
    return {
        "duplicate.invoice_id": original["invoice_id"],
        "duplicate.same_number": original["same_number"],
        "duplicate.status": original["status"],
    }


def _in_band(total: float) -> bool:
    return SPLIT_BAND * CLERK_LIMIT <= total < CLERK_LIMIT


def _split_facts(invoice: Mapping[str, Any], similar: Mapping[str, Any]) -> dict[str, Any]:
    if not _in_band(invoice["total"]):
        return {}
    siblings = [
        m
        for m in similar.get("matches", [])
        if _in_band(m["total"])
        and abs(m["days_apart"]) <= SPLIT_WINDOW_DAYS
        and m["cost_centre"] == invoice["cost_centre"]
        and m["currency"] == invoice["currency"]
        and m["status"] != "rejected"
        and not (m["same_number"] or (m["same_amount"] and m["same_date"]))
    ]
    total = round(invoice["total"] + sum(m["total"] for m in siblings), 2)
    if not siblings or total < CLERK_LIMIT:
        return {}
    return {
        "split.invoice_ids": sorted(m["invoice_id"] for m in siblings),
        "split.count": len(siblings) + 1,
        "split.total": total,
    }


def detect(facts: Mapping[str, Any]) -> list[str]:
    """The case types the facts show, in the vocabulary's order; ``clean_match`` when nothing is wrong and every
    check could be made."""
    has_po = facts.get("invoice.has_po")
    found = {
        "price_variance": has_po is True and (facts.get("match.price_variance_amount") or 0) >= 0.01,
        "quantity_over_received": has_po is True and (facts.get("match.units_over_received") or 0) > 0,
        "partial_receipt": has_po is True and (facts.get("match.units_awaiting_receipt") or 0) > 0,
        "missing_po": has_po is False,
        "duplicate_invoice": facts.get("duplicate.invoice_id") is not None,
        "bank_change": bool(facts.get("vendor.bank_changed")) and facts.get("vendor.bank_verified") is False,
        "budget_exceeded": (facts.get("budget.shortfall") or 0) > 0,
        "split_invoice": facts.get("split.invoice_ids") is not None,
        "currency_mismatch": has_po is True
        and facts.get("po.currency") is not None
        and facts.get("po.currency") != facts.get("invoice.currency"),
        "tax_mismatch": abs(facts.get("tax.difference") or 0) > TAX_TOLERANCE,
    }
    types = [t for t in EXCEPTIONS if found[t]]
    if types:
        return types
    checked = ("invoice.has_po", "invoice.matched_amount", "vendor.bank_verified", "tax.difference", "budget.shortfall")
    if facts.get("invoice.status") == "awaiting_approval" and all(facts.get(f) is not None for f in checked):
        return ["clean_match"]
    return []


def _money(value: Any) -> str:
    return f"{float(value):,.2f}"


def hold_reason(facts: Mapping[str, Any]) -> str:
    """Every discrepancy found, in one line (the reason of a hold)."""
    parts = []
    types = facts.get(TYPES_FACT) or []
    if "price_variance" in types:
        parts.append(
            f"billed up to {facts['match.price_variance_pct']:.2f}% above PO prices "
            f"({_money(facts['match.price_variance_amount'])} in all)"
        )
    if "quantity_over_received" in types:
        parts.append(f"{facts['match.units_over_received']} unit(s) billed above what was received")
    if "partial_receipt" in types:
        parts.append(f"{facts['match.units_awaiting_receipt']} unit(s) billed are still to be delivered")
    if "missing_po" in types:
        parts.append("no purchase order" if not facts.get("invoice.po_id") else f"PO {facts['invoice.po_id']} unknown")
    if "duplicate_invoice" in types:
        parts.append(f"repeats invoice {facts['duplicate.invoice_id']} ({facts['duplicate.status']})")
    if "bank_change" in types:
        parts.append("vendor bank account changed and not verified")
    if "budget_exceeded" in types:
        parts.append(f"cost centre short of budget by {_money(facts['budget.shortfall'])}")
    if "split_invoice" in types:
        parts.append(f"one of {facts['split.count']} invoices just under the approval limit")
    if "currency_mismatch" in types:
        parts.append(f"billed in {facts['invoice.currency']}, ordered in {facts['po.currency']}")
    if "tax_mismatch" in types:
        parts.append(f"tax differs from the vendor's rate by {_money(facts['tax.difference'])}")
    return "; ".join(parts) or "matched"


def approval_note(facts: Mapping[str, Any]) -> str:
    """What an approval accepts and how much it pays, in one line (the note of an approval with note)."""
    parts = [hold_reason(facts)]
    if facts.get("invoice.payable_amount") is not None:
        parts.append(f"payable now {_money(facts['invoice.payable_amount'])} {facts.get('invoice.currency') or ''}")
    if facts.get("invoice.discount_available"):
        parts.append(f"early-payment discount {_money(facts['invoice.discount_amount'])}")
    return "; ".join(p.strip() for p in parts)
