"""Spreading cases over sandboxes: a pool of sandboxes in one process, and worker processes each with its own.

Cases run concurrently over the pool; each result goes to ``on_result`` as soon as it is known (the eval store
persists it, so an interrupted run resumes where it stopped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.evals.profiling import Timings
from ai_missions.evals.progress import Progress
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from ai_missions.kernel.cases import Case
from ai_missions.kernel.missions import MissionSpec, get_mission


def preload_modules(spec: MissionSpec) -> list[str]:
    """What the fork server imports: :mod:`ai_missions.evals.preload`, what any mission's worker needs, the
    installed missions' graphs and eval plugins included (the costly part of a worker's start: the offline reader
    compiles its lexicon when imported). Every worker of the server runs ``spec``'s cases."""
    return ["ai_missions.evals.preload"]


def worker_context(spec: MissionSpec) -> Any:
    """The multiprocessing context eval workers start from: a fork server that imported :func:`preload_modules`
    once (it lives as long as this process, so every later pool forks from the same warm server), where
    ``spawn`` would have each worker import everything again. The server is a fresh interpreter, never a fork of
    this process, which may already run onnxruntime's threads (forking those hangs the child)."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload_modules(spec))  # read when the server starts: the first pool's mission
    return context


def start_server(spec: MissionSpec) -> None:
    """Start the fork server without waiting for its imports: they overlap with whatever the caller does before
    its first pool (``missions eval run`` loads its cases, records the run and opens the policy index)."""
    from multiprocessing import forkserver

    worker_context(spec)
    forkserver.ensure_running()


@dataclass
class WorkerCosts:
    """A worker's CPU seconds: before its first case (``setup``: from the fork to a warm sandbox, i.e. what is
    not per case), then for each case after the first (``per_case``)."""

    setup: float
    per_case: float
    cases: int


def _worker(
    tasks: Any, config: dict[str, Any], home: str, env: dict[str, str], out: Any, profile: bool
) -> None:  # pragma: no cover - runs in a child process
    """A worker process: replay the cases it takes from ``tasks`` (until a ``None``) over its own sandboxes,
    sending each result back."""
    import gc
    import os
    import time

    # what the fork server imported is never garbage: left out of every collection, a full one no longer walks
    # (and copies, page by page, out of the server's memory) the whole preloaded heap (0.33 -> 0.09-0.16 s of
    # collections over 20 cases)
    gc.freeze()
    os.environ.clear()  # the fork server's environment is the one its parent had when it started
    os.environ.update(env)
    timings = Timings() if profile else None
    marks: list[float] = []

    def send(result: dict[str, Any]) -> None:
        marks.append(time.process_time())
        out.put(result)

    try:
        knowledge = open_knowledge(Path(home))
        cases: Iterator[Case] = iter(tasks.get, None)
        asyncio.run(solve(cases, EvalConfig(**config), knowledge, on_result=send, timings=timings))
    finally:
        per_case = (marks[-1] - marks[0]) / (len(marks) - 1) if len(marks) > 1 else 0.0
        setup = marks[0] - per_case if marks else time.process_time()
        costs = WorkerCosts(setup=setup, per_case=per_case, cases=len(marks))
        out.put({"__done__": True, "timings": dict(timings.seconds) if timings else {}, "costs": costs})


def run_in_workers(
    cases: Sequence[Case],
    config: Mapping[str, Any],
    workers: int,
    home: Path,
    *,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> list[WorkerCosts]:
    """Spread the cases over ``workers`` processes forked from the warm server of :func:`worker_context`
    (``config``: the share each one replays with). Each takes its next case from one queue when it is free: cases
    differ in cost, and a fixed share each left one worker idle while the other finished. Returns what each
    worker's CPU went to."""
    import os
    import queue as queues

    workers = max(1, min(workers, len(cases)))
    context = worker_context(get_mission(str(config["mission"])))
    out, tasks = context.Queue(), context.Queue()
    for case in [*cases, *[None] * workers]:  # a None each: no case left
        tasks.put(case)
    env = dict(os.environ)
    if "MISSIONS_ONNX_THREADS" not in env:  # the workers share the cores: one embedding thread pool each
        env["MISSIONS_ONNX_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    processes = [
        context.Process(
            target=_worker,
            args=(tasks, dict(config), str(home), env, out, timings is not None),
            daemon=True,
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    done = finished = 0
    costs: list[WorkerCosts] = []
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
                costs.append(item["costs"])
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
    return costs
