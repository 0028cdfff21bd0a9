"""``missions eval ...``: generate the historical set, import cases, run the harness, report and compare runs."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ai_missions.cli import LazyChoices, emit, json_command
from ai_missions.kernel.errors import ValidationError


def register(subparsers: Any) -> None:
    evals = subparsers.add_parser("eval", help="evaluate missions against recorded exceptions")
    sub = evals.add_subparsers(dest="eval_command", required=True, metavar="ACTION")

    names = LazyChoices("ai_missions.kernel.missions:mission_names")
    run = sub.add_parser("run", help="replay recorded cases and score a mission")
    run.add_argument(
        "--mission", choices=names, metavar="MISSION", help="the mission (default: the one the --dataset file holds)"
    )
    run.add_argument(
        "--dataset",
        default=None,
        help="a dataset of the mission (historical, ci, reviewed: its reviewer decisions...) or a case file",
    )
    run.add_argument("--reasoner", choices=["offline", "llm"], default="offline")
    run.add_argument("--limit", type=int, default=None, help="only the first N cases")
    run.add_argument(
        "--llm-timeout", type=float, default=None, help="seconds per LLM call (default: MISSIONS_LLM_TIMEOUT_S or 60)"
    )
    run.add_argument(
        "--policies-per-type", type=int, default=6, help="policies retrieved per case type (a shorter prompt)"
    )
    run.add_argument(
        "--concurrency", type=int, default=None, help="sandboxes replaying at once (default: one per worker; llm: 8)"
    )
    run.add_argument("--workers", type=int, default=None, help="worker processes (default: the CPU count, up to 4)")
    run.add_argument("--resume", metavar="RUN", help="finish an interrupted run (its dataset and config)")
    run.add_argument("--store", type=Path, default=None, help="where eval runs live (default $MISSIONS_HOME/evals)")
    run.add_argument("--no-retrieval-cache", action="store_true", help="query the index for every case")
    run.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    run.add_argument(
        "--engine",
        choices=["local", "procrastinate"],
        default="local",
        help="local worker processes (default), or queue the cases for `missions worker` on any machine"
        " (procrastinate; needs MISSIONS_DATABASE_URL)",
    )
    run.set_defaults(handler=_run)

    recorded = sub.add_parser(
        "recorded", help="score a mission's recorded set (its decider on each case, its recorded scorers)"
    )
    recorded.add_argument("--mission", choices=names, metavar="MISSION", required=True)
    recorded.add_argument(
        "--dataset", default=None, help="a recorded set of the mission (default: its first) or a file"
    )
    recorded.add_argument("--limit", type=int, default=None, help="only the first N cases")
    recorded.add_argument("--misses", type=int, default=10, help="how many disagreements to list")
    recorded.add_argument("--json", action="store_true", help="print the summary as JSON")
    recorded.set_defaults(handler=_recorded)

    report = sub.add_parser("report", help="a run as Markdown and HTML (with charts)")
    report.add_argument("run", help="an eval run id, a unique prefix of one, or 'latest'")
    report.add_argument("--out", type=Path, default=None, help="directory for RUN.md and RUN.html (default: the store)")
    report.add_argument("--store", type=Path, default=None)
    report.add_argument("--json", action="store_true", help="print the run and its summary as JSON instead")
    report.set_defaults(handler=_report)

    compare = sub.add_parser("compare", help="what got better and what regressed from run A to run B, case by case")
    compare.add_argument("a")
    compare.add_argument("b")
    compare.add_argument("--store", type=Path, default=None)
    json_command(compare, _compare)

    runs = sub.add_parser("runs", help="eval runs, newest first")
    runs.add_argument("--store", type=Path, default=None)
    json_command(runs, _runs)

    imports = sub.add_parser("import", help="convert a CSV or JSON export of resolved cases into cases")
    imports.add_argument("--mission", choices=names, metavar="MISSION", default="order-exception")
    imports.add_argument("file", type=Path, help="the export (.csv, .json or .jsonl)")
    imports.add_argument("--mapping", type=Path, required=True, help="the column mapping (JSON; see evals/samples)")
    imports.add_argument("--out", type=Path, default=None, help="cases file to write (default FILE.cases.jsonl.gz)")
    json_command(imports, _import)

    disagreements = sub.add_parser(
        "disagreements", help="where reviewers overrule the mission, by policy clause, and the clause to revisit"
    )
    disagreements.add_argument("--mission", choices=names, help="one mission (default: every mission reviewed)")
    json_command(disagreements, _disagreements)

    reading = sub.add_parser("reading", help="score a reader on the hand-written reading set (per fact kind)")
    reading.add_argument("--part", choices=("dev", "holdout", "all"), default="holdout")
    reading.add_argument("--reader", choices=("offline", "llm"), default="offline")
    sample = reading.add_mutually_exclusive_group()
    sample.add_argument("--limit", type=int, default=None, help="score only the first N snippets of the part")
    sample.add_argument("--sample", type=int, default=None, help="score N snippets spread evenly through the part")
    reading.add_argument(
        "--file", default=None, help="score an outside set (the same TSV columns) instead of the project's own"
    )
    reading.set_defaults(handler=_reading)
    generate = sub.add_parser("generate", help="regenerate a mission's generated datasets (deterministic)")
    generate.add_argument("--mission", choices=names, metavar="MISSION", default="order-exception")
    generate.add_argument("--out", type=Path, default=None, help="where to write (default: evals/data/...)")
    generate.add_argument("--slice-out", type=Path, default=None, help="where to write the CI slice")
    generate.add_argument("--seeds", type=int, nargs="+", default=None, help="book seeds (default 11 23 37 41)")
    json_command(generate, _generate)


def _store(args: argparse.Namespace) -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.store import EvalStore, store_dir
    from ai_missions.kernel.settings import missions_home

    return EvalStore(args.store or store_dir(missions_home()))


def _task(args: argparse.Namespace) -> Any:
    """The task a ``run`` names: a mission's named dataset, or a case file (its cases name their mission)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.harness import Task
    from ai_missions.kernel.cases import iter_lines, parse_case

    path = (
        Path(args.dataset)
        if args.dataset and ("/" in args.dataset or args.dataset.endswith(".gz") or args.dataset.endswith(".jsonl"))
        else None
    )
    mission = args.mission
    if mission is None:
        if path is None:
            # deferred: start-up time (`missions --help` loads every area)
            from ai_missions.kernel.missions import mission_names

            raise ValidationError(f"say which mission: --mission NAME (one of {', '.join(mission_names())})")
        number, line = next(iter_lines(path), (0, ""))
        if not line:
            raise ValidationError(f"{path} holds no cases")
        mission = parse_case(line, number).mission
    return Task.of(mission, path or args.dataset)


