"""Schedule and batch commands: ``missions scheduler`` (the long-running process, or ``--once`` from a cron
line), ``missions batch MISSION`` (a batch by hand) and ``missions batch-show BATCH [--mine]`` (its runs in rank
order; ``--mine``: only the decisions the signed-in reviewer may take)."""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from ai_missions.cli import emit, json_command
from ai_missions.kernel.settings import missions_home, runs_db


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sched = subparsers.add_parser("scheduler", help="run scheduled missions when due (missed runs caught up once)")
    sched.add_argument("--once", action="store_true", help="one pass, for a cron line, then exit")
    sched.add_argument("--tick", type=float, default=30.0, help="seconds between checks")
    sched.add_argument("--concurrency", type=int, default=4)
    sched.set_defaults(handler=_scheduler)
    batch = subparsers.add_parser("batch", help="run a mission over every case its trigger finds, as one batch")
    batch.add_argument("mission")
    batch.add_argument("--concurrency", type=int, default=4)
    batch.add_argument("--limit", type=int, default=None)
    json_command(batch, _batch)
    show = subparsers.add_parser("batch-show", help="a batch's runs in rank order")
    show.add_argument("batch_id")
    show.add_argument("--mine", action="store_true", help="only decisions the signed-in reviewer may take")
    json_command(show, _show)


def _print_report(report: Any) -> None:
    r = report.to_dict()
    print(
        f"batch {r['batch_id']} ({r['mission']}): {r['cases']} case(s), {r['runs']} run(s), {r['awaiting']} awaiting "
        f"a decision, {r['failed']} failed in {r['seconds']:.1f} s (scan {r['scan_seconds']:.1f} s)"
    )
    for error in r["errors"][:10]:
        print(f"  failed: {error}")


def _scheduler(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.schedules import scheduler

    anyio.run(
        lambda: scheduler(
            missions_home(), once=args.once, tick_s=args.tick, on_report=_print_report, concurrency=args.concurrency
        )
    )
    return 0


def _batch(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.runtime import MissionRuntime
    from ai_missions.schedules import run_batch

    async def go() -> Any:
        async with MissionRuntime(args.mission, durability="exit") as runtime:
            return await run_batch(runtime, concurrency=args.concurrency, limit=args.limit)

    report = anyio.run(go)
    if args.json:
        emit(report.to_dict(), as_json=True)
    else:
        _print_report(report)
    return 1 if report.failed else 0


def _show(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore
    from ai_missions.schedules import batch_report
    from ai_missions.services.identity import signed_in

    store = RunStore(runs_db())
    report = batch_report(store, args.batch_id)
    runs = {r["subject_id"]: r for r in store.batch_runs(args.batch_id)}
    rows = [{"rank": n, **runs[s]} for n, s in enumerate(report["ranked"], start=1) if s in runs]
    if args.mine:
        me = signed_in(missions_home(), store).name
        rows = _mine(store, rows, me)
    for row in rows:
        pending = [d for d in store.decisions_of(row["run_id"]) if d.status == "pending"]
        row["decision_id"] = pending[0].decision_id if pending else None

    def render(rows: list[dict[str, Any]]) -> str:
        return (
            "\n".join(
                f"{r['rank']:>4}  {r['subject_id']:<12} {r['status']:<18} {r.get('outcome') or '':<10} "
                f"{r['decision_id'] or '':<16} {str(r.get('summary') or '')[:90]}"
                for r in rows
            )
            or "nothing here"
        )

    emit(rows, as_json=args.json, render=render)
    return 0


def _mine(store: Any, rows: list[dict[str, Any]], me: str) -> list[dict[str, Any]]:
    """The rows whose pending decision the reviewer may take as a person (ownership rules on the run's facts);
    one client for them all, and only runs with a pending decision are read."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.client import MissionClient
    from ai_missions.services.absence import away
    from ai_missions.services.governance import approval_rules, ownership_problems

    waiting = [
        (row, pending[0])
        for row in rows
        if (pending := [d for d in store.decisions_of(row["run_id"]) if d.status == "pending"])
    ]
    if not waiting:
        return []
    mine = []
    gone = away(store)  # an owner marked away: her stand-in's rows are hers to take (ACC-001)
    with MissionClient(missions_home()) as client:
        rules = approval_rules(client.knowledge)
        for row, decision in waiting:
            facts = client.state(row["run_id"]).get("facts", {})
            actions = [
                {"tool": i["action_request"]["action"], "args": i["action_request"]["args"]}
                for i in decision.request["interrupts"]
            ]
            if not ownership_problems(me, actions, rules, facts, gone):
                mine.append(row)
    return mine
