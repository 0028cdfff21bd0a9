"""The support mission's invariants: what no plan may do for a customer, whoever proposed or edited it.

Nothing touches an order the customer does not own; a refund is never more than what can still be refunded on the
order (the plan's refunds together included); an order is cancelled only before it ships; an authorization is
voided only while nothing was captured; a reply goes only to a ticket that still waits for an answer. A fact that
is not known fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_CENT = 0.005
ORDER_TOOLS = ("cancel_order", "void_authorization", "refund_payment")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Problems with one action, given the tools planned before it (empty when it is sound)."""
    problems: list[str] = []
    if tool in ORDER_TOOLS and facts.get("order.owned") is not True:
        problems.append(f"{tool}: the order is not known to belong to the customer who wrote; nothing is changed")
    if tool == "refund_payment":
        amount = _number(args.get("amount"))
        refundable = _number(facts.get("payment.refundable"))
        if refundable is None:
            problems.append("refund_payment: what can be refunded on the order is not known")
        elif amount is not None and amount > refundable + _CENT:
            problems.append(f"refund_payment: {amount:.2f} is more than can be refunded ({refundable:.2f})")
        if earlier.count("refund_payment"):
            problems.append("refund_payment: the plan already refunds this order; one refund per resolution")
    if tool == "cancel_order" and facts.get("order.cancellable") is not True:
        problems.append("cancel_order: the order has shipped or is already cancelled")
    if tool == "void_authorization" and facts.get("payment.uncaptured") is not True:
        problems.append("void_authorization: money was captured on the order; it is refunded, not voided")
    if tool == "send_ticket_reply":
        if facts.get("ticket.open") is not True:
            problems.append("send_ticket_reply: the ticket no longer waits for an answer")
        if earlier.count("send_ticket_reply"):
            problems.append("send_ticket_reply: the plan already replies; one reply per resolution")
    return problems
