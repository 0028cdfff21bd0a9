"""Order-mission benchmarks: latency to the pending decision, parallel gather, and the Decision Queue at scale
(``bench/per_mission.py`` puts every registered mission side by side).

    python3 -m uv run python bench/missions.py [--missions 60]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from ai_missions.graphs.order_exception.gather import reads_for
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.index import build
from ai_missions.runtime import MissionRuntime
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway

LATENCY = {"erp": 20, "crm": 50, "inventory": 30, "payments": 40, "shipping": 25}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, values: list[float]) -> str:
    return (
        f"  {label:<44} n={len(values):>4}  p50 {percentile(values, 0.5):7.1f} ms  "
        f"p95 {percentile(values, 0.95):7.1f} ms  mean {statistics.fmean(values):7.1f} ms"
    )


async def mission_latency(home: Path, count: int) -> None:
    orders = [row.order_id for row in scan_exceptions(home)][:count]
    started = time.perf_counter()
    async with MissionRuntime(SPEC, home) as runtime:
        opened = time.perf_counter() - started
        times, statuses = [], {}
        for order_id in orders:
            t = time.perf_counter()
            outcome = await runtime.start(order_id)
            times.append((time.perf_counter() - t) * 1000)
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    print("Mission to verdict / pending decision (offline reasoner, durable SQLite checkpoints, real MCP stdio)")
    print(f"  runtime start (5 MCP servers, index, checkpointer): {opened:.2f} s")
    print(line("mission latency", times))
    print(f"  outcomes: {statuses}")


async def parallel_gather(home: Path) -> None:
    os.environ["MISSIONS_SIM_LATENCY_MS"] = ",".join(f"{k}={v}" for k, v in LATENCY.items())
    try:
        async with SystemsGateway(connections(SPEC.systems, home)) as systems:
            order_id = next(row.order_id for row in scan_exceptions(home))
            order = await systems.call("get_order", {"order_id": order_id})
            reads = list(reads_for(order).values())
            concurrent, sequential, slowest = [], [], []
            for _ in range(15):
                t = time.perf_counter()
                await asyncio.gather(*(systems.call(tool, args) for tool, args in reads))
                concurrent.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                for tool, args in reads:
                    await systems.call(tool, args)
                sequential.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                await systems.call(*reads_for(order)["crm"])  # crm: the slowest system
                slowest.append((time.perf_counter() - t) * 1000)
    finally:
        del os.environ["MISSIONS_SIM_LATENCY_MS"]
    print(f"Gather with simulated latency {LATENCY} ms ({len(reads)} reads after the order)")
    print(line("all reads concurrently (as the gather node)", concurrent))
    print(line("the same reads one after another", sequential))
    print(line("the slowest single call (crm)", slowest))
    print(
        f"  concurrent / slowest single call: {statistics.median(concurrent) / statistics.median(slowest):.2f}x; "
        f"sequential / concurrent: {statistics.median(sequential) / statistics.median(concurrent):.1f}x"
    )


def queue_listing(pending: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs.sqlite")
        db = store._db()
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at, request)"
            " VALUES (?, ?, 'order-exception', ?, ?, ?, ?)",
            [
                (
                    f"D-{i:06d}",
                    f"R-{i:06d}",
                    f"SO-{i:06d}",
                    "pending" if i % 2 else "decided",
                    f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:{i % 60:02d}.{i % 1000:03d}+00:00",
                    '{"interrupts": [{"action_request": {"action": "refund_payment", "args": {}}}]}',
                )
                for i in range(2 * pending)
            ],
        )
        db.execute("COMMIT")
        first, count, page = [], [], []
        for i in range(200):
            t = time.perf_counter()
            store.pending_decisions(limit=50)
            first.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.count_pending()
            count.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.pending_decisions(limit=50, offset=50 * (i % 100))
            page.append((time.perf_counter() - t) * 1000)
    print(f"Decision Queue with {pending:,} pending (and {pending:,} decided) decisions")
    print(line("first page of 50, oldest first", first))
    print(line("a later page (offset up to 4,950)", page))
    print(line("count of pending", count))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missions", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        seed_book(2000, 7, home)
        build(directory=knowledge_dir(home))
        await mission_latency(home, args.missions)
        await parallel_gather(home)
    queue_listing(10_000)


if __name__ == "__main__":
    asyncio.run(main())
