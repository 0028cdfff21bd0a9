"""A Postgres schema of its own for a test, like LangGraph's checkpointer fixtures.

Postgres tests run wherever a server is reachable (``MISSIONS_TEST_DATABASE_URL``, default the local one); when
``MISSIONS_REQUIRE_POSTGRES=1`` (CI) an unreachable server fails them instead of skipping them.
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
    """Skip (or, where Postgres is required, fail) when no server answers."""
    if (problem := reachable()) is None:
        return
    if os.environ.get("MISSIONS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"MISSIONS_REQUIRE_POSTGRES=1 but {SERVER} is unreachable: {problem}")
    pytest.skip(f"no Postgres server at {SERVER}: {problem}")


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
