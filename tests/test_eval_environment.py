"""Environments by name (``ai_missions.kernel.environment``): the simulator's hooks registered once, the books as an
environment with the lifecycle every environment has, and the expected end state of a case (its recorded actions
applied through the systems' own service functions, with their arguments as a case file and MCP carry them)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from ai_missions.evals.environment import apply_actions, expected_state
from ai_missions.graphs.support.evals.holdout import build
from ai_missions.kernel import environment
from ai_missions.kernel.environment import Environment, open_environment
from ai_missions.kernel.errors import MissionsError, NotFoundError

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
    assert environment.simulated_environment() is HOOKS.load()


def test_an_unknown_environment_is_one_line_naming_the_registered_ones() -> None:
    with pytest.raises(NotFoundError, match=r"^no environment 'nowhere' is registered \(registered: .*books"):
        open_environment("nowhere")


def _change_address_case() -> object:
    return next(c for c in build() if c.resolution.outcome == "change_address")


def test_the_books_reset_call_apply_snapshot_and_view() -> None:
    case = _change_address_case()
    actions = [a.model_dump() for a in case.resolution.actions]  # type: ignore[attr-defined]
    order_id = actions[0]["args"]["order_id"]
    projection = {
        "erp": ("erp", f"SELECT ship_city FROM orders WHERE order_id = '{order_id}'"),
        "shipping": ("shipping", f"SELECT city FROM order_addresses WHERE order_id = '{order_id}'"),
    }
    books = open_environment("books")
    try:
        assert isinstance(books, Environment)
        books.reset(case.snapshot)  # type: ignore[attr-defined]
        before, start = books.view(projection), books.snapshot()
        assert apply_actions(books, actions) == []
        city = actions[0]["args"]["ship_to"]["city"]
        assert books.view(projection) == {"erp": [(city,)], "shipping": [(city,)]}
        books.reset(start)
        assert books.view(projection) == before
        assert expected_state("books", start, actions, projection) == ({"erp": [(city,)], "shipping": [(city,)]}, [])
    finally:
        books.close()


async def test_a_read_through_the_books_answers_as_the_system_does() -> None:
    case = _change_address_case()
    order_id = case.resolution.actions[0].args["order_id"]  # type: ignore[attr-defined]
    books = open_environment("books")
    try:
        books.reset(case.snapshot)  # type: ignore[attr-defined]
        answer = await books.call("get_order", {"order_id": order_id})
        assert answer["order_id"] == order_id
        assert "order_id" in books.schemas()["get_order"]["properties"]
    finally:
        books.close()


def test_a_record_argument_that_is_not_one_is_a_problem_not_a_crash() -> None:
    case = _change_address_case()
    order_id = case.resolution.actions[0].args["order_id"]  # type: ignore[attr-defined]
    books = open_environment("books")
    try:
        books.reset(case.snapshot)  # type: ignore[attr-defined]
        problems = apply_actions(books, [{"tool": "change_ship_to", "args": {"order_id": order_id, "ship_to": {}}}])
        assert len(problems) == 1
        assert problems[0].startswith("action 1 change_ship_to")
    finally:
        books.close()
