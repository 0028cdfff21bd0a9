"""The facts of one claim, from the warranty system's claim read (the trigger's scan reads the same shape)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from warranty_claims.vocabulary import TYPES_FACT

#: Defects the warranty covers (WAR-001).
COVERED = ("manufacturing",)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def derive_facts(context: Mapping[str, Any]) -> dict[str, Any]:
    claim, product = context["claim"], context["product"]
    ends = _moment(claim["purchased_at"]) + timedelta(days=round(product["warranty_months"] * 365 / 12))
    in_warranty = _moment(claim["filed_at"]) <= ends
    approved_before = sum(1 for c in context.get("earlier_claims") or [] if c["status"] == "approved")
    kind = "repeat_claim" if approved_before else "in_warranty" if in_warranty else "out_of_warranty"
    return {
        TYPES_FACT: [kind],
        "claim.id": claim["claim_id"],
        "claim.status": claim["status"],
        "claim.defect": claim["defect"],
        "claim.covered": claim["defect"] in COVERED,
        "claim.in_warranty": in_warranty,
        "claim.warranty_ends": ends.date().isoformat(),
        "claim.approved_before": approved_before,
        "claim.credit": product["price"],
    }
