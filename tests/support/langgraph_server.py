"""``langgraph dev`` started for a test module: on a free port, in a working directory of its own beside the module's
home, with the module's home given relative to it (as ``.missions`` is by default: resolving it must not block the
server's event loop either).

Its own directory because the in-memory server keeps its threads and queued runs in ``.langgraph_api/`` under its
working directory and takes up, when it starts, the runs it finds there: two modules' servers started from the
checkout ran each other's queued runs against their own homes (CI on 2026-11-30: a run of one module held the order
the other module's test then asked for, 409). The checkout's ``langgraph.json`` is written there with its paths made
absolute, nothing else changed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from ai_missions.testing import signed_in_as
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@contextmanager
def langgraph_dev(home: Path) -> Iterator[str]:
    """The server's URL while it runs (its log in ``home/langgraph-dev.log``); stopped on exit."""
    port = free_port()
    workdir = home / "langgraph-dev"
    workdir.mkdir(exist_ok=True)
    config = workdir / "langgraph.json"
    config.write_text(json.dumps(absolute_config(), indent=2))
    relative = os.path.relpath(home, workdir)
    env = {**os.environ, "MISSIONS_HOME": relative, "LANGSMITH_TRACING": "false", "LANGGRAPH_CLI_NO_ANALYTICS": "1"}
    for name in ("MISSIONS_TOKEN", "OPENAI_BASE_URL", "OPENAI_API_KEY"):  # no client's sign-in, no model endpoint
        env.pop(name, None)
    command = [str(Path(sys.executable).parent / "langgraph"), "dev", "--no-browser", "--no-reload"]
    command += ["--port", str(port), "--config", str(config)]
    log = home / "langgraph-dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"langgraph dev did not start: {log.read_text()[-3000:]}")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def absolute_config() -> dict[str, Any]:
    """The checkout's ``langgraph.json`` with its graphs and dependencies named by absolute path (``langgraph dev``
    reads them relative to its working directory)."""
    config = json.loads((ROOT / "langgraph.json").read_text())
    config["dependencies"] = [str((ROOT / dependency).resolve()) for dependency in config["dependencies"]]
    parts = {name: path.partition(":") for name, path in config["graphs"].items()}
    config["graphs"] = {name: f"{(ROOT / file).resolve()}:{graph}" for name, (file, _, graph) in parts.items()}
    return config


def server_fixture() -> Any:
    """A module-scoped ``server`` fixture: ``langgraph dev`` over the module's ``home`` while the module runs, its URL
    (pytest names a fixture after the module attribute that holds it: ``server = server_fixture()``)."""

    @pytest.fixture(scope="module")
    def server(home: Path) -> Iterator[str]:
        with langgraph_dev(home) as url:
            yield url

    return server


def sdk_as(url: str, home: Path, name: str) -> SyncLangGraphClient:
    """LangGraph's SDK on the server at ``url``, signed in as ``name`` (a token of its account)."""
    token = signed_in_as(home, name)["MISSIONS_TOKEN"]
    return get_sync_client(url=url, headers={"Authorization": f"Bearer {token}"})
