"""Sandboxes: private copies of the five systems, each served by its own MCP servers, reused case after case.

A sandbox is a home directory of its own (on ``/dev/shm`` when there is one) holding the systems' databases; its
:class:`~ai_missions.runtime.MissionRuntime` opens one MCP session per system over stdio, as any mission does, and
keeps its run store and checkpoints in memory (an eval run never resumes a case in another process). Loading the
next case resets the tables inside the open databases (:func:`~ai_missions.integrations.snapshot.
load_snapshot_in_place`), so the servers keep running. Nothing here ever touches ``MISSIONS_HOME``'s book.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, AsyncExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from ai_missions.evals.state import State, copy_book, project
from ai_missions.gateway import SystemsGateway
from ai_missions.graphs.order_exception import MISSION, build_graph
from ai_missions.integrations.catalog import SYSTEMS
from ai_missions.integrations.connections import stdio_connections
from ai_missions.integrations.snapshot import load_snapshot, load_snapshot_in_place
from ai_missions.integrations.store import connect
from ai_missions.nodes.context import MissionContext
from ai_missions.runtime import MissionRuntime
from ai_missions.store import RunStore


class Timings:
    """Seconds spent per stage, summed over cases (wall time: with concurrency, stages overlap)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds
        self.calls[stage] += 1

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def per_case_ms(self, cases: int) -> dict[str, float]:
        return {k: round(1000 * v / max(cases, 1), 3) for k, v in sorted(self.seconds.items(), key=lambda kv: -kv[1])}


def timed(timings: Timings | None, stage: str) -> AbstractContextManager[None]:
    """``timings.stage(stage)``, or nothing when not profiling."""
    return timings.stage(stage) if timings is not None else nullcontext()


class NodeTimer(BaseCallbackHandler):
    """Times each graph node (a LangGraph callback; attached only when profiling)."""

    run_inline = True

    def __init__(self, timings: Timings) -> None:
        self.timings = timings
        self._open: dict[UUID, tuple[str, float]] = {}

    def on_chain_start(
        self, serialized: Any, inputs: Any, *, run_id: UUID, metadata: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        node = (metadata or {}).get("langgraph_node")
        if node is not None and kw.get("name") == node:
            self._open[run_id] = (f"node:{node}", time.perf_counter())

    def _close(self, run_id: UUID) -> None:
        opened = self._open.pop(run_id, None)
        if opened is not None:
            self.timings.add(opened[0], time.perf_counter() - opened[1])

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kw: Any) -> None:
        self._close(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kw: Any) -> None:
        self._close(run_id)


class TimedSaver(InMemorySaver):
    """The in-memory checkpointer, timing its writes and reads when given :class:`Timings`."""

    def __init__(self, timings: Timings | None = None) -> None:
        super().__init__()
        self.timings = timings

    async def aput(self, config: RunnableConfig, *args: Any, **kwargs: Any) -> RunnableConfig:
        with timed(self.timings, "checkpointing"):
            return await super().aput(config, *args, **kwargs)

    async def aput_writes(self, config: RunnableConfig, *args: Any, **kwargs: Any) -> None:
        with timed(self.timings, "checkpointing"):
            return await super().aput_writes(config, *args, **kwargs)

    async def aget_tuple(self, config: RunnableConfig) -> Any:
        with timed(self.timings, "checkpointing"):
            return await super().aget_tuple(config)


class _TimedStore:
    """The run store, timing every call (audit events, runs, decisions)."""

    def __init__(self, store: Any, timings: Timings) -> None:
        self._store, self._timings = store, timings

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._timings.stage("run store"):
                return method(*args, **kwargs)

        return timed


class _TimedSystems:
    """The systems gateway, timing every MCP call (they overlap: the gather node reads every system at once)."""

    def __init__(self, gateway: SystemsGateway, timings: Timings) -> None:
        self._gateway, self._timings = gateway, timings

    async def call(self, tool: str, args: Mapping[str, Any]) -> dict[str, Any]:
        with self._timings.stage(MCP_STAGE):
            return await self._gateway.call(tool, args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)


#: The stage timing each MCP call; calls overlap, so it is not part of a sum of stages.
MCP_STAGE = "(mcp calls, overlapping)"


def scratch_root() -> Path:
    """A fresh directory for sandboxes: in memory (``/dev/shm``) when the machine has it."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="missions-eval-", dir=base))


class Sandbox:
    """One private set of systems with a mission runtime over it: ``await sandbox.open(snapshot)`` then
    ``sandbox.load(snapshot)`` per case."""

    def __init__(self, home: Path, *, context: MissionContext, knowledge: Any, timings: Timings | None = None) -> None:
        self.home = home
        self.context = context
        self.knowledge = knowledge
        self.timings = timings
        self._stack = AsyncExitStack()
        self.conns: dict[str, sqlite3.Connection] = {}
        self.runtime: MissionRuntime

    async def open(self, snapshot: Mapping[str, Any]) -> Sandbox:
        """Create the systems from a first snapshot and start the servers and the runtime."""
        load_snapshot(dict(snapshot), self.home)
        systems = None
        if self.timings is not None:  # open the gateway here to time every MCP call
            gateway = SystemsGateway(stdio_connections(self.home))
            systems = _TimedSystems(await self._stack.enter_async_context(gateway), self.timings)
        runtime = MissionRuntime(self.home, context=self.context, knowledge=self.knowledge, systems=systems)
        self.runtime = await self._stack.enter_async_context(runtime)
        runtime.store = RunStore(Path(":memory:"))  # a sandbox's audit trail lives as long as the sandbox
        runtime.durability = "exit"  # checkpoints only where a run pauses or ends: a case never outlives its sandbox
        self.saver = TimedSaver(self.timings)
        graph = build_graph().compile(checkpointer=self.saver, name=MISSION)
        if self.timings is not None:
            graph = graph.with_config(callbacks=[NodeTimer(self.timings)])
            runtime.store = _TimedStore(runtime.store, self.timings)  # type: ignore[assignment]
        runtime.graph = graph
        self.conns = {system: connect(system, self.home) for system in SYSTEMS}
        self._stack.callback(self._close_connections)
        return self

    def _close_connections(self) -> None:
        for conn in self.conns.values():
            conn.close()

    def load(self, snapshot: Mapping[str, Any]) -> None:
        """Reset the systems to a case's snapshot (the servers keep their sessions)."""
        load_snapshot_in_place(dict(snapshot), connections=self.conns, checked=True)

    def state(self) -> State:
        return project(self.conns)

    def copy(self) -> dict[str, sqlite3.Connection]:
        """An in-memory copy of the systems as they stand (taken after a load: the case's starting state)."""
        return copy_book(self.conns)

    def forget(self, run_id: str) -> None:
        """Drop a finished case's checkpoints (an eval run keeps no thread alive)."""
        self.saver.delete_thread(run_id)

    async def close(self) -> None:
        await self._stack.aclose()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
