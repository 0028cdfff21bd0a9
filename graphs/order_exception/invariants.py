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


#: Actions that move an order forward, which an unresolved order hold stops (ORD-006, FUL-003).
HELD_BY_ORDER_HOLD = frozenset({"capture_payment", "release_payment_hold", "release_to_fulfillment"})
#: Actions that move a pickup order's goods or destination (the customer collects it in one store).
MOVES_PICKUP = frozenset({"reallocate_reservation", "apply_address_correction"})


def order_hold_unresolved(facts: Mapping[str, Any], earlier: Sequence[str]) -> bool:
    """An order hold is in force when this action runs: one in the ERP or placed earlier in the plan, and no
    ``release_order_hold`` after it."""
    held = (_number(facts.get("order.active_holds")) or 0) > 0
    for tool in earlier:
        if tool == "place_order_hold":
            held = True
        elif tool == "release_order_hold":
            held = False
    return held


def order_level(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """The order-level invariants (holds, pickup, the customer's address, cancelled orders), with the rule id
    each one enforces in ``[...]``."""
    problems: list[str] = []
    if tool in HELD_BY_ORDER_HOLD and order_hold_unresolved(facts, earlier):
        held = int(_number(facts.get("order.active_holds")) or 0)
        where = f"{held} order hold(s) open in the ERP" if held else "an order hold placed earlier in this plan"
        problems.append(f"{tool}: [order-hold] {where}, and the plan does not release it")
    if tool in MOVES_PICKUP and facts.get("order.fulfillment_method") == "pickup":
        store = facts.get("order.pickup_location")
        if tool == "apply_address_correction" or args.get("to_location_id") != store:
            problems.append(
                f"{tool}: [pickup-consent] a store-pickup order (collected at {store}) never changes location or "
                "method without the customer's consent"
            )
    if tool == "apply_address_correction" and facts.get("address.correction_changes_locality") is not False:
        problems.append(
            f"{tool}: [address-consent] the correction changes the city, region or country (or cannot be compared): "
            "that is another place, and the customer decides"
        )
    if tool == "capture_payment" and (facts.get("order.status") == "cancelled" or "cancel_order" in earlier):
        problems.append(f"{tool}: [no-capture-cancelled] the order is cancelled")
    return problems


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
    problems: list[str] = order_level(tool, args, facts, earlier)
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
