"""A profiled replay is the replay it times: the same decisions, approvals and end states as a plain one.

The benchmarks' stage figures (``bench/replay_budget.py``, ``bench/evals.py``) come from replays run with
:class:`~ai_missions.evals.profiling.Timings`, whose wrappers stand in for the run store, the systems and the
checkpointer. A wrapper that changes what the replay does makes those figures about another replay.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ai_missions.evals.harness import Task
from ai_missions.evals.profiling import Timings
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from tests.support.built_index import built_index

pytestmark = pytest.mark.slow

#: What a result says of the case, apart from its times and ids.
COMPARED = ("case_id", "outcome", "agree", "state_match", "error", "reviewer")


def _replayed(cases: list[Any], knowledge: Any, timings: Timings | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    config = EvalConfig(mission="order-exception", workers=1, concurrency=1)
    asyncio.run(solve(cases, config, knowledge, on_result=found.append, timings=timings))
    return [{key: result.get(key) for key in COMPARED} for result in found]


def test_a_profiled_replay_decides_and_executes_as_a_plain_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("profiling")
    built_index(tmp_path_factory, home)
    knowledge = open_knowledge(home)
    cases = Task.of("order-exception", None).cases(limit=12)
    timings = Timings()
    plain, profiled = _replayed(cases, knowledge, None), _replayed(cases, knowledge, timings)
    assert profiled == plain
    assert any(r["reviewer"] for r in plain), "no case of the sample waited for a person: it shows nothing"
    assert all(r["error"] is None for r in plain)
    # the profiled replay timed the run store, the systems and the graph's nodes
    assert {"run store", "checkpointing", "node:gather"} <= set(timings.seconds)
