"""A reviewer's process that dies (``os._exit``, like SIGKILL: no clean-up) at one point of the execute step.

``python tests/support/crash_child.py HOME DECISION_ID POINT [MISSION REVIEWER]`` approves the decision (of the
order-exception mission, as omar, unless named) and dies at POINT:

- ``decided``: the decision is recorded, the run not resumed yet;
- ``writes:NODE``: NODE's writes are saved, the next step has not run (the checkpoint after NODE is not written);
- ``checkpoint:NODE``: the checkpoint after NODE is saved, the next node has not started;
- ``action:N``: the N-th write of the execute step answered, the next has not been called;
- ``settling``: the graph ended, the runtime has not recorded it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from ai_missions.runtime import MissionRuntime

KILLED = 137


def die() -> None:
    sys.stdout.flush()
    os._exit(KILLED)


class CrashingSaver(AsyncSqliteSaver):
    def __init__(self, conn: aiosqlite.Connection, point: str) -> None:
        super().__init__(conn)
        self.point = point
        self.armed = False

    async def aput_writes(
        self, config: Any, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await super().aput_writes(config, writes, task_id, task_path)
        kind, _, node = self.point.partition(":")
        if task_path.endswith(f", {node}") and writes:
            if kind == "writes":
                die()
            if kind == "checkpoint":
                self.armed = True

    async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        saved = await super().aput(config, checkpoint, metadata, new_versions)
        if self.armed:
            die()
        return saved


class CrashingSystems:
    def __init__(self, gateway: Any, after_writes: int | None) -> None:
        self.gateway, self.after_writes, self.writes = gateway, after_writes, 0

    async def call(
        self,
        tool: str,
        args: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        answer: dict[str, Any] = await self.gateway.call(tool, args, timeout_s=timeout_s, meta=meta)
        if "idempotency_key" in args and not tool.startswith("get_"):  # a write (not a reconciling read)
            self.writes += 1
            if self.writes == self.after_writes:
                die()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)


@asynccontextmanager
async def saver(home: Path, point: str) -> Any:
    conn = await aiosqlite.connect(home / "checkpoints.sqlite")
    try:
        await conn.execute("PRAGMA journal_mode=WAL")
        crashing = CrashingSaver(conn, point)
        await crashing.setup()
        yield crashing
    finally:
        await conn.close()


async def main(
    home: Path, decision_id: str, point: str, mission: str = "order-exception", reviewer: str = "omar"
) -> None:
    async with (
        saver(home, point) as checkpointer,
        MissionRuntime(mission, home, checkpointer=checkpointer) as runtime,
    ):
        if point.startswith("action:"):
            runtime._systems = CrashingSystems(runtime.systems, int(point.partition(":")[2]))
        original_resume, original_settle = runtime.resume, runtime._settle

        async def resume(decision: Any, **kwargs: Any) -> Any:
            if point == "decided":
                die()
            return await original_resume(decision, **kwargs)

        async def settle(run_id: str) -> Any:
            if point == "settling":
                die()
            return await original_settle(run_id)

        runtime.resume = resume  # type: ignore[method-assign]
        runtime._settle = settle  # type: ignore[method-assign]
        await runtime.decide(decision_id, reviewer, approve=True)


if __name__ == "__main__":
    anyio.run(main, Path(sys.argv[1]), *sys.argv[2:])
