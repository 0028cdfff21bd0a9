"""Commands for action tiers, rollbacks and operating metrics: ``missions tiers show|promote|demote``,
``missions rollback RUN --action N`` and ``missions metrics --mission M``.

Who promotes, demotes or rolls back comes from the signed-in account (``missions login``), never from a flag; a
promotion needs the mission's latest finished eval run to meet its eval plugin's thresholds (the evidence is kept
with the audited change).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ai_missions.cli import LazyChoices, columns, emit, json_command
from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.kernel.settings import missions_home, runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.kernel.tiers import tier_view


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    names = LazyChoices("ai_missions.kernel.missions:mission_names")
    tiers = subparsers.add_parser("tiers", help="action tiers of a mission: show, promote or demote (audited)")
    verbs = tiers.add_subparsers(dest="verb", required=True, metavar="VERB")
    show = verbs.add_parser("show", help="the mode and each action's tier in force, with the change history")
    show.add_argument("--mission", choices=names, required=True)
    json_command(show, _show)
    for verb, what in (("promote", "one rung up (observe -> recommend -> automate), or the mission to live mode"),
                       ("demote", "one rung down, or the mission to observe mode")):  # fmt: skip
        p = verbs.add_parser(verb, help=what)
        p.add_argument("--mission", choices=names, required=True)
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--tool", help="the action type (a write tool of the mission)")
        target.add_argument("--mode", action="store_true", help="the mission's mode (observe <-> live)")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=_change, direction=verb)

    rollback = subparsers.add_parser("rollback", help="undo an automated action of a run (audited, idempotent)")
    rollback.add_argument("run_id")
    rollback.add_argument("--action", type=int, required=True, help="the action's number on the run page")
    json_command(rollback, _rollback)

    metrics = subparsers.add_parser("metrics", help="operating metrics of a mission, overall and per day")
    metrics.add_argument("--mission", choices=names, required=True)
    metrics.add_argument("--json", action="store_true")
    metrics.add_argument(
        "--eval-store", type=Path, default=None, help="eval runs to read detection from (default $MISSIONS_HOME/evals)"
    )
    metrics.set_defaults(handler=_metrics)


def _store() -> RunStore:
    return RunStore(runs_db(missions_home()))


def _tiered(name: str) -> MissionSpec:
    spec = get_mission(name)
    if spec.tiers is None:
        raise ValidationError(f"the {spec.name} mission has no action tiers")
    return spec


def _render(view: dict[str, Any]) -> str:
    lines = [f"{view['mission']}: {view['mode']} mode"]
    for tool, row in view["tiers"].items():
        undo = f", rollback: {row['rollback']}" if row["rollback"] else ""
        lines.append(f"  {tool:<24} {row['tier']:<10} (policy: {row['policy']}{undo})")
    for entry in view["history"][-5:]:
        lines.append(
            f"  {entry['at']} {entry['by']}: {entry['change']} {entry['what']} {entry['before']} -> {entry['after']}"
        )
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines())


def _show(args: argparse.Namespace) -> int:
    spec = _tiered(args.mission)
    emit(tier_view(spec, _store()), as_json=args.json, render=_render)
    return 0


def eval_gaps(spec: MissionSpec) -> tuple[list[str], dict[str, Any]]:
    """The thresholds the mission's latest finished eval run misses, and the evidence (run id and metrics)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.eval_plugin import plugin_of

    plugin = plugin_of(spec.name)
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.latest import latest_eval_runs

    runs = latest_eval_runs(spec)
    if not runs:
        return [f"no finished eval run of {spec.name}: run `missions eval run --mission {spec.name}`"], {}
    overall = runs[0]["summary"]["overall"]
    evidence = {"eval_run": runs[0]["run_id"], **{m: overall.get(m) for m in plugin.thresholds}}
    return plugin.gaps(overall), evidence


def _change(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.tiers import change
    from ai_missions.services.identity import signed_in

    spec = _tiered(args.mission)
    store = _store()
    account = signed_in(missions_home(), store)
    gaps, evidence = eval_gaps(spec) if args.direction == "promote" else ([], {})
    assert spec.tiers is not None
    entry = change(
        spec.name, spec.tiers, store, direction=args.direction, tool=args.tool, by=account.name, role=account.role,
        evidence=evidence, gaps=gaps,
    )  # fmt: skip
    emit(
        entry,
        as_json=args.json,
        render=lambda e: f"{e['what']}: {e['before']} -> {e['after']}" + ("" if e["changed"] else " (unchanged)"),
    )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.rollback import roll_back
    from ai_missions.runtime import MissionRuntime
    from ai_missions.services.identity import signed_in

    store = _store()
    account = signed_in(missions_home(), store)  # who undoes comes from the token, never from a flag
    run = store.get_run(args.run_id)

    async def go() -> dict[str, Any]:
        async with MissionRuntime(run["mission"]) as runtime:
            return await roll_back(
                runtime.spec, store, runtime.systems, runtime.home, args.run_id, args.action,
                by=account.name, role=account.role,
            )  # fmt: skip

    import anyio

    result = anyio.run(go)
    emit(
        result,
        as_json=args.json,
        render=lambda r: (
            f"action {r['number']} {r['tool']}: "
            + ("already rolled back" if r["already"] else f"rolled back with {r['rollback_tool']} ({r['status']})")
        ),
    )
    return 0


def _metrics(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.metrics import mission_metrics

    spec = get_mission(args.mission)
    path = runs_db(missions_home())
    if not path.exists():
        raise NotFoundError(f"no runs yet under {missions_home()}")
    data = mission_metrics(spec, RunStore(path))
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.latest import eval_detection

    data["detection_eval"] = eval_detection(spec, args.eval_store)
    emit(data, as_json=args.json, render=_render_metrics)
    return 0


def _render_metrics(data: dict[str, Any]) -> str:
    """The figures as a table in the dashboard's words and formats (a share as a percentage, time in minutes), then
    one row per day."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.metrics import figures, percent

    days = data.get("by_day", {})
    lines = [f"{data['mission']}: {data['overall']['runs']:,} runs on {len(days)} day(s)", ""]
    lines.append(columns([("FIGURE", "VALUE", "WHAT"), *figures(data)]))
    if days:
        table = [("DAY", "RUNS", "FINISHED", "MANUAL TOUCHES", "POLICY COMPLIANCE")]
        for day, m in days.items():
            touches = m["manual_touches_per_case"]
            table.append(
                (
                    day,
                    f"{m['runs']:,}",
                    f"{m['finished']:,}",
                    "–" if touches is None else f"{touches:.2f}",
                    percent(m["policy_compliance"]),
                )
            )
        lines += ["", columns(table)]
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines())
