"""Replaying cases in this process: how a run replays (:class:`EvalConfig`), its policy index (read-only, its
searches kept per question for the run), and a pool of sandboxes of the mission's systems that the cases are spread
over (:func:`solve`). Worker processes (:mod:`ai_missions.evals.pool`) each run this on their share of a run; the
harness (:mod:`ai_missions.evals.harness`) records the run and scores it."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sized
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ai_missions.evals.profiling import Timings, timed
from ai_missions.evals.progress import Progress
from ai_missions.evals.replay import replay
from ai_missions.evals.sandbox import Sandbox, remove_tree, scratch_root
from ai_missions.kernel import blocking
from ai_missions.kernel.cases import Case
from ai_missions.kernel.eval_plugin import EvalPlugin, plugin_of
from ai_missions.kernel.heap import loaded_heap_kept
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.kernel.settings import knowledge_dir, llm_timeout_s
from ai_missions.nodes.context import MissionContext
from ai_missions.services.governance import approval_rules


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
            read_back=False,  # the recorded resolution was decided after the talk with the customer
        )


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


@dataclass
class Pool:
    """Sandboxes for a run, opened at once, closed together."""

    sandboxes: list[Sandbox]
    root: Path

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.sandboxes), return_exceptions=True)
        remove_tree(self.root)


async def open_pool(
    size: int,
    first: Case,
    spec: MissionSpec,
    plugin: EvalPlugin,
    context: MissionContext,
    knowledge: Any,
    timings: Timings | None = None,
) -> Pool:
    root = scratch_root()
    sandboxes = [
        Sandbox(
            root / f"sandbox-{i}",
            spec,
            context=context,
            knowledge=knowledge,
            projection=plugin.projection,
            kind=first.environment,
            timings=timings,
        )
        for i in range(size)
    ]
    try:
        await asyncio.gather(*(s.open(first.snapshot) for s in sandboxes))
    except BaseException:
        await Pool(sandboxes, root).close()
        raise
    return Pool(sandboxes, root)


async def run_cases(
    cases: Iterable[Case],
    spec: MissionSpec,
    plugin: EvalPlugin,
    context: MissionContext,
    knowledge: Any,
    *,
    concurrency: int,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> None:
    """Replay ``cases`` over a pool of ``concurrency`` sandboxes; ``on_result`` gets each result in turn. ``cases``
    may be a stream (a worker process takes its next case from a queue it shares with the others when it is free,
    so that no worker idles while another still holds a share)."""
    pending = iter(cases)
    first = next(pending, None)
    if first is None:
        return
    total = len(cases) if isinstance(cases, Sized) else 0
    rules = approval_rules(knowledge)
    size = max(1, min(concurrency, total or concurrency))
    pool = await open_pool(size, first, spec, plugin, context, knowledge, timings)
    taken: list[Case] = [first]
    done = 0

    def next_case() -> Case | None:
        return taken.pop() if taken else next(pending, None)

    async def work(sandbox: Sandbox) -> None:
        nonlocal done
        while (case := next_case()) is not None:
            result = await replay(sandbox, case, rules, plugin.scorers, timings)
            with timed(timings, "persist result"):
                on_result(result)
            done += 1
            if progress is not None:
                progress(done, total, result)

    try:
        await asyncio.gather(*(work(s) for s in pool.sandboxes))
    finally:
        await pool.close()


async def solve(
    cases: Iterable[Case],
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
    with loaded_heap_kept(), contextlib.nullcontext() if shared_loop else blocking.inline():
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
