"""The harness: a :class:`Task` is a dataset, a solver and scorers, for any registered mission.

A mission's recorded sets (cases kept with what it reads, not with a snapshot of its systems) are scored here too,
by :func:`score_recorded`: each case decided by the decider its eval plugin declares, scored by the scorers the
plugin names for them.

The solver replays each recorded case hermetically through the mission (:mod:`ai_missions.evals.replay`) in
sandboxes of its systems (:mod:`ai_missions.evals.sandbox`), spread over a pool (:mod:`ai_missions.evals.solve`)
and, for big runs, over worker processes (:mod:`ai_missions.evals.pool`); the scorers
(:mod:`ai_missions.evals.scorers`, named by the mission's eval plugin) score each result and summarise the run, per
case type of the mission's vocabulary. Every result is persisted as soon as it is known, so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ai_missions.evals.pool import run_in_workers
from ai_missions.evals.profiling import Timings
from ai_missions.evals.progress import Progress
from ai_missions.evals.scorers import Replayed, metrics, score, summarize
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from ai_missions.evals.store import EvalStore, store_dir
from ai_missions.kernel.blocking import run_blocking
from ai_missions.kernel.cases import Case, dataset_hash, load_cases
from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import EvalPlugin, plugin_of
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.kernel.settings import missions_home
from ai_missions.services.reviewed import reviewed_path

T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """What an eval run does: replay ``dataset`` through ``spec`` (the solver) and score with ``scorers``."""

    spec: MissionSpec
    plugin: EvalPlugin
    dataset: Path
    scorers: tuple[str, ...]

    @classmethod
    def of(cls, mission: str, dataset: str | Path | None = None) -> Task:
        """A mission's task on a named dataset of its plugin, or on a case file."""
        spec = get_mission(mission)
        plugin = plugin_of(spec.name)
        if dataset == "reviewed":  # the reviewer decisions kept in this home (see :mod:`.reviewed`)
            path = reviewed_path(missions_home(), spec.name)
            if not path.exists():
                raise NotFoundError(f"no reviewed decisions of {spec.name} yet: decide some in the Decision Queue")
        else:
            path = Path(dataset) if isinstance(dataset, Path) else plugin.dataset(dataset)
        return cls(spec, plugin, path.resolve(), plugin.scorers)

    def cases(self, limit: int | None = None) -> list[Case]:
        cases = load_cases(self.dataset, limit=limit)
        if wrong := sorted({c.mission for c in cases} - {self.spec.name}):
            raise ValidationError(f"{self.dataset.name} holds cases of {', '.join(wrong)}, not {self.spec.name}")
        return cases

    def summarize(self, results: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return summarize(results, self.spec, self.scorers)


def evaluate(
    store: EvalStore,
    run_id: str,
    cases: Sequence[Case],
    config: EvalConfig,
    knowledge: Any,
    *,
    home: Path | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> dict[str, Any]:
    """Replay the cases of a run not yet finished, persisting each as it comes, then summarise the run (blocking).

    With ``config.workers`` above 1 (and no chat model object, which cannot cross processes) the cases are split
    over worker processes that open the knowledge base of ``home`` themselves.
    """
    finished = store.finished_case_ids(run_id)
    todo = [c for c in cases if c.case_id not in finished]

    def save(result: dict[str, Any]) -> None:
        store.add_result(run_id, result)

    if config.workers > 1 and config.chat_model is None and home is not None and len(todo) > 1:
        workers = max(1, min(config.workers, len(todo)))
        share = {**config.recorded(), "concurrency": max(1, -(-config.concurrency // workers)), "workers": 1}
        run_in_workers(todo, share, workers, home, on_result=save, progress=progress, timings=timings)
    else:
        run_blocking(solve(todo, config, knowledge, on_result=save, progress=progress, timings=timings))
    return store.finish(run_id)


def start_run(store: EvalStore, task: Task, config: EvalConfig, cases: Sequence[Case]) -> str:
    """Record a new eval run of ``task`` (its dataset's hash and the git commit) and return its id."""
    return store.create_run(
        mission=task.spec.name,
        dataset=str(task.dataset),
        dataset_hash=dataset_hash(task.dataset),
        config=config.recorded(),
        cases_total=len(cases),
    )


async def quick_eval(
    home: Path, mission: str | MissionSpec, dataset: str = "ci", *, concurrency: int = 2
) -> tuple[str, dict[str, Any]]:
    """A short eval run in this process and event loop (``missions demo``): the mission's CI slice by default,
    recorded in ``home``'s eval store like any run. Returns the run id and its summary (with ``seconds``)."""

    spec = get_mission(mission)
    task = Task.of(spec.name, dataset)
    cases = task.cases()
    config = EvalConfig(mission=spec.name, concurrency=concurrency, workers=1)
    store = EvalStore(store_dir(home))
    try:
        run_id = start_run(store, task, config, cases)
        started = time.perf_counter()
        save = functools.partial(store.add_result, run_id)
        await solve(cases, config, open_knowledge(home), on_result=save, shared_loop=True)
        summary = {**store.finish(run_id), "seconds": time.perf_counter() - started}
    finally:
        store.close()
    return run_id, summary


def recorded_cases(mission: str, dataset: str | Path | None = None, *, limit: int | None = None) -> list[Case]:
    """A recorded set of ``mission`` as cases of the ``recorded`` environment: each case's state is the recorded
    case itself, its trigger what the mission's eval plugin reads from it (``recorded_trigger``), so the harness
    replays it through the mission's graph like a case of the books."""
    spec = get_mission(mission)
    plugin = plugin_of(spec.name)
    if plugin.recorded_trigger is None or plugin.recorded_systems is None:
        raise NotFoundError(f"the {spec.name} mission declares no reader of its recorded cases as an environment")
    _, found = plugin.recorded_cases(dataset)
    cases = []
    for item in found[:limit] if limit else found:
        resolution = item.get("resolution") or {}
        case = {
            "case_id": str(item["case_id"]),
            "mission": spec.name,
            "recorded_at": item.get("recorded_at") or "1970-01-01T00:00:00Z",
            "trigger": dict(plugin.recorded_trigger(item)),
            "environment": "recorded",
            "snapshot": dict(item),
            "resolution": {
                "outcome": resolution.get("outcome"),
                "actions": list(resolution.get("actions") or []),
                "decided_by": resolution.get("decided_by") or "the record",
                "note": resolution.get("note") or "",
            },
        }
        cases.append(Case.model_validate(case))
    return cases


def score_recorded(mission: str, dataset: str | Path | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """Score a recorded set of ``mission`` (named by its plugin, or a file): each case decided by the plugin's
    decider, scored by its recorded scorers. Returns the set, its size, the seconds spent deciding and scoring, and
    the scorers' summary (``overall``); each case's fields under ``results``."""
    spec = get_mission(mission)
    plugin = plugin_of(spec.name)
    path, cases = plugin.recorded_cases(dataset)
    cases = cases[:limit] if limit else cases
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for case in cases:
        facts, verdict = plugin.decide(case)
        resolution = case.get("resolution") or {}
        replayed = Replayed(
            spec,
            str(resolution.get("outcome", "")),
            list(resolution.get("actions") or []),
            verdict,
            None,
            facts,
            extra={"case": case},
        )
        results.append({"case_id": str(case["case_id"]), **score(plugin.recorded_scorers, replayed)})
    seconds = time.perf_counter() - started
    return {
        "mission": spec.name,
        "dataset": str(path),
        "cases": len(results),
        "seconds": round(seconds, 1),
        "ms_per_case": round(seconds * 1000 / max(len(results), 1), 2),
        "overall": metrics(results, plugin.recorded_scorers),
        "results": results,
    }
