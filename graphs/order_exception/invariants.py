"""The order mission's invariants: what no plan may do to an order, whoever proposed or edited it.

The guard (:mod:`ai_missions.nodes.guard`) checks these on every proposal and every reviewer edit, with the
actions planned before each one, independently of the reasoner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.mission_api import fact_number

#: Actions that move an order forward, which an unresolved order hold stops (ORD-006, FUL-003).
HELD_BY_ORDER_HOLD = frozenset({"capture_payment", "release_payment_hold", "release_to_fulfillment"})
#: Actions that move a pickup order's goods or destination (the customer collects it in one store).
MOVES_PICKUP = frozenset({"reallocate_reservation", "apply_address_correction"})


def order_hold_unresolved(facts: Mapping[str, Any], earlier: Sequence[str]) -> bool:
    """An order hold is in force when this action runs: one in the ERP or placed earlier in the plan, and no
    ``release_order_hold`` after it."""
    held = (fact_number(facts.get("order.active_holds")) or 0) > 0
    for tool in earlier:
        if tool == "place_order_hold":
            held = True
        elif tool == "release_order_hold":
            held = False
    return held


def unshippable(facts: Mapping[str, Any], earlier: Sequence[str]) -> bool:
    """The order is short and no other location can serve it, and the plan moves no stock before this action."""
    short = (fact_number(facts.get("inventory.units_short")) or 0) > 0
    return short and facts.get("inventory.alternate_location") is None and "reallocate_reservation" not in earlier


def order_level(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """The order-level invariants (holds, pickup, the customer's address, cancelled orders, unshippable orders),
    with the rule id
    each one enforces in ``[...]``."""
    problems: list[str] = []
    if tool in HELD_BY_ORDER_HOLD and order_hold_unresolved(facts, earlier):
        held = int(fact_number(facts.get("order.active_holds")) or 0)
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
    if tool == "release_payment_hold" and unshippable(facts, earlier):
        problems.append(
            f"{tool}: [unshippable-release] no location can serve the order: the payment hold stays until the stock "
            "question is settled (backorder with a date, or cancellation)"
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
    left = fact_number(refundable[ids.index(capture_id)])
    if left is not None and amount > left + 1e-9:
        return [f"refund_payment: {amount:.2f} exceeds what remains refundable on {capture_id} ({left:.2f})"]
    return []


#: Settling actions that may name a record of one of the cluster's other copies, by the argument that names it and
#: the fact listing those records.
OTHER_COPY_RECORDS = {
    "void_authorization": ("authorization_id", "duplicate.other_authorization_ids"),
    "refund_payment": ("capture_id", "duplicate.other_capture_ids"),
    "release_reservation": ("reservation_id", "duplicate.other_reservation_ids"),
}


def other_copy_record(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """The action settles a record of another copy of the cluster, not of this order."""
    if tool not in OTHER_COPY_RECORDS:
        return False
    arg, fact = OTHER_COPY_RECORDS[tool]
    return str(args.get(arg)) in {str(v) for v in facts.get(fact) or []}


def _other_copy(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Another copy's money and stock are settled only as part of cancelling it ([cluster-settle]), and a refund on
    its capture is exactly bounded by what is left on that capture."""
    problems = []
    copy = (facts.get("duplicate.other_copy_records") or {}).get(str(args.get(OTHER_COPY_RECORDS[tool][0])))
    cancelled = [t for t in earlier if t == "cancel_order"]
    # the guard passes each earlier action's arguments along with its tool name: the copy itself must be cancelled
    known: list[Mapping[str, Any]] = [t.args for t in cancelled if isinstance(getattr(t, "args", None), Mapping)]  # type: ignore[attr-defined]
    told = len(known) == len(cancelled)  # every cancellation's order is known (else only the tool name is checked)
    if not cancelled or (copy is not None and told and copy not in {str(a.get("order_id")) for a in known}):
        problems.append(
            f"{tool}: [cluster-settle] another copy's records are settled only after the plan cancels that copy"
            + (f" ({copy})" if copy else "")
        )
    if tool == "refund_payment":
        amount = fact_number(args.get("amount"))
        ids = [str(v) for v in facts.get("duplicate.other_capture_ids") or []]
        left = list(facts.get("duplicate.other_refund_amounts") or [])
        index = ids.index(str(args.get("capture_id")))
        bound = fact_number(left[index]) if len(left) == len(ids) else None
        if amount is not None and (bound is None or amount > bound + 1e-9):
            shown = "unknown" if bound is None else f"{bound:.2f}"
            problems.append(f"refund_payment: {amount:.2f} exceeds what is left on {args.get('capture_id')} ({shown})")
    return problems


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Problems with one action, given the tools planned before it (empty when it is sound)."""
    problems: list[str] = order_level(tool, args, facts, earlier)
    if other_copy_record(tool, args, facts):  # this order's own money and stock rules do not apply to it
        return problems + _other_copy(tool, args, facts, earlier)
    amount = fact_number(args.get("amount")) if "amount" in args else None
    if tool == "refund_payment" and amount is not None:
        refundable = (fact_number(facts.get("payment.captured_amount")) or 0.0) - (
            fact_number(facts.get("payment.refunded_amount")) or 0.0
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
        limit = fact_number(facts.get("payment.auth_amount"))
        if amount is not None and limit is not None and amount > limit + 1e-9:
            problems.append(f"capture_payment: {amount:.2f} exceeds the authorized {limit:.2f}")
    if tool == "cancel_order" and facts.get("order.shipped") and args.get("order_id") == facts.get("order.id"):
        problems.append("cancel_order: the order has shipped")
    if tool == "confirm_reservation" and "reallocate_reservation" not in earlier:
        if facts.get("inventory.phantom") and (fact_number(facts.get("inventory.counted_short")) or 0) > 0:
            problems.append("confirm_reservation: the cycle count shows the units are not there")
        if (fact_number(facts.get("inventory.units_short")) or 0) > 0:
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
