"""Benchmark: how long the ``missions`` CLI takes to answer, in wall time and CPU (the process and its children).

Measured on a copy of a home that ``missions demo`` filled (so deciding consumes nothing of the original):
``--help``, ``queue``, ``runs``, ``show RUN``; ``decide`` refused at once (no sign-in, an unknown decision); one
real ``decide`` from a cold start; ``run`` of the order mission on an unknown order (refused) and on an exception
order with no run yet, from a cold start, with the systems over each transport (``MISSIONS_SYSTEMS_TRANSPORT``:
stdio starts a server process per system, in-process serves them in the CLI's own process).
The goals (issue #27): listings and refusals under 0.5 s, ``run`` under 2 s. With ``--serve`` it also starts
``missions serve`` on the copy and decides through it. Each figure is the median of ``--repeat`` runs (``decide``
and ``run`` run once). On a loaded machine read the CPU column: wall time there measures the others' work.

Run: ``uv run python bench/cli_latency.py [--home /tmp/demo-home] [--repeat 3] [--serve]``, where the home comes
from ``MISSIONS_HOME=/tmp/demo-home uv run missions demo --orders 300 --missions 3`` (without ``--home`` the
benchmark makes one so, which takes a minute or two). Prints figures; not a test.
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
import time
from pathlib import Path

from ai_missions.integrations.scan import scan_exceptions

MISSIONS = [str(Path(sys.executable).with_name("missions"))]
TRANSPORT = "MISSIONS_SYSTEMS_TRANSPORT"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the command and everything it started, exit code, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*MISSIONS, *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout


def row(label: str, samples: list[tuple[float, float, int, str]]) -> None:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    codes = sorted({s[2] for s in samples})
    print(f"{label:<56} {wall:6.2f} s wall {cpu:6.2f} s CPU   exit {','.join(map(str, codes))}")


def signed_in(home: Path, name: str) -> dict[str, str]:
    # deferred: start-up time (loads langchain_core)
    from ai_missions.testing import signed_in_as

    return signed_in_as(home, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a home filled by `missions demo` (default: make one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="also decide through `missions serve`")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cli-latency-"))
    home = work / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_TOKEN", "MISSIONS_DEBUG")}
    env["MISSIONS_HOME"] = str(home)
    if options.home is None:
        print("making a demo home (missions demo --orders 300 --missions 3)…", file=sys.stderr)
        demo = [*MISSIONS, "demo", "--orders", "300", "--missions", "3"]
        subprocess.run(demo, env=env, check=True, stdout=subprocess.DEVNULL)
    else:
        shutil.copytree(options.home, home, ignore=shutil.ignore_patterns("serve.json", "credentials.json"))
    try:
        queue = json.loads(timed(["queue", "--json"], env)[3])
        runs = json.loads(timed(["runs", "--json", "--limit", "1"], env)[3])
        if not queue or not runs:
            raise SystemExit(f"{options.home}: no runs or pending decisions; fill it with `missions demo` first")
        print(f"{len(queue)} pending decisions; each figure the median of {options.repeat}")
        for label, args in [
            ("missions --help", ["--help"]),
            ("missions queue", ["queue"]),
            ("missions runs", ["runs"]),
            ("missions show RUN", ["show", runs[0]["run_id"]]),
            ("missions decide (not signed in: refused)", ["decide", queue[0]["decision_id"], "--approve"]),
        ]:
            row(label, [timed(args, env) for _ in range(options.repeat)])
        reviewer = {**env, **signed_in(home, "omar")}
        row("missions decide D-unknown (refused)", [timed(["decide", "D-unknown", "--approve"], reviewer)])
        pending = [d["decision_id"] for d in queue]
        reject = ["decide", pending.pop(), "--reject", "--reason", "bench"]
        row("missions decide --reject, cold", [timed(reject, reviewer)])
        unknown = ["run", "order-exception", "--subject", "SO-999999"]
        row("missions run order-exception SO-999999 (unknown: refused)", [timed(unknown, env)])
        done = {r["subject_id"] for r in json.loads(timed(["runs", "--json", "--limit", "1000"], env)[3])}
        fresh = [e.order_id for e in scan_exceptions(home) if e.order_id not in done]
        for transport, subject in zip(("stdio", "in-process"), fresh, strict=False):
            start = ["run", "order-exception", "--subject", subject]
            row(f"missions run order-exception, cold ({transport})", [timed(start, {**env, TRANSPORT: transport})])
        if options.serve:
            serve_and_decide(home, env, reviewer, pending, options.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def serve_and_decide(home: Path, env: dict[str, str], reviewer: dict[str, str], pending: list[str], n: int) -> None:
    """Start ``missions serve`` on the copy, wait until it answers, then decide and list through it."""
    server = subprocess.Popen([*MISSIONS, "serve", "--port", "0"], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (home / "serve.json").exists():
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("missions serve did not start")
            time.sleep(0.2)
        timed(["queue"], reviewer)  # the first call through the server opens the mission's sessions
        row("missions queue (through serve)", [timed(["queue"], reviewer) for _ in range(n)])
        samples = [timed(["decide", pending.pop(), "--reject", "--reason", "bench"], reviewer) for _ in range(n)]
        row("missions decide --reject (through serve)", samples)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
