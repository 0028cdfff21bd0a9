"""The systems' storage: one SQLite file per system under the sandbox (where: :mod:`.systems`), WAL mode, with a
frozen book clock.

Every system database holds its own tables (each system's DDL) plus three shared ones (:data:`.plugin.COMMON`):
``meta`` (the book clock and seed), ``sequences`` (ids for new records) and ``idempotency`` (write replay records,
stored in the same transaction as the write they record).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ai_missions.kernel.errors import ConflictError, CorruptStoreError, MissionsError, NotFoundError, ValidationError

M = TypeVar("M", bound=BaseModel)

#: Timestamps are stored and shown as ISO-8601 UTC with a ``Z`` suffix, second precision (sortable as text).
TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MAX_KEY_LENGTH = 200


class BookMissingError(MissionsError):
    """The sandbox has no book yet."""


def open_db(path: Path) -> sqlite3.Connection:
    """Open a SQLite file in autocommit mode (transactions are explicit), WAL journal, rows by name."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the schema: a torn file fails here
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CorruptStoreError(path, exc) from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on any error. Inside a
    transaction already open (an environment's tentative apply, :meth:`BooksEnvironment.rolled_back`) it is a
    savepoint of that one: undone on an error, and kept or undone with the outer transaction."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT write")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT write")
            conn.execute("RELEASE SAVEPOINT write")
            raise
        conn.execute("RELEASE SAVEPOINT write")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- the book clock ---------------------------------------------------------------------------------------------


def to_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TS_FORMAT)


@functools.lru_cache(maxsize=8192)
def from_ts(text: str) -> datetime:
    """A stored timestamp (kept per text: ``strptime`` is ~10 us, and a replay parses the book's clock and the same
    few times on most calls; a ``datetime`` cannot be changed)."""
    return datetime.strptime(text, TS_FORMAT).replace(tzinfo=UTC)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def book_now(conn: sqlite3.Connection) -> datetime:
    """The book's fixed reference "now" (set at seed time): ages and expiries are computed against it."""
    value = get_meta(conn, "book_now")
    if value is None:
        raise MissionsError("the book has no clock (meta.book_now); re-seed or re-import it")
    return from_ts(value)


def hours_between(later: datetime, earlier: datetime) -> float:
    return round((later - earlier) / timedelta(hours=1), 2)


# --- money ------------------------------------------------------------------------------------------------------


def to_cents(amount: float, field: str = "amount") -> int:
    """A positive money amount in cents; refuses zero, negatives, NaN and sub-cent precision."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise ValidationError(f"{field} must be a number")
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise ValidationError(f"{field} must be a finite number")
    cents = round(amount * 100)
    if abs(amount * 100 - cents) > 1e-6:
        raise ValidationError(f"{field} must have at most two decimals, got {amount}")
    if cents <= 0:
        raise ValidationError(f"{field} must be positive, got {amount}")
    return cents


def money(cents: int | None) -> float:
    return round((cents or 0) / 100, 2)


# --- validation helpers -----------------------------------------------------------------------------------------


def require_text(value: str, field: str, *, max_length: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string")
    if len(value) > max_length:
        raise ValidationError(f"{field} is too long ({len(value)} > {max_length} characters)")
    return value.strip()


def require_row(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], what: str, ident: str) -> sqlite3.Row:
    """The one row ``sql`` selects, or :class:`NotFoundError` naming ``what`` and ``ident``."""
    if not isinstance(ident, str) or not ident:
        raise ValidationError(f"{what} id must be a non-empty string")
    row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
    if row is None:
        raise NotFoundError(f"unknown {what} {ident!r}")
    return row


def next_id(conn: sqlite3.Connection, prefix: str, width: int = 6) -> str:
    """The next id of a kind (``PREFIX-000042``); deterministic, call inside the write transaction."""
    conn.execute(
        "INSERT INTO sequences (prefix, value) VALUES (?, 1)"
        " ON CONFLICT(prefix) DO UPDATE SET value = sequences.value + 1",  # qualified: Postgres reads it too
        (prefix,),
    )
    value = conn.execute("SELECT value FROM sequences WHERE prefix = ?", (prefix,)).fetchone()[0]
    return f"{prefix}-{int(value):0{width}d}"


# --- idempotent writes ------------------------------------------------------------------------------------------


def request_fingerprint(tool: str, args: dict[str, Any]) -> str:
    payload = json.dumps({"tool": tool, "args": args}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def idempotent_write(
    conn: sqlite3.Connection,
    tool: str,
    idempotency_key: str,
    args: dict[str, Any],
    result_type: type[M],
    perform: Callable[[], M],
) -> M:
    """Run ``perform`` once per idempotency key, atomically with the record of its result.

    The same key with the same tool and arguments returns the recorded result (``replayed=True``) and changes
    nothing; the same key with anything else is a :class:`ConflictError`. A refused write records nothing.
    """
    key = require_text(idempotency_key, "idempotency_key", max_length=MAX_KEY_LENGTH)
    fingerprint = request_fingerprint(tool, args)
    with transaction(conn):
        row = conn.execute(
            "SELECT tool, fingerprint, response FROM idempotency WHERE key = ?",
            (key,),
        ).fetchone()
        if row is not None:
            if row["fingerprint"] != fingerprint:
                raise ConflictError(
                    f"idempotency_key {key!r} was already used for a different request ({row['tool']}); "
                    "use a new key for a new request"
                )
            replay = result_type.model_validate_json(row["response"])
            return replay.model_copy(update={"replayed": True}) if "replayed" in result_type.model_fields else replay
        result = perform()
        conn.execute(
            "INSERT INTO idempotency (key, tool, fingerprint, response, created_at) VALUES (?, ?, ?, ?, ?)",
            (key, tool, fingerprint, result.model_dump_json(), to_ts(book_now(conn))),
        )
        return result


class WriteRecord(BaseModel):
    """What a system recorded under an idempotency key: the write's result, or ``found=False`` (never done)."""

    idempotency_key: str
    found: bool
    tool: str | None = None
    response: dict[str, Any] | None = None
    recorded_at: str | None = None


def recorded_write(conn: sqlite3.Connection, idempotency_key: str) -> WriteRecord:
    """The write recorded under ``idempotency_key`` (recorded in the write's own transaction: found iff done)."""
    key = require_text(idempotency_key, "idempotency_key", max_length=MAX_KEY_LENGTH)
    row = conn.execute("SELECT tool, response, created_at FROM idempotency WHERE key = ?", (key,)).fetchone()
    if row is None:
        return WriteRecord(idempotency_key=key, found=False)
    return WriteRecord(
        idempotency_key=key,
        found=True,
        tool=row["tool"],
        response=json.loads(row["response"]),
        recorded_at=row["created_at"],
    )


def from_row(model: type[M], row: sqlite3.Row, **computed: Any) -> M:
    """A model from a row whose columns are named like the model's fields (other columns are ignored).

    ``computed`` holds the fields no column holds as they are shown (money from its cents, a decoded JSON column, a
    value read from another table) and wins over a column of the same name: a system's record is its row with those
    few fields worked out, so a service function names only them, not every column again.
    """
    columns = row.keys()  # a row iterates over its values, not its column names
    fields = model.model_fields  # once: pydantic works the mapping out on each access (~0.3 us a column)
    values = {key: row[key] for key in columns if key in fields}
    values.update(computed)
    return model.model_validate(values)


def list_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows]
