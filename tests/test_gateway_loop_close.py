"""A gateway left opening on an event loop that is closed (pytest-asyncio closes each test's loop; a node's shared
gateway, ``nodes/resources.py``, outlives the run that opened it) lets the loop close at once.

``asyncio.Runner.close()`` cancels every task at once, including tasks created but not yet started. With anyio
4.16, a task spawned by ``TaskGroup.start()`` and cancelled before its first step never marks itself finished, and
``start()`` waits for it forever, shielded: the gateway's opening used ``start()``, so the test's teardown hung until
pytest's timeout (300 s; seen once in 3 full runs of the default suite).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import json
import time
from pathlib import Path
from typing import Any

import pytest

from ai_missions.nodes import resources
from ai_missions.nodes.context import MissionContext
from ai_missions.services.gateway import SystemsGateway, SystemUnavailable

#: How long the gateway's tasks may take to end once cancelled (milliseconds; they never did before).
END_WITHIN_S = 5.0
#: The task that opens and holds one system's session (named by anyio after its function).
HOLDER = "SystemsGateway._hold_session"


async def _cancel_all_when_the_sessions_are_spawned() -> set[asyncio.Task[object]]:
    """Start a gateway, and the moment its session tasks exist but have not run, cancel every other task as
    ``asyncio.Runner.close()`` does; the tasks still running ``END_WITHIN_S`` later."""
    connections = {f"system-{i}": {"transport": "never-reached"} for i in range(3)}

    async def hold() -> None:
        async with SystemsGateway(connections):  # type: ignore[arg-type]
            await asyncio.Event().wait()

    asyncio.get_running_loop().create_task(hold())
    deadline = time.monotonic() + 30  # the first opening imports the MCP stack
    while time.monotonic() < deadline:
        holders = [t for t in asyncio.all_tasks() if t.get_name().endswith(HOLDER)]
        if holders and all(inspect.getcoroutinestate(t.get_coro()) == inspect.CORO_CREATED for t in holders):
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError(f"no task named *{HOLDER} appeared: the test no longer reaches the moment it tests")
    others = asyncio.all_tasks() - {asyncio.current_task()}
    for task in others:
        task.cancel()
    _, pending = await asyncio.wait(others, timeout=END_WITHIN_S)
    return pending


#: What a task cancelled before its first step leaves behind, by design.
NEVER_AWAITED = "ignore:coroutine 'SystemsGateway._hold_session' was never awaited:RuntimeWarning"


@pytest.mark.filterwarnings(NEVER_AWAITED)
def test_a_loop_closed_while_its_gateway_opens_closes_at_once() -> None:
    runner = asyncio.Runner()
    try:
        pending = runner.run(_cancel_all_when_the_sessions_are_spawned())
        assert not pending, f"cancelled, these never ended: {sorted(t.get_name() for t in pending)}"
    finally:
        loop = runner.get_loop()
        loop.call_later(END_WITHIN_S, loop.stop)  # a failed run's stuck tasks must not hang its own teardown
        with contextlib.suppress(RuntimeError):
            runner.close()
        gc.collect()  # the never-awaited coroutines warn here, not in a later test


def test_a_gateway_cached_for_a_closed_loop_is_not_given_to_a_new_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nodes' shared gateways are kept per home and loop, by the loop's ``id``; a loop closed (and freed) may
    leave its ``id`` to the next. The next loop opens its own gateway (here: to systems that cannot be reached),
    not the closed loop's, whose sessions ended with it; and one that could not open is not kept (the next node
    to ask tries again), nor does its task end on an error no one retrieves."""
    systems = ("erp", "payments")
    (tmp_path / "systems.json").write_text(json.dumps({s: {"transport": "not-reachable"} for s in systems}))
    closed = asyncio.new_event_loop()
    stale: asyncio.Future[str] = closed.create_future()
    stale.set_result("the closed loop's gateway")
    closed.close()

    owners: list[asyncio.Task[Any]] = []
    own_gateway = resources._own_gateway

    async def owner(*args: Any) -> None:
        owners.append(asyncio.current_task())  # type: ignore[arg-type]
        await own_gateway(*args)

    monkeypatch.setattr(resources, "_own_gateway", owner)

    async def ask() -> None:
        key = (str(tmp_path), id(asyncio.get_running_loop()), tuple(sorted(systems)))
        monkeypatch.setitem(resources._gateways, key, stale)  # as if the closed loop had had this loop's id
        for _ in range(2):
            with pytest.raises(SystemUnavailable, match="cannot reach the systems"):
                await resources.systems_of(MissionContext(home=str(tmp_path)), systems)
            await asyncio.sleep(0)  # the owner's last step
            assert key not in resources._gateways

    asyncio.run(ask())
    assert len(owners) == 2  # it tried again
    assert all(owner.done() and owner.exception() is None for owner in owners)
