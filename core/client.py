"""A blocking façade over :class:`MissionRuntime` for notebooks, Streamlit and scripts.

The runtime's MCP sessions and checkpointer live on an event loop in a thread of their own (an anyio blocking
portal), so synchronous callers share one set of open sessions::

    with MissionClient() as missions:
        outcome = missions.start("SO-101851")
        missions.decide(outcome.decision_id, "omar", approve=True)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal

from ai_missions.runtime import MissionRuntime, RunOutcome
from ai_missions.store import RunStore


class MissionClient:
    def __init__(self, home: Path | None = None, **runtime_options: Any) -> None:
        self._home = home
        self._options = runtime_options
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._runtime_cm: AbstractContextManager[MissionRuntime] | None = None
        self.runtime: MissionRuntime

    def __enter__(self) -> MissionClient:
        self._portal_cm = start_blocking_portal()
        portal = self._portal_cm.__enter__()
        try:
            self._runtime_cm = portal.wrap_async_context_manager(MissionRuntime(self._home, **self._options))
            self.runtime = self._runtime_cm.__enter__()
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise
        self._portal = portal
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._runtime_cm is not None:
                self._runtime_cm.__exit__(*exc)
        finally:
            if self._portal_cm is not None:
                self._portal_cm.__exit__(None, None, None)

    def open(self) -> MissionClient:
        """Open without a ``with`` block (notebooks); pair with :meth:`close`."""
        return self.__enter__()

    def close(self) -> None:
        self.__exit__(None, None, None)

    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._portal.call(partial(function, *args, **kwargs))

    @property
    def home(self) -> Path:
        return self.runtime.home

    @property
    def store(self) -> RunStore:
        return self.runtime.store

    def start(self, order_id: str, **options: Any) -> RunOutcome:
        """Run a mission on an order (see :meth:`MissionRuntime.start`)."""
        return self._call(self.runtime.start, order_id, **options)

    def decide(self, decision_id: str, reviewer: str, **options: Any) -> RunOutcome:
        """Decide a pending decision (see :meth:`MissionRuntime.decide`)."""
        return self._call(self.runtime.decide, decision_id, reviewer, **options)

    def recover(self) -> list[RunOutcome]:
        return self._call(self.runtime.recover)

    def scan(self, **options: Any) -> list[RunOutcome]:
        from ai_missions.scanner import scan_and_start

        return self._call(scan_and_start, self.runtime, **options)

    def call_tool(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """Read (or write) a system directly through the open MCP sessions."""
        return self._call(self.runtime.systems.call, tool, args)

    def state(self, run_id: str) -> dict[str, Any]:
        """The graph state of a run (facts, policies, verdict, results...)."""
        snapshot = self._call(self.runtime.graph.aget_state, {"configurable": {"thread_id": run_id}})
        return dict(snapshot.values)
