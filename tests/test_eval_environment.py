"""The expected end state of a case: its recorded actions applied through the systems' own service functions, with
their arguments as a case file (and MCP) carries them."""

from __future__ import annotations

from ai_missions.evals.environment import apply_actions, memory_book
from ai_missions.graphs.support.evals.holdout import build


def test_a_recorded_ship_to_given_as_a_json_object_applies_like_over_mcp() -> None:
    case = next(c for c in build() if c.resolution.outcome == "change_address")
    actions = [a.model_dump() for a in case.resolution.actions]
    order_id = actions[0]["args"]["order_id"]
    assert isinstance(actions[0]["args"]["ship_to"], dict)
    conns = memory_book(case.snapshot)
    try:
        assert apply_actions(conns, actions) == []
        erp = conns["erp"].execute("SELECT ship_city FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        label = conns["shipping"].execute("SELECT city FROM order_addresses WHERE order_id = ?", (order_id,)).fetchone()
        assert erp[0] == label[0] == actions[0]["args"]["ship_to"]["city"]
    finally:
        for conn in conns.values():
            conn.close()


def test_a_record_argument_that_is_not_one_is_a_problem_not_a_crash() -> None:
    case = next(c for c in build() if c.resolution.outcome == "change_address")
    order_id = case.resolution.actions[0].args["order_id"]
    conns = memory_book(case.snapshot)
    try:
        problems = apply_actions(conns, [{"tool": "change_ship_to", "args": {"order_id": order_id, "ship_to": {}}}])
        assert len(problems) == 1
        assert problems[0].startswith("action 1 change_ship_to")
    finally:
        for conn in conns.values():
            conn.close()
