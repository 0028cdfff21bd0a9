"""What no retail plan may do, whoever proposed or edited it: allocate to a location without reliable stock,
cancel an order that has an alternative (or cancel and reallocate at once), credit more goodwill than the service
policy allows, post a return at another amount than its refund, or offer a substitute that is not the one found,
is priced outside the band, or comes before the customer was asked (or beside a cancellation or reallocation).
Unknown facts fail closed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.retail_exceptions.facts import SUBSTITUTE_PRICE_BAND
from ai_missions.mission_api import fact_number

_CENT = 0.005


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
        allowed, amount = fact_number(facts.get("order.goodwill_amount")), fact_number(args.get("amount"))
        if allowed is None:
            problems.append("issue_goodwill_credit: the goodwill the policy allows is not known")
        elif amount is not None and amount > allowed + _CENT:
            problems.append(f"issue_goodwill_credit: {amount:.2f} is more than the policy allows ({allowed:.2f})")
    if tool == "offer_substitution":
        if facts.get("sub.exists") is not True:
            problems.append("offer_substitution: no substitute with counted stock fits the order")
        elif args.get("substitute_sku") != facts.get("sub.sku"):
            problems.append(f"offer_substitution: {args.get('substitute_sku')} is not the substitute found")
        original, price = fact_number(facts.get("order.unit_price")), fact_number(args.get("unit_price"))
        if original is None or price is None or abs(price - original) > original * SUBSTITUTE_PRICE_BAND + _CENT:
            problems.append(f"offer_substitution: the price must be within {SUBSTITUTE_PRICE_BAND:.0%} of the item's")
        if "notify_customer" not in earlier:
            problems.append("offer_substitution: the customer must be asked first (a consent notice before it)")
        if {"cancel_omni_order", "reallocate_order"} & set(earlier):
            problems.append("offer_substitution: the plan also cancels or reallocates the order")
    if tool == "post_return_adjustment":
        refund, amount = fact_number(facts.get("return.refund")), fact_number(args.get("amount"))
        if refund is None or amount is None or abs(refund - amount) > _CENT:
            problems.append("post_return_adjustment: the amount must be the return's refund")
    return problems
