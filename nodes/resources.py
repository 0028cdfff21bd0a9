"""Expensive clients a node needs: the systems gateway and the knowledge base.

A runtime (CLI, dashboard, eval harness) opens them once and hands them in through the context. A process that
does not (``langgraph dev`` serving an exported graph) gets process-wide ones, opened on first use and kept: one
gateway per home, event loop and set of systems. Nothing here blocks the event loop (LangGraph's server refuses
blocking calls in async nodes): file and database work runs in a worker thread (:func:`off_loop`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from ai_missions.kernel import blocking
from ai_missions.kernel.settings import knowledge_dir, missions_home
from ai_missions.nodes.context import MissionContext
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway

P = ParamSpec("P")
T = TypeVar("T")

_gateways: dict[tuple[str, int, tuple[str, ...]], asyncio.Future[SystemsGateway]] = {}
_owners: set[asyncio.Task[None]] = set()


def home_of(context: MissionContext | None) -> Path:
    """The run's home: the server's own context's, else ``MISSIONS_HOME`` (a client's context names none)."""
    home = getattr(context, "home", None)
    return Path(home) if home else missions_home()


async def off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` in a worker thread (with this task's context: LangGraph's config and stream
    writer stay reachable), so sync file, SQLite or index work never blocks the event loop; inline in an eval
    replay's loop (:mod:`ai_missions.kernel.blocking`)."""
    return await blocking.run_sync(function, *args, **kwargs)


async def systems_of(context: MissionContext, systems: Sequence[str]) -> Any:
    """The context's gateway, or a shared one to ``systems`` for this home and event loop."""
    if context.systems is not None:
        return context.systems
    home = await off_loop(home_of, context)
    loop = asyncio.get_running_loop()
    key = (str(home), id(loop), tuple(sorted(systems)))
    if key not in _gateways or _gateways[key].get_loop() is not loop:  # none, or a closed loop's (its id reused)
        _forget_closed_loops()
        ready: asyncio.Future[SystemsGateway] = loop.create_future()
        _gateways[key] = ready
        task = loop.create_task(_own_gateway(home, key, ready))
        _owners.add(task)
        task.add_done_callback(_owners.discard)
    return await asyncio.shield(_gateways[key])


def _forget_closed_loops() -> None:
    """Drop the gateways of loops that are closed (pytest-asyncio closes one per test): their sessions ended with
    their loop, and a new loop may be given the same ``id``."""
    for key, ready in list(_gateways.items()):
        if ready.get_loop().is_closed():
            del _gateways[key]


async def _own_gateway(
    home: Path, key: tuple[str, int, tuple[str, ...]], ready: asyncio.Future[SystemsGateway]
) -> None:
    """Open the gateway ``key`` names and hold it until the loop closes (its tasks are then cancelled). A gateway
    that cannot open is not kept: its waiters get the error, the next node to ask tries again."""
    try:
        async with SystemsGateway(await off_loop(connections, key[2], home)) as gateway:
            ready.set_result(gateway)
            await asyncio.Event().wait()  # lives as long as the loop
    except Exception as exc:
        if ready.done():
            raise
        ready.set_exception(exc)  # the waiters' to report, not this task's (no "exception never retrieved")
    except BaseException:
        ready.cancel()
        raise
    finally:
        if _gateways.get(key) is ready:
            del _gateways[key]


def knowledge_of(context: MissionContext | None) -> Any:
    """The context's knowledge base, or one per home opened on first use."""
    if context is not None and context.knowledge is not None:
        return context.knowledge
    return _knowledge(str(home_of(context)))


@cache
def _knowledge(home: str) -> Any:
    # deferred: start-up time (loads chromadb and pydantic)
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

    return KnowledgeBase(knowledge_dir(Path(home)))
