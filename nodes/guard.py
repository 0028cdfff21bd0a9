"""The guard: checks a proposal independently of whichever reasoner made it.

It rejects any action that is unknown or a read, has malformed arguments, targets records that are not this
order's, breaks a system invariant, or cites no policy, and turns such a verdict into an escalation with the
reason. Edited actions from a reviewer pass through the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema_rs

from ai_missions.integrations.catalog import TOOLS_BY_NAME
from ai_missions.nodes.state import ProposedAction, Verdict

#: The only kind of action a policy may let run without a reviewer: internal records that move no money or
#: stock, change no order and reach no customer.
AUTOMATABLE_TOOLS = frozenset({"add_note"})

#: Arguments that name a record, and the facts holding the ids this order may touch.
_ID_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "order_id": ("order.id", "duplicate.original_order_id"),
    "customer_id": ("customer.id",),
    "reservation_id": ("inventory.reservation_id",),
    "authorization_id": ("payment.authorization_id",),
    "capture_id": ("payment.capture_ids",),
}


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _allowed_ids(facts: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    ids: set[str] = set()
    for name in names:
        value = facts.get(name)
        if isinstance(value, list | tuple | set):
            ids.update(str(v) for v in value)
        elif value is not None:
            ids.add(str(value))
    return ids


def check_action(
    action: Mapping[str, Any],
    facts: Mapping[str, Any],
    *,
    earlier: Sequence[Mapping[str, Any]] = (),
    schemas: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """Problems with one action in the context of the actions planned before it (empty when it is sound)."""
    tool = str(action.get("tool", ""))
    spec = TOOLS_BY_NAME.get(tool)
    if spec is None:
        return [f"unknown tool {tool!r}"]
    if spec.kind != "write":
        return [f"{tool} is a read, not an action"]
    args = action.get("args")
    if not isinstance(args, Mapping):
        return [f"{tool}: arguments must be an object"]
    problems: list[str] = []
    if not action.get("policy_ids"):
        problems.append(f"{tool}: cites no policy")
    if action.get("tier") == "auto" and tool not in AUTOMATABLE_TOOLS:
        problems.append(f"{tool}: moves money or stock, changes an order or reaches a customer; it needs a reviewer")
    schema = (schemas or {}).get(tool)
    if schema is not None:
        payload = {k: v for k, v in args.items() if k != "idempotency_key"}
        for error in sorted(_validator(tool, schema).iter_errors(payload), key=lambda e: e.message):
            problems.append(f"{tool}: argument {'.'.join(map(str, error.instance_path)) or '(all)'}: {error.message}")
    for arg, fact_names in _ID_ARGUMENTS.items():
        if arg in args and str(args[arg]) not in _allowed_ids(facts, fact_names):
            problems.append(f"{tool}: {arg}={args[arg]!r} is not a record of this order")
    problems.extend(_invariants(tool, args, facts, [str(a.get("tool")) for a in earlier]))
    return problems


_validators: dict[str, tuple[Mapping[str, Any], Any]] = {}


def _validator(tool: str, schema: Mapping[str, Any]) -> Any:
    """A compiled validator of ``tool``'s arguments without its idempotency key (the mission adds it), kept while
    the gateway's schema object stands."""
    cached = _validators.get(tool)
    if cached is None or cached[0] is not schema:
        required = [r for r in schema.get("required", []) if r != "idempotency_key"]
        validator = jsonschema_rs.Draft202012Validator({**schema, "required": required})
        cached = _validators[tool] = (schema, validator)
    return cached[1]


def _invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: list[str]) -> list[str]:
    problems: list[str] = []
    amount = _number(args.get("amount")) if "amount" in args else None
    if "amount" in args and (amount is None or amount <= 0):
        problems.append(f"{tool}: amount must be a positive number")
    if tool == "refund_payment" and amount is not None:
        refundable = (_number(facts.get("payment.captured_amount")) or 0.0) - (
            _number(facts.get("payment.refunded_amount")) or 0.0
        )
        if amount > refundable + 1e-9:
            problems.append(
                f"refund_payment: {amount:.2f} exceeds what is captured and not refunded ({refundable:.2f})"
            )
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


def check_actions(
    actions: Sequence[Mapping[str, Any]],
    facts: Mapping[str, Any],
    *,
    schemas: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[str]:
    """Problems across a whole plan, each action checked against those before it."""
    problems: list[str] = []
    for index, action in enumerate(actions):
        problems.extend(
            f"action {index + 1}: {p}" for p in check_action(action, facts, earlier=actions[:index], schemas=schemas)
        )
    return problems


def guard(
    verdict: Verdict, facts: Mapping[str, Any], *, schemas: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[Verdict, list[str]]:
    """The verdict as it may proceed, and the problems found (an escalation carrying them when there are any)."""
    problems = check_actions(verdict["actions"], facts, schemas=schemas)
    if verdict["outcome"] != "escalate" and not verdict["actions"] and verdict["outcome"] != "proceed":
        problems.append(f"a {verdict['outcome']} verdict proposes no action")
    if verdict["outcome"] != "escalate" and not verdict["policy_ids"]:
        problems.append("the verdict cites no policy")
    if not problems:
        return verdict, []
    escalation = Verdict(
        outcome="escalate",
        actions=[],
        confidence=verdict["confidence"],
        summary=f"Escalated by the guard: {'; '.join(problems)}. The reasoner proposed: {verdict['summary']}",
        policy_ids=verdict["policy_ids"],
        reasoner=verdict["reasoner"],
    )
    return escalation, problems


def review_actions(actions: Sequence[ProposedAction]) -> list[tuple[int, ProposedAction]]:
    """The actions (with their plan index) that wait in the Decision Queue."""
    return [(i, a) for i, a in enumerate(actions) if a["tier"] != "auto"]
