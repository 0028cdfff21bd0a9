"""Eval runs in SQLite (default ``$MISSIONS_HOME/evals/evals.sqlite``) or, with ``MISSIONS_DATABASE_URL``, in
Postgres: each run's config, git commit and dataset hash, and every case's result, written as soon as the case
finishes (so a run resumes without redoing any, and workers on other machines add results to the same run)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_missions.kernel.database import PgConnection, database_url, lock_key, no_commit_wait, use_wal
from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import get_mission

SCHEMA = """
CREATE TABLE IF NOT EXISTS eval_runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    dataset TEXT NOT NULL,
    dataset_hash TEXT NOT NULL,
    git_commit TEXT,
    config TEXT NOT NULL,
    cases_total INTEGER NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS eval_results (
    run_id TEXT NOT NULL REFERENCES eval_runs (run_id),
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    agree INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, case_id)
);
"""

#: The same tables in Postgres, with the ``mission`` column from the start (SQLite stores gain it by migration) and
#: ``rowid`` (implicit in SQLite), which orders runs started within the same second.
POSTGRES_SCHEMA = SCHEMA.replace(
    "    run_id TEXT PRIMARY KEY,\n",
    "    rowid BIGSERIAL,\n    run_id TEXT PRIMARY KEY,\n    mission TEXT NOT NULL DEFAULT 'order-exception',\n",
    1,
)

DB_NAME = "evals.sqlite"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit(cwd: Path | None = None) -> str | None:
    """The checked-out commit of the code being evaluated (``+dirty`` with uncommitted changes), if in git."""
    where = cwd or Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def store_dir(home: Path) -> Path:
    return home / "evals"


class EvalStore:
    """``EvalStore(directory)``: create runs, add results as they finish, read them back."""

    def __init__(self, directory: Path, *, url: str | None = None) -> None:
        self.path = directory / DB_NAME
        self.url = url or database_url()
        self._conn: Any
        if self.url is not None:  # shared: directory keeps only reports
            # a result lost to a crash is replayed when the run resumes, as with SQLite's synchronous = NORMAL below
            self._conn = PgConnection(self.url, **no_commit_wait(self.url))
            with self._conn.transaction(lock_key(f"missions-eval-schema:{self._conn.schema}")):
                self._conn.script(POSTGRES_SCHEMA)
            return
        directory.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.row_factory = sqlite3.Row
        use_wal(self._conn)
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.executescript(SCHEMA)
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(eval_runs)")}
        if "mission" not in columns:  # stores from before missions were plug-ins held order-exception runs only
            self._conn.execute("ALTER TABLE eval_runs ADD COLUMN mission TEXT NOT NULL DEFAULT 'order-exception'")

    def close(self) -> None:
        self._conn.close()

    def create_run(
        self, *, mission: str, dataset: str, dataset_hash: str, config: Mapping[str, Any], cases_total: int
    ) -> str:
        run_id = f"E-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        self._conn.execute(
            "INSERT INTO eval_runs (run_id, mission, started_at, status, dataset, dataset_hash, git_commit, config,"
            " cases_total) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
            (run_id, mission, now_iso(), dataset, dataset_hash, git_commit(), json.dumps(dict(config)), cases_total),
        )
        return run_id

    def resolve(self, ref: str) -> str:
        """A run id from an id, a unique prefix of one, or ``latest``."""
        if ref == "latest":
            row = self._conn.execute(
                "SELECT run_id FROM eval_runs ORDER BY started_at DESC, rowid DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise NotFoundError("no eval runs yet: run `missions eval run`")
            return str(row[0])
        rows = self._conn.execute("SELECT run_id FROM eval_runs WHERE run_id LIKE ? || '%'", (ref,)).fetchall()
        if not rows:
            raise NotFoundError(f"unknown eval run {ref!r}")
        if len(rows) > 1 and ref not in {r[0] for r in rows}:
            raise ValidationError(f"{ref!r} names {len(rows)} eval runs; give more of the id")
        return ref if ref in {r[0] for r in rows} else str(rows[0][0])

    def get_run(self, ref: str) -> dict[str, Any]:
        run_id = self.resolve(ref)
        row = self._conn.execute("SELECT * FROM eval_runs WHERE run_id = ?", (run_id,)).fetchone()
        done = self._conn.execute("SELECT count(*) FROM eval_results WHERE run_id = ?", (run_id,)).fetchone()[0]
        return {
            **dict(row),
            "config": json.loads(row["config"]),
            "summary": json.loads(row["summary"]) if row["summary"] else None,
            "cases_done": done,
        }

    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT run_id FROM eval_runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [self.get_run(r[0]) for r in rows.fetchall()]

    def finished_case_ids(self, run_id: str) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT case_id FROM eval_results WHERE run_id = ?", (run_id,))}

    def has_result(self, run_id: str, case_id: str) -> bool:
        """Whether a case of the run has its result (one row read, not the run's whole list)."""
        row = self._conn.execute(
            "SELECT 1 FROM eval_results WHERE run_id = ? AND case_id = ?", (run_id, case_id)
        ).fetchone()
        return row is not None

    def add_result(self, run_id: str, result: Mapping[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO eval_results (run_id, case_id, seq, finished_at, kind, agree, data) VALUES"
            " (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM eval_results WHERE run_id = ?), ?, ?, ?, ?)"
            " ON CONFLICT (run_id, case_id) DO UPDATE SET seq = excluded.seq, finished_at = excluded.finished_at,"
            " kind = excluded.kind, agree = excluded.agree, data = excluded.data",
            (
                run_id,
                result["case_id"],
                run_id,
                now_iso(),
                result["kind"],
                int(bool(result.get("agree"))),
                json.dumps(dict(result), default=str),
            ),
        )

    def results(self, ref: str) -> list[dict[str, Any]]:
        run_id = self.resolve(ref)
        rows = self._conn.execute("SELECT data FROM eval_results WHERE run_id = ? ORDER BY seq", (run_id,))
        return [json.loads(r[0]) for r in rows]

    def finish(self, run_id: str) -> dict[str, Any]:
        """Summarise the run's results with its mission's scorers and mark it finished (or still partial when
        cases are missing)."""
        # deferred: start-up time (loads jsonschema_rs)
        from ai_missions.evals.scorers import summarize

        run = self.get_run(run_id)
        spec = get_mission(run["mission"])
        summary = summarize(self.results(run_id), spec, plugin_of(spec.name).scorers)
        status = "finished" if run["cases_done"] >= run["cases_total"] else "partial"
        self._conn.execute(
            "UPDATE eval_runs SET summary = ?, status = ?, finished_at = ? WHERE run_id = ?",
            (json.dumps(summary), status, now_iso(), run_id),
        )
        return summary


def _numbers(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def list_eval_runs(home: Path) -> list[dict[str, Any]]:
    """Recorded eval runs of ``home``, newest first, as plain data (the dashboard's Evals page reads these)."""
    if database_url() is None and not (store_dir(home) / DB_NAME).exists():
        return []
    store = EvalStore(store_dir(home))
    try:
        runs = store.list_runs()
    finally:
        store.close()
    out = []
    for run in runs:
        summary = run["summary"] or {}
        out.append(
            {
                "run_id": run["run_id"],
                "started_at": run["started_at"],
                "labels": {
                    "mission": run["mission"],
                    "dataset": Path(run["dataset"]).name,
                    "dataset_hash": run["dataset_hash"][:12],
                    "reasoner": run["config"].get("reasoner", ""),
                    "cases": f"{run['cases_done']}/{run['cases_total']}",
                    "status": run["status"],
                    "git_commit": (run["git_commit"] or "")[:12],
                },
                "metrics": _numbers(summary.get("overall", {})),
                "per_type": {t: _numbers(m) for t, m in summary.get("per_type", {}).items()},
            }
        )
    return out
