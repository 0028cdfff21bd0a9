"""``missions eval ...``: generate the historical set, import cases, run the harness, report and compare runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ai_missions.cli import emit


def register(subparsers: Any) -> None:
    evals = subparsers.add_parser("eval", help="evaluate missions against recorded exceptions")
    sub = evals.add_subparsers(dest="eval_command", required=True, metavar="ACTION")

    generate = sub.add_parser("generate", help="regenerate the historical set and the CI slice (deterministic)")
    generate.add_argument("--out", type=Path, default=None, help="where to write (default: evals/data/...)")
    generate.add_argument("--slice-out", type=Path, default=None, help="where to write the CI slice")
    generate.add_argument("--seeds", type=int, nargs="+", default=None, help="book seeds (default 11 23 37 41)")
    generate.add_argument("--json", action="store_true")
    generate.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from ai_missions.evals.cases import CI_SLICE, HISTORICAL
    from ai_missions.evals.generate import SEEDS, generate

    out = args.out or HISTORICAL
    slice_out = args.slice_out or (
        CI_SLICE if args.out is None else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz")
    )
    written, sliced = generate(out, slice_out, seeds=args.seeds or SEEDS)
    result = {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}
    emit(
        result,
        as_json=args.json,
        render=lambda r: f"{r['cases']} cases -> {r['path']}\n{r['ci_slice']} in the CI slice -> {r['ci_slice_path']}",
    )
    return 0
