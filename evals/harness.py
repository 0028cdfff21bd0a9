"""The harness: a :class:`Task` is a dataset, a solver and scorers, for any registered mission.

A mission's recorded sets (cases kept with what it reads, not with a snapshot of its systems) are scored here too,
by :func:`score_recorded`: each case decided by the decider its eval plugin declares, scored by the scorers the
plugin names for them.

The solver replays each recorded case hermetically through the mission (:mod:`ai_missions.evals.replay`) in
sandboxes of its systems (:mod:`ai_missions.evals.sandbox`), spread over a pool and, for big runs, over worker
processes (:mod:`ai_missions.evals.pool`); the scorers (:mod:`ai_missions.evals.scorers`, named by the mission's
eval plugin) score each result and summarise the run, per case type of the mission's vocabulary. Every result is
persisted as soon as it is known, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ai_missions.evals.pool import run_cases, run_in_workers
from ai_missions.evals.profiling import Timings
from ai_missions.evals.progress import Progress
from ai_missions.evals.scorers import Replayed, metrics, score, summarize
from ai_missions.evals.store import EvalStore, store_dir
from ai_missions.kernel import blocking
from ai_missions.kernel.cases import Case, dataset_hash, load_cases
from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import EvalPlugin, plugin_of
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.kernel.settings import knowledge_dir, llm_timeout_s, missions_home
from ai_missions.nodes.context import MissionContext
from ai_missions.services.governance import approval_rules
from ai_missions.services.reviewed import reviewed_path

T = TypeVar("T")


@dataclass
class EvalConfig:
    """How an eval run replays its cases (recorded with the run)."""

    mission: str = "order-exception"
    reasoner: str = "offline"
    #: Sandboxes replaying at once, over all worker processes.
    concurrency: int = 4
    #: Worker processes (each with its share of the sandboxes): the client side of a mission is CPU-bound.
    workers: int = 1
    limit: int | None = None
    #: Cache retrieval results per distinct question for the run (the index does not change during a run).
    retrieval_cache: bool = True
    llm_model: str | None = None
    llm_base_url: str | None = None
    #: Per call; a small local model on one busy core needs minutes for a mission-sized prompt.
    llm_timeout_s: float = field(default_factory=llm_timeout_s)
    #: Policies retrieved per case type (fewer: a shorter prompt for a small model).
    policies_per_type: int = 6
    #: A chat model object for the llm reasoner (tests pass a scripted one); never recorded.
    chat_model: Any = field(default=None, repr=False)

    def recorded(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("chat_model")
        return data

    def context(self) -> MissionContext:
        return MissionContext(
            reasoner="llm" if self.reasoner == "llm" else "offline",
            llm_model=self.llm_model,
            llm_base_url=self.llm_base_url,
            llm_timeout_s=self.llm_timeout_s,
            policies_per_type=self.policies_per_type,
            chat_model=self.chat_model,
            record_reviews=False,  # a replayed decision is the eval's, not a reviewer's
        )


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


class CachedKnowledge:
    """A knowledge base whose search results are kept per distinct question for the length of an eval run.

    Everything else (policies, approval rules) passes through. The first time a question is asked it goes to the
    real index (one embedding, one Chroma query); ``hits`` and ``misses`` count the rest.
    """

    def __init__(self, base: Any, cache: dict[Any, Any] | None = None, stats: Counter[str] | None = None) -> None:
        self._base = base
        self._cache = {} if cache is None else cache
        self.stats: Counter[str] = Counter() if stats is None else stats

    def for_domains(self, domains: Any) -> CachedKnowledge:
        return CachedKnowledge(self._base.for_domains(domains), self._cache, self.stats)

    def search(self, query: str, k: int = 5, **filters: Any) -> Any:
        key = (self._base.allowed_domains, query, k, tuple(sorted((n, repr(v)) for n, v in filters.items())))
        if key in self._cache:
            self.stats["hits"] += 1
            return self._cache[key]
        self.stats["misses"] += 1
        hits = self._cache[key] = self._base.search(query, k, **filters)
        return hits

    def pinned_approval_rules(self) -> list[Any]:
        """The approval rules that apply, read once per view for the run (as the replay reads them at its start)
        rather than twice per case from the home's store (a round trip to Postgres on a worker)."""

        key = ("approval_rules", self._base.allowed_domains)
        if key not in self._cache:
            self._cache[key] = tuple(approval_rules(self._base))
        return list(self._cache[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


async def solve(
    cases: Sequence[Case],
    config: EvalConfig,
    knowledge: Any,
    *,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
    shared_loop: bool = False,
) -> None:
    """Replay ``cases`` of ``config.mission`` in this process over ``config.concurrency`` sandboxes.

    The sandboxes' synchronous work (SQLite on in-memory books, the index, the reader's model) runs inline on this
    loop, which serves nothing else (:mod:`ai_missions.kernel.blocking`); ``shared_loop``: the loop serves other work
    too (``missions demo``), so that work keeps to worker threads."""
    if config.retrieval_cache and not isinstance(knowledge, CachedKnowledge):
        knowledge = CachedKnowledge(knowledge)
    spec = get_mission(config.mission)
    with contextlib.nullcontext() if shared_loop else blocking.inline():
        await run_cases(
            cases,
            spec,
            plugin_of(spec.name),
            config.context(),
            knowledge,
            concurrency=config.concurrency,
            on_result=on_result,
            progress=progress,
            timings=timings,
        )


def open_knowledge(home: Path) -> Any:
    """The policy index of ``home`` (built on first use), read-only for the run."""
    # deferred: start-up time (loads chromadb and numpy)
    from ai_missions.knowledge_index.index import build, read_manifest
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

    directory = knowledge_dir(home)
    if not read_manifest(directory).get("embedder"):
        print("Building the policy index (first use)...", file=sys.stderr)
        build(directory=directory)
    return KnowledgeBase(directory)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, also where an event loop already runs (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


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
