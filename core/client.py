"""A blocking façade over the mission runtimes for notebooks, Streamlit and scripts.

Every runtime lives on an event loop in a thread of its own (an anyio blocking portal); one run store, one
knowledge base and one durable checkpointer are shared by the runtimes of every mission, and each mission's
runtime (with its MCP sessions) opens on first use::

    with MissionClient() as missions:
        outcome = missions.start("order-exception", "SO-101851")
        missions.decide(outcome.decision_id, "omar", approve=True)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal

from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.rollback import roll_back
from ai_missions.runtime import MissionRuntime, RunOutcome, _sqlite_saver
from ai_missions.scanner import cases_now, scan_and_start
from ai_missions.services.governance import load_roster


class MissionClient:
    def __init__(self, home: Path | None = None, **runtime_options: Any) -> None:
        self.home = (home or missions_home()).resolve()
        self._options = runtime_options
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._runtimes: dict[str, tuple[MissionRuntime, AbstractContextManager[MissionRuntime]]] = {}
        self._saver_cm: AbstractContextManager[Any] | None = None
        self.store = RunStore(runs_db(self.home))
        self._knowledge: Any = runtime_options.pop("knowledge", None)

    def __enter__(self) -> MissionClient:
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            for _, manager in reversed(list(self._runtimes.values())):
                manager.__exit__(None, None, None)
            if self._saver_cm is not None:
                self._saver_cm.__exit__(None, None, None)
        finally:
            self._runtimes.clear()
            if self._portal_cm is not None:
                self._portal_cm.__exit__(None, None, None)
                self._portal_cm = None

    def open(self) -> MissionClient:
        """Open without a ``with`` block (notebooks); pair with :meth:`close`."""
        return self.__enter__()

    def close(self) -> None:
        self.__exit__(None, None, None)

    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._portal.call(partial(function, *args, **kwargs))

    @property
    def knowledge(self) -> Any:
        if self._knowledge is None:
            # deferred: start-up time (loads chromadb and numpy)
            from ai_missions.knowledge_index.retrieval import KnowledgeBase

            self._knowledge = KnowledgeBase(knowledge_dir(self.home))
        return self._knowledge

    def runtime(self, mission: str) -> MissionRuntime:
        """The runtime of ``mission``, opened (with its systems' sessions) on first use."""
        spec = get_mission(mission)
        if spec.name not in self._runtimes:
            if self._saver_cm is None:
                saver_cm: AbstractAsyncContextManager[Any] = _sqlite_saver(self.home)
                self._saver_cm = self._portal.wrap_async_context_manager(saver_cm)
                self._saver = self._saver_cm.__enter__()
            extra = spec.trigger.systems if spec.trigger else ()
            runtime = MissionRuntime(
                spec,
                self.home,
                store=self.store,
                knowledge=self.knowledge,
                checkpointer=self._saver,
                extra_systems=extra,
                **self._options,
            )
            manager = self._portal.wrap_async_context_manager(runtime)
            self._runtimes[spec.name] = (manager.__enter__(), manager)
        return self._runtimes[spec.name][0]

    def start(self, mission: str, subject_id: str, **options: Any) -> RunOutcome:
        """Run ``mission`` on one subject (see :meth:`MissionRuntime.start`)."""
        runtime = self.runtime(mission)
        return self._call(runtime.start, subject_id, **options)

    def decide(self, decision_id: str, reviewer: str, **options: Any) -> RunOutcome:
        """Decide a pending decision of any mission (see :meth:`MissionRuntime.decide`)."""
        runtime = self.runtime(self.store.get_decision(decision_id).mission)
        return self._call(runtime.decide, decision_id, reviewer, **options)

    def retry(self, run_id: str, *, by: str | None) -> RunOutcome:
        """Retry a failed run of any mission from its last checkpoint as ``by`` (an authenticated account; None:
        the platform itself, a worker's takeover) (see :meth:`MissionRuntime.retry`)."""
        runtime = self.runtime(self.store.get_run(run_id)["mission"])
        return self._call(runtime.retry, run_id, by=by)

    def abandon(self, run_id: str, reviewer: str, reason: str) -> RunOutcome:
        """Give up on a failed run of any mission (see :meth:`MissionRuntime.abandon`); a run whose last write's
        outcome is unknown is refused (:func:`~ai_missions.kernel.store.refuse_unknown_outcome`)."""
        run = self.store.get_run(run_id)
        return self.runtime(run["mission"]).abandon(run_id, reviewer, reason)

    def rollback(self, run_id: str, number: int, reviewer: str) -> dict[str, Any]:
        """Undo automated action ``number`` of a run as ``reviewer`` (role of record; :mod:`ai_missions.rollback`)."""

        runtime = self.runtime(self.store.get_run(run_id)["mission"])
        role = load_roster(self.home).get(reviewer)
        return self._call(
            roll_back, runtime.spec, self.store, runtime.systems, self.home, run_id, number, by=reviewer, role=role
        )

    def recover(self, *, by: str | None = None) -> list[RunOutcome]:
        """Finish every decided decision whose run did not get to execute it, whatever its mission: as ``by``,
        those the authorization point lets them resume (see :meth:`MissionRuntime.recover`)."""
        outcomes: list[RunOutcome] = []
        for mission in sorted({d.mission for d in self.store.decided_not_resumed()}):
            outcomes.extend(self._call(self.runtime(mission).recover, by=by))
        return outcomes

    def scan(self, mission: str, **options: Any) -> list[RunOutcome]:

        return self._call(scan_and_start, self.runtime(mission), **options)

    def cases_now(self, mission: str) -> dict[str, list[str]]:
        """What the mission's trigger finds right now: subject -> case types."""

        return self._call(cases_now, self.runtime(mission))

    def call_tool(
        self, tool: str, args: dict[str, Any], *, mission: str, meta: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Read a system of ``mission`` directly through its open MCP sessions (a write needs an approval grant
        in ``meta``: the systems refuse it otherwise)."""
        return self._call(partial(self.runtime(mission).systems.call, meta=meta), tool, args)

    def state(self, run_id: str) -> dict[str, Any]:
        """The graph state of a run (facts, policies, verdict, results...)."""
        runtime = self.runtime(self.store.get_run(run_id)["mission"])
        values: dict[str, Any] = self._call(runtime.state, run_id)
        return values
