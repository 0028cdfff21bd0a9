"""Synchronous work of async code runs on a worker thread, except inside ``blocking.inline()`` (an eval replay's
loop), where it runs on the loop's own thread; tasks started inside keep the choice, tasks outside never get it."""

from __future__ import annotations

import asyncio
import threading

import anyio
import pytest

from ai_missions.kernel import blocking
from ai_missions.nodes.resources import off_loop


def where() -> int:
    return threading.get_ident()


async def test_sync_work_goes_to_a_worker_thread_by_default() -> None:
    loop_thread = threading.get_ident()
    assert not blocking.is_inline()
    assert await blocking.run_sync(where) != loop_thread
    assert await off_loop(where) != loop_thread
    assert await blocking.run_sync_limited(where, anyio.CapacityLimiter(1)) != loop_thread


async def test_inline_runs_it_on_the_loop_and_tasks_started_inside_keep_it() -> None:
    loop_thread = threading.get_ident()
    outside: asyncio.Task[int]
    with blocking.inline():
        assert await blocking.run_sync(where) == loop_thread
        assert await off_loop(where) == loop_thread
        assert await blocking.run_sync_limited(where, anyio.CapacityLimiter(1)) == loop_thread
        inside = asyncio.create_task(off_loop(where))
        assert await inside == loop_thread
    outside = asyncio.create_task(off_loop(where))
    assert await outside != loop_thread
    assert not blocking.is_inline()


async def test_inline_passes_arguments_and_errors_through() -> None:
    def divide(a: int, b: int = 1) -> float:
        return a / b

    with blocking.inline():
        assert await blocking.run_sync(divide, 6, b=3) == 2
        with pytest.raises(ZeroDivisionError):
            await blocking.run_sync(divide, 1, b=0)
