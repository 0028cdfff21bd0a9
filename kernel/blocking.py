"""Where the synchronous work of async code runs (SQLite, files, the index, the embedding model).

By default on a worker thread, so that it never blocks the event loop: LangGraph's server refuses blocking calls in
async nodes, and a dashboard's loop serves other people. An eval replay's loop serves nothing but its sandboxes, where
that work is a short SQLite call on an in-memory book: there a thread hop costs more CPU than the call it carries
(110-130 us a hop against 3 us run inline, 2 shared cores; ~33 hops a case of order-exception), so the solver runs it
inline (:func:`inline`). The choice rides on a context variable: tasks started inside :func:`inline` keep it, and
nothing outside does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")

_INLINE: ContextVar[bool] = ContextVar("ai_missions_blocking_inline", default=False)


@contextmanager
def inline() -> Iterator[None]:
    """Synchronous work in this context (and in the tasks it starts) runs inline on the event loop."""
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


def is_inline() -> bool:
    return _INLINE.get()


async def run_sync(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` on a worker thread (with this task's context), or inline under :func:`inline`."""
    if _INLINE.get():
        return function(*args, **kwargs)
    return await asyncio.to_thread(function, *args, **kwargs)


async def run_sync_limited(function: Callable[[], T], limiter: anyio.CapacityLimiter) -> T:
    """``function()`` on a worker thread, at most ``limiter``'s number at once, or inline under :func:`inline` (one
    at a time by nature: nothing else runs on the loop meanwhile)."""
    if _INLINE.get():
        return function()
    return await anyio.to_thread.run_sync(function, limiter=limiter)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, also where an event loop already runs in this thread
    (Jupyter: there it runs on a loop of its own in another thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
