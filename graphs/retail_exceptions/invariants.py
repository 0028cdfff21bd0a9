"""What no retail plan may do, whoever proposed or edited it: allocate to a location without reliable stock,
cancel an order that has an alternative (or cancel and reallocate at once), credit more goodwill than the service
policy allows, or post a return at another amount than its refund. Unknown facts fail closed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_CENT = 0.005


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    problems: list[str] = []
    if tool == "reallocate_order":
        if facts.get("alt.exists") is not True:
            problems.append("reallocate_order: no other location has stock a count supports")
        if "cancel_omni_order" in earlier:
            problems.append("reallocate_order: the plan also cancels the order")
    if tool == "cancel_omni_order":
        if facts.get("alt.exists") is not False:
            problems.append("cancel_omni_order: another location can fulfil the order (or it is not known)")
        if "reallocate_order" in earlier:
            problems.append("cancel_omni_order: the plan also reallocates the order")
    if tool == "issue_goodwill_credit":
        allowed, amount = _number(facts.get("order.goodwill_amount")), _number(args.get("amount"))
        if allowed is None:
            problems.append("issue_goodwill_credit: the goodwill the policy allows is not known")
        elif amount is not None and amount > allowed + _CENT:
            problems.append(f"issue_goodwill_credit: {amount:.2f} is more than the policy allows ({allowed:.2f})")
    if tool == "post_return_adjustment":
        refund, amount = _number(facts.get("return.refund")), _number(args.get("amount"))
        if refund is None or amount is None or abs(refund - amount) > _CENT:
            problems.append("post_return_adjustment: the amount must be the return's refund")
    return problems
