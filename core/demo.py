"""``missions demo``: the main job on the embedded default, from an empty home to decisions awaiting review."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ai_missions.runtime import MissionRuntime, RunOutcome


def pick_demo_orders(exceptions: dict[str, list[str]], story: str | None, count: int) -> list[str]:
    """The flagship story first, then a spread: every combination, then every type, round-robin."""
    by_kind: dict[tuple[str, ...], list[str]] = {}
    for order_id, types in sorted(exceptions.items()):
        by_kind.setdefault(tuple(sorted(types)), []).append(order_id)
    picked = [story] if story in exceptions else []
    kinds = sorted(by_kind, key=lambda kind: (-len(kind), kind))
    while len(picked) < count and any(by_kind.values()):
        for kind in kinds:
            queue = by_kind[kind]
            while queue and queue[0] in picked:
                queue.pop(0)
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return picked


def forget_runs(home: Path) -> None:
    from ai_missions.settings import runs_db

    for database in (runs_db(home), home / "checkpoints.sqlite"):
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)


async def run_demo(home: Path, *, orders: int, seed: int, missions: int) -> list[RunOutcome]:
    from ai_missions.integrations.seed import seed_book, story_order_id
    from ai_missions.knowledge_index.index import build
    from ai_missions.scanner import exceptions_now, scan_and_start
    from ai_missions.settings import knowledge_dir

    started = time.perf_counter()
    forget_runs(home)  # a fresh book: runs and checkpoints of an earlier one would point at orders that changed
    seed_book(orders, seed, home)
    story = story_order_id(home)
    print(f"Seeded a book of {orders:,} orders (seed {seed}) under {home}")
    report = build(directory=knowledge_dir(home))
    print(
        f"Enterprise Knowledge: {len(report.added) + len(report.updated) + len(report.skipped)} policies, "
        f"{report.chunks_total} sections indexed ({report.chunks_embedded} embedded) in {report.seconds:.1f}s"
    )
    async with MissionRuntime(home) as runtime:
        found = exceptions_now(runtime)
        kinds = Counter(t for types in found.values() for t in types)
        combined = sum(1 for types in found.values() if len(types) > 1)
        print(
            f"Trigger scan: {len(found)} orders in exception ({combined} combined): "
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        )
        chosen = pick_demo_orders(found, story, missions)
        print(f"Running the order-exception mission on {len(chosen)} of them (offline reasoner)...")
        outcomes = await scan_and_start(runtime, orders=chosen)
        pending = runtime.store.count_pending()
    statuses = Counter(o.status for o in outcomes)
    verdicts = Counter(o.verdict["outcome"] for o in outcomes if o.verdict)
    print(
        f"\nMissions: {len(outcomes)} in {time.perf_counter() - started:.1f}s; "
        + ", ".join(f"{k} {n}" for k, n in statuses.most_common())
    )
    print("Verdicts: " + ", ".join(f"{k} {n}" for k, n in verdicts.most_common()))
    story_run = next((o for o in outcomes if o.order_id == story), None)
    if story_run is not None:
        print(f"\nThe flagship story, order {story}: run {story_run.run_id}, {story_run.status}")
        if story_run.decision_id:
            print(f"  missions show {story_run.run_id}")
            print(f"  missions decide {story_run.decision_id} --reviewer omar --approve")
    print(f"\n{pending} decision(s) await review:")
    print("  missions queue                      # pending decisions, oldest first")
    print("  missions decide ID --reviewer omar --approve | --reject --reason R | --edit JSON")
    print("  missions dashboard                  # the Streamlit dashboard")
    await _eval_step(home)
    return outcomes


async def _eval_step(home: Path) -> None:
    """The last step: replay a short set of recorded exceptions and print the headline figures."""
    from ai_missions.evals.harness import quick_eval
    from ai_missions.evals.report import headline

    print("\nEvaluating the mission against recorded exceptions (the CI slice of the historical set)...")
    run_id, summary = await quick_eval(home)
    print(headline(summary, run_id))
    print(f"  missions eval report {run_id}   # the full report; `missions eval run` replays all 1,188 cases")
