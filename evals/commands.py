"""``missions eval ...``: generate the historical set, import cases, run the harness, report and compare runs."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ai_missions.cli import emit
from ai_missions.errors import ValidationError


def register(subparsers: Any) -> None:
    evals = subparsers.add_parser("eval", help="evaluate missions against recorded exceptions")
    sub = evals.add_subparsers(dest="eval_command", required=True, metavar="ACTION")

    run = sub.add_parser("run", help="replay recorded exceptions and score the mission")
    run.add_argument("--dataset", type=Path, default=None, help="cases (.jsonl[.gz]); default: the historical set")
    run.add_argument("--reasoner", choices=["offline", "llm"], default="offline")
    run.add_argument("--limit", type=int, default=None, help="only the first N cases")
    run.add_argument(
        "--concurrency", type=int, default=None, help="sandboxes replaying at once (default: one per worker; llm: 8)"
    )
    run.add_argument("--workers", type=int, default=None, help="worker processes (default: the CPU count, up to 4)")
    run.add_argument("--resume", metavar="RUN", help="finish an interrupted run (its dataset and config)")
    run.add_argument("--store", type=Path, default=None, help="where eval runs live (default $MISSIONS_HOME/evals)")
    run.add_argument("--no-retrieval-cache", action="store_true", help="query the index for every case")
    run.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    run.set_defaults(handler=_run)

    generate = sub.add_parser("generate", help="regenerate the historical set and the CI slice (deterministic)")
    generate.add_argument("--out", type=Path, default=None, help="where to write (default: evals/data/...)")
    generate.add_argument("--slice-out", type=Path, default=None, help="where to write the CI slice")
    generate.add_argument("--seeds", type=int, nargs="+", default=None, help="book seeds (default 11 23 37 41)")
    generate.add_argument("--json", action="store_true")
    generate.set_defaults(handler=_generate)


def _store(args: argparse.Namespace) -> Any:
    from ai_missions.evals.store import EvalStore, store_dir
    from ai_missions.settings import missions_home

    return EvalStore(args.store or store_dir(missions_home()))


def _run(args: argparse.Namespace) -> int:
    from ai_missions.evals.cases import HISTORICAL, dataset_hash, load_cases
    from ai_missions.evals.harness import EvalConfig, ProgressBar, evaluate, open_knowledge
    from ai_missions.settings import missions_home

    if (args.concurrency is not None and args.concurrency < 1) or (args.workers is not None and args.workers < 1):
        raise ValidationError("--concurrency and --workers must be at least 1")
    store = _store(args)
    if args.resume:
        run = store.get_run(args.resume)
        run_id, dataset = run["run_id"], Path(run["dataset"])
        config = EvalConfig(**run["config"])
        if dataset_hash(dataset) != run["dataset_hash"]:
            raise ValidationError(f"{dataset} changed since run {run_id} started; start a new run")
    else:
        dataset = (args.dataset or HISTORICAL).resolve()
        workers = args.workers or (1 if args.reasoner == "llm" else min(4, os.cpu_count() or 1))
        config = EvalConfig(
            reasoner=args.reasoner,
            concurrency=args.concurrency or (8 if args.reasoner == "llm" else workers),
            workers=workers,
            limit=args.limit,
            retrieval_cache=not args.no_retrieval_cache,
        )
    cases = load_cases(dataset, limit=config.limit)
    if not args.resume:
        run_id = store.create_run(
            dataset=str(dataset), dataset_hash=dataset_hash(dataset), config=config.recorded(), cases_total=len(cases)
        )
    knowledge = open_knowledge(missions_home())
    print(f"Eval run {run_id}: {len(cases)} cases from {dataset.name}, {config.reasoner} reasoner", file=sys.stderr)
    started = time.perf_counter()
    try:
        progress = None if args.json else ProgressBar()
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


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def headline(summary: dict[str, Any], run_id: str) -> str:
    """The run's figures in a few lines."""
    o = summary["overall"]
    lines = [
        f"Eval run {run_id}: {o['cases']} cases, {o['errors']} error(s)",
        f"  outcome agreement {_pct(o['outcome_agreement'])} (on cases without label noise "
        f"{_pct(o['outcome_agreement_clean_labels'])}); actions P {_pct(o['action_precision'])} "
        f"R {_pct(o['action_recall'])} F1 {_pct(o['action_f1'])}",
        f"  unsafe actions {o['unsafe_actions']} in {_pct(o['unsafe_case_rate'])} of cases "
        f"({o['unsafe_caught_by_guard']} caught by the guard); escalation rate {_pct(o['escalation_rate'])}, "
        f"warranted {_pct(o['warranted_escalation_rate'])}; end state matches {_pct(o['state_match_rate'])}",
    ]
    if o.get("latency_p50_ms") is not None:
        lines.append(f"  latency to verdict p50 {o['latency_p50_ms']:.0f} ms, p95 {o['latency_p95_ms']:.0f} ms")
    if summary.get("seconds"):
        lines[0] += f" in {summary['seconds']:.1f}s ({o['cases'] / summary['seconds']:.1f} cases/s)"
    lines.append(
        "  per exception type: "
        + ", ".join(f"{t} {_pct(m['outcome_agreement'])}" for t, m in summary["per_type"].items())
    )
    return "\n".join(lines)


def _generate(args: argparse.Namespace) -> int:
    from ai_missions.evals.cases import CI_SLICE, HISTORICAL
    from ai_missions.evals.generate import SEEDS, generate

    out = args.out or HISTORICAL
    default_slice = CI_SLICE if args.out is None else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz")
    slice_out = args.slice_out or default_slice
    written, sliced = generate(out, slice_out, seeds=args.seeds or SEEDS)
    result = {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}
    emit(
        result,
        as_json=args.json,
        render=lambda r: f"{r['cases']} cases -> {r['path']}\n{r['ci_slice']} in the CI slice -> {r['ci_slice_path']}",
    )
    return 0
