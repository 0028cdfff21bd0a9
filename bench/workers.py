"""Eval cases spread over worker processes, locally (`--engine local`) and on procrastinate (`missions worker`
processes on Postgres): cases/s with 1 and 2 workers, the scaling of 2 over 1, and where each worker's CPU goes.

    MISSIONS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python3 -m uv run python bench/workers.py [--cases N] [--mission M] [--engine local|procrastinate|all]

1. the floor (bench/floor.py): a do-nothing graph of the mission's shape plus one no-op MCP call per system;
2. a replay's CPU per case (harness, mission and its MCP servers; one process, one sandbox, from the second case),
   and its ratio to the floor;
3. the queue alone: CPU and wall per no-op job through procrastinate (enqueue, fetch, finish), the engine's cost;
4. the same cases through 1 worker, then 2 workers (each a `missions worker` process): cases/s once running
   (first result to last) and the scaling of 2 over 1;
5. the local process pool with 1, then 2 processes: its start-up (the fork server's imports, once per process and
   shared by every pool), each worker's set-up (fork to a warm sandbox: knowledge base, embedding model, systems)
   and CPU per case, cases/s from the call (set-up included), and the scaling those CPU figures predict on idle
   cores (Amdahl: set-up is serial, the cases split) beside the one measured: on a busy machine only the former
   means much.

Each procrastinate pass gets a fresh Postgres schema, dropped afterwards. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from _cpu import machine_jiffies, machine_shares
from floor import READS, floor_parts

SERVER = os.environ.get("MISSIONS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def schema_url(schema: str) -> str:
    return f"{SERVER}{'&' if '?' in SERVER else '?'}options={quote(f'-csearch_path={schema}')}"


class Schema:
    """A fresh schema for one pass."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(SERVER, autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {self.name}")
        self.url = schema_url(self.name)

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(SERVER, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {self.name} CASCADE")


async def floor_ms() -> float:
    graph, call = await floor_parts()
    return graph + READS * call


def replay_cpu_ms(task: Any, cases: list[Any], knowledge: Any) -> float:
    """CPU per case of a replay (this process and its MCP servers), one sandbox, from the second case on."""
    from _cpu import live_children_cpu

    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.evals.solve import CachedKnowledge, EvalConfig, solve

    marks: dict[str, float] = {}
    done = 0

    def collect(result: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        if done == 1:
            marks.update(me=time.process_time(), servers=live_children_cpu())
        elif done == len(cases):
            marks.update(me_end=time.process_time(), servers_end=live_children_cpu())

    config = EvalConfig(mission=task.spec.name, workers=1, concurrency=1)
    asyncio.run(solve(cases, config, CachedKnowledge(knowledge), on_result=collect))
    return 1000 * (marks["me_end"] - marks["me"] + marks["servers_end"] - marks["servers"]) / (len(cases) - 1)


async def noop_jobs(url: str, jobs: int = 300) -> tuple[float, float]:
    """Wall and CPU (this process: enqueuer and worker together) per no-op job through procrastinate."""
    import procrastinate

    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.cli.workers import ensure_schema

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url, min_size=1, max_size=4))

    @app.task(name="noop", queue="bench")
    def noop(n: int) -> int:
        return n

    async with app.open_async():
        await ensure_schema(app, url)
        await noop.batch_defer_async(*({"n": i} for i in range(20)))
        await app.run_worker_async(queues=["bench"], wait=False, install_signal_handlers=False, delete_jobs="always")
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(jobs):
            await noop.defer_async(n=i)
        await app.run_worker_async(queues=["bench"], wait=False, install_signal_handlers=False, delete_jobs="always")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return 1000 * wall / jobs, 1000 * cpu / jobs


def backends(app_prefix: str) -> list[int]:
    """The Postgres backends serving connections whose application name starts with ``app_prefix``."""
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as db:
        rows = db.execute("SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s", (f"{app_prefix}%",))
        return [int(r[0]) for r in rows]


def workers_cpu(processes: list[subprocess.Popen[bytes]], tag: str) -> tuple[list[float], float]:
    """CPU seconds of each worker with its MCP servers, and of the Postgres backends serving the workers."""
    from _cpu import pids_cpu, tree_cpu

    return [tree_cpu(p.pid) for p in processes], pids_cpu(backends(tag))


def finished_cases(db: Any, run_id: str) -> int:
    """Results stored so far: one count, the cheapest look the clock's loop can take 20 times a second (it shares
    the cores with the workers it times)."""
    return int(db.execute("SELECT count(*) FROM eval_results WHERE run_id = %s", (run_id,)).fetchone()[0])


