"""The run store: missions' runs, their ordered audit trail, and the Decision Queue (SQLite, WAL).

LangGraph's checkpointer holds each run's graph state; this store holds what people query: which runs exist,
what they found and decided, and which decisions wait. Listing pending decisions is an indexed query.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_missions.errors import ConflictError, NotFoundError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    mission TEXT NOT NULL,
    order_id TEXT NOT NULL,
    exception_types TEXT NOT NULL DEFAULT '[]',
    reasoner TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    confidence REAL,
    summary TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created_at);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, created_at);
CREATE INDEX IF NOT EXISTS runs_by_order ON runs (order_id);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    node TEXT,
    source TEXT,
    summary TEXT,
    actor TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
    decision_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    request TEXT NOT NULL,
    decided_by TEXT,
    reviewer_role TEXT,
    decided_at TEXT,
    response TEXT,
    resumed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS decisions_by_status ON decisions (status, created_at);
CREATE INDEX IF NOT EXISTS decisions_by_run ON decisions (run_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Run statuses of a mission that is still in progress.
ACTIVE_STATUSES = ("running", "awaiting_decision", "executing")

#: Run statuses of a mission that has ended.
FINAL_STATUSES = ("closed", "closed_partially", "escalated", "failed")

#: "PAY-001@3" (how a verdict cites a policy) split into id and version, as SQL over a ``json_each`` row ``c``.
_CITED = (
    "CASE WHEN instr(c.value, '@') > 0 THEN substr(c.value, 1, instr(c.value, '@') - 1) ELSE c.value END, "
    "CASE WHEN instr(c.value, '@') > 0 THEN CAST(substr(c.value, instr(c.value, '@') + 1) AS INTEGER) ELSE 0 END"
)

#: What the dashboard's queries need on top of :data:`SCHEMA`, created on their first use (append-only): indexes
#: for "resolved since" and "decided since", and ``citations``, one row per policy a verdict cited, kept by a
#: trigger on the audit trail, so "which runs cited PAY-001" is an index lookup instead of a scan of every event.
DASHBOARD_SCHEMA = f"""
CREATE INDEX IF NOT EXISTS runs_by_updated ON runs (updated_at);
CREATE INDEX IF NOT EXISTS decisions_by_decided ON decisions (decided_at) WHERE decided_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS citations (
    policy_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (policy_id, run_id, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS citations_by_policy_at ON citations (policy_id, at);
CREATE TRIGGER IF NOT EXISTS citations_of_verdicts AFTER INSERT ON events
WHEN NEW.kind = 'verdict' AND json_valid(NEW.data)
BEGIN
    INSERT OR IGNORE INTO citations (policy_id, version, run_id, at)
    SELECT {_CITED}, NEW.run_id, NEW.at FROM json_each(NEW.data, '$.policy_ids') AS c WHERE c.type = 'text';
END;
"""
#: Verdicts recorded before the trigger existed, cited once when the dashboard schema is first created.
_BACKFILL_CITATIONS = f"""
INSERT OR IGNORE INTO citations (policy_id, version, run_id, at)
SELECT {_CITED}, e.run_id, e.at FROM events AS e, json_each(e.data, '$.policy_ids') AS c
WHERE e.kind = 'verdict' AND c.type = 'text'
"""
_CITATIONS_BACKFILLED = "dashboard.citations_backfilled"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: str
    run_id: str
    order_id: str
    status: str
    created_at: str
    request: dict[str, Any]
    decided_by: str | None
    reviewer_role: str | None
    decided_at: str | None
    response: dict[str, Any] | None
    resumed: bool


class RunStore:
    """Thread-safe access to the run store; one connection per thread, WAL so readers never block writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db().executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------------------------
    def create_run(
        self, run_id: str, *, mission: str, order_id: str, reasoner: str, exception_types: Sequence[str]
    ) -> None:
        now = utc_now()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (run_id, mission, order_id, exception_types, reasoner, status, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
                (run_id, mission, order_id, json.dumps(list(exception_types)), reasoner, now, now),
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        allowed = {"status", "outcome", "confidence", "summary", "exception_types"}
        if unknown := set(fields) - allowed:
            raise ValueError(f"unknown run fields {unknown}")
        if "exception_types" in fields:
            fields["exception_types"] = json.dumps(list(fields["exception_types"]))
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE runs SET {assignments}, updated_at = ? WHERE run_id = ?",
                (*fields.values(), utc_now(), run_id),
            )

    def get_run(self, run_id: str) -> dict[str, Any]:
        row = self._db().execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown run {run_id!r}")
        return _run_row(row)

    def list_runs(
        self,
        *,
        mission: str | None = None,
        status: str | None = None,
        outcome: str | None = None,
        exception_type: str | None = None,
        order_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Runs newest first, filtered by any of mission, status, outcome, exception type, order and creation time
        (ISO ``since`` inclusive, ``until`` exclusive)."""
        where, params = _run_filters(mission, status, outcome, exception_type, order_id, since, until)
        rows = self._db().execute(
            f"SELECT * FROM runs {where} ORDER BY created_at DESC LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [_run_row(r) for r in rows]

    def count_runs(
        self,
        *,
        mission: str | None = None,
        status: str | None = None,
        outcome: str | None = None,
        exception_type: str | None = None,
        order_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> int:
        """How many runs :meth:`list_runs` would list with the same filters (without paging)."""
        where, params = _run_filters(mission, status, outcome, exception_type, order_id, since, until)
        return int(self._db().execute(f"SELECT count(*) FROM runs {where}", params).fetchone()[0])

    def active_orders(self) -> set[str]:
        """Orders with a mission still in progress."""
        marks = ", ".join("?" * len(ACTIVE_STATUSES))
        rows = self._db().execute(f"SELECT DISTINCT order_id FROM runs WHERE status IN ({marks})", ACTIVE_STATUSES)
        return {r[0] for r in rows}

    def last_types_by_order(self) -> dict[str, list[str]]:
        """Each order's exception types as its latest mission saw them."""
        rows = self._db().execute(
            "SELECT order_id, exception_types FROM runs r WHERE created_at ="
            " (SELECT max(created_at) FROM runs WHERE order_id = r.order_id)"
        )
        return {r[0]: sorted(json.loads(r[1])) for r in rows}

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                (key, value, value),
            )

    # -- audit trail ------------------------------------------------------------------------------------------
    def append_events(self, run_id: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Append events to a run's trail, in order, with gap-free sequence numbers."""
        if not events:
            return
        with self._tx() as db:
            (last,) = db.execute("SELECT coalesce(max(seq), 0) FROM events WHERE run_id = ?", (run_id,)).fetchone()
            db.executemany(
                "INSERT INTO events (run_id, seq, at, kind, node, source, summary, actor, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        last + i,
                        e.get("at") or utc_now(),
                        e["kind"],
                        e.get("node"),
                        e.get("source"),
                        e.get("finding") or e.get("summary"),
                        e.get("actor"),
                        json.dumps(e.get("data") or {}, default=str),
                    )
                    for i, e in enumerate(events, start=1)
                ],
            )

    def events(self, run_id: str, *, kind: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM events WHERE run_id = ?", [run_id]
        if kind:
            sql, params = sql + " AND kind = ?", [*params, kind]
        rows = self._db().execute(sql + " ORDER BY seq", params)
        return [{**dict(r), "data": json.loads(r["data"])} for r in rows]

    # -- decision queue ---------------------------------------------------------------------------------------
    def open_decision(self, decision_id: str, *, run_id: str, order_id: str, request: Mapping[str, Any]) -> bool:
        """Queue a decision; False when it was already queued (a resumed node re-raising its interrupt)."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO decisions (decision_id, run_id, order_id, status, created_at, request)"
                " VALUES (?, ?, ?, 'pending', ?, ?)",
                (decision_id, run_id, order_id, utc_now(), json.dumps(request, default=str)),
            )
            return cursor.rowcount == 1

    def get_decision(self, decision_id: str) -> Decision:
        row = self._db().execute("SELECT * FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown decision {decision_id!r}")
        return _decision_row(row)

    def pending_decisions(self, *, limit: int = 50, offset: int = 0) -> list[Decision]:
        """Pending decisions, oldest first (served by the (status, created_at) index)."""
        rows = self._db().execute(
            "SELECT * FROM decisions WHERE status = 'pending' ORDER BY created_at LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_decision_row(r) for r in rows]

    def count_pending(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM decisions WHERE status = 'pending'").fetchone()[0])

    def decisions_of(self, run_id: str) -> list[Decision]:
        rows = self._db().execute("SELECT * FROM decisions WHERE run_id = ? ORDER BY created_at", (run_id,))
        return [_decision_row(r) for r in rows]

    def claim_decision(self, decision_id: str, *, reviewer: str, role: str, response: Mapping[str, Any]) -> Decision:
        """Record a reviewer's decision. Exactly one of concurrent claims wins; the others get ConflictError."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE decisions SET status = 'decided', decided_by = ?, reviewer_role = ?, decided_at = ?,"
                " response = ? WHERE decision_id = ? AND status = 'pending'",
                (reviewer, role, utc_now(), json.dumps(response, default=str), decision_id),
            )
            won = cursor.rowcount == 1
        decision = self.get_decision(decision_id)
        if not won:
            raise ConflictError(
                f"decision {decision_id} was already decided by {decision.decided_by} at {decision.decided_at}"
            )
        return decision

    def mark_resumed(self, decision_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE decisions SET resumed = 1 WHERE decision_id = ?", (decision_id,))

    def decided_not_resumed(self) -> list[Decision]:
        """Decisions recorded whose run has not been resumed yet (a crash between the two)."""
        rows = self._db().execute("SELECT * FROM decisions WHERE status = 'decided' AND resumed = 0")
        return [_decision_row(r) for r in rows]

    # -- dashboard queries: read-only, each served by an index or one pass over the runs ----------------------
    def _dashboard_db(self) -> sqlite3.Connection:
        """The connection, after :data:`DASHBOARD_SCHEMA` exists (created and backfilled once per database)."""
        db = self._db()
        if not getattr(self, "_dashboard_ready", False):  # once per store object (schema statements are idempotent)
            db.executescript(DASHBOARD_SCHEMA)
            if self.get_meta(_CITATIONS_BACKFILLED) is None:
                with self._tx() as tx:
                    tx.execute(_BACKFILL_CITATIONS)
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                        (_CITATIONS_BACKFILLED, utc_now()),
                    )
            self._dashboard_ready = True
        return db

    def run_facets(self) -> dict[str, list[str]]:
        """The missions, statuses and outcomes present, to offer as filters."""
        db = self._db()
        return {
            column: [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM runs WHERE {column} IS NOT NULL")]
            for column in ("mission", "status", "outcome")
        }

    def status_counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, count(*) FROM runs GROUP BY status")
        return {r[0]: int(r[1]) for r in rows}

    def exception_type_counts(self, statuses: Sequence[str] | None = None) -> dict[str, int]:
        """Runs per exception type (a combined exception counts once for each of its types)."""
        sql = "SELECT t.value, count(*) FROM runs, json_each(runs.exception_types) AS t"
        params: list[Any] = []
        if statuses is not None:
            sql += f" WHERE runs.status IN ({', '.join('?' * len(statuses))})"
            params.extend(statuses)
        rows = self._db().execute(sql + " GROUP BY t.value", params)
        return {str(r[0]): int(r[1]) for r in rows}

    def pending_created_at(self) -> list[str]:
        """When each pending decision was opened, oldest first (read from the (status, created_at) index)."""
        rows = self._db().execute("SELECT created_at FROM decisions WHERE status = 'pending' ORDER BY created_at")
        return [r[0] for r in rows]

    def resolved_since(self, since: str) -> dict[str, int]:
        """Runs that reached a final status at or after ``since``, per status."""
        marks = ", ".join("?" * len(FINAL_STATUSES))
        rows = self._dashboard_db().execute(
            f"SELECT status, count(*) FROM runs WHERE updated_at >= ? AND status IN ({marks}) GROUP BY status",
            (since, *FINAL_STATUSES),
        )
        return {r[0]: int(r[1]) for r in rows}

    def decision_tally(self, since: str) -> list[dict[str, Any]]:
        """Reviewers' answers per action decided since ``since``: ``{day, answer, count}`` with answer one of
        ``accept``, ``edit`` or ``response`` (a rejection)."""
        rows = self._dashboard_db().execute(
            "SELECT substr(d.decided_at, 1, 10) AS day, json_extract(a.value, '$.type') AS answer, count(*)"
            " FROM decisions AS d, json_each(d.response, '$.responses') AS a"
            " WHERE d.decided_at >= ? AND d.status = 'decided' GROUP BY day, answer ORDER BY day",
            (since,),
        )
        return [{"day": r[0], "answer": r[1], "count": int(r[2])} for r in rows]

    def decision_latencies(self, since: str) -> list[float]:
        """Seconds from each run's trigger to its reviewer's decision, for decisions made since ``since``."""
        rows = self._dashboard_db().execute(
            "SELECT (julianday(d.decided_at) - julianday(r.created_at)) * 86400.0 FROM decisions AS d"
            " JOIN runs AS r ON r.run_id = d.run_id WHERE d.decided_at >= ? AND d.status = 'decided'",
            (since,),
        )
        return [float(r[0]) for r in rows if r[0] is not None]

    def recent_decisions(self, *, limit: int = 20, offset: int = 0) -> list[Decision]:
        """Decided decisions, newest first."""
        rows = self._dashboard_db().execute(
            "SELECT * FROM decisions WHERE decided_at IS NOT NULL ORDER BY decided_at DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_decision_row(r) for r in rows]

    def citing_runs(self, policy_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Runs whose verdict cited ``policy_id`` (any version), newest first, with the version cited."""
        rows = self._dashboard_db().execute(
            "SELECT c.version AS cited_version, c.at AS cited_at, r.* FROM citations AS c"
            " JOIN runs AS r ON r.run_id = c.run_id WHERE c.policy_id = ? ORDER BY c.at DESC LIMIT ? OFFSET ?",
            (policy_id, limit, offset),
        )
        return [_run_row(r) for r in rows]

    def citation_counts(self, policy_id: str) -> dict[int, int]:
        """How many runs cited each version of ``policy_id``."""
        rows = self._dashboard_db().execute(
            "SELECT version, count(*) FROM citations WHERE policy_id = ? GROUP BY version ORDER BY version",
            (policy_id,),
        )
        return {int(r[0]): int(r[1]) for r in rows}


def _run_filters(
    mission: str | None,
    status: str | None,
    outcome: str | None,
    exception_type: str | None,
    order_id: str | None,
    since: str | None,
    until: str | None,
) -> tuple[str, list[Any]]:
    equal = {"mission": mission, "status": status, "outcome": outcome, "order_id": order_id}
    where = [f"{name} = ?" for name, value in equal.items() if value is not None]
    params: list[Any] = [value for value in equal.values() if value is not None]
    if exception_type:
        where.append("exception_types LIKE ?")
        params.append(f'%"{exception_type}"%')
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("created_at < ?")
        params.append(until)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


def _run_row(row: sqlite3.Row) -> dict[str, Any]:
    return {**dict(row), "exception_types": json.loads(row["exception_types"])}


def _decision_row(row: sqlite3.Row) -> Decision:
    return Decision(
        decision_id=row["decision_id"],
        run_id=row["run_id"],
        order_id=row["order_id"],
        status=row["status"],
        created_at=row["created_at"],
        request=json.loads(row["request"]),
        decided_by=row["decided_by"],
        reviewer_role=row["reviewer_role"],
        decided_at=row["decided_at"],
        response=json.loads(row["response"]) if row["response"] else None,
        resumed=bool(row["resumed"]),
    )
