"""How the retail mission asks Enterprise Knowledge about each exception kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS: dict[str, str] = {
    "pickup_unfulfillable": "buy online pick up in store order the store cannot fulfil: reassign, substitute or cancel",
    "phantom_stock": "phantom inventory oversold online: quarantine, recount and reallocate",
    "inbound_delay": "inbound shipment delay affecting a promotion: notify merchandising and customers",
    "unreconciled_return": "return processed in a channel but not posted to the ledger: reconcile",
    "vip_stock_conflict": "VIP customer order at risk from a stock conflict: service policy and escalation",
    "no_exception": "flagged order with nothing wrong: record and close",
}


def question_for(case_type: str, facts: Mapping[str, Any]) -> str:
    extra = " (several exceptions)" if (facts.get("retail.exception_count") or 0) > 1 else ""
    return QUESTIONS[case_type] + extra
