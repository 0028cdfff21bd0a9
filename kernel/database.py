"""Shared state on Postgres: the ``MISSIONS_DATABASE_URL`` setting and a connection that speaks the stores' SQL.

Without the setting every store stays an embedded SQLite file under ``MISSIONS_HOME``. With
``MISSIONS_DATABASE_URL=postgresql://user@host:5432/db`` the run store (runs, Decision Queue, audit chain,
accounts, tokens), the eval store and LangGraph's checkpoints live in that database, shared by every process on
every machine. The stores keep writing one SQL (``?`` placeholders, ``ON CONFLICT``); :class:`PgConnection`
gives psycopg the sqlite3 surface they use (``execute`` -> cursor, rows readable by index and by name).
A bad setting (unparsable, unreachable, refused credentials) is one line naming the setting, before anything
is written.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ai_missions.kernel.errors import MissionsError

SETTING = "MISSIONS_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT_S = 5


class DatabaseConfigError(MissionsError):
    """``MISSIONS_DATABASE_URL`` names a database that cannot be used (bad URL, unreachable, refused)."""


def database_url() -> str | None:
    """The configured Postgres URL, or None for the embedded SQLite default."""
    url = os.environ.get(SETTING, "").strip()
    if not url:
        return None
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise DatabaseConfigError(
            f"{SETTING} must be a postgresql:// URL (e.g. postgresql://user@host:5432/missions), got {redact(url)!r}"
        )
    return url


def redact(url: str) -> str:
    """The URL with its password replaced, fit for an error message or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def no_commit_wait(url: str) -> dict[str, str]:
    """Connection arguments for work that can be redone: its commits return before their WAL record is flushed
    (``synchronous_commit = off``, what SQLite's ``synchronous = NORMAL`` is to the embedded stores). A crash can
    lose the last commits (at most three times ``wal_writer_delay``, 0.6 s by default), never consistency. An eval
    worker's job commits three times a case (fetch, result, finish); waiting for each flush cost 3 ms here, a quarter
    of a worker's wall time, and two workers queued on the same WAL flush."""
    import psycopg.conninfo

    options = psycopg.conninfo.conninfo_to_dict(url).get("options") or ""
    return {"options": f"{options} -c synchronous_commit=off".strip()}


def connect(url: str, **arguments: str) -> Any:
    """An autocommit psycopg connection, or a one-line :class:`DatabaseConfigError` naming the setting.
    ``arguments``: libpq connection parameters over the URL's (:func:`no_commit_wait`)."""
    import psycopg
    import psycopg.conninfo

    try:
        conninfo = psycopg.conninfo.make_conninfo(url, **arguments) if arguments else url
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise DatabaseConfigError(f"{SETTING}: cannot use {redact(url)}: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class Row(tuple[Any, ...]):
    """A result row readable as ``row[0]`` and ``row["name"]`` and convertible with ``dict(row)``, like
    ``sqlite3.Row``."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_names": names, "__slots__": ()})


def _row_factory(cursor: Any) -> Any:
    return _row_type(tuple(c.name for c in cursor.description or ()))


class PgCursor:
    """The part of ``sqlite3.Cursor`` the stores use."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection with the sqlite3 calls the stores make (``execute``, ``executemany``), their SQL
    translated by :func:`to_postgres`; :meth:`transaction` holds the store's write lock, so writers queue as
    SQLite's ``BEGIN IMMEDIATE`` makes them queue (the audit chain's next link is read, then written)."""

    dialect = "postgresql"

    def __init__(self, url: str, **arguments: str) -> None:
        self.url = url
        self.raw = connect(url, **arguments)
        schema = self.raw.execute("SELECT current_schema()").fetchone()[0]
        if schema is None:
            self.raw.close()
            raise DatabaseConfigError(f"{SETTING}: no schema of the search path of {redact(url)} exists")
        self.schema = str(schema)
        self.raw.row_factory = _row_factory

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        cursor = self.raw.cursor()
        if params:
            cursor.execute(to_postgres(sql), tuple(params))
        else:
            cursor.execute(to_postgres(sql, placeholders=False))
        return PgCursor(cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(to_postgres(sql), [tuple(r) for r in rows])

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (as ``sqlite3.Connection.in_transaction``)."""
        import psycopg.pq

        return bool(self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    def script(self, sql: str) -> None:
        """Run a script of statements as one (no parameters; dollar-quoted function bodies allowed)."""
        self.raw.execute(sql.encode())

    @contextmanager
    def transaction(self, lock: int) -> Iterator[PgConnection]:
        with self.raw.transaction():
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            yield self

    def close(self) -> None:
        self.raw.close()


def lock_key(name: str) -> int:
    """A stable advisory-lock key (signed 64-bit) for a named lock, per schema."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


_SQLITE_INSERT = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO", re.IGNORECASE)


@lru_cache(maxsize=512)
def to_postgres(sql: str, *, placeholders: bool = True) -> str:
    """SQLite-flavoured SQL as Postgres runs it: ``?`` -> ``%s`` (a literal ``%`` doubled), ``INSERT OR IGNORE``
    -> ``ON CONFLICT DO NOTHING``, ``WITHOUT ROWID`` dropped. Text in quotes is left as it is."""
    if match := _SQLITE_INSERT.match(sql):
        if match.group(1).upper() == "REPLACE":
            raise ValueError("INSERT OR REPLACE has no Postgres form: write INSERT ... ON CONFLICT (...) DO UPDATE")
        sql = "INSERT INTO" + sql[match.end() :]
        if "ON CONFLICT" not in sql.upper():
            sql = sql.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    sql = re.sub(r"\)\s*WITHOUT\s+ROWID", ")", sql, flags=re.IGNORECASE)
    if not placeholders:
        return sql
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def has_table(db: Any, name: str) -> bool:
    """Whether a table exists (in SQLite, or in Postgres's current schema)."""
    if getattr(db, "dialect", "sqlite") == "postgresql":
        return db.raw.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0] is True
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def use_wal(db: sqlite3.Connection, *, attempts: int = 50) -> None:
    """Put a SQLite file in WAL mode, waiting out the other processes that create the same file at that moment.

    SQLite does not call the busy handler while it switches a new file's journal mode, so the connection's
    timeout does not cover it: six processes opening one new store at once failed here about once in 300 tries
    (``database is locked`` straight away). A short bounded retry does; once one process has switched the file,
    the mode is persistent and the others' switch is a no-op."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
