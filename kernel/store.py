"""The run store: missions' runs, their ordered audit trail, and the Decision Queue (SQLite, WAL).

LangGraph's checkpointer holds each run's graph state; this store holds what people query: which runs exist
(keyed by mission and subject), what they found and decided, and which decisions wait. Listing pending decisions
is an indexed query. The schema is versioned (:data:`MIGRATIONS`): an older store is migrated in place, in one
transaction per step; a store written by a newer version is refused with a clear error.

With ``MISSIONS_DATABASE_URL`` set the same store lives in Postgres (see :mod:`ai_missions.kernel.database`), shared by
processes on many machines: write transactions hold one advisory lock, as SQLite's ``BEGIN IMMEDIATE`` does, so
claims, resumes and the audit chain stay exactly-once across processes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict, Unpack

from ai_missions.kernel.audit_key import AuditKey, Head, head_path
from ai_missions.kernel.beliefs import (
    ANCHORED_KIND,
    BODY,
    DECISION_KIND,
    GENESIS,
    KEYED_KIND,
    REVOKED_KIND,
    ROW_KIND,
    Beliefs,
    believe,
    entry_hash,
)
from ai_missions.kernel.database import SETTING, PgConnection, database_url, has_table, lock_key, redact, use_wal
from ai_missions.kernel.errors import ConflictError, CorruptStoreError, MissionsError, NotFoundError
from ai_missions.kernel.pg_schema import postgres_statements

_V1 = """
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

#: Runs keyed by (mission, subject): an order, an invoice, a ticket... and the mission of every decision.
_V2 = """
ALTER TABLE runs RENAME COLUMN order_id TO subject_id;
ALTER TABLE runs RENAME COLUMN exception_types TO case_types;
DROP INDEX IF EXISTS runs_by_order;
CREATE INDEX runs_by_subject ON runs (mission, subject_id);
CREATE INDEX runs_by_mission ON runs (mission, created_at);
ALTER TABLE decisions RENAME COLUMN order_id TO subject_id;
ALTER TABLE decisions ADD COLUMN mission TEXT NOT NULL DEFAULT '';
UPDATE decisions SET mission = coalesce((SELECT mission FROM runs WHERE runs.run_id = decisions.run_id), '');
"""

#: "PAY-001@3" (how a verdict cites a policy) split into id and version, as SQL over a ``json_each`` row ``c``.
_CITED = (
    "CASE WHEN instr(c.value, '@') > 0 THEN substr(c.value, 1, instr(c.value, '@') - 1) ELSE c.value END, "
    "CASE WHEN instr(c.value, '@') > 0 THEN CAST(substr(c.value, instr(c.value, '@') + 1) AS INTEGER) ELSE 0 END"
)

#: What the dashboard's queries need: indexes for "resolved since" and "decided since", and ``citations``, one
#: row per policy a verdict cited, kept by a trigger on the audit trail, so "which runs cited PAY-001" is an index
#: lookup instead of a scan of every event (verdicts recorded before are cited once, here).
_V3 = f"""
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
INSERT OR IGNORE INTO citations (policy_id, version, run_id, at)
SELECT {_CITED}, e.run_id, e.at FROM events AS e, json_each(e.data, '$.policy_ids') AS c
WHERE e.kind = 'verdict' AND c.type = 'text';
"""