def _run(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.harness import Task, evaluate, start_run
    from ai_missions.evals.progress import ProgressBar
    from ai_missions.evals.report import headline
    from ai_missions.evals.solve import EvalConfig, open_knowledge
    from ai_missions.kernel.cases import dataset_hash
    from ai_missions.kernel.settings import llm_timeout_s, missions_home

    if (args.concurrency is not None and args.concurrency < 1) or (args.workers is not None and args.workers < 1):
        raise ValidationError("--concurrency and --workers must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise ValidationError("--limit must be at least 1")
    if args.engine == "procrastinate":
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.cli.workers import require_url

        require_url()
    store = _store(args)
    if args.resume:
        run = store.get_run(args.resume)
        run_id = run["run_id"]
        task = Task.of(run["mission"], Path(run["dataset"]))
        config = EvalConfig(**run["config"])
        if dataset_hash(task.dataset) != run["dataset_hash"]:
            raise ValidationError(f"{task.dataset} changed since run {run_id} started; start a new run")
    else:
        task = _task(args)
        workers = args.workers or (1 if args.reasoner == "llm" else min(4, os.cpu_count() or 1))
        config = EvalConfig(
            mission=task.spec.name,
            reasoner=args.reasoner,
            concurrency=args.concurrency or (8 if args.reasoner == "llm" else workers),
            workers=workers,
            limit=args.limit,
            retrieval_cache=not args.no_retrieval_cache,
            llm_timeout_s=args.llm_timeout or llm_timeout_s(),
            policies_per_type=args.policies_per_type,
        )
    if args.engine == "local" and config.workers > 1:
        # deferred: start-up time (the pool imports the harness: LangGraph, Chroma)
        from ai_missions.evals.pool import start_server

        start_server(task.spec)  # the workers' fork server imports while this process prepares the run
    cases = task.cases(limit=config.limit)
    if not args.resume:
        run_id = start_run(store, task, config, cases)
    knowledge = open_knowledge(missions_home())
    print(
        f"Eval run {run_id}: {task.spec.name}, {len(cases)} cases from {task.dataset.name}, {config.reasoner} reasoner",
        file=sys.stderr,
    )
    started = time.perf_counter()
    try:
        progress = None if args.json else ProgressBar()
        if args.engine == "procrastinate":
            # deferred: start-up time (`missions --help` loads every area)
            from ai_missions.cli.workers import evaluate_on_workers

            summary = evaluate_on_workers(store, run_id, cases, config.recorded(), progress=progress)
        else:
            summary = evaluate(store, run_id, cases, config, knowledge, home=missions_home(), progress=progress)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finish it with `missions eval run --resume {run_id}`", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started
    emit(
        {"run_id": run_id, "seconds": round(seconds, 2), **summary},
        as_json=args.json,
        render=lambda data: headline(data, run_id),
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.report import render_html, render_markdown

    store = _store(args)
    run = store.get_run(args.run)
    results = store.results(run["run_id"])
    if args.json:
        emit(run, as_json=True)
        return 0
    out = args.out or store.path.parent / "reports"
    out.mkdir(parents=True, exist_ok=True)
    markdown = render_markdown(run, results)
    (out / f"{run['run_id']}.md").write_text(markdown)
    (out / f"{run['run_id']}.html").write_text(render_html(run, results))
    print(markdown)
    print(f"report: {out / (run['run_id'] + '.md')} and {out / (run['run_id'] + '.html')}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.report import compare_runs, render_comparison

    store = _store(args)
    a, b = store.get_run(args.a), store.get_run(args.b)
    diff = compare_runs(a, store.results(a["run_id"]), b, store.results(b["run_id"]))
    emit(diff, as_json=args.json, render=render_comparison)
    return 0


def _runs(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.report import fmt

    runs = _store(args).list_runs()

    def render(runs: list[dict[str, Any]]) -> str:
        if not runs:
            return "no eval runs yet: run `missions eval run`"
        lines = []
        for r in runs:
            overall = (r["summary"] or {}).get("overall", {})
            lines.append(
                f"{r['run_id']}  {r['started_at'][:19]}  {r['status']:<8} {r['cases_done']:>5}/{r['cases_total']:<5} "
                f"{r['config'].get('reasoner', ''):<7} agreement {fmt('rate', overall.get('outcome_agreement'))}  "
                f"{Path(r['dataset']).name}"
            )
        return "\n".join(lines)

    emit(runs, as_json=args.json, render=render)
    return 0


def _import(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.cases import write_cases
    from ai_missions.kernel.eval_plugin import plugin_of
    from ai_missions.kernel.settings import missions_home

    cases = plugin_of(args.mission).import_cases(args.file, args.mapping, missions_home())
    out = args.out or args.file.with_name(f"{args.file.stem}.cases.jsonl.gz")
    written = write_cases(cases, out)
    kinds: dict[str, int] = {}
    for case in cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    result = {"cases": written, "path": str(out), "kinds": kinds}
    emit(
        result,
        as_json=args.json,
        render=lambda r: (
            f"{r['cases']} cases -> {r['path']}\n  "
            + ", ".join(f"{k} {n}" for k, n in sorted(r["kinds"].items()))
            + f"\n  replay them: missions eval run --dataset {r['path']}"
        ),
    )
    return 0


def _disagreements(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.settings import missions_home
    from ai_missions.services.reviewed import disagreements, render_disagreements, reviewed_cases

    report = disagreements(reviewed_cases(missions_home(), args.mission))
    emit(report, as_json=args.json, render=render_disagreements)
    return 0


def _generate(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.eval_plugin import plugin_of

    result = plugin_of(args.mission).generate(out=args.out, slice_out=args.slice_out, seeds=args.seeds)
    emit(
        result,
        as_json=args.json,
        render=lambda r: f"{r['cases']} cases -> {r['path']}\n{r['ci_slice']} in the CI slice -> {r['ci_slice_path']}",
    )
    return 0


def _recorded(args: argparse.Namespace) -> int:
    """A recorded set scored through the harness; 1 when the summary counts an unsafe action."""
    # deferred: start-up time (the harness loads LangGraph and Chroma)
    from ai_missions.evals.harness import score_recorded

    scored = score_recorded(args.mission, args.dataset, limit=args.limit)
    scored.pop("results")
    overall = scored["overall"]
    if isinstance(overall.get("misses"), list):
        overall["misses"] = overall["misses"][: args.misses]
    emit(scored, as_json=args.json, render=_render_recorded)
    return 1 if overall.get("unsafe") else 0


def _render_recorded(scored: dict[str, Any]) -> str:
    """One line per figure (a table's rows indented under it), for a person."""
    lines = [
        f"{scored['mission']}: {scored['cases']} recorded cases of {Path(scored['dataset']).name} in "
        f"{scored['seconds']} s ({scored['ms_per_case']} ms a case)"
    ]

    def shown(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    for name, value in scored["overall"].items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            lines.append(f"{name}:")
            lines += [
                f"  {key:<28} " + "  ".join(f"{k} {shown(v)}" for k, v in row.items()) for key, row in value.items()
            ]
        elif isinstance(value, list):
            lines.append(f"{name}: {len(value)} listed")
            lines += [f"  {item}" for item in value]
        else:
            lines.append(f"{name}: {shown(value)}")
    return "\n".join(lines)


def _reading(args: argparse.Namespace) -> int:
    """Precision, recall and decision-changing errors per fact kind, for the offline or the LLM reader."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.reading import load as load_reading
    from ai_missions.evals.reading import overall as reading_overall
    from ai_missions.evals.reading import score as score_reading
    from ai_missions.evals.reading import spread
    from ai_missions.nodes.context import MissionContext
    from ai_missions.nodes.llm_reasoner import chat_model
    from ai_missions.nodes.reading.llm import LLMReader
    from ai_missions.nodes.reading.offline import OfflineReader

    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise ValidationError(f"no reading set at {path}")
        snippets = load_reading(path)  # an outside set is scored whole: its split column is the writer's
    else:
        snippets = [s for s in load_reading() if args.part == "all" or s.holdout == (args.part == "holdout")]
    snippets = snippets[: args.limit] if args.limit else snippets
    snippets = spread(snippets, args.sample) if args.sample is not None else snippets
    if args.reader == "llm":
        context = MissionContext(reasoner="llm")
        reader: Any = LLMReader(chat_model(context), method=context.llm_structured_output_method)
    else:
        reader = OfflineReader()
    started = time.perf_counter()
    result = score_reading(snippets, reader)
    result["seconds_per_snippet"] = round((time.perf_counter() - started) / max(1, len(snippets)), 2)
    if isinstance(reader, LLMReader):  # calls that failed read as nothing: say how many there were
        result["reader_failures"] = {"calls": len(reader.failures), "first": reader.failures[:1]}
    result["part"], result["reader"] = (args.file or args.part), args.reader
    result["overall"] = reading_overall(snippets, result)
    result.pop("labels", None)  # each label's reading: what ``overall`` counts, too long to print
    emit(result, as_json=True)
    return 0
