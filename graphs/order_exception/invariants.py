"""The order mission's invariants: what no plan may do to an order, whoever proposed or edited it.

The guard (:mod:`ai_missions.nodes.guard`) checks these on every proposal and every reviewer edit, with the
actions planned before each one, independently of the reasoner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _refund_within_capture(capture_id: Any, amount: float, facts: Mapping[str, Any]) -> list[str]:
    """The payments system's own rule: a refund never exceeds what remains unrefunded on the capture it names."""
    ids = list(facts.get("payment.capture_ids") or [])
    refundable = list(facts.get("payment.capture_refundable") or [])
    if capture_id not in ids or len(refundable) != len(ids):
        return []
    left = _number(refundable[ids.index(capture_id)])
    if left is not None and amount > left + 1e-9:
        return [f"refund_payment: {amount:.2f} exceeds what remains refundable on {capture_id} ({left:.2f})"]
    return []


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Problems with one action, given the tools planned before it (empty when it is sound)."""
    problems: list[str] = []
    amount = _number(args.get("amount")) if "amount" in args else None
    if tool == "refund_payment" and amount is not None:
        refundable = (_number(facts.get("payment.captured_amount")) or 0.0) - (
            _number(facts.get("payment.refunded_amount")) or 0.0
        )
        if amount > refundable + 1e-9:
            problems.append(
                f"refund_payment: {amount:.2f} exceeds what is captured and not refunded ({refundable:.2f})"
            )
    if tool == "refund_payment" and amount is not None:
        problems += _refund_within_capture(args.get("capture_id"), amount, facts)
    if tool == "capture_payment":
        if facts.get("payment.auth_status") != "authorized":
            problems.append(f"capture_payment: authorization is {facts.get('payment.auth_status')}, not authorized")
        limit = _number(facts.get("payment.auth_amount"))
        if amount is not None and limit is not None and amount > limit + 1e-9:
            problems.append(f"capture_payment: {amount:.2f} exceeds the authorized {limit:.2f}")
    if tool == "cancel_order" and facts.get("order.shipped") and args.get("order_id") == facts.get("order.id"):
        problems.append("cancel_order: the order has shipped")
    if tool == "confirm_reservation" and "reallocate_reservation" not in earlier:
        if facts.get("inventory.phantom") and (_number(facts.get("inventory.counted_short")) or 0) > 0:
            problems.append("confirm_reservation: the cycle count shows the units are not there")
        if (_number(facts.get("inventory.units_short")) or 0) > 0:
            problems.append("confirm_reservation: the reserved location is short")
    if tool == "release_to_fulfillment":
        if "cancel_order" in earlier:
            problems.append("release_to_fulfillment: the plan also cancels the order")
        if facts.get("payment.hold_active") and "release_payment_hold" not in earlier:
            problems.append("release_to_fulfillment: a payment hold is active and the plan does not release it")
        if facts.get("address.status") == "undeliverable":
            problems.append("release_to_fulfillment: the ship-to address is undeliverable")
    if tool == "cancel_order" and "release_to_fulfillment" in earlier:
        problems.append("cancel_order: the plan also releases the order to fulfillment")
    return problems
