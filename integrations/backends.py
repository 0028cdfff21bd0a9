"""Where a simulated system keeps its tables: a SQLite file in the sandbox (the default) or a schema of a Postgres
server (:class:`PostgresTables`: a system of another package may keep its tables there, as the example does).

A system's service functions, the idempotent-write path, the snapshots and the harness read and write through the
connection its backend gives, with the same SQL: ``?`` placeholders, ``BEGIN IMMEDIATE``/``COMMIT``, rows read by
column name or position (the platform's own Postgres connection, :class:`ai_missions.kernel.database.PgConnection`,
which the run store speaks SQLite's SQL through), and a DDL both servers take (SQLite's ``STRICT`` is left out on
Postgres, which types every column anyway). Rows are validated where the values' checks are written (an in-memory
SQLite copy, as every book is, :func:`ai_missions.integrations.loader.build_image`) before they are written to
either.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ai_missions.integrations.store import BookMissingError, open_db
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.settings import sandbox_dir

__all__ = ["SQLITE", "Backend", "PostgresTables", "SQLiteFiles"]

#: The Postgres server a :class:`PostgresTables` system without its own ``url`` keeps its schemas on.
URL_ENV = "MISSIONS_SYSTEMS_DATABASE_URL"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


class Backend(Protocol):
    """Where one system's tables live for a sandbox (``home``)."""

    def where(self, system: str, home: Path | None) -> str:
        """Where it keeps them, in words (a file, a schema)."""
        ...

    def exists(self, system: str, home: Path | None) -> bool: ...

    def connect(self, system: str, home: Path | None) -> Any:
        """A connection (BookMissingError when the sandbox has no such system yet)."""
        ...

    def replace(self, system: str, home: Path | None, ddl: str, image: bytes, rows: Mapping[str, Any]) -> None:
        """Make the system hold exactly ``rows`` (validated: ``image`` is them in SQLite), atomically."""
        ...


class SQLiteFiles:
    """A SQLite file per system in the sandbox (``<system>.sqlite``), WAL, written whole by a rename."""

    def path(self, system: str, home: Path | None) -> Path:
        return sandbox_dir(home) / f"{system}.sqlite"

    def where(self, system: str, home: Path | None) -> str:
        return str(self.path(system, home))

    def exists(self, system: str, home: Path | None) -> bool:
        return self.path(system, home).exists()

    def connect(self, system: str, home: Path | None) -> Any:
        path = self.path(system, home)
        if not path.exists():
            raise BookMissingError(f"no {system} database at {path}; run `missions systems seed` first")
        return open_db(path)

    def replace(self, system: str, home: Path | None, ddl: str, image: bytes, rows: Mapping[str, Any]) -> None:
        path = self.path(system, home)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(image)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)


SQLITE = SQLiteFiles()


class PostgresTables:
    """A schema per system and sandbox on a Postgres server (``url``; by default ``$MISSIONS_SYSTEMS_DATABASE_URL``
    or the local server): ``<system>_<12 hex of the sandbox's path>``, so two sandboxes never share a table."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url

    @property
    def url(self) -> str:
        return self._url or os.environ.get(URL_ENV) or DEFAULT_URL

    def schema(self, system: str, home: Path | None) -> str:
        digest = hashlib.sha256(str(sandbox_dir(home).resolve()).encode()).hexdigest()[:12]
        return f"{system}_{digest}"

    def where(self, system: str, home: Path | None) -> str:
        return f"schema {self.schema(system, home)} on {self.url.rpartition('@')[2]}"

    def _server(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def exists(self, system: str, home: Path | None) -> bool:
        with self._server() as db:
            found = db.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s LIMIT 1", (self.schema(system, home),)
            ).fetchone()
        return found is not None

    def connect(self, system: str, home: Path | None) -> Any:
        if not self.exists(system, home):
            where = self.where(system, home)
            raise BookMissingError(f"no {system} tables in {where}; run `missions systems seed` first")
        return PostgresConnection(self.url, options=f"-csearch_path={self.schema(system, home)}")

    def drop(self, system: str, home: Path | None) -> None:
        """Drop the sandbox's schema (a scratch sandbox's, once it is done with)."""
        with self._server() as db:
            db.execute(f'DROP SCHEMA IF EXISTS "{self.schema(system, home)}" CASCADE')

    def replace(self, system: str, home: Path | None, ddl: str, image: bytes, rows: Mapping[str, Any]) -> None:
        schema = self.schema(system, home)
        with self._server() as db, db.transaction():
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            db.execute(f'CREATE SCHEMA "{schema}"')
            db.execute(f'SET LOCAL search_path TO "{schema}"')
            for statement in _statements(ddl):
                db.execute(statement)
            for table, found in _in_order(ddl, rows):
                if found:
                    cols = list(found[0])
                    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
                    with db.cursor() as cursor:
                        cursor.executemany(sql, [tuple(row.get(c) for c in cols) for row in found])


_TABLE = re.compile(r"^\s*CREATE TABLE (\w+)", re.MULTILINE)


def _statements(ddl: str) -> list[str]:
    """The DDL's statements as Postgres takes them (SQLite's ``STRICT`` table option left out)."""
    return [re.sub(r"\)\s*STRICT\s*$", ")", s.strip()) for s in ddl.split(";") if s.strip()]


def _in_order(ddl: str, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Iterable[tuple[str, Sequence[Any]]]:
    """The rows table by table, parents first (the order the DDL creates them)."""
    return [(table, rows.get(table) or ()) for table in _TABLE.findall(ddl)]


class PostgresConnection(PgConnection):
    """The platform's Postgres connection, taking a system's SQLite-flavoured statements besides the stores':
    ``BEGIN IMMEDIATE`` opens a transaction, a ``PRAGMA`` does nothing."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        head = sql.strip().upper()
        if head.startswith("PRAGMA"):
            sql = "SELECT 1 WHERE false"
        elif head == "BEGIN IMMEDIATE":
            sql = "BEGIN"
        return super().execute(sql, params)

    def executescript(self, script: str) -> None:
        for statement in _statements(script):
            super().execute(statement)
