"""Environments by name, several at once: the harness replays one mission in two of them in one process.

Support keeps two kinds of cases: its CI set of the seeded helpdesk book (snapshots of the simulated systems, the
``books`` environment, served over MCP) and its recorded tickets (kept with what the mission read, the ``recorded``
environment, which its graph calls in-process). Both run through the same harness, the same graph (gather,
retrieval, the reasoner, the guard with the tools' schemas) and the same scorers.
"""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

from ai_missions.benchmarks.tau_retail.environment import task_state
from ai_missions.evals.environment import apply_actions, expected_state
from ai_missions.evals.harness import Task, recorded_cases
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from ai_missions.kernel.environment import Environment, RollsBack, environment_names, open_environment
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.heap import GC_THRESHOLD
from tests.support.built_index import built_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("environments")
    built_index(tmp_path_factory, home)
    return open_knowledge(home)


def test_three_environments_are_registered_at_once() -> None:
    assert {"books", "recorded", "tau-retail"} <= set(environment_names())
    opened = [open_environment(name, mission="support") for name in ("books", "recorded", "tau-retail")]
    assert all(isinstance(e, Environment) for e in opened)
    assert [e.name for e in opened] == ["books", "recorded", "tau-retail"]
    for environment in opened:
        environment.close()


async def test_tau_bench_is_an_environment_of_the_same_protocol() -> None:
    """A task's state: the benchmark's database and its first message as a ticket. A read answers from them; a
    write is the benchmark's action applied by its rules; a snapshot taken before it resets the state back."""
    tau = open_environment("tau-retail", mission="support")
    state = task_state(0, "Hi, I want to exchange the items of my order. Thanks!")
    tau.reset(state)
    ticket = state.case["ticket"]
    assert (await tau.call("get_ticket", {"ticket_id": ticket["ticket_id"]}))["ticket_id"] == ticket["ticket_id"]
    before, start = tau.view({}), tau.snapshot()
    order = next(o for o in state.db["orders"].values() if o["status"] == "pending")
    tau.apply({"name": "cancel_pending_order", "kwargs": {"order_id": order["order_id"], "reason": "no longer needed"}})
    after = tau.view({})
    changed = set(after["orders"]) - set(before["orders"])
    assert [key for key, _ in changed] == [order["order_id"]]
    assert state.db["orders"][order["order_id"]]["status"] == "pending"  # the shared database is never written
    with pytest.raises(ConflictError):
        tau.apply({"name": "cancel_pending_order", "kwargs": {"order_id": order["order_id"], "reason": "again"}})
    tau.reset(start)
    assert tau.view({}) == before


def test_the_harness_runs_one_mission_in_two_environments_in_one_process(knowledge: Any) -> None:
    books = Task.of("support", "ci").cases(limit=4)
    recorded = recorded_cases("support", "ci", limit=8)
    assert {c.environment for c in books} == {"books"}
    assert {c.environment for c in recorded} == {"recorded"}
    results: dict[str, list[dict[str, Any]]] = {}
    config = EvalConfig(mission="support", workers=1, concurrency=1)
    for name, cases in (("books", books), ("recorded", recorded)):
        found: list[dict[str, Any]] = []
        asyncio.run(solve(cases, config, knowledge, on_result=found.append))
        results[name] = found
    for name, found in results.items():
        assert [r.get("error") for r in found] == [None] * len(found), name
        assert all(r["gold_outcome"] and "agree" in r for r in found), name
        assert sum(r["agree"] for r in found) >= len(found) // 2, (name, [(r["case_id"], r["outcome"]) for r in found])
    # each decided by the graph: retrieval cited a policy, and a decision that waited was answered and compared
    assert any(r.get("state_match") is not None for r in results["recorded"])


