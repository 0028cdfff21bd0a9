"""tau-bench retail as an environment (registered as ``tau-retail`` under ``ai_missions.environments``): the
benchmark's database at a task's start, read as the support mission reads its systems and written with the
benchmark's own rules.

A state is :class:`TauState`: the database and the task's first message filed as a support ticket on the task's
user (:func:`.cases.case_of`). A read is answered from the ticket and the database as the mission's recorded reader
answers a recorded case (the support eval plugin's ``recorded_systems``); a write is the mission's action mapped to
the benchmark's (:func:`.runner.as_tau`, or a benchmark action given as it is) and applied by its rules
(:func:`.emulator.apply`), copying only what it changes, so a snapshot is the state itself and a reset to it is
free. The view is the database's users and orders, each as its id and its record, which is what the benchmark's own
pass compares (:func:`.emulator.differences`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import case_of
from ai_missions.benchmarks.tau_retail.runner import MISSION, _applied, as_tau
from ai_missions.contracts import tool_spec, tools_by_name
from ai_missions.kernel.environment import View
from ai_missions.kernel.errors import ConflictError, NotFoundError
from ai_missions.kernel.eval_plugin import plugin_of

__all__ = ["TauEnvironment", "TauState", "task_state"]


@dataclass(frozen=True)
class TauState:
    """The benchmark's database (shared records, copied where a write changes them) and the ticket it is asked in."""

    db: Mapping[str, tau.Database]
    case: Mapping[str, Any] = field(default_factory=dict)


@cache
def _benchmark(path: Path) -> tuple[dict[str, tau.Database], tuple[tau.Task, ...]]:
    return tau.load_database(path), tuple(tau.load_tasks(path))


def task_state(index: int, message: str, path: Path = tau.DEFAULT_PATH) -> TauState:
    """The state a task starts in: the benchmark's database under ``path`` and ``message`` filed on its user."""
    db, tasks = _benchmark(path)
    task = next((t for t in tasks if t.index == index), None)
    if task is None:
        raise NotFoundError(f"tau-bench retail has no task {index}")
    return TauState(db, case_of(db, task, message))


class TauEnvironment:
    """tau-bench retail's world at a task's state, for ``mission`` (support by default)."""

    name = "tau-retail"
    served = False

    def __init__(self, home: Path | None = None, mission: str | None = None) -> None:
        self.mission = mission or MISSION
        self._state = TauState({"users": {}, "orders": {}, "products": {}})
        self._reads: Any = None

    def reset(self, state: Any) -> None:
        if not isinstance(state, TauState):
            raise TypeError("a tau-retail state is a TauState (task_state(index, message))")
        self._state = state
        make = plugin_of(self.mission).recorded_systems
        self._reads = make(state.case) if make is not None and state.case else None

    async def call(
        self,
        tool_name: str,
        args: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        if tool_spec(tool_name).is_write:
            self.apply({"tool": tool_name, "args": args})
            return {"recorded": True, "replayed": False}
        if self._reads is None:
            raise NotFoundError(f"{tool_name}: no task is loaded")
        answer: dict[str, Any] = await self._reads.call(tool_name, args)
        return answer

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        return {name: dict(spec.input_schema) for name, spec in tools_by_name().items() if spec.input_schema}

    def apply(self, action: Mapping[str, Any]) -> None:
        """A benchmark action (``name``, ``kwargs``) as it is, or a mission's write mapped to one; a write the
        benchmark has no action for changes nothing (a reply, a note)."""
        mapped = dict(action) if "name" in action else as_tau(action, self._state.db)
        if mapped is None:
            return
        db, refused = _applied(self._state.db, [mapped])
        if refused:
            raise ConflictError(refused[0])
        self._state = TauState(db, self._state.case)

    def snapshot(self) -> TauState:
        return self._state

    def view(self, projection: Mapping[str, Any]) -> View:
        db = self._state.db
        return {
            table: sorted((key, json.dumps(record, sort_keys=True)) for key, record in db[table].items())
            for table in ("users", "orders")
            if not projection or table in projection
        }

    def close(self) -> None:
        self._reads = None