#: Governance: local accounts (argon2 password hashes) and their API tokens (stored as SHA-256 hashes), and the
#: audit trail as one append-only hash chain across runs; each decision's deadline (``due_at``, from the mission's
#: ``deadlines``), which orders the queue (triggers refuse an UPDATE or DELETE through SQL; an edit
#: made around them is found by ``missions audit verify``).
_V4 = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES accounts (name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    n INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    run_id TEXT,
    kind TEXT NOT NULL,
    actor TEXT,
    summary TEXT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
ALTER TABLE decisions ADD COLUMN due_at TEXT;
CREATE INDEX IF NOT EXISTS decisions_by_due ON decisions (status, due_at, created_at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"""

#: Co-approval (:mod:`ai_missions.services.coapproval`): each reviewer's signed part of a plan no single role may
#: approve, and the hand-offs of pending decisions to another role or person.
_V5 = """
CREATE TABLE IF NOT EXISTS decision_signoffs (
    decision_id TEXT NOT NULL REFERENCES decisions (decision_id),
    reviewer TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL,
    signoff TEXT NOT NULL,
    PRIMARY KEY (decision_id, reviewer)
);
CREATE TABLE IF NOT EXISTS decision_handoffs (
    decision_id TEXT NOT NULL REFERENCES decisions (decision_id),
    at TEXT NOT NULL,
    by_reviewer TEXT NOT NULL,
    to_whom TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS handoffs_by_decision ON decision_handoffs (decision_id, at);
"""

#: Batches: a scheduled (or by-hand) run over many subjects groups its runs under one batch id.
_V6 = """
ALTER TABLE runs ADD COLUMN batch_id TEXT;
CREATE INDEX IF NOT EXISTS runs_by_batch ON runs (batch_id, created_at);
"""

#: One open decision per case: the store itself refuses a second pending decision on the same mission and subject,
#: so no path (CLI, platform API, batch, a worker, two of them racing) can queue a case to be decided twice.
_V7 = """
CREATE UNIQUE INDEX IF NOT EXISTS one_open_decision_per_case ON decisions (mission, subject_id)
WHERE status = 'pending';
"""

#: Sign-in throttling (:mod:`ai_missions.services.identity`): each account name's consecutive failed sign-ins and until
#: when it is locked, kept in the store so every process (CLI, dashboard sessions, ``missions serve``) sees the same
#: count.
_V8 = """
CREATE TABLE IF NOT EXISTS sign_in_failures (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT
);
"""

#: Rows of record (:mod:`ai_missions.services.identity`): accounts and API tokens carry an HMAC of the platform key, so
#: a row inserted or edited behind the platform's back is refused by name; each account records the person behind it and
#: the account that asked for it (co-approval needs two people); a role grant waits in ``role_grants`` until a
#: second admin or a controller confirms it.
_V9 = """
ALTER TABLE accounts ADD COLUMN person TEXT;
ALTER TABLE accounts ADD COLUMN created_by TEXT;
ALTER TABLE accounts ADD COLUMN signature TEXT;
ALTER TABLE api_tokens ADD COLUMN signature TEXT;
CREATE TABLE IF NOT EXISTS role_grants (
    grant_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    person TEXT NOT NULL,
    password_hash TEXT,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL,
    confirmed_by TEXT,
    signature TEXT NOT NULL
);
"""

#: A keyed audit chain (:mod:`ai_missions.kernel.audit_key`): each entry's MAC with the platform key, and each event row
#: the chain entry it was recorded as (``audit_n``), so ``missions audit verify`` checks the rows ``show`` and the
#: dashboard display against the chain. A store with nothing in it yet is keyed from its first entry; an older store
#: is keyed once, on purpose, by an admin (:meth:`RunStore.key_chain`, ``missions audit key``), never on its own.
#: (The ``audit_keyed`` meta row this step writes is no longer read: the chain itself says whether it is keyed.)
_V10 = """
ALTER TABLE audit ADD COLUMN mac TEXT;
ALTER TABLE events ADD COLUMN audit_n INTEGER;
INSERT INTO meta (key, value) SELECT 'audit_keyed', '0'
WHERE NOT EXISTS (SELECT 1 FROM audit) AND NOT EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM decisions);
"""

#: Rows of record with versions anchored on the audit chain (:mod:`ai_missions.kernel.records`): accounts, API tokens
#: and role grants carry a version their signature covers, and each change appends a ``row_version`` entry naming
#: its row (also in ``record_table``, ``record_key``, filled from the entry's content: columns outside its hash, which
#: only ``missions audit verify`` reads since the chain as verified says which version is the latest,
#: :mod:`ai_missions.kernel.beliefs`). Rows of an older store carry no version until an admin anchors them
#: (``missions audit key``).
_V11 = """
ALTER TABLE audit ADD COLUMN record_table TEXT;
ALTER TABLE audit ADD COLUMN record_key TEXT;
CREATE INDEX IF NOT EXISTS audit_by_record ON audit (record_table, record_key, n) WHERE record_table IS NOT NULL;
ALTER TABLE accounts ADD COLUMN version INTEGER;
ALTER TABLE api_tokens ADD COLUMN version INTEGER;
ALTER TABLE role_grants ADD COLUMN version INTEGER;
"""

#: Schema versions and the script that brings the store from the previous one.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, _V1),
    (2, _V2),
    (3, _V3),
    (4, _V4),
    (5, _V5),
    (6, _V6),
    (7, _V7),
    (8, _V8),
    (9, _V9),
    (10, _V10),
    (11, _V11),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
_VERSION_KEY = "schema_version"

#: Run statuses of a mission that is still in progress.
ACTIVE_STATUSES = ("running", "awaiting_decision", "executing", "outcome_unknown")

#: Run statuses of a mission that has ended.
FINAL_STATUSES = ("closed", "closed_partially", "escalated", "failed", "abandoned")


def run_statuses() -> tuple[str, ...]:
    """Every status a run can have (``missions runs --status`` checks against them)."""
    return ACTIVE_STATUSES + FINAL_STATUSES


def refuse_unknown_outcome(run: Mapping[str, Any]) -> None:
    """A run whose last write's outcome is unknown (its system died or hung mid-write) is not given up on: the write
    may have happened. ``missions resume`` reconciles it first (reads it back by its idempotency key, retries it
    with the same key when it did not happen); a run that fails after that may be abandoned."""
    if run.get("status") == "outcome_unknown":
        raise ConflictError(
            f"run {run.get('run_id')} has a write whose outcome is unknown: it may have happened. "
            "`missions resume` reconciles it first; abandon the run only once it ends failed"
        )


class StoreVersionError(MissionsError):
    """The store was written by a newer version of AI Missions."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: str
    run_id: str
    mission: str
    subject_id: str
    status: str
    created_at: str
    request: dict[str, Any]
    decided_by: str | None
    reviewer_role: str | None
    decided_at: str | None
    response: dict[str, Any] | None
    resumed: bool
    due_at: str | None = None


class _Connection(sqlite3.Connection):
    """A SQLite connection that knows its store's audit key: what :func:`chain` signs entries with."""

    audit_key: AuditKey | None = None


class RunStore:
    """Thread-safe access to the run store; one connection per thread, WAL so readers never block writers."""

    #: Whether appended events also go on the hash-chained audit trail (what proves a kept trail untampered).
    chained = True

    def __init__(self, path: Path, *, url: str | None = None) -> None:
        """The store at ``path`` (SQLite), or in Postgres at ``url`` (default: ``MISSIONS_DATABASE_URL``)."""
        self.path = path
        self.url = url or (None if str(path) == ":memory:" else database_url())
        if str(path) != ":memory:" and self.url is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        memory = str(path) == ":memory:" and self.url is None
        #: The chain's key (the home's ``platform.key``) and its head, kept outside the store.
        self.audit = AuditKey(
            None if memory else path.parent, head_path(path, None, None) if self.url is None else None
        )
        if self.url is not None:
            db = self._db()
            self.audit.head_file = head_path(path, self.url, db.schema)
            self._lock = lock_key(f"missions-run-store:{db.schema}")
            migrate(db, f"in {SETTING} ({redact(self.url)})")
        else:
            try:
                migrate(self._db(), str(path))
            except sqlite3.DatabaseError as exc:  # not a database, truncated, malformed
                raise CorruptStoreError(path, exc) from None

    @property
    def dialect(self) -> str:
        """``sqlite`` (the embedded default) or ``postgresql``."""
        return "sqlite" if self.url is None else "postgresql"

    def _db(self) -> Any:
        db: Any = getattr(self._local, "db", None)
        if db is None and self.url is not None:
            db = self._local.db = PgConnection(self.url)
            db.audit_key = self.audit
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False, factory=_Connection
            )
            db.audit_key = self.audit
            db.row_factory = sqlite3.Row
            use_wal(db)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def read(self) -> Any:
        """This thread's connection, for queries of other platform modules (accounts, audit)."""
        return self._db()

    def transaction(self) -> Any:
        """A write transaction (``BEGIN IMMEDIATE``) for other platform modules."""
        return self._tx()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        db = self._db()
        if self.url is not None:
            try:
                with db.transaction(self._lock):
                    yield db
            except BaseException:
                self.audit.discard()
                raise
            self.audit.publish()  # the chain's head moves once what it records is committed
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            self.audit.discard()
            raise
        db.execute("COMMIT")
        self.audit.publish()

    # -- runs -------------------------------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        *,
        mission: str,
        subject_id: str,
        reasoner: str,
        case_types: Sequence[str],
        batch_id: str | None = None,
        exclusive: bool = False,
    ) -> None:
        """Record a run (once: the same run id again adds nothing). ``exclusive``: only while nothing else is open on
        its case (:meth:`case_held`), checked in the transaction that records it, so of two runs of one case
        started at once (two processes, two hosts on Postgres) one is recorded and the other refused before it
        writes anything: ConflictError naming what holds the case."""
        now = utc_now()
        with self._tx() as db:
            if self.chained:  # the key first: a run whose trail cannot be written is not recorded as running
                self.audit.claim(db)
            if exclusive and (held := _case_held(db, mission, subject_id, run_id)):
                raise ConflictError(held)
            db.execute(
                "INSERT INTO runs (run_id, mission, subject_id, case_types, reasoner, status, created_at,"
                " updated_at, batch_id) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT DO NOTHING",
                (run_id, mission, subject_id, json.dumps(list(case_types)), reasoner, now, now, batch_id),
            )

    def case_held(self, mission: str, subject_id: str, *, run_id: str | None = None) -> str | None:
        """What keeps a case from a new run (one line naming it), or None: a decision of the case still open, pending
        a reviewer or claimed and not yet executed to the end, or a run of the case in progress (``run_id``'s own
        excepted). A case is decided once: a new run attaches to nothing and is refused until that one ends."""
        return _case_held(self._db(), mission, subject_id, run_id)

    def reopen_run(self, run_id: str) -> dict[str, Any]:
        """Mark a failed run running again, to retry it: only while nothing else holds its case (a run of the case
        started since), and only once of concurrent retries. ConflictError otherwise."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"unknown run {run_id!r}")
            if row["status"] != "failed":
                raise ConflictError(f"run {run_id} is {row['status']}, not failed: only a failed run is retried")
            if held := _case_held(db, row["mission"], row["subject_id"], run_id):
                raise ConflictError(f"run {run_id} is not retried: {held}")
            db.execute("UPDATE runs SET status = 'running', updated_at = ? WHERE run_id = ?", (utc_now(), run_id))
        return self.get_run(run_id)

    def batch_runs(self, batch_id: str) -> list[dict[str, Any]]:
        """The runs of one batch, in the order they started."""
        rows = (
            self._db()
            .execute("SELECT * FROM runs WHERE batch_id = ? ORDER BY created_at, run_id", (batch_id,))
            .fetchall()
        )
        return [run_row(r) for r in rows]

    def update_run(self, run_id: str, **fields: Any) -> None:
        allowed = {"status", "outcome", "confidence", "summary", "case_types"}
        if unknown := set(fields) - allowed:
            raise ValueError(f"unknown run fields {unknown}")
        if "case_types" in fields:
            fields["case_types"] = json.dumps(list(fields["case_types"]))
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
        return run_row(row)

    def list_runs(self, *, limit: int = 50, offset: int = 0, **filters: Unpack[RunFilters]) -> list[dict[str, Any]]:
        """Runs newest first, filtered by any of :class:`RunFilters`."""
        where, params = _run_filters(filters)
        rows = self._db().execute(
            f"SELECT * FROM runs {where} ORDER BY created_at DESC LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [run_row(r) for r in rows]

    def count_runs(self, **filters: Unpack[RunFilters]) -> int:
        """How many runs :meth:`list_runs` would list with the same filters (without paging)."""
        where, params = _run_filters(filters)
        return int(self._db().execute(f"SELECT count(*) FROM runs {where}", params).fetchone()[0])

    def active_subjects(self, mission: str) -> set[str]:
        """Subjects with a run of ``mission`` still in progress."""
        marks = ", ".join("?" * len(ACTIVE_STATUSES))
        rows = self._db().execute(
            f"SELECT DISTINCT subject_id FROM runs WHERE mission = ? AND status IN ({marks})",
            (mission, *ACTIVE_STATUSES),
        )
        return {r[0] for r in rows}

    def stale_runs(self, mission: str, *, idle_s: float) -> list[dict[str, Any]]:
        """Runs of ``mission`` still marked in progress (not waiting for a reviewer) that recorded nothing for
        ``idle_s`` seconds: their process died (a live run records an event every few seconds). At least ``idle_s``:
        times are kept to the millisecond, so a run written in the same millisecond as the cutoff is idle for 0 s."""
        cutoff = (datetime.now(UTC) - timedelta(seconds=idle_s)).isoformat(timespec="milliseconds")
        rows = self._db().execute(
            "SELECT * FROM runs r WHERE mission = ? AND status IN ('running', 'executing', 'outcome_unknown')"
            " AND updated_at <= ? AND coalesce((SELECT max(at) FROM events e WHERE e.run_id = r.run_id), '') <= ?",
            (mission, cutoff, cutoff),
        )
        return [run_row(r) for r in rows]

    def last_types_by_subject(self, mission: str) -> dict[str, list[str]]:
        """Each subject's case types as its latest run of ``mission`` saw them."""
        rows = self._db().execute(
            "SELECT subject_id, case_types FROM runs r WHERE mission = ? AND created_at ="
            " (SELECT max(created_at) FROM runs WHERE mission = r.mission AND subject_id = r.subject_id)",
            (mission,),
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
            stamped = [{**e, "at": e.get("at") or utc_now()} for e in events]
            numbers: list[int | None] = [None] * len(stamped)
            if self.chained:
                numbers = list(chain(db, [audit_entry(run_id, e) for e in stamped]))
            events = stamped
            db.executemany(
                "INSERT INTO events (run_id, seq, at, kind, node, source, summary, actor, data, audit_n)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        last + i,
                        e["at"],
                        e["kind"],
                        e.get("node"),
                        e.get("source"),
                        e.get("finding") or e.get("summary"),
                        e.get("actor"),
                        json.dumps(e.get("data") or {}, default=str),
                        numbers[i - 1],
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
    def open_decision(
        self,
        decision_id: str,
        *,
        run_id: str,
        mission: str,
        subject_id: str,
        request: Mapping[str, Any],
        due_at: str | None = None,
    ) -> bool:
        """Queue a decision (due by ``due_at``, ISO UTC, if a deadline applies); False when it was already queued
        (a resumed node re-raising its interrupt). ConflictError, naming it, when another decision on the same case
        is still open: a case is decided once."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone():
                return False
            if held := _open_decision(db, mission, subject_id, run_id):  # claimed, or pending (the index says so too)
                raise ConflictError(f"{subject_id} already has an open decision {held}")
            cursor = db.execute(
                "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at,"
                " request, due_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING",
                (decision_id, run_id, mission, subject_id, utc_now(), json.dumps(request, default=str), due_at),
            )
            if cursor.rowcount == 1:
                self.record_decision(db, decision_id)
                return True
        other = self.open_decision_on(mission, subject_id)
        raise ConflictError(
            f"{subject_id} already has an open decision"
            + (f" {other.decision_id} (run {other.run_id}): decide that one" if other else "")
        )

    def open_decision_on(self, mission: str, subject_id: str) -> Decision | None:
        """The pending decision on a case, if there is one (at most one: ``one_open_decision_per_case``)."""
        row = (
            self._db()
            .execute(
                "SELECT * FROM decisions WHERE mission = ? AND subject_id = ? AND status = 'pending'",
                (mission, subject_id),
            )
            .fetchone()
        )
        return decision_row(row) if row else None

    def get_decision(self, decision_id: str) -> Decision:
        row = self._db().execute("SELECT * FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown decision {decision_id!r}")
        return decision_row(row)

    def pending_decisions(self, *, mission: str | None = None, limit: int = 50, offset: int = 0) -> list[Decision]:
        """Pending decisions by deadline (GOV-005), soonest first, then the ones without a deadline; oldest
        first within each."""
        where, params = ("AND mission = ?", [mission]) if mission else ("", [])
        rows = self._db().execute(
            f"SELECT * FROM decisions WHERE status = 'pending' {where}"
            " ORDER BY due_at IS NULL, due_at, created_at LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [decision_row(r) for r in rows]

    def count_pending(self, *, mission: str | None = None) -> int:
        where, params = ("AND mission = ?", [mission]) if mission else ("", [])
        sql = f"SELECT count(*) FROM decisions WHERE status = 'pending' {where}"
        return int(self._db().execute(sql, params).fetchone()[0])

    def decisions_of(self, run_id: str) -> list[Decision]:
        rows = self._db().execute("SELECT * FROM decisions WHERE run_id = ? ORDER BY created_at", (run_id,))
        return [decision_row(r) for r in rows]

    def claim_decision(self, decision_id: str, *, reviewer: str, role: str, response: Mapping[str, Any]) -> Decision:
        """Record a reviewer's decision. Exactly one of concurrent claims wins; the others get ConflictError."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE decisions SET status = 'decided', decided_by = ?, reviewer_role = ?, decided_at = ?,"
                " response = ? WHERE decision_id = ? AND status = 'pending'",
                (reviewer, role, utc_now(), json.dumps(response, default=str), decision_id),
            )
            won = cursor.rowcount == 1
            if won:
                self.record_decision(db, decision_id)
        decision = self.get_decision(decision_id)
        if not won:
            raise ConflictError(
                f"decision {decision_id} was already decided by {decision.decided_by} at {decision.decided_at}"
            )
        return decision

    def mark_resumed(self, decision_id: str) -> None:
        with self._tx() as db:
            if db.execute("UPDATE decisions SET resumed = 1 WHERE decision_id = ?", (decision_id,)).rowcount:
                self.record_decision(db, decision_id)

    def decided_not_resumed(self, *, mission: str | None = None) -> list[Decision]:
        """Decisions recorded whose run has not been resumed yet (a crash between the two)."""
        where, params = ("AND mission = ?", [mission]) if mission else ("", [])
        rows = self._db().execute(f"SELECT * FROM decisions WHERE status = 'decided' AND resumed = 0 {where}", params)
        return [decision_row(r) for r in rows]

    # -- what the chain says ---------------------------------------------------------------------------------------
    def beliefs(self) -> Beliefs:
        """What the audit chain says (rows of record, revocations, the kinds of entry it holds), verified to its end
        and against this host's head: ChainBrokenError naming the first problem (:mod:`ai_missions.kernel.beliefs`)."""
        return believe(self._db(), self.audit)

    def record_revocation(self, scopes: Sequence[str], reason: str, *, by: str | None = None) -> int:
        """Put grants revoked (every grant of these runs and decisions) on the audit chain: what every host believes,
        whatever becomes of the grant ledger's rows. Returns the entry's position."""
        entry = {"at": utc_now(), "run_id": None, "kind": REVOKED_KIND, "actor": by, "summary": reason}
        with self._tx() as db:
            (n,) = chain(db, [{**entry, "data": {"scopes": list(scopes)}}])
        return n

    @contextmanager
    def anchoring(self) -> Iterator[None]:
        """While an admin re-anchors this host (:meth:`anchor`): the chain is read whole, from its first entry, and is
        not checked against this host's head (which is what gets re-anchored)."""
        self.audit.forget()
        with self.audit.re_anchoring():
            yield

    def anchor(self, *, by: str, host: str) -> dict[str, Any]:
        """Re-anchor this host's head at the chain's end (inside :meth:`anchoring`, an admin ``by``): for a host that
        lost its head file, joins a deployment, or whose head records entries that were cut (the loss is then
        accepted, and said). The chain itself must verify whole (ChainBrokenError otherwise: restore from a backup).
        An ``audit_anchored`` entry says who did it, on which host, and what the head recorded before; the head moves
        to it. ConflictError when the head holds already, or the chain is not keyed yet."""
        if not self.audit.anchoring:
            raise MissionsError("a head is re-anchored only inside RunStore.anchoring()")
        with self._tx() as db:
            beliefs = believe(db, self.audit)
            if not beliefs.keyed:
                raise ConflictError("the audit chain is not keyed yet (`missions audit key`): it has no head to anchor")
            try:
                head = self.audit.read_head(fresh=True)
                before: dict[str, Any] = {"head": None} if head is None else {"head": head.n, "mac": head.mac}
            except ValueError as exc:
                head, before = None, {"head": None, "unreadable": str(exc)}
            at = db.execute("SELECT mac FROM audit WHERE n = ?", (head.n,)).fetchone() if head else None
            if head is not None and head.n <= beliefs.n and at is not None and at[0] == head.mac:
                raise ConflictError(f"this host's audit head holds (entry {head.n}): nothing to re-anchor")
            said = (
                f"the head could not be read ({before['unreadable']})"
                if "unreadable" in before
                else "it had none"
                if head is None
                else f"entries {beliefs.n + 1}-{head.n} cut before, accepted"
                if head.n > beliefs.n
                else f"its entry {head.n} was replaced, accepted"
            )
            where = str(self.audit.head_file or "in memory")
            summary = f"audit head of {host} ({where}) re-anchored at entry {beliefs.n} by {by}: {said}"
            entry = {"at": utc_now(), "run_id": None, "kind": ANCHORED_KIND, "actor": by, "summary": summary}
            data = {"host": host, "head_file": where, "end": beliefs.n, "before": before}
            (n,) = _append(db, [{**entry, "data": data}], anchoring=True)
        return {"entry": n, "end": beliefs.n, "said": said}

    # -- the rows on the chain ------------------------------------------------------------------------------------
    def record_decision(self, db: Any, decision_id: str) -> None:
        """Put a decision row, as the transaction writing it leaves it, on the audit chain (call inside that
        transaction): ``missions audit verify`` then finds a row edited, added or deleted behind the platform's back."""
        if not self.chained:
            return
        row = db.execute(
            f"SELECT {', '.join(DECISION_FIELDS)} FROM decisions WHERE decision_id = ?", (decision_id,)
        ).fetchone()
        chain(db, [decision_record(row)])

    def key_chain(self, *, by: str) -> dict[str, Any]:
        """Key the chain of a store written before entries carried a MAC: once, on purpose (``missions audit key``,
        an admin), never on its own. An ``audit_keyed`` entry (the first with a MAC, its actor ``by``) binds the
        entries before it by their hashes; event rows of runs from before the chain existed and every decision row
        are put on the chain as they are now. Refused (ConflictError, naming the first) when the chain is keyed
        already, when its entries do not link, or when an event row does not match the unkeyed entry it was
        recorded as (edited, added or deleted since): keying then would vouch for the change."""
        with self._tx() as db:
            first = db.execute("SELECT min(n) FROM audit WHERE mac IS NOT NULL").fetchone()[0]
            if first is not None:
                raise ConflictError(f"the audit chain is keyed already (from entry {first}): it is keyed once")
            legacy = [
                _body(r) | {"n": r["n"], "prev_hash": r["prev_hash"], "hash": r["hash"]}
                for r in db.execute(f"SELECT n, prev_hash, hash, {', '.join(BODY)} FROM audit ORDER BY n")
            ]
            if not legacy:
                raise ConflictError("the audit chain is empty: every entry it gets carries a MAC, nothing to key")
            found = _link_problems(legacy)
            rows = db.execute(
                "SELECT run_id, seq, at, kind, node, source, summary, actor, data FROM events ORDER BY run_id, seq"
            ).fetchall()
            by_run: dict[str | None, list[dict[str, Any]]] = {}
            for old in legacy:
                by_run.setdefault(old["run_id"], []).append(old)
            bound: list[tuple[int, str, int]] = []  # (audit_n, run_id, seq)
            unbound: list[Any] = []
            paired: set[int] = set()
            for row in rows:
                candidates = by_run.get(row["run_id"], [])
                if not candidates:  # a run from before the chain existed: on the chain as it is now
                    unbound.append(row)
                    continue
                entry = candidates[row["seq"] - 1] if 0 < row["seq"] <= len(candidates) else None
                if entry is not None and canonical_body(entry) == canonical_body(event_entry(row)):
                    bound.append((entry["n"], row["run_id"], row["seq"]))
                    paired.add(entry["n"])
                else:
                    what = "differs from" if entry is not None else "is not on"
                    found.append(
                        f"event {row['seq']} of run {row['run_id']} ({row['kind']}) {what} the unkeyed chain"
                        + (f" (entry {entry['n']})" if entry is not None else "")
                    )
            found += [
                f"entry {e['n']} ({e['kind']}, run {e['run_id']}) has no event row"
                for e in legacy
                if e["run_id"] is not None and e["n"] not in paired
            ]
            if found:
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                raise ConflictError(
                    f"the audit chain is not keyed: {found[0]}{more}; keying now would vouch for rows changed "
                    "behind the platform's back: restore the store from a backup"
                )
            decisions = [r[0] for r in db.execute("SELECT decision_id FROM decisions ORDER BY created_at, decision_id")]
            summary = (
                f"the audit chain is keyed with the platform key from here on, by {by}: the {len(legacy)} entries "
                f"before are bound by their hashes; {len(unbound)} event row(s) of runs from before the chain and "
                f"{len(decisions)} decision row(s) are put on it as they are now (nothing was keyed before)"
            )
            keyed = {
                "legacy_entries": len(legacy),
                "events_bound": len(bound),
                "events_recorded": len(unbound),
                "decisions": len(decisions),
                "entries_without_event": [],
            }
            entry = {"at": utc_now(), "run_id": None, "kind": KEYED_KIND, "actor": by, "summary": summary}
            (at,) = _append(db, [{**entry, "data": keyed}], keying=True)
            recorded = chain(db, [event_entry(r) for r in unbound]) if unbound else []
            bound += [(n, r["run_id"], r["seq"]) for n, r in zip(recorded, unbound, strict=True)]
            if bound:
                db.executemany("UPDATE events SET audit_n = ? WHERE run_id = ? AND seq = ?", bound)
            for decision_id in decisions:
                self.record_decision(db, decision_id)
        return {"entry": at, **keyed}


def _link_problems(legacy: Sequence[Mapping[str, Any]]) -> list[str]:
    """Where an unkeyed chain's entries do not link (an entry edited, deleted or moved); empty when they do."""
    prev, expected = GENESIS, 1
    for entry in legacy:
        if entry["n"] != expected or entry["prev_hash"] != prev:
            return [f"the unkeyed chain breaks at entry {entry['n']} (an entry before it was deleted or changed)"]
        if entry_hash(prev, entry["n"], entry) != entry["hash"]:
            return [f"entry {entry['n']} of the unkeyed chain was edited (its hash does not match its content)"]
        prev, expected = entry["hash"], expected + 1
    return []


#: The columns of a decision row its chain record covers.
DECISION_FIELDS = (
    "decision_id",
    "run_id",
    "mission",
    "subject_id",
    "status",
    "created_at",
    "request",
    "decided_by",
    "reviewer_role",
    "decided_at",
    "response",
    "resumed",
    "due_at",
)


def _body(row: Any) -> dict[str, Any]:
    """An entry's body from its audit row (``data`` parsed)."""
    return {**{k: row[k] for k in BODY}, "data": json.loads(row["data"])}


def canonical_body(entry: Mapping[str, Any]) -> str:
    """An entry's body as one string, ``data`` normalised as the chain stores it: what a row is compared by."""
    body = {k: entry.get(k) for k in BODY}
    body["data"] = json.loads(json.dumps(body.get("data") or {}, default=str))
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def event_entry(row: Any) -> dict[str, Any]:
    """The chain entry an event row was recorded as (see :meth:`RunStore.append_events`)."""
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    event = {k: row[k] for k in ("at", "kind", "node", "source", "summary", "actor")}
    return audit_entry(row["run_id"], {**event, "data": data})


def decision_digest(row: Any) -> str:
    """The digest of a decision row's recorded columns."""
    values = [row[f] for f in DECISION_FIELDS]
    return hashlib.sha256(json.dumps(values, separators=(",", ":"), default=str).encode()).hexdigest()


def decision_record(row: Any) -> dict[str, Any]:
    """The chain entry recording a decision row as it is now."""
    return {
        "at": utc_now(),
        "run_id": row["run_id"],
        "kind": DECISION_KIND,
        "actor": row["decided_by"],
        "summary": f"decision {row['decision_id']} {row['status']}" + (" (resumed)" if row["resumed"] else ""),
        "data": {"decision_id": row["decision_id"], "status": row["status"], "row": decision_digest(row)},
    }


def audit_entry(run_id: str | None, event: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit chain keeps of an event (the whole event: who, when, what, why)."""
    return {
        "at": event.get("at") or utc_now(),
        "run_id": run_id,
        "kind": str(event["kind"]),
        "actor": event.get("actor"),
        "summary": event.get("finding") or event.get("summary"),
        "data": {
            "node": event.get("node"),
            "source": event.get("source"),
            **({"detail": event["data"]} if event.get("data") else {}),
        },
    }


def chain(db: Any, entries: Sequence[Mapping[str, Any]]) -> list[int]:
    """Append entries to the audit chain, each with its MAC (call inside a run store's write transaction: the
    connection carries the key); returns their positions. The chain is first verified to its end and against this
    host's head (:func:`ai_missions.kernel.beliefs.believe`): nothing is appended to a chain with an entry deleted,
    moved, edited or written without the key, or cut (ChainBrokenError), or by a host without its head. The head
    outside the store moves to the last entry when the transaction commits.

    Refused (nothing appended) when the chain does not end with an entry of this key: an older store's chain not
    keyed yet (``missions audit key`` keys it, on purpose)."""
    return _append(db, entries)


def _append(
    db: Any, entries: Sequence[Mapping[str, Any]], *, keying: bool = False, anchoring: bool = False
) -> list[int]:
    key: AuditKey | None = getattr(db, "audit_key", None)
    if key is None:
        raise MissionsError("the audit chain is appended only in a run store's transaction (it holds the key)")
    key.claim(db)
    beliefs = believe(db, key)  # the whole chain verified, against this host's head, before anything is added
    n, prev = beliefs.n, beliefs.hash
    if n == 0 and not anchoring:
        key.open_head()  # the first entry: a head exists before it commits, whatever happens after
    if n and beliefs.mac is None and not keying:
        raise UnkeyedChainError(
            f"the audit chain ends with entry {n}, which carries no MAC: an older store's chain is keyed once, on "
            "purpose, by an admin (`missions audit key`); if it was keyed, `missions audit verify` names what was "
            "written without the key"
        )
    numbers: list[int] = []
    mac = ""
    for entry in entries:
        n += 1
        data = json.loads(json.dumps(entry.get("data") or {}, default=str))
        normal = {**entry, "data": data}
        digest = entry_hash(prev, n, normal)
        mac = key.mac(n, digest)
        table, record = (data.get("table"), data.get("key")) if normal["kind"] == ROW_KIND else (None, None)
        db.execute(
            "INSERT INTO audit (n, at, run_id, kind, actor, summary, data, prev_hash, hash, mac, record_table,"
            " record_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                n,
                normal["at"],
                normal.get("run_id"),
                normal["kind"],
                normal.get("actor"),
                normal.get("summary"),
                json.dumps(data, sort_keys=True),
                prev,
                digest,
                mac,
                table,
                record,
            ),
        )
        prev = digest
        numbers.append(n)
    if numbers:
        key.stage(Head(n, mac), force=anchoring)
    return numbers


class UnkeyedChainError(MissionsError):
    """The audit chain does not end with an entry the platform key wrote: nothing more is appended to it."""


def _version(db: Any) -> int:
    has_runs, has_meta = has_table(db, "runs"), has_table(db, "meta")
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_VERSION_KEY,)).fetchone() if has_meta else None
    return int(row[0]) if row else (1 if has_runs else 0)


def migrate(db: Any, name: str) -> int:
    """Bring a store to :data:`SCHEMA_VERSION`, one transaction per step; returns the version found.

    Each step re-reads the version inside its transaction: processes opening a new store at once (eval workers,
    dashboard sessions) each apply a step only if no other process applied it first."""
    found = _version(db)
    if found > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the run store {name} has schema version {found}, newer than this version of AI Missions "
            f"understands ({SCHEMA_VERSION}); upgrade AI Missions"
        )
    if isinstance(db, PgConnection):
        _migrate_postgres(db, found)
        return found
    for version, script in MIGRATIONS:
        if version <= found:
            continue
        statements = [s.strip() for s in _split(script) if s.strip()]
        db.execute("BEGIN IMMEDIATE")
        try:
            if _version(db) >= version:  # another process got there first
                db.execute("COMMIT")
                continue
            for statement in statements:
                db.execute(statement)
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_VERSION_KEY, str(version)),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return found


def _migrate_postgres(db: PgConnection, found: int) -> None:
    """The Postgres side of :func:`migrate`: each step and its version record in one transaction (Postgres DDL is
    transactional, so a failed step leaves the schema as it was), under a lock so concurrent openers queue."""

    for version, script in MIGRATIONS:
        if version <= found:
            continue
        with db.transaction(lock_key(f"missions-migrate:{db.schema}")):
            if _version(db) >= version:  # another process got there first
                continue
            for statement in postgres_statements(version, _split(script)):
                db.script(statement)
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_VERSION_KEY, str(version)),
            )


def _split(script: str) -> list[str]:
    """SQL statements of a script (``sqlite3.complete_statement`` keeps a trigger's body in one piece)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    if current.strip():
        statements.append(current)
    return statements


def _open_decision(db: Any, mission: str, subject_id: str, run_id: str | None) -> str | None:
    """The case's open decision of another run than ``run_id``, named with its run and what it waits for: pending (a
    reviewer), or decided and not carried to the end (its execution)."""
    row = db.execute(  # through the case's runs (``status || ''``: by its runs' index, not every decided decision)
        "SELECT d.decision_id, d.run_id, d.status FROM runs AS r JOIN decisions AS d ON d.run_id = r.run_id"
        " WHERE r.mission = ? AND r.subject_id = ? AND r.run_id != ? AND d.resumed = 0"
        " AND d.status || '' IN ('pending', 'decided') ORDER BY d.created_at LIMIT 1",
        (mission, subject_id, run_id or ""),
    ).fetchone()
    if row is None:
        return None
    if row["status"] == "pending":
        return f"{row['decision_id']} (run {row['run_id']}): decide that one"
    return (
        f"{row['decision_id']} (run {row['run_id']}), approved and not yet executed to the end: "
        f"`missions resume` finishes it (or `missions abandon {row['run_id']}` gives it up once it failed)"
    )


def _case_held(db: Any, mission: str, subject_id: str, run_id: str | None) -> str | None:
    """Why a new run of the case may not start (:meth:`RunStore.case_held`), read in the caller's transaction."""
    if decision := _open_decision(db, mission, subject_id, run_id):
        return f"{subject_id} already has an open decision {decision}; nothing new was started"
    marks = ", ".join("?" * len(ACTIVE_STATUSES))
    row = db.execute(
        f"SELECT run_id, status, updated_at FROM runs WHERE mission = ? AND subject_id = ? AND status IN ({marks})"
        " AND run_id != ? LIMIT 1",  # (no ORDER BY: by the subject's index, not every run of the mission)
        (mission, subject_id, *ACTIVE_STATUSES, run_id or ""),
    ).fetchone()
    if row is None:
        return None
    how = {
        "outcome_unknown": "has a write whose outcome is unknown: `missions resume` reconciles it",
        "awaiting_decision": "awaits a decision",
    }.get(
        row["status"],
        f"is {row['status']} (last progress {row['updated_at']}); a run whose process stopped is "
        f"marked failed by `missions scan` and continued with `missions resume {row['run_id']}`",
    )
    return f"{subject_id} has a run in progress: {row['run_id']} {how}; nothing new was started"


class RunFilters(TypedDict, total=False):
    """What runs are listed and counted by, each left out or None for any: mission, status, outcome, subject, a case
    type among the run's, and creation time (ISO ``since`` inclusive, ``until`` exclusive)."""

    mission: str | None
    status: str | None
    outcome: str | None
    case_type: str | None
    subject_id: str | None
    since: str | None
    until: str | None


def _run_filters(filters: RunFilters) -> tuple[str, list[Any]]:
    equal = {name: filters.get(name) for name in ("mission", "status", "outcome", "subject_id")}
    where = [f"{name} = ?" for name, value in equal.items() if value is not None]
    params: list[Any] = [value for value in equal.values() if value is not None]
    if case_type := filters.get("case_type"):
        where.append("case_types LIKE ?")
        params.append(f'%"{case_type}"%')
    if since := filters.get("since"):
        where.append("created_at >= ?")
        params.append(since)
    if until := filters.get("until"):
        where.append("created_at < ?")
        params.append(until)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


def run_row(row: Any) -> dict[str, Any]:
    return {**dict(row), "case_types": json.loads(row["case_types"])}


def decision_row(row: Any) -> Decision:
    return Decision(
        decision_id=row["decision_id"],
        run_id=row["run_id"],
        mission=row["mission"],
        subject_id=row["subject_id"],
        status=row["status"],
        created_at=row["created_at"],
        request=json.loads(row["request"]),
        decided_by=row["decided_by"],
        reviewer_role=row["reviewer_role"],
        decided_at=row["decided_at"],
        response=json.loads(row["response"]) if row["response"] else None,
        resumed=bool(row["resumed"]),
        due_at=row["due_at"],
    )