def test_a_case_of_another_environment_than_the_runs_is_an_error_of_that_case(knowledge: Any) -> None:
    books = Task.of("support", "ci").cases(limit=1)
    recorded = recorded_cases("support", "ci", limit=1)
    found: list[dict[str, Any]] = []
    during: list[tuple[int, int]] = []
    config = EvalConfig(mission="support", workers=1, concurrency=1)
    before, pace = gc.get_freeze_count(), gc.get_threshold()

    def on_result(result: dict[str, Any]) -> None:
        found.append(result)
        during.append((gc.get_freeze_count(), gc.get_threshold()[0]))

    asyncio.run(solve([*books, *recorded], config, knowledge, on_result=on_result))
    assert "error" not in found[0]
    assert found[1]["error"] == "ValidationError: a case of the recorded environment, in a run of books cases"
    # while the cases run, what was alive at the start stays out of the collector's walks and it collects less often;
    # both are undone after (the heap stays frozen if the process had frozen it itself)
    assert all(frozen > before and threshold >= GC_THRESHOLD for frozen, threshold in during)
    assert gc.get_threshold() == pace
    assert (gc.get_freeze_count() == 0) == (before == 0)


def test_the_books_make_an_expected_end_state_in_place_and_undo_it(tmp_path: Path) -> None:
    """The people's actions applied inside ``rolled_back`` are seen, then undone for every connection to the
    served files; a refused action is undone alone (each write is a savepoint of the open transaction) while the
    others apply. The end state is the one a copy in a second environment gives, and so are the problems."""
    task = Task.of("order-exception", None)
    case = next(c for c in task.cases(limit=60) if len(c.resolution.actions) >= 3)
    gold = [a.model_dump() for a in case.resolution.actions]
    refused = {"tool": gold[0]["tool"], "args": {**gold[0]["args"], "order_id": "SO-000000"}}
    actions = [gold[0], refused, *gold[1:]]
    projection = task.plugin.projection
    books = open_environment("books", home=tmp_path, mission="order-exception")
    assert isinstance(books, RollsBack)
    try:
        books.reset(case.snapshot)
        start, before = books.snapshot(), books.view(projection)
        with books.rolled_back():
            problems = apply_actions(books, actions)
            inside = books.view(projection)
        assert books.view(projection) == before != inside
        served = open_environment("books", home=tmp_path, mission="order-exception")  # as a server reads the files
        assert served.view(projection) == before
        served.close()
    finally:
        books.close()
    assert [p.split(":")[0] for p in problems] == ["action 2 release_payment_hold"]
    assert (inside, problems) == expected_state("books", start, actions, projection, mission="order-exception")


def test_a_replay_runs_on_its_event_loop_with_no_thread_hop(knowledge: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first case (which opens the systems' sessions and loads files), a replay's steps, its graph's
    routes, its tool calls and its stores run on the solver's loop: a hop to a worker thread costs ~0.1 ms of CPU, and
    LangGraph hops for every plain function in an async graph (the routes after the automatic actions and after the
    approval step did, twice a case)."""
    hops: Counter[str] = Counter()
    done: list[dict[str, Any]] = []
    executor, to_thread = asyncio.BaseEventLoop.run_in_executor, anyio.to_thread.run_sync

    def run_in_executor(self: Any, pool: Any, func: Any, *args: Any) -> Any:
        if done:
            hops[getattr(func, "__qualname__", repr(func))] += 1
        return executor(self, pool, func, *args)

    async def run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        if done:
            hops[getattr(func, "__qualname__", repr(func))] += 1
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "run_in_executor", run_in_executor)
    monkeypatch.setattr(anyio.to_thread, "run_sync", run_sync)
    cases = [c for c in Task.of("order-exception", None).cases(limit=30) if c.resolution.actions][:6]
    asyncio.run(
        solve(cases, EvalConfig(mission="order-exception", workers=1, concurrency=1), knowledge, on_result=done.append)
    )
    assert [r.get("error") for r in done] == [None] * len(cases)
    assert any(r.get("executed") for r in done)  # decisions were answered and executed
    assert hops == Counter()
