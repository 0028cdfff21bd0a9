"""A Postgres schema of its own for a test, like LangGraph's checkpointer fixtures.

Postgres tests (marked ``postgres``) use the server of ``MISSIONS_TEST_DATABASE_URL`` (default the local one); an
unreachable server fails them in one line saying how to leave them out (``-m 'not ... and not postgres'``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest

SERVER = os.environ.get("MISSIONS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def reachable() -> str | None:
    """Why the test server cannot be used, or None when it can."""
    import psycopg

    try:
        with psycopg.connect(SERVER, connect_timeout=3) as db:
            db.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def require_server() -> None:
    """Fail, in one line, when no server answers."""
    if (problem := reachable()) is not None:
        pytest.fail(
            f"no Postgres server at {SERVER} ({problem}): start one (MISSIONS_TEST_DATABASE_URL names it), or leave "
            "the Postgres tests out with -m 'not extended and not live and not postgres'",
            pytrace=False,
        )


def schema_url(schema: str) -> str:
    joiner = "&" if "?" in SERVER else "?"
    return f"{SERVER}{joiner}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A new, empty schema; yields a URL whose search path is it; drops it afterwards."""
    import psycopg

    require_server()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema_url(schema)
    finally:
        with psycopg.connect(SERVER, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")
