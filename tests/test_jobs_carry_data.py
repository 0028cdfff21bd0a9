"""Issue 59, item 4: an eval job in the Postgres queue chose the model endpoint. ``eval_case`` built its config from
the job's arguments, so a queued job sent the worker's ``OPENAI_API_KEY`` and the case's facts to a listener. A job
carries data, never configuration: the endpoint, key and model come from the worker's settings only, and a job
naming one (an eval job's config, a trigger job's arguments) is refused in one line, before anything runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.cli.workers import JOB_CONFIG, ensure_schema, eval_case, job_config, make_app, start_mission
from ai_missions.evals.harness import Task
from ai_missions.evals.solve import EvalConfig
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.errors import ForbiddenError
from tests.support.built_index import built_index
from tests.support.listener import Listener
from tests.support.postgres import fresh_schema

#: What a hostile job names beside its data: the endpoint (a listener of the attacker's), a key, a model, a home.
NAMED = {
    "llm_base_url": "LISTENER",
    "llm_model": "attacker-model",
    "openai_api_key": "sk-attacker",
    "home": "/tmp/elsewhere",
}


@pytest.fixture
def listener() -> Iterator[Listener]:
    served = Listener()
    try:
        yield served
    finally:
        served.close()


def hostile(listener: Listener, name: str) -> dict[str, object]:
    data = {**EvalConfig(mission="order-exception", reasoner="llm").recorded()}
    data = {k: v for k, v in data.items() if k in JOB_CONFIG}
    return {**data, name: NAMED[name].replace("LISTENER", listener.url)}


@pytest.mark.attack("59.4")
@pytest.mark.parametrize("name", sorted(NAMED))
def test_an_eval_job_naming_configuration_is_refused_in_one_line_before_anything_runs(
    listener: Listener, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-workers-own")
    case = Task.of("order-exception", None).cases(limit=1)[0].to_line()
    assert asyncio.run(eval_case("E-1", case, hostile(listener, name))) == "refused"
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"eval job of run E-1 refused: an eval job may not set {name}: endpoints, keys, models and paths" in err
    assert listener.received == []
    with pytest.raises(ForbiddenError):
        job_config(hostile(listener, name))
    assert job_config({k: v for k, v in hostile(listener, name).items() if k != name})  # its data alone passes


@pytest.mark.attack("59.4")
def test_a_trigger_job_naming_configuration_or_an_unknown_reasoner_is_refused_in_one_line(
    listener: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    job = {"mission": "order-exception", "subject_id": "SO-100001", "run_id": "R-1", "found_at": "2026-01-01"}
    trigger = {"source": "scan", "subject_id": "SO-100001", "case_types": []}
    refused = start_mission(**job, trigger=trigger, reasoner="llm", llm_base_url=listener.url)  # type: ignore[arg-type]
    assert refused == "refused"
    assert "may not set llm_base_url" in capsys.readouterr().err
    assert start_mission(**job, trigger=trigger, reasoner="remote") == "refused"  # type: ignore[arg-type]
    assert "reasoner 'remote' is not one of offline, llm" in capsys.readouterr().err
    assert listener.received == []


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.attack("59.4")
def test_a_hostile_eval_job_in_the_postgres_queue_reaches_no_listener(
    listener: Listener, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The issue's attack as it was made: jobs queued straight into the shared database, naming the endpoint, the
    key and a home; a worker with its own ``OPENAI_API_KEY`` takes them. Each is refused in one line on the
    worker's log and ends (not retried); the listener hears nothing."""
    with fresh_schema() as url:
        home = tmp_path / "home"
        built_index(tmp_path_factory, home)
        cases = Task.of("order-exception", None).cases(limit=1)

        async def queue() -> None:
            app = make_app(url)
            async with app.open_async():
                await ensure_schema(app, url)
                task = app.configure_task("missions:eval_case")
                line = cases[0].to_line()
                for name in sorted(NAMED):
                    await task.defer_async(eval_run="E-hostile", case=line, config=hostile(listener, name))

        asyncio.run(queue())
        env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_DATABASE_URL": url, "OPENAI_API_KEY": "sk-own"}
        env["MISSIONS_WORKER_HEARTBEAT_S"] = "1"
        command = [sys.executable, "-m", "ai_missions.cli", "worker", "--queue", "evals"]
        worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        db = PgConnection(url)
        try:
            deadline = time.monotonic() + 120
            while db.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0] and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            worker.terminate()
            _, errors = worker.communicate(timeout=60)
        left = db.execute("SELECT count(*) FROM procrastinate_jobs").fetchone()[0]
        assert left == 0, errors.decode()[-3000:]
        refusals = [line for line in errors.decode().splitlines() if "refused: an eval job may not set" in line]
        assert len(refusals) == len(NAMED), errors.decode()[-3000:]
        assert listener.received == []