def through_workers(task: Any, cases: list[Any], home: Path, workers: int) -> tuple[float, float, dict[str, Any]]:
    """Cases/s once running (first result to last) and from the enqueue, with ``workers`` worker processes, and
    the CPU the cases cost on the workers' side (each worker with its MCP servers, and their Postgres backends)."""
    import psycopg

    # deferred: start-up time (loads langgraph and langchain_core)
    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.cli.workers import enqueue_cases
    from ai_missions.evals.harness import start_run
    from ai_missions.evals.solve import EvalConfig
    from ai_missions.evals.store import EvalStore

    schema = Schema()
    tag = f"{schema.name}-worker"  # every connection a worker opens says whose it is (libpq's PGAPPNAME)
    env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_DATABASE_URL": schema.url}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        store = EvalStore(home / "evals", url=schema.url)
        config = EvalConfig(mission=task.spec.name, workers=1, concurrency=1)
        run_id = start_run(store, task, config, cases)
        # warm the workers (imports, servers, index) on one case each before the clock starts
        warm = EvalStore(home / "evals", url=schema.url)
        warm_run = start_run(warm, task, config, cases[:workers])
        asyncio.run(enqueue_cases(schema.url, warm_run, cases[:workers], config.recorded()))
        for n in range(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "ai_missions.cli", "worker", "--queue", "evals", "--name", f"bench{n}"],
                    env={**env, "PGAPPNAME": f"{tag}{n}"},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        while len(warm.finished_case_ids(warm_run)) < workers:
            time.sleep(0.2)
        time.sleep(0.5)  # the warm-up case's result is stored before its job is finished
        watch = psycopg.connect(schema.url, autocommit=True)
        cpu_before = workers_cpu(processes, tag)
        machine_before = machine_jiffies()
        started = time.perf_counter()
        asyncio.run(enqueue_cases(schema.url, run_id, cases, config.recorded()))
        first = None
        while (done := finished_cases(watch, run_id)) < len(cases):
            if first is None and done:
                first = (time.perf_counter(), done)
            time.sleep(0.05)
        end = time.perf_counter()
        machine = machine_shares(machine_before, machine_jiffies())
        (mine, pg), (mine_before, pg_before) = workers_cpu(processes, tag), cpu_before
        first = first or (started, 0)
        steady = (len(cases) - first[1]) / (end - first[0])
        spent = [after - before for after, before in zip(mine, mine_before, strict=True)]
        cpu = {"workers": 1000 * sum(spent) / len(cases), "postgres": 1000 * (pg - pg_before) / len(cases)}
        cpu["shares"] = [s / sum(spent) for s in spent] if sum(spent) else []
        # a worker's CPU over the pass's wall time: below 100% it waited (on Postgres, or for a core)
        cpu["busy"] = [s / (end - started) for s in spent]
        cpu["machine"] = machine
        watch.close()
        return steady, len(cases) / (end - started), cpu
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        schema.drop()


def start_pool_server(task: Any) -> tuple[float, float]:
    """Start the local pool's fork server and wait until it has imported what a worker needs (it serves every later
    pool of this process): wall and CPU seconds."""
    from _cpu import live_children_cpu

    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.evals.pool import worker_context

    cpu, started = live_children_cpu(), time.perf_counter()
    probe = worker_context(task.spec).Process(target=time.sleep, args=(0,))
    probe.start()
    probe.join()
    return time.perf_counter() - started, live_children_cpu() - cpu


def local_pool(task: Any, cases: list[Any], home: Path, workers: int) -> tuple[float, list[Any]]:
    """Cases/s of the local process pool (`--engine local`) from the call to the last result (the workers' fork and
    set-up included), and each worker's CPU costs."""
    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.evals.pool import run_in_workers
    from ai_missions.evals.solve import EvalConfig

    share = EvalConfig(mission=task.spec.name, workers=1, concurrency=1).recorded()
    started = time.perf_counter()
    costs = run_in_workers(cases, share, workers, home, on_result=lambda _: None)
    return len(cases) / (time.perf_counter() - started), costs


