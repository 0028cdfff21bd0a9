"""Spreading cases over sandboxes: a pool of sandboxes in one process, and worker processes each with its own.

Cases run concurrently over the pool; each result goes to ``on_result`` as soon as it is known (the eval store
persists it, so an interrupted run resumes where it stopped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.evals.profiling import Timings, timed
from ai_missions.evals.progress import Progress
from ai_missions.evals.replay import replay
from ai_missions.evals.sandbox import Sandbox, remove_tree, scratch_root
from ai_missions.kernel.cases import Case
from ai_missions.kernel.eval_plugin import EvalPlugin
from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.context import MissionContext
from ai_missions.services.governance import approval_rules


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
    cases: Sequence[Case],
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
    """Replay ``cases`` over a pool of ``concurrency`` sandboxes; ``on_result`` gets each result in turn."""
    if not cases:
        return
    rules = approval_rules(knowledge)
    pool = await open_pool(max(1, min(concurrency, len(cases))), cases[0], spec, plugin, context, knowledge, timings)
    queue: asyncio.Queue[Case] = asyncio.Queue()
    for case in cases:
        queue.put_nowait(case)
    done = 0

    async def work(sandbox: Sandbox) -> None:
        nonlocal done
        while True:
            try:
                case = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            result = await replay(sandbox, case, rules, plugin.scorers, timings)
            with timed(timings, "persist result"):
                on_result(result)
            done += 1
            if progress is not None:
                progress(done, len(cases), result)

    try:
        await asyncio.gather(*(work(s) for s in pool.sandboxes))
    finally:
        await pool.close()


def _worker(
    lines: list[str], config: dict[str, Any], home: str, out: Any, profile: bool
) -> None:  # pragma: no cover - runs in a child process
    """A worker process: replay its share of the cases over its own sandboxes, sending each result back."""
    from ai_missions.evals.harness import EvalConfig, open_knowledge, solve
    from ai_missions.kernel.cases import parse_case

    cases = [parse_case(line) for line in lines]
    timings = Timings() if profile else None
    try:
        knowledge = open_knowledge(Path(home))
        asyncio.run(solve(cases, EvalConfig(**config), knowledge, on_result=out.put, timings=timings))
    finally:
        out.put({"__done__": True, "timings": dict(timings.seconds) if timings else {}})


def run_in_workers(
    cases: Sequence[Case],
    config: Mapping[str, Any],
    workers: int,
    home: Path,
    *,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> None:
    """Split the cases over ``workers`` spawned processes (``config``: the share each one replays with)."""
    import multiprocessing
    import queue as queues

    workers = max(1, min(workers, len(cases)))
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=([c.to_line() for c in cases[i::workers]], dict(config), str(home), out, timings is not None),
            daemon=True,
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    done = finished = 0
    try:
        while finished < workers:
            try:
                item = out.get(timeout=1.0)
            except queues.Empty:
                if not any(p.is_alive() for p in processes):
                    raise RuntimeError("an eval worker process died without finishing its cases") from None
                continue
            if item.get("__done__"):
                finished += 1
                for stage, seconds in item["timings"].items():
                    if timings is not None:
                        timings.add(stage, seconds)
                continue
            on_result(item)
            done += 1
            if progress is not None:
                progress(done, len(cases), item)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
