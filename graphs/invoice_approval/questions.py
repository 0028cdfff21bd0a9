"""How the invoice mission phrases its question to Enterprise Knowledge for each case type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS: dict[str, str] = {
    "clean_match": "invoice matches purchase order and goods receipt: approve and pay on terms",
    "price_variance": "invoice unit price above the purchase order price: price tolerance and variance approval",
    "quantity_over_received": "invoice bills more units than were received: quantity variance and credit note",
    "partial_receipt": "goods partly received: pay the received quantity of the invoice",
    "missing_po": "invoice without a purchase order: non-PO invoice approval",
    "duplicate_invoice": "same vendor invoice number or same amount and date as an earlier invoice: duplicate",
    "bank_change": "vendor bank account changed before the invoice: verify bank details by call-back",
    "budget_exceeded": "cost centre budget not sufficient for the invoice: budget overrun approval",
    "split_invoice": "several invoices just under the approval limit from one vendor: split invoices",
    "currency_mismatch": "invoice currency differs from the purchase order currency",
    "tax_mismatch": "tax on the invoice differs from the vendor's tax rate: corrected invoice",
}


def question_for(case_type: str, facts: Mapping[str, Any]) -> str:
    extra = []
    if facts.get("invoice.discount_available"):
        extra.append("early-payment discount open")
    if (facts.get("invoice.exception_count") or 0) > 1:
        extra.append("several discrepancies")
    return QUESTIONS[case_type] + (f" ({'; '.join(extra)})" if extra else "")
