"""Write a whole book (rows per system and table) into a sandbox, fast.

Used by the seed generator and by snapshot import: each system's rows are first built into an in-memory SQLite
image with bulk inserts in one transaction (where the rows are checked), then its backend replaces the system's
tables at once (a SQLite file moved into place, a Postgres schema in one transaction), so a reader never sees a
half-written system.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.integrations.systems import declared, is_storage_system, schema, storage_systems, tables
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.settings import sandbox_dir

Rows = Sequence[Mapping[str, Any]]
BookRows = Mapping[str, Mapping[str, Rows]]

_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {}


def columns(system: str, table: str) -> tuple[str, ...]:
    """The columns of a table, in schema order (read once per system from an in-memory copy of its schema)."""
    if (system, table) not in _COLUMNS and table in tables(system):
        mem = sqlite3.connect(":memory:")
        mem.executescript(schema(system))
        for tbl in tables(system):
            _COLUMNS[(system, tbl)] = tuple(r[1] for r in mem.execute(f"PRAGMA table_info({tbl})"))
        mem.close()
    try:
        return _COLUMNS[(system, table)]
    except KeyError:
        raise ValidationError(f"unknown table {system}.{table}") from None


_TEMPLATES: dict[str, bytes] = {}


def _template(system: str) -> bytes:
    """An empty database image with the system's schema (built once per process)."""
    if system not in _TEMPLATES:
        mem = sqlite3.connect(":memory:")
        mem.executescript(schema(system))
        _TEMPLATES[system] = mem.serialize()
        mem.close()
    return _TEMPLATES[system]


def build_image(system: str, rows: Mapping[str, Rows]) -> bytes:
    """A complete SQLite database image of ``system`` holding ``rows`` (per table), built in memory, WAL-flagged."""
    unknown = set(rows) - set(tables(system))
    if unknown:
        raise ValidationError(f"unknown {system} tables: {', '.join(sorted(unknown))}")
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.deserialize(_template(system))
        conn.execute("BEGIN")
        insert_rows(conn, system, rows)
        conn.execute("COMMIT")
        image = bytearray(conn.serialize())
    finally:
        conn.close()
    image[18:20] = b"\x02\x02"  # file format version 2 = WAL journal (sqlite.org/fileformat.html, offsets 18-19)
    return bytes(image)


def insert_rows(conn: sqlite3.Connection, system: str, rows_by_table: Mapping[str, Rows]) -> None:
    """Insert a system's rows (table -> rows, as in a snapshot) into an open database with its schema."""
    for table in tables(system):
        rows = rows_by_table.get(table) or ()
        if not rows:
            continue
        # columns the rows carry: a snapshot older than a column added since takes the schema's default
        cols = [c for c in columns(system, table) if any(c in row for row in rows)]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        try:
            conn.executemany(sql, [tuple(row.get(c) for c in cols) for row in rows])
        except (sqlite3.Error, AttributeError) as exc:  # the tables are STRICT: a wrong type is refused here
            reason = " ".join(str(exc).split())  # one line, whatever the constraint's text looks like
            raise ValidationError(f"bad {system}.{table} rows: {reason}") from None
        if isinstance(conn, sqlite3.Connection):  # checked where the checks are written; other backends' rows
            check_values(conn, system, table, cols)  # were checked so first (build_image)


#: How the systems write a moment (``2026-03-16T15:00:00Z``), as a GLOB pattern.
_TIMESTAMP = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"


def check_values(conn: sqlite3.Connection, system: str, table: str, cols: Sequence[str]) -> None:
    """What the systems assume of every row beyond types: moments in their one format, no negative money or
    quantity. An import that breaks them is refused (nothing is written: the caller's transaction rolls back)."""
    for col in cols:
        if col.endswith("_at"):
            sql, what = f"{col} IS NOT NULL AND {col} NOT GLOB ?", "a timestamp like 2026-03-16T15:00:00Z"
            params: tuple[str, ...] = (_TIMESTAMP,)
        elif col.endswith(("_cents", "qty", "quantity")):
            sql, what, params = f"{col} < 0", "0 or more", ()
        else:
            continue
        bad = conn.execute(f"SELECT {col} FROM {table} WHERE {sql} LIMIT 1", params).fetchone()
        if bad is not None:
            raise ValidationError(f"bad {system}.{table} rows: {col} must be {what}, got {bad[0]!r}")


def write_book(book: BookRows, home: Path | None = None) -> Path:
    """Replace the systems ``book`` holds (and only those) in the sandbox under ``home``; returns the sandbox."""
    unknown = [s for s in book if not is_storage_system(s)]
    if unknown or not book:
        known = ", ".join(storage_systems())
        raise ValidationError(f"a book holds some of the systems {known}; found {', '.join(unknown)}")
    target = sandbox_dir(home)
    # every system's image first: a book one of whose systems is refused (a negative stock row...) replaces none
    images = {system: build_image(system, book[system]) for system in book}
    for system in book:
        declared(system).backend.replace(system, home, declared(system).schema, images[system], book[system])
    return target
