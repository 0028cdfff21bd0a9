"""What no plan may do to a claim, whoever proposed or edited it: approve a claim that is not open, approve it
twice, or credit more than the claim earns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    problems: list[str] = []
    if tool == "approve_claim":
        if facts.get("claim.status") != "open":
            problems.append("approve_claim: the claim is not open")
        if "approve_claim" in earlier:
            problems.append("approve_claim: the plan already approves this claim")
        amount, credit = args.get("amount"), facts.get("claim.credit")
        if isinstance(amount, int | float) and isinstance(credit, int | float) and amount > credit:
            problems.append(f"approve_claim: a credit of {amount} is more than the claim earns ({credit})")
    return problems
