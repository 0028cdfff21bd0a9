"""Where an eval run's time goes: wall time per stage, per graph node, per checkpoint write, per MCP call.

Attached only when profiling (``bench/evals.py``); an ordinary run pays nothing for it.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver


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


class TimedStore:
    """The run store, timing every call (audit events, runs, decisions); its other attributes (the audit key,
    ``chained``) are the store's own. Until 2026-11-29 they came back as timed functions too, so authorization
    read a function for the audit key and refused every decision: a profiled replay stopped at each approval
    and was ~4 ms a case cheaper than a real one (tests/test_eval_profiling.py)."""

    def __init__(self, store: Any, timings: Timings) -> None:
        self._store, self._timings = store, timings

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)
        if not callable(method):
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._timings.stage("run store"):
                return method(*args, **kwargs)

        return timed


class TimedSystems:
    """The systems gateway, timing every MCP call (they overlap: the gather node reads every system at once)."""

    def __init__(self, gateway: Any, timings: Timings) -> None:
        self._gateway, self._timings = gateway, timings

    async def call(self, tool: str, args: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        with self._timings.stage(MCP_STAGE):
            found: dict[str, Any] = await self._gateway.call(tool, args, **options)
            return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)


#: The stage timing each MCP call; calls overlap, so it is not part of a sum of stages.
MCP_STAGE = "(mcp calls, overlapping)"
