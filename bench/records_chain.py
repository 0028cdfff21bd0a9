"""Benchmark: what believing the audit chain as verified costs (issue 59, items 2 and 3), before and after, turn about.

Rows of record (the signed-in account, its token), revocations and appends used to be checked by one indexed query
on the chain (columns outside the entries' hashes); now the chain is read in order and every entry checked, from
the latest checkpoint, and its end against this host's head (``kernel/beliefs.py``). Each side builds the same home
in a child process of its own (SQLite, or a fresh Postgres schema with ``--database-url``): accounts, sign-ins and
sign-outs, abandoned runs' revocations and run events up to ``--entries`` audit entries; then measures CPU:

- ``cold``: a new store object (as a new command opens it) and its first ``account_for_token``: the walk from the
  checkpoint (after) or the indexed queries (before);
- ``warm``: ``account_for_token`` again on the same objects (a dashboard session, ``missions serve``);
- ``append``: one event appended (a run's step);
- ``grant``: a system's check of a grant (its ledger, and after, the chain's revocations).

The measured side is ``bench/_records_chain_child.py``. The "before" side runs the code of another commit
(``--before``, default the merge-base with ``main``), extracted with ``git archive`` and imported in place of this
checkout's. Prints per measure the medians and the ratio
after/before; not a test.

Run: ``python3 -m uv run python bench/records_chain.py [--entries 5000] [--rounds 3] [--before COMMIT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


#: Run by the "before" side's child first: ``ai_missions`` imported from the tree in ``argv[1]`` (the editable
#: install's finder, repointed), then the measured file.
REPOINT = """
import runpy, sys
from pathlib import Path
finder = next(m for name, m in sys.modules.items() if name.startswith("__editable___ai_missions"))
for name, path in finder.MAPPING.items():
    finder.MAPPING[name] = str(Path(sys.argv[1]) / Path(path).name)
sys.argv = [sys.argv[2], *sys.argv[3:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
CHILD = Path(__file__).with_name("_records_chain_child.py")


def before_tree(commit: str) -> Path:
    """The code of ``commit``, extracted (no worktree, nothing changed in the repository)."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    tree = Path(tempfile.mkdtemp(prefix="records-chain-before-"))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


@contextmanager
def fresh_schema(server: str | None) -> Iterator[str | None]:
    """A new schema of ``server`` for one side, dropped afterwards (None: SQLite)."""
    if server is None:
        yield None
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in server else "?"
    try:
        yield f"{server}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def side(tree: Path | None, options: argparse.Namespace) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_DATABASE_URL", "MISSIONS_TOKEN")}
    env["MISSIONS_PLATFORM_KEY"] = "ab" * 32
    measured = [str(CHILD), str(options.entries), str(options.tokens), str(options.repeat)]
    command = [sys.executable, *(["-c", REPOINT, str(tree)] if tree is not None else []), *measured]
    with fresh_schema(options.database_url) as url:
        if url is not None:
            env["MISSIONS_DATABASE_URL"] = url
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {'before' if tree else 'after'} side failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000, help="audit entries in the home measured")
    parser.add_argument("--tokens", type=int, default=100, help="sign-ins (half signed out): rows of record")
    parser.add_argument("--rounds", type=int, default=3, help="before and after, turn about, this many times")
    parser.add_argument("--repeat", type=int, default=5, help="cold checks per round")
    parser.add_argument("--before", help="the commit measured as before (default: the merge-base with main)")
    parser.add_argument("--database-url", help="a Postgres server: each side in a fresh schema of it")
    options = parser.parse_args()
    base = ["git", "merge-base", "HEAD", "main"]
    commit = (
        options.before or subprocess.run(base, cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    )
    if not commit:  # `make bench` runs every benchmark without arguments, in a clone that may have no main
        print("records_chain: skipped, it needs --before COMMIT (or a `main` branch to take the merge-base with)")
        return
    tree = before_tree(commit)
    samples: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    entries = 0
    try:
        for _ in range(options.rounds):
            for label, where in (("before", tree), ("after", None)):
                result = side(where, options)
                entries = result.pop("entries")
                for measure, value in result.items():
                    samples[label].setdefault(measure, []).append(value)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    backend = "Postgres" if options.database_url else "SQLite"
    print(
        f"{backend}, {entries} audit entries, {options.tokens} sign-ins, before = {commit[:10]}, {options.rounds} "
        "rounds turn about (CPU ms)"
    )
    for measure in samples["after"]:
        new = statistics.median(samples["after"][measure])
        if measure not in samples["before"]:
            print(f"  {measure:<8} after {new:8.3f} (where a first check goes: a walked entry, a checkpoint's row)")
            continue
        old = statistics.median(samples["before"][measure])
        print(f"  {measure:<8} before {old:8.3f}  after {new:8.3f}  ratio {new / old:5.2f}x")


if __name__ == "__main__":
    main()
