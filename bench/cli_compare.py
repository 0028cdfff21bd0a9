"""Benchmark: the ``missions`` executable of two checkouts side by side, CPU of each command, interleaved.

On a shared machine one run's CPU figures drift with the load; two checkouts measured turn about, on copies of the
same demo home, give a ratio that means something. Commands: ``--help``, ``queue``, ``show RUN``, ``run`` on an
unknown order (refused) and ``run`` of the order mission on a fresh exception order to its verdict, from a cold
start (in-process systems, the default). The other checkout needs its own environment
(``git worktree add /tmp/base COMMIT && cd /tmp/base && uv sync``; compile its bytecode with
``python -m compileall -q .venv/lib core nodes graphs integrations knowledge_index`` when PYTHONDONTWRITEBYTECODE is
set, as this one's must be).

Run: ``uv run python bench/cli_compare.py --before /tmp/base --home /tmp/demo-home [--repeat 5]``, the home from
``MISSIONS_HOME=/tmp/demo-home uv run missions demo --orders 200 --missions 3``. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ai_missions.integrations.scan import scan_exceptions

HERE = Path(sys.executable).with_name("missions")


def cpu(missions: Path, home: Path, args: list[str]) -> float:
    """CPU seconds (user + system) of one command and everything it started."""
    env = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_TOKEN", "MISSIONS_DEBUG")}
    env["MISSIONS_HOME"] = str(home)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(missions), *args], env=env, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the other checkout (with its own .venv)")
    parser.add_argument("--home", type=Path, help="a home filled by `missions demo`")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    if options.before is None or options.home is None:  # `make bench` runs every benchmark without arguments
        print("cli_compare: skipped, it needs --before CHECKOUT and --home HOME (see its docstring)")
        return
    trees = {"before": options.before / ".venv" / "bin" / "missions", "after": HERE}
    work = Path(tempfile.mkdtemp(prefix="cli-compare-"))
    homes = {label: work / label for label in trees}
    for home in homes.values():
        shutil.copytree(options.home, home, ignore=shutil.ignore_patterns("serve.json", "credentials.json"))
    try:
        listed = subprocess.run(
            [str(HERE), "runs", "--json", "--limit", "1000"],
            env={**os.environ, "MISSIONS_HOME": str(options.home)},
            capture_output=True,
            text=True,
            check=True,
        )
        runs = json.loads(listed.stdout)
        done = {r["subject_id"] for r in runs}
        fresh = [e.order_id for e in scan_exceptions(options.home) if e.order_id not in done]
        if not runs or len(fresh) < options.repeat:
            raise SystemExit(f"{options.home}: needs a run and {options.repeat} exception orders with none")
        samples: dict[tuple[str, str], list[float]] = {}
        for subject in fresh[: options.repeat]:
            for label, missions in trees.items():
                for what, args in (
                    ("missions --help", ["--help"]),
                    ("missions queue", ["queue"]),
                    ("missions show RUN", ["show", runs[0]["run_id"]]),
                    ("missions run, unknown order (refused)", ["run", "order-exception", "--subject", "SO-999999"]),
                    ("missions run, cold, to its verdict", ["run", "order-exception", "--subject", subject]),
                ):
                    samples.setdefault((what, label), []).append(cpu(missions, homes[label], args))
        print(f"median CPU of {options.repeat} turns each, before = {options.before}")
        for what in dict.fromkeys(w for w, _ in samples):
            before = statistics.median(samples[(what, "before")])
            after = statistics.median(samples[(what, "after")])
            print(f"{what:<40} before {before:5.2f} s  after {after:5.2f} s  ({after / before:.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
