"""Eval cases on procrastinate workers (`missions eval run --engine procrastinate`, `missions worker --queue evals`):
each case is replayed once, its result is the one the in-process solver gets, a resumed run queues nothing again,
and an eval-only worker's queue connections commit without waiting for the WAL flush while the store's own
connection keeps the URL's search path."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli.workers import evaluate_on_workers, make_app
from ai_missions.evals.harness import Task, start_run
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from ai_missions.evals.store import EvalStore
from ai_missions.kernel.database import PgConnection, no_commit_wait
from tests.support.built_index import built_index
from tests.support.postgres import fresh_schema

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CASES = 6
COMPARED = ("case_id", "agree", "state_match", "status", "executed", "outcome", "error")


@pytest.fixture
def shared(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    with fresh_schema() as url:
        home = tmp_path / "home"
        built_index(tmp_path_factory, home)
        yield home, url


def _worker(home: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_DATABASE_URL": url, "MISSIONS_WORKER_HEARTBEAT_S": "1"}
    command = [sys.executable, "-m", "ai_missions.cli", "worker", "--queue", "evals", "--name", "eval-worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _compared(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: r.get(k) for k in COMPARED} for r in results), key=lambda r: str(r["case_id"]))


def test_eval_cases_on_a_worker_match_the_in_process_replay(
    shared: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, url = shared
    monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
    task = Task.of("order-exception", None)
    cases = task.cases(limit=CASES)
    config = EvalConfig(mission=task.spec.name, workers=1, concurrency=1)
    store = EvalStore(home / "evals", url=url)
    run_id = start_run(store, task, config, cases)
    worker = _worker(home, url)
    try:
        evaluate_on_workers(store, run_id, cases, config.recorded())
        evaluate_on_workers(store, run_id, cases, config.recorded())  # resumed: nothing is queued again
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=60)
    assert store.get_run(run_id)["cases_done"] == CASES, errors.decode()
    assert len(store.results(run_id)) == CASES
    shared = PgConnection(url)
    queued = shared.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0]
    assert queued == 0  # each case's one job, deleted when it succeeded; the resumed run queued none
    assert any(r.get("executed") for r in store.results(run_id))  # writes were approved and made in the sandbox
    ledger = shared.execute("SELECT to_regclass('grant_spent') IS NOT NULL").fetchone()[0]
    assert not ledger or shared.execute("SELECT count(*) FROM grant_spent").fetchone()[0] == 0  # none reached it

    local: list[dict[str, Any]] = []
    asyncio.run(solve(cases, config, open_knowledge(home), on_result=local.append))
    assert _compared(store.results(run_id)) == _compared(local)


def test_an_eval_only_worker_commits_without_waiting_and_keeps_the_search_path(shared: tuple[Path, str]) -> None:
    _, url = shared
    store = PgConnection(url, **no_commit_wait(url))
    plain = PgConnection(url)
    assert store.execute("SHOW synchronous_commit").fetchone()[0] == "off"
    assert plain.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    assert store.schema == plain.schema != "public"  # the URL's own options (the search path) are kept

    async def setting(wait: bool) -> str:
        app = make_app(url, wait_for_commits=wait)
        async with app.open_async():
            row = await app.connector.execute_query_one_async("SELECT current_setting('synchronous_commit') AS v")
            return str(row["v"])

    assert asyncio.run(setting(False)) == "off"
    assert asyncio.run(setting(True)) == "on"
