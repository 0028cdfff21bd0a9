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
from ai_missions.evals.recorded import RecordedEnvironment
from ai_missions.kernel.environment import View
from ai_missions.kernel.errors import ConflictError, NotFoundError

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


class TauEnvironment(RecordedEnvironment):
    """tau-bench retail's world at a task's state, for ``mission`` (support by default): its reads answered as a
    recorded case's are (the ticket and the database, by the mission's recorded reader), its writes applied to the
    database by the benchmark's rules."""

    name = "tau-retail"

    def __init__(self, home: Path | None = None, mission: str | None = None) -> None:
        super().__init__(home, mission or MISSION)
        self._tau = TauState({"users": {}, "orders": {}, "products": {}})

    def reset(self, state: Any) -> None:
        if not isinstance(state, TauState):
            raise TypeError("a tau-retail state is a TauState (task_state(index, message))")
        self._tau = state
        self._read(state.case)

    def apply(self, action: Mapping[str, Any]) -> None:
        """A benchmark action (``name``, ``kwargs``) as it is, or a mission's write mapped to one; a write the
        benchmark has no action for changes nothing (a reply, a note)."""
        mapped = dict(action) if "name" in action else as_tau(action, self._tau.db)
        if mapped is None:
            return
        db, refused = _applied(self._tau.db, [mapped])
        if refused:
            raise ConflictError(refused[0])
        self._tau = TauState(db, self._tau.case)

    def snapshot(self) -> TauState:
        return self._tau

    def view(self, projection: Mapping[str, Any]) -> View:
        db = self._tau.db
        return {
            table: sorted((key, json.dumps(record, sort_keys=True)) for key, record in db[table].items())
            for table in ("users", "orders")
            if not projection or table in projection
        }
