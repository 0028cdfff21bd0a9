"""The invoice mission's words: case types, outcomes, policy domains and the facts it derives.

The AP policies' machine-checkable clauses are written against :data:`FACTS`; the gather step derives exactly
these facts from what the systems return. ``clean_match`` is the case of an invoice with nothing wrong: it still
needs an approval before it is paid, so it is a case type like the exceptions.
"""

from __future__ import annotations

from typing import Literal

from ai_missions.mission_api import Vocabulary

CaseType = Literal[
    "clean_match",
    "price_variance",
    "quantity_over_received",
    "partial_receipt",
    "missing_po",
    "duplicate_invoice",
    "bank_change",
    "budget_exceeded",
    "split_invoice",
    "currency_mismatch",
    "tax_mismatch",
]
CASE_TYPES: tuple[str, ...] = CaseType.__args__  # type: ignore[attr-defined]
#: The case types that are something wrong (everything but ``clean_match``).
EXCEPTIONS: tuple[str, ...] = CASE_TYPES[1:]

Outcome = Literal["approve", "approve_with_note", "hold", "reject", "escalate"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
#: Outcomes under which the invoice is paid (its payment and budget commitment stay in the plan).
ADVANCING: tuple[str, ...] = ("approve", "approve_with_note")

DOMAINS: tuple[str, ...] = (
    "accounts_payable",  # matching, tolerances, duplicates, non-PO invoices, taxes, vendor requests
    "procurement",  # purchase orders, receipts, buyers
    "treasury",  # payments, bank details and their verification, terms and discounts
    "finance_controls",  # approval limits, budgets, split invoices, segregation of duties
)

TYPES_FACT = "invoice.case_types"

#: Fact name -> (type, description). ``None`` is a legal value for any fact and means "not known".
FACTS: dict[str, tuple[str, str]] = {
    TYPES_FACT: ("list", "case types found on the invoice (clean_match when nothing is wrong)"),
    "invoice.exception_count": ("int", "how many exceptions the invoice has (0 for a clean match)"),
    "invoice.id": ("str", "the invoice id"),
    "invoice.number": ("str", "the vendor's invoice number"),
    "invoice.status": ("str", "awaiting_approval, on_hold, rejected, partially_paid, scheduled or paid"),
    "invoice.currency": ("str", "ISO currency the invoice is billed in"),
    "invoice.subtotal": ("number", "invoice subtotal before tax"),
    "invoice.tax": ("number", "tax billed"),
    "invoice.total": ("number", "invoice total"),
    "invoice.open_amount": ("number", "total less what is paid, scheduled or discounted"),
    "invoice.paid_amount": ("number", "what was already paid or scheduled on the invoice"),
    "invoice.age_days": ("number", "days since AP received the invoice"),
    "invoice.days_to_due": ("number", "days until the due date (negative: overdue)"),
    "invoice.cost_centre": ("str", "the cost centre the invoice is charged to"),
    "invoice.has_po": ("bool", "the invoice quotes a purchase order that purchasing issued"),
    "invoice.po_id": ("str", "the purchase order the invoice quotes"),
    "invoice.hold_active": ("bool", "the invoice is on hold"),
    "invoice.supersedes_earlier": (
        "bool",
        "the vendor (a message about this invoice, or the invoice's description) or an AP note says this invoice "
        "replaces an earlier one; read with its words; None when the vendor is unread or it is said unsurely",
    ),
    "invoice.posted_by_hand": (
        "bool",
        "an AP or finance note says the invoice was already posted by hand (a manual journal entry or booking); "
        "read with its words; None when it is said unsurely",
    ),
    "invoice.matched_amount": (
        "number",
        "what the invoice may be paid at most: accepted units at the billed price within tolerance (else the PO "
        "price), with the invoice's tax; the total for an invoice without a PO",
    ),
    "invoice.payable_amount": ("number", "what to pay now: the matched amount, less the early-payment discount"),
    "invoice.discount_available": ("bool", "settling in full today takes the vendor's early-payment discount"),
    "invoice.discount_amount": ("number", "the early-payment discount if settled in full today"),
    "invoice.hold_reason": ("str", "why the invoice would be held: every discrepancy found, in one line"),
    "invoice.note": ("str", "the note for an approval with note: the discrepancies accepted, in one line"),
    "vendor.id": ("str", "the vendor id"),
    "vendor.category": ("str", "what the vendor supplies: raw_materials, utilities, telecom, it_services..."),
    "vendor.status": ("str", "active or blocked"),
    "vendor.tenure_years": ("number", "years since the vendor was onboarded"),
    "vendor.non_po_category": ("bool", "the vendor bills without purchase orders (utilities, telecom, subscriptions)"),
    "vendor.bank_account_id": ("str", "the vendor's active bank account"),
    "vendor.bank_changed": ("bool", "the active bank account replaced an earlier one"),
    "vendor.bank_verified": ("bool", "the active bank account is verified by call-back"),
    "vendor.bank_change_days": ("number", "days between the bank change and the invoice's arrival"),
    "vendor.bank_message": ("bool", "the vendor wrote to AP about its bank details"),
    "po.status": ("str", "open, closed or cancelled"),
    "po.currency": ("str", "ISO currency of the purchase order"),
    "po.buyer": ("str", "the buyer who placed the PO"),
    "match.price_variance_pct": ("number", "largest price variance of a line over the PO price, in percent"),
    "match.price_variance_amount": ("number", "billed above PO prices in all, before tax"),
    "match.units_over_received": ("int", "units billed above what was accepted on PO lines that expect no more"),
    "match.over_received_amount": ("number", "the value of those units at the billed price, before tax"),
    "match.units_awaiting_receipt": ("int", "units billed that are still to be delivered on open PO lines"),
    "match.received_share": ("number", "share of billed units accepted so far, 0-1"),
    "tax.expected": ("number", "tax at the vendor's rate on the subtotal"),
    "tax.difference": ("number", "tax billed less tax expected"),
    "duplicate.invoice_id": ("str", "the earlier invoice this one repeats"),
    "duplicate.same_number": ("bool", "the earlier invoice has the same number (as retyped)"),
    "duplicate.status": ("str", "status of the earlier invoice"),
    "split.invoice_ids": ("list", "the vendor's other invoices of the suspected split"),
    "split.count": ("int", "how many invoices make the suspected split, this one included"),
    "split.total": ("number", "their total"),
    "budget.available": ("number", "what the cost centre has available"),
    "budget.shortfall": ("number", "the amount to pay less what the budget has available"),
    "budget.overrun_pct": ("number", "that shortfall as a percent of the cost centre's annual budget"),
}

VOCABULARY = Vocabulary(
    case_types=CASE_TYPES,
    outcomes=OUTCOMES,
    facts=FACTS,
    domains=DOMAINS,
    types_fact=TYPES_FACT,
    advancing_outcomes=ADVANCING,
)
