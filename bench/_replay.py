"""Replay passes the benchmarks share (a helper, not a benchmark: ``make bench`` skips files starting with ``_``):
a profiled replay in one process and one sandbox, and the CPU of one MCP call over a sandbox's session."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from _cpu import live_children_cpu

from ai_missions.evals.harness import Task
from ai_missions.evals.profiling import Timings
from ai_missions.evals.sandbox import Sandbox, remove_tree, scratch_root
from ai_missions.evals.solve import CachedKnowledge, EvalConfig, solve


def profile(
    task: Task, cases: list[Any], knowledge: Any, *, retrieval_cache: bool
) -> tuple[Timings, float, float, float, str]:
    """One process, one sandbox: per-stage wall time, harness CPU and server CPU per case, from the second case."""
    timings = Timings()
    marks: dict[str, float] = {}
    done = 0
    kb = CachedKnowledge(knowledge) if retrieval_cache else knowledge

    def collect(result: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        if done == 1:  # start-up and first-use costs excluded
            timings.seconds.clear()
            timings.calls.clear()
            marks.update(start=time.perf_counter(), servers=live_children_cpu(), me=time.process_time())
        elif done == len(cases):
            marks.update(end=time.perf_counter(), servers_end=live_children_cpu(), me_end=time.process_time())

    config = EvalConfig(mission=task.spec.name, workers=1, concurrency=1, retrieval_cache=retrieval_cache)
    asyncio.run(solve(cases, config, kb, on_result=collect, timings=timings))
    n = len(cases) - 1
    cache = f"{kb.stats['hits']} cache hits, {kb.stats['misses']} distinct questions" if retrieval_cache else "no cache"
    return (
        timings,
        1000 * (marks["end"] - marks["start"]) / n,
        1000 * (marks["me_end"] - marks["me"]) / n,
        1000 * (marks["servers_end"] - marks["servers"]) / n,
        cache,
    )


#: The record read of each kind of subject, timed as the cost of one MCP call.
FIRST_READ: dict[str, tuple[str, str]] = {
    "order": ("get_order", "order_id"),
    "invoice": ("get_invoice", "invoice_id"),
    "ticket": ("get_ticket", "ticket_id"),
}


async def mcp_call_cpu(task: Task, case: Any, knowledge: Any, calls: int = 400) -> tuple[str, float, float, float]:
    """The mission's first read, called ``calls`` times over a sandbox's persistent stdio session: the tool, and the
    wall, client CPU and server CPU of one call in ms."""
    root = scratch_root()
    sandbox = Sandbox(
        root / "mcp",
        task.spec,
        context=EvalConfig(mission=task.spec.name).context(),
        knowledge=knowledge,
        projection=task.plugin.projection,
    )
    await sandbox.open(case.snapshot)
    tool_name, tool_args = FIRST_READ[task.spec.subject.kind]
    tool_args = {tool_args: case.subject_id}
    try:
        systems = sandbox.runtime.systems
        for _ in range(20):
            await systems.call(tool_name, tool_args)
        wall, me, servers = time.perf_counter(), time.process_time(), live_children_cpu()
        for _ in range(calls):
            await systems.call(tool_name, tool_args)
        wall, me = time.perf_counter() - wall, time.process_time() - me
        servers = live_children_cpu() - servers
    finally:
        await sandbox.close()
        remove_tree(root)
    return tool_name, 1000 * wall / calls, 1000 * me / calls, 1000 * servers / calls
