"""The expected end state of a case: its recorded actions applied through the systems' own service functions, with
their arguments as a case file (and MCP) carries them."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from ai_missions.evals.environment import apply_actions, memory_book
from ai_missions.graphs.support.evals.holdout import build
from ai_missions.kernel import environment
from ai_missions.kernel.errors import MissionsError

HOOKS = EntryPoint("simulated", "ai_missions.integrations.environment:ENVIRONMENT", environment.ENVIRONMENT_GROUP)


TWICE = [HOOKS, EntryPoint("other", HOOKS.value, HOOKS.group)]


@pytest.mark.parametrize(("registered", "named"), [([], "none"), (TWICE, "other, simulated")])
def test_without_exactly_one_registered_simulator_the_environment_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, registered: list[EntryPoint], named: str
) -> None:
    """Against real systems nothing registers the hooks: the demo and the harness stop with one line, not a trace."""
    monkeypatch.setattr(environment, "entry_points", lambda group: registered if group == HOOKS.group else [])
    environment.simulated_environment.cache_clear()
    try:
        with pytest.raises(MissionsError, match=f"registered: .*{named}") as raised:
            environment.simulated_environment()
        assert "\n" not in str(raised.value)
    finally:
        environment.simulated_environment.cache_clear()


def test_the_registered_simulator_is_found_by_its_entry_point() -> None:
    environment.simulated_environment.cache_clear()
    hooks = environment.simulated_environment()
    assert hooks is HOOKS.load()
    assert "CREATE TABLE" in hooks.schema("erp")


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