def local_pools(task: Any, cases: list[Any], home: Path) -> None:
    wall, cpu = start_pool_server(task)
    print(f"Local pool start-up (the fork server's imports, once per process): {wall:.2f} s wall, {cpu:.2f} s CPU")
    rates, predicted = {}, {}
    for workers in (1, 2):
        rate, costs = local_pool(task, cases, home, workers)
        rates[workers] = rate
        per_case = sum(c.per_case * c.cases for c in costs) / sum(c.cases for c in costs)
        # on idle cores a pass lasts its slowest worker: its set-up, then its share of the cases
        predicted[workers] = max(c.setup + c.cases * per_case for c in costs)
        print(
            f"{workers} process(es), local pool: {rate:.2f} cases/s (set-up included); CPU per worker: set-up "
            + ", ".join(f"{c.setup:.2f} s" for c in costs)
            + f", per case {1000 * per_case:.1f} ms"
        )
    expected = predicted[1] / predicted[2]
    print(
        f"Scaling, local pool, 2 processes over 1: {rates[2] / rates[1]:.2f}x measured (load average "
        f"{os.getloadavg()[0]:.1f}); {expected:.2f}x expected from the CPU figures on 2 idle cores "
        f"({predicted[1]:.2f} s against {predicted[2]:.2f} s of the slowest worker), "
        f"{(predicted[1] + cpu) / (predicted[2] + cpu):.2f}x for a one-off run that starts the fork server too"
    )


def procrastinate_workers(task: Any, cases: list[Any], home: Path) -> None:
    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.evals.solve import open_knowledge

    floor = asyncio.run(floor_ms())
    print(f"Floor (bench/floor.py: graph of the mission's shape + 5 no-op MCP calls): {floor:.1f} ms CPU per case")
    knowledge = open_knowledge(home)
    replay = replay_cpu_ms(task, cases[: min(len(cases), 100)], knowledge)
    print(f"Replay CPU per case (harness, mission, MCP servers): {replay:.1f} ms = {replay / floor:.2f}x the floor")
    schema = Schema()
    try:
        wall, cpu = asyncio.run(noop_jobs(schema.url))
    finally:
        schema.drop()
    print(
        f"procrastinate, no-op job (enqueue, fetch, finish): {wall:.2f} ms wall, {cpu:.2f} ms CPU "
        f"= {cpu / replay:.1%} of a case's CPU"
    )
    rates, costs = {}, {}
    for workers in (1, 2):
        steady, overall, spent = through_workers(task, cases, home, workers)
        rates[workers] = steady
        print(f"{workers} worker(s), procrastinate: {steady:.2f} cases/s once running ({overall:.2f} from enqueue)")
        total = costs[workers] = spent["workers"] + spent["postgres"]
        print(
            f"  CPU per case on the workers' side: {total:.1f} ms = {total / floor:.2f}x the floor "
            f"(workers and their MCP servers {spent['workers']:.1f} ms, their Postgres backends "
            f"{spent['postgres']:.1f} ms); cases' CPU per worker: "
            + ", ".join(f"{share:.0%}" for share in spent["shares"])
            + "; each worker busy "
            + ", ".join(f"{busy:.0%}" for busy in spent["busy"])
            + " of the pass"
        )
        machine = spent["machine"]
        print(
            f"  the whole machine meanwhile: {machine['busy']:.0%} busy, {machine['idle']:.0%} idle, "
            f"{machine['steal']:.0%} taken by the host for other machines"
        )
    print(f"Scaling, 2 workers over 1: {rates[2] / rates[1]:.2f}x (load average {os.getloadavg()[0]:.1f})")
    cores = os.cpu_count() or 1
    ceiling = 1000 * cores / costs[2]  # every core busy with nothing but the cases, at 2 workers' CPU per case
    print(
        f"  ceiling on {cores} cores: {1000 * cores:.0f} ms / {costs[2]:.1f} ms per case = {ceiling:.1f} cases/s "
        f"= {ceiling / rates[1]:.2f}x one worker (one worker already keeps "
        f"{rates[1] * costs[1] / 1000:.2f} cores busy)"
    )


def main() -> None:
    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.evals.harness import Task
    from ai_missions.evals.solve import open_knowledge

    parser = argparse.ArgumentParser()
    parser.add_argument("--mission", default="order-exception")
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--engine", choices=("all", "local", "procrastinate"), default="all")
    args = parser.parse_args()
    task = Task.of(args.mission, args.dataset)
    cases = task.cases(limit=args.cases)
    print(f"{len(cases)} cases of {task.spec.name} ({task.dataset.name}); {os.cpu_count()} cores, shared")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        open_knowledge(home)  # builds the policy index the workers open
        if args.engine in ("all", "procrastinate"):
            procrastinate_workers(task, cases, home)
        if args.engine in ("all", "local"):
            local_pools(task, cases, home)


if __name__ == "__main__":
    main()
