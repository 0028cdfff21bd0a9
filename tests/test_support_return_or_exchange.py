"""An item is returned or exchanged, never both in one plan: the guard refuses the second write on the same line,
whichever the plan orders first, and lets a return and an exchange of different lines of an order through."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.invariants import invariants

DELIVERED: dict[str, Any] = {
    "order.owned": True,
    "order.status": "delivered",
    "shipment.status": "delivered",
    "payment.refundable": 500.0,
    "return.lines": [1],
    "return.refund_to": "original_payment",
    "return.open_value": 120.0,
}
RETURN = {"order_id": "#W1", "line_nos": [1], "refund_to": "original_payment"}


def _exchange(line_no: int) -> tuple[dict[str, Any], dict[str, Any]]:
    changes = [{"line_no": line_no, "sku": "NEW-1"}]
    return {"order_id": "#W1", "changes": changes}, {**DELIVERED, "modify.changes": changes}


def test_a_return_after_an_exchange_of_the_same_line_is_refused() -> None:
    _, facts = _exchange(1)
    problems = invariants("open_return", RETURN, facts, ["exchange_order_items"])
    assert any("returned or exchanged, not both" in p for p in problems)


def test_an_exchange_after_a_return_of_the_same_line_is_refused() -> None:
    args, facts = _exchange(1)
    problems = invariants("exchange_order_items", args, facts, ["open_return"])
    assert any("returned or exchanged, not both" in p for p in problems)


def test_the_one_line_exchange_counts_too() -> None:
    facts = {**DELIVERED, "exchange.line_no": 1, "exchange.sku": "NEW-1", "exchange.in_stock": True}
    problems = invariants("open_return", RETURN, facts, ["exchange_order_item"])
    assert any("returned or exchanged, not both" in p for p in problems)


def test_a_return_and_an_exchange_of_different_lines_pass() -> None:
    args, facts = _exchange(2)
    assert not [p for p in invariants("open_return", RETURN, facts, ["exchange_order_items"]) if "both" in p]
    assert not [p for p in invariants("exchange_order_items", args, facts, ["open_return"]) if "both" in p]
    assert invariants("open_return", RETURN, DELIVERED, []) == []
