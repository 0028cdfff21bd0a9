"""The invoice mission's invariants: what no plan may do to an invoice, whoever proposed or edited it.

Never pay more than was received and matched, nor more than is open; never pay a vendor whose bank account
changed without a call-back verification; never pay twice (two payments in a plan, an invoice already settled,
an invoice that repeats an earlier one, one written to replace an earlier one, one finance already posted by hand);
never pay and hold or reject the same invoice; never commit more budget than is available, nor commit an invoice
posted by hand. The guard checks these on every proposal and every reviewer edit, independently of the reasoner; a
fact that is not known fails closed (facts derived before the texts were read for a fact carry no key for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.mission_api import fact_number

_CENT = 0.005
PAYMENTS = ("post_payment", "schedule_payment")


def _payment_problems(amount: float | None, facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    problems: list[str] = []
    matched = fact_number(facts.get("invoice.matched_amount"))
    open_amount = fact_number(facts.get("invoice.open_amount"))
    if matched is None or open_amount is None:
        problems.append("post_payment: the matched or open amount is not known, so nothing may be paid")
    elif amount is not None:
        if amount > matched + _CENT:
            problems.append(f"post_payment: {amount:.2f} is more than was received and matched ({matched:.2f})")
        if amount > open_amount + _CENT:
            problems.append(f"post_payment: {amount:.2f} is more than the invoice's open amount ({open_amount:.2f})")
    if facts.get("vendor.bank_verified") is not True:
        problems.append("post_payment: the vendor's bank account changed and is not verified by call-back")
    if facts.get("duplicate.invoice_id") is not None:
        problems.append(f"post_payment: the invoice repeats {facts['duplicate.invoice_id']}; never pay twice")
    if facts.get("invoice.supersedes_earlier", False) is not False:
        problems.append("post_payment: the invoice is written to replace an earlier one (or may be); never pay twice")
    if facts.get("invoice.posted_by_hand", False) is not False:
        problems.append("post_payment: the invoice was posted by hand already (or may have been); never pay twice")
    if open_amount is not None and open_amount <= _CENT:
        problems.append("post_payment: the invoice is already settled; never pay twice")
    if any(tool in PAYMENTS for tool in earlier):
        problems.append("post_payment: the plan already pays this invoice; never pay twice")
    if blocking := [tool for tool in earlier if tool in ("place_invoice_hold", "reject_invoice")]:
        problems.append(f"post_payment: the plan also calls {blocking[0]}")
    return problems


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Problems with one action, given the tools planned before it (empty when it is sound)."""
    amount = fact_number(args.get("amount")) if "amount" in args else None
    if tool == "post_payment":
        return _payment_problems(amount, facts, earlier)
    problems: list[str] = []
    if tool == "commit_budget":
        available = fact_number(facts.get("budget.available"))
        if available is None:
            problems.append("commit_budget: the cost centre's available budget is not known")
        elif amount is not None and amount > available + _CENT:
            problems.append(f"commit_budget: {amount:.2f} is more than the budget has available ({available:.2f})")
        matched = fact_number(facts.get("invoice.matched_amount"))
        if amount is not None and matched is not None and amount > matched + _CENT:
            problems.append(f"commit_budget: {amount:.2f} is more than was received and matched ({matched:.2f})")
        if "reject_invoice" in earlier:
            problems.append("commit_budget: the plan also rejects the invoice")
        if facts.get("invoice.posted_by_hand", False) is not False:
            problems.append("commit_budget: the invoice was posted by hand already (or may have been)")
    if tool == "reject_invoice":
        if (fact_number(facts.get("invoice.paid_amount")) or 0.0) > _CENT:
            problems.append("reject_invoice: money was already paid or scheduled on the invoice")
        if any(t in PAYMENTS or t == "commit_budget" for t in earlier):
            problems.append("reject_invoice: the plan also pays the invoice")
    if tool == "place_invoice_hold" and any(t in PAYMENTS for t in earlier):
        problems.append("place_invoice_hold: the plan also pays the invoice")
    return problems
