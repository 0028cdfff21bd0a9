"""The end state of a replay, against what the people's recorded actions make of the same starting state.

The harness reaches a case's systems through an environment (:mod:`ai_missions.kernel.environment`, opened by the
name its eval plugin declares), never by importing the simulator: it resets one to the case's state, copies that
state (:meth:`~ai_missions.kernel.environment.Environment.snapshot`), and applies the case's recorded actions to a
second one reset to the copy, to compute the expected end state. A mission under evaluation still talks to the
environment's systems like to any others (over MCP where the environment is served).

States are compared as tau-bench compares database states: the tables a mission's eval plugin names
(``EvalPlugin.projection``), each projected onto what a decision changes (generated ids, timestamps, free text
and internal notes left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from ai_missions.kernel.environment import Environment, View, open_environment
from ai_missions.kernel.errors import MissionsError

__all__ = ["Projection", "State", "apply_actions", "diff", "expected_state"]

State = View
Projection = Mapping[str, Any]


def apply_actions(environment: Environment, actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Apply actions in order; returns what failed (the rest still applies)."""
    problems = []
    for index, action in enumerate(actions):
        try:
            environment.apply(action)
        except (MissionsError, TypeError, KeyError, PydanticValidationError) as exc:
            problems.append(f"action {index + 1} {action['tool']}: {exc}")
    return problems


def expected_state(
    kind: str, start: Any, actions: Sequence[Mapping[str, Any]], projection: Projection, *, mission: str | None = None
) -> tuple[State, list[str]]:
    """The state the recorded actions produce from ``start`` (a case's state, or a snapshot of an environment of
    ``kind`` opened for ``mission``), and any action that did not apply."""
    environment = open_environment(kind, mission=mission)
    try:
        environment.reset(start)
        problems = apply_actions(environment, actions)
        return environment.view(projection), problems
    finally:
        environment.close()


def diff(expected: State, actual: State, *, limit: int = 3) -> list[str]:
    """Where two states differ, table by table (``limit`` rows of each side per table)."""
    found = []
    for table in expected.keys() | actual.keys():
        want, have = set(expected.get(table, [])), set(actual.get(table, []))
        if want == have:
            continue
        missing = sorted(want - have, key=repr)[:limit]
        extra = sorted(have - want, key=repr)[:limit]
        found.append(f"{table}: expected {_rows(missing)}; found {_rows(extra)}")
    return sorted(found)


def _rows(rows: Sequence[tuple[Any, ...]]) -> str:
    return ", ".join("(" + ", ".join(str(v) for v in row) + ")" for row in rows) or "nothing else"
