"""Sandboxes: a private environment of a mission's systems with a runtime over it, reused case after case.

A sandbox is a home directory of its own (on ``/dev/shm`` when there is one) and an environment opened by the name
the mission's eval plugin declares (:mod:`ai_missions.kernel.environment`): the simulated books, whose databases sit
in the sandbox and are served by MCP servers as any mission's systems are, or an environment the mission's graph
calls in-process (a recorded case). Its :class:`~ai_missions.runtime.MissionRuntime` keeps a run store and
checkpoints in memory (an eval run never resumes a case in another process), handed in as collaborators. Loading
the next case resets the environment, so the servers keep running. Nothing here ever touches ``MISSIONS_HOME``'s
book.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from ai_missions.evals.environment import Projection, State, apply_actions, expected_state
from ai_missions.evals.profiling import NodeTimer, TimedSaver, TimedStore, TimedSystems, Timings
from ai_missions.kernel.environment import Environment, RollsBack, open_environment
from ai_missions.kernel.grants import keep_grants_private
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.store import ACTIVE_STATUSES, RunStore
from ai_missions.nodes.context import MissionContext
from ai_missions.runtime import MissionRuntime
from ai_missions.services.connections import connections, systems_transport
from ai_missions.services.gateway import SystemsGateway


def scratch_root() -> Path:
    """A fresh directory for sandboxes: in memory (``/dev/shm``) when the machine has it."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="missions-eval-", dir=base))


class SandboxStore(RunStore):
    """A sandbox's run store: in memory, it lives as long as the sandbox and nobody audits it, so its events skip
    the hash chain (a third of the store's cost per case); runs, events and decisions are kept as anywhere."""

    chained = False


class Sandbox:
    """One private environment of a mission's systems with a runtime over it: ``await sandbox.open(state)`` then
    ``sandbox.load(state)`` per case."""

    def __init__(
        self,
        home: Path,
        spec: MissionSpec,
        *,
        context: MissionContext,
        knowledge: Any,
        projection: Projection,
        kind: str = "books",
        timings: Timings | None = None,
    ) -> None:
        self.home = home
        #: The environment's registered name.
        self.kind = kind
        self.spec = spec
        self.context = context
        self.knowledge = knowledge
        self.projection = projection
        self.timings = timings
        self._stack = AsyncExitStack()
        self.environment: Environment
        self.runtime: MissionRuntime

    async def open(self, state: Any) -> Sandbox:
        """Open the environment at a first case's state and start the servers and the runtime."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.environment = open_environment(self.kind, home=self.home, mission=self.spec.name)
        self._stack.callback(self.environment.close)
        self.environment.reset(state)
        keep_grants_private(self.home)  # a scratch book's grants never reach a shared ledger
        systems: Any = None if self.environment.served else self.environment
        store: Any = SandboxStore(Path(":memory:"))
        callbacks: list[Any] = []
        if self.timings is not None:  # open the gateway here to time every MCP call
            if systems is None:
                gateway = SystemsGateway(connections(self.spec.systems, self.home, systems_transport()))
                systems = await self._stack.enter_async_context(gateway)
            systems = TimedSystems(systems, self.timings)
            store = TimedStore(store, self.timings)
            callbacks.append(NodeTimer(self.timings))
        self.saver = TimedSaver(self.timings)
        runtime = MissionRuntime(
            self.spec,
            self.home,
            context=self.context,
            knowledge=self.knowledge,
            systems=systems,
            store=store,
            checkpointer=self.saver,
            durability="exit",  # checkpoints only where a run pauses or ends: a case never outlives its sandbox
            check_subjects=False,  # the case's snapshot was just loaded: gather's first read is the check
            systems_transport=systems_transport(),  # no process per system per sandbox
            callbacks=callbacks,
        )
        self.runtime = await self._stack.enter_async_context(runtime)
        return self

    def load(self, state: Any) -> None:
        """Reset the environment to a case's state (the servers keep their sessions)."""
        self.environment.reset(state)

    def state(self) -> State:
        return self.environment.view(self.projection)

    def expected(self, actions: Sequence[Mapping[str, Any]]) -> tuple[State, list[str]]:
        """The state ``actions`` make of the one held now (called after a load: the case's starting state), and
        any action that did not apply. Made in place and undone where the environment rolls back; else on a copy
        in a second environment."""
        if isinstance(self.environment, RollsBack):
            with self.environment.rolled_back():
                problems = apply_actions(self.environment, actions)
                return self.state(), problems
        return expected_state(self.kind, self.environment.snapshot(), actions, self.projection, mission=self.spec.name)

    def forget(self, run_id: str) -> None:
        """End a case in its sandbox: drop its checkpoints (an eval run keeps no thread alive) and set aside what it
        left open in the run store (a decision still pending, say because the case failed before it was answered),
        so that it never blocks a later case on the same subject (eval cases are sandboxes of their own)."""
        self.saver.delete_thread(run_id)
        store = self.runtime.store
        for decision in store.decisions_of(run_id):
            if decision.status == "pending":
                store.claim_decision(
                    decision.decision_id, reviewer="eval", role="eval", response={"set_aside": "the case ended"}
                )
            if not decision.resumed:
                store.mark_resumed(decision.decision_id)
        if store.get_run(run_id)["status"] in ACTIVE_STATUSES:
            store.update_run(run_id, status="abandoned")

    async def close(self) -> None:
        await self._stack.aclose()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
