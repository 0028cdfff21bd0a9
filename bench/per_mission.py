"""Every registered mission side by side: latency to the verdict, and eval cases per second.

    python3 -m uv run python bench/per_mission.py [--runs 40] [--dataset ci|historical] [--workers 2]

For each mission in the registry, on one sandbox holding every book (offline reasoner, real MCP servers over
stdio, durable SQLite checkpoints, the real Chroma index):

1. mission latency: the first ``--runs`` subjects its trigger finds, each run from trigger to its verdict (and
   pending decision), one after another on one runtime (and so missions per second);
2. eval speed: its eval plugin's dataset replayed as ``missions eval run`` does (``--workers`` processes, two
   sandboxes each), cases per second from start to summary (a mission without an eval plugin has none).

Figures are measured on this machine in one run, so compare the missions with each other, not with another day.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from ai_missions.evals.harness import evaluate
from ai_missions.evals.solve import EvalConfig, open_knowledge
from ai_missions.evals.store import EvalStore
from ai_missions.integrations.books import seed_books, stories
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import MissionSpec, registry
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.index import build
from ai_missions.runtime import MissionRuntime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def latency(spec: MissionSpec, home: Path, runs: int) -> dict[str, float]:
    started = time.perf_counter()
    async with MissionRuntime(spec, home, extra_systems=spec.get_trigger().systems) as runtime:
        opened = time.perf_counter() - started
        found = await spec.get_trigger().find(runtime.systems)
        story = stories(home).get(spec.name)
        subjects = sorted(found, key=lambda s: (s != story, s))[:runs]
        times = []
        for subject in subjects:
            t = time.perf_counter()
            await runtime.start(subject)
            times.append((time.perf_counter() - t) * 1000)
    return {
        "open_s": opened,
        "runs": len(times),
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "mean": statistics.fmean(times),
        "per_s": len(times) / (sum(times) / 1000) if times else 0.0,
    }


def eval_speed(spec: MissionSpec, home: Path, dataset: str, workers: int) -> dict[str, float]:
    cases = load_cases(plugin_of(spec.name).dataset(dataset))
    config = EvalConfig(mission=spec.name, workers=workers, concurrency=2 * workers)
    with tempfile.TemporaryDirectory() as tmp:
        store = EvalStore(Path(tmp))
        run_id = store.create_run(
            mission=spec.name, dataset=dataset, dataset_hash=dataset, config=config.recorded(), cases_total=len(cases)
        )
        started = time.perf_counter()
        summary = evaluate(store, run_id, cases, config, open_knowledge(home), home=home)
        seconds = time.perf_counter() - started
        store.close()
    overall = summary["overall"]
    return {
        "cases": len(cases),
        "cases_per_s": len(cases) / seconds,
        "agreement": overall["outcome_agreement"],
        "verdict_p50": overall["latency_p50_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40, help="subjects per mission for the latency figures")
    parser.add_argument("--dataset", default="ci", help="the eval plugins' dataset (ci or historical)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mission", action="append", help="only these missions (repeatable; default: all)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for line in seed_books(home, seed=7):
            print(line)
        build(directory=knowledge_dir(home))
        for spec in registry().values():
            if spec.trigger is None or (args.mission and spec.name not in args.mission):
                continue
            measured = asyncio.run(latency(spec, home, args.runs))
            speed = eval_speed(spec, home, args.dataset, args.workers) if spec.evals else {}
            rows.append((spec.name, measured, speed))
    print(
        f"\nPer mission (offline reasoner, real MCP stdio; latency over {args.runs} runs from the trigger; "
        f"eval on the {args.dataset!r} dataset with {args.workers} worker(s))"
    )
    print(
        f"  {'mission':<18} {'runtime open':>12} {'latency p50':>12} {'p95':>9} {'mean':>9} {'missions/s':>10}   "
        f"{'eval cases':>10} {'cases/s':>8} {'agreement':>9} {'replay p50':>10}"
    )
    for name, m, e in rows:
        print(
            f"  {name:<18} {m['open_s']:>10.2f} s {m['p50']:>9.0f} ms {m['p95']:>6.0f} ms {m['mean']:>6.0f} ms "
            f"{m['per_s']:>10.1f}   "
            f"{e.get('cases', 0):>10} {e.get('cases_per_s', 0):>8.1f} {e.get('agreement', 0):>9.1%} "
            f"{e.get('verdict_p50', 0):>7.0f} ms"
        )


if __name__ == "__main__":
    main()
