"""Eval harness benchmark: cases per second over the full historical set, and where the time goes.

    python3 -m uv run python bench/evals.py [--mission M] [--cases N] [--workers W] [--concurrency C]

Offline reasoner, real MCP servers over stdio, the real Chroma index. Three passes:

1. the full set, as ``missions eval run`` replays it (worker processes, a sandbox pool, retrieval cached per
   question): cases per second from the start (process spawn, server start-up included) and once running;
   CPU per case (harness and mission, and the MCP servers), agreement per exception type;
2. a profile pass, one process and one sandbox so that stages do not overlap: milliseconds per case per stage
   (graph nodes, checkpointing, run store, snapshot load, end-state comparison) and per MCP call;
3. the retrieval node without the per-question cache (one embedding and one Chroma query per exception type).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _replay import FIRST_READ, mcp_call_cpu, profile

from ai_missions.evals.harness import Task
from ai_missions.evals.pool import run_in_workers
from ai_missions.evals.profiling import MCP_STAGE, Timings
from ai_missions.evals.solve import EvalConfig, open_knowledge


def cpu_seconds() -> float:
    """CPU of this process and every descendant that has exited."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def full_run(task: Task, cases: list[Any], home: Path, workers: int, concurrency: int) -> None:
    results: list[dict[str, Any]] = []
    first: list[float] = []

    def collect(result: dict[str, Any]) -> None:
        if not first:
            first.append(time.perf_counter())
        results.append(result)

    share = EvalConfig(mission=task.spec.name, workers=1, concurrency=max(1, -(-concurrency // workers))).recorded()
    cpu, started = cpu_seconds(), time.perf_counter()
    run_in_workers(cases, share, workers, home, on_result=collect)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    steady = (len(results) - 1) / (time.perf_counter() - first[0]) if first else 0.0
    summary = task.summarize(results)
    o = summary["overall"]
    print(
        f"Full set ({task.spec.name}): {len(cases)} cases, {workers} worker process(es), {concurrency} sandbox(es), "
        "offline reasoner"
    )
    print(
        f"  {len(cases) / wall:6.1f} cases/s from the start ({wall:.1f} s: process spawn and server start-up included)"
    )
    print(f"  {steady:6.1f} cases/s once running (first result to last)")
    print(f"  CPU {1000 * cpu / len(cases):.1f} ms per case on {os.cpu_count()} cores (workers, servers, start-up)")
    print(
        f"  agreement {o['outcome_agreement']:.1%} (clean labels {o['outcome_agreement_clean_labels']:.1%}), "
        f"action F1 {o['action_f1']:.1%}, unsafe cases {o['unsafe_case_rate']:.1%}, "
        f"escalations warranted {o['warranted_escalation_rate'] or 0:.1%}, end state {o['state_match_rate']:.1%}, "
        f"errors {o['errors']}"
    )
    print("  per case type: " + ", ".join(f"{t} {m['outcome_agreement']:.0%}" for t, m in summary["per_type"].items()))


def print_profile(timings: Timings, cases: int, wall_ms: float, client_ms: float, servers_ms: float) -> None:
    per_case = timings.per_case_ms(cases)
    mcp = per_case.pop(MCP_STAGE, 0.0)
    nodes = {k: v for k, v in per_case.items() if k.startswith("node:")}
    inside = {"checkpointing", "run store"}  # these run inside graph nodes / the runtime's loop
    outside = {k: v for k, v in per_case.items() if not k.startswith("node:") and k not in inside}
    accounted = sum(nodes.values()) + sum(outside.values())
    print(f"Where the time goes: {cases} cases, one process, one sandbox ({wall_ms:.1f} ms per case once running)")
    for name, ms in sorted({**nodes, **outside}.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {ms:7.2f} ms/case  {ms / wall_ms:6.1%}")
    rest = wall_ms - accounted
    print(f"  {'the rest (LangGraph, runtime)':<28} {rest:7.2f} ms/case  {rest / wall_ms:6.1%}")
    for name in sorted(inside):
        print(f"    of which {name:<19} {per_case.get(name, 0.0):7.2f} ms/case")
    calls = timings.calls[MCP_STAGE] / cases
    mean = 1000 * timings.seconds[MCP_STAGE] / max(timings.calls[MCP_STAGE], 1)
    print(
        f"  MCP: {calls:.1f} calls per case, {mean:.2f} ms each on average (gather runs 4 at once): {mcp:.1f} ms/case"
    )
    print(f"  CPU per case: harness and mission {client_ms:.1f} ms, the MCP servers {servers_ms:.1f} ms")


def print_mcp_floor(task: Task, case: Any, knowledge: Any, calls_per_case: float) -> None:
    """CPU of one MCP call (the mission's first gather read), client and server, and the ceiling it puts on cases
    per second."""
    tool_name, wall, client, server = asyncio.run(mcp_call_cpu(task, case, knowledge))
    cores = os.cpu_count() or 1
    print(
        f"One MCP call ({tool_name}, persistent stdio session): {wall:.2f} ms, "
        f"CPU {client:.2f} ms client + {server:.2f} ms server; "
        f"at {calls_per_case:.1f} calls per case the MCP calls alone "
        f"cap a {cores}-core machine at {1000 * cores / ((client + server) * calls_per_case):.0f} cases/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mission", default="order-exception")
    parser.add_argument("--dataset", default=None, help="a dataset name of the mission (default: its first)")
    parser.add_argument("--cases", type=int, default=None, help="default: the whole dataset")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--concurrency", type=int, default=None, help="default: one sandbox per worker")
    parser.add_argument("--profile-cases", type=int, default=300)
    args = parser.parse_args()
    task = Task.of(args.mission, args.dataset)
    cases = task.cases(limit=args.cases)
    kinds = Counter(c.kind for c in cases)
    print(f"Dataset: {len(cases)} cases, {len(kinds)} case combinations ({task.dataset.name})")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        knowledge = open_knowledge(home)
        print(f"Policy index built in {time.perf_counter() - started:.1f} s (Chroma, offline MiniLM)")
        full_run(task, cases, home, args.workers, args.concurrency or args.workers)
        sample = cases[: args.profile_cases]
        timings, wall_ms, client_ms, servers_ms, cache = profile(task, sample, knowledge, retrieval_cache=True)
        print_profile(timings, len(sample) - 1, wall_ms, client_ms, servers_ms)
        if task.spec.subject.kind in FIRST_READ:
            calls = timings.calls[MCP_STAGE] / (len(sample) - 1)
            print_mcp_floor(task, sample[0], knowledge, calls)
        cached = timings.per_case_ms(len(sample) - 1).get("node:retrieve_policies", 0.0)
        uncached_sample = sample[:100]
        uncached, wall_uncached, *_ = profile(task, uncached_sample, knowledge, retrieval_cache=False)
        per_case = uncached.per_case_ms(len(uncached_sample) - 1).get("node:retrieve_policies", 0.0)
        print(
            f"Retrieval node: {per_case:.2f} ms/case querying Chroma for every case (one embedding and one query per "
            f"case type; {wall_uncached:.1f} ms per case overall), {cached:.2f} ms/case with the per-question "
            f"cache ({cache})"
        )


if __name__ == "__main__":
    main()
