"""LangGraph's checkpoints in Postgres (``langgraph-checkpoint-postgres``), when ``MISSIONS_DATABASE_URL`` is set.

A paused run's graph state is then readable by every runtime on every machine: a worker can resume what another
started. Processes opening the saver at once take turns creating its tables (an advisory lock, polled), since
LangGraph's ``setup()`` is not safe to run concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ai_missions.kernel.database import SETTING, DatabaseConfigError, first_line, lock_key, redact


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
        saver = AsyncPostgresSaver(connection)
        # Whoever takes the lock creates the tables; the others poll outside any transaction (LangGraph's
        # migrations build indexes CONCURRENTLY, which waits for every open transaction: a blocking wait would
        # deadlock with it).
        while not await _set_up(connection, len(saver.MIGRATIONS)):
            row = await (await connection.execute("SELECT pg_try_advisory_lock(%s) AS got", (key,))).fetchone()
            if row and row["got"]:
                try:
                    await saver.setup()
                finally:
                    await connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
                break
            await asyncio.sleep(0.2)
        yield saver


async def _set_up(connection: Any, migrations: int) -> bool:
    """Whether LangGraph's checkpoint tables are there, at their latest migration."""
    cursor = await connection.execute("SELECT to_regclass('checkpoint_migrations') IS NOT NULL AS there")
    row = await cursor.fetchone()
    if not row or not row["there"]:
        return False
    row = await (await connection.execute("SELECT max(v) AS v FROM checkpoint_migrations")).fetchone()
    return row is not None and row["v"] is not None and int(row["v"]) >= migrations - 1
