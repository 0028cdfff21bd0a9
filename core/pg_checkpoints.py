"""LangGraph's checkpoints in Postgres (``langgraph-checkpoint-postgres``), when ``MISSIONS_DATABASE_URL`` is set.

A paused run's graph state is then readable by every runtime on every machine: a worker can resume what another
started. Processes opening the saver at once take turns creating its tables (an advisory lock), since
LangGraph's ``setup()`` is not safe to run concurrently.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ai_missions.database import SETTING, DatabaseConfigError, first_line, lock_key, redact


@asynccontextmanager
async def postgres_saver(url: str) -> AsyncIterator[Any]:
    import psycopg
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row

    try:
        connection = await psycopg.AsyncConnection.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=5
        )
    except psycopg.Error as exc:
        raise DatabaseConfigError(f"{SETTING}: cannot use {redact(url)}: {first_line(exc)}") from None
    async with connection:
        schema = (await (await connection.execute("SELECT current_schema() AS s")).fetchone() or {}).get("s")
        key = lock_key(f"missions-checkpoints:{schema}")
        await connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            saver = AsyncPostgresSaver(connection)
            await saver.setup()
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
        yield saver
