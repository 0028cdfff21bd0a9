"""Issue 60, item 11: docs/langgraph.md gave no working Agent Inbox or Studio set-up with a token. This follows the
page's steps as far as they go without a browser, against a running ``langgraph dev``:

- **Agent Inbox** sends one header, its "LangSmith API key" setting, as ``x-api-key`` (``@langchain/langgraph-sdk``'s
  ``apiKey``): a missions token put there signs it in as its account. The inbox's own calls follow: a thread search
  by ``graph_id``, the thread's interrupts, and ``runs.create(..., command={"resume": [...]})`` for "accept".
- **Studio** sends no header of ours (its LangSmith sign-in names no account, and ``langgraph.json`` turns it off):
  pointed at ``missions langgraph-proxy`` it reads and starts missions as the account signed in there, and the same
  calls sent straight to the server are refused (401).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_sync_client

from ai_missions.cli.account_commands import DEMO_PASSWORD
from ai_missions.kernel.store import RunStore
from tests.support.langgraph_server import server_fixture
from tests.support.ports import free_port
from tests.support.small_home import demo_home_fixture
from tests.test_langgraph_server_auth import MISSION, as_, capture_orders, free_orders
from tests.test_side_doors import missions

pytestmark = pytest.mark.slow

home = demo_home_fixture("langgraph-clients")
#: What Studio adds to each request to a local server (its own sign-in, which names no account).
STUDIO = {"x-auth-scheme": "langsmith"}


server = server_fixture()


def login(home: Path, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """``missions login NAME`` as the page says, then the token the way it reads it: from credentials.json."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_PASSWORD + "\n"))
    code, _, err = missions(capsys, "login", name, "--password-stdin")
    assert code == 0, err
    return str(json.loads((home / "credentials.json").read_text())["token"])


def test_60_11_agent_inbox_with_a_token_as_its_api_key_answers_as_that_account(
    server: str, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    omar = as_(server, home, "omar")
    order_id = next(capture_orders(home))  # a capture above the ops lead's limit: finance's to approve
    thread = omar.threads.create()
    omar.runs.wait(thread["thread_id"], MISSION, input={"subject_id": order_id})

    token = login(home, "fiona", capsys, monkeypatch)
    inbox = get_sync_client(url=server, api_key=token)  # Agent Inbox: deployment URL, graph id, "LangSmith API key"
    assert get_sync_client(url=server, api_key="lsv2_pt_not_ours")  # a LangSmith key signs nobody in:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        get_sync_client(url=server, api_key="lsv2_pt_not_ours").threads.search(metadata={"graph_id": MISSION})
    assert refused.value.response.status_code == 401
    found = inbox.threads.search(metadata={"graph_id": MISSION}, status="interrupted", limit=100)
    mine = next(t for t in found if t["thread_id"] == thread["thread_id"])
    (interrupt,) = next(iter(mine["interrupts"].values()))
    (request,) = interrupt["value"]
    assert request["action_request"]["action"] == "capture_payment"
    assert request["metadata"]["roles"] == ["finance"]
    run = inbox.runs.create(thread["thread_id"], MISSION, command={"resume": [{"type": "accept"}]})
    inbox.runs.join(thread["thread_id"], run["run_id"])
    decision = RunStore(home / "runs.sqlite").get_decision(request["metadata"]["decision_id"])
    assert (decision.status, decision.decided_by) == ("decided", "fiona")


@pytest.fixture
def proxy(
    server: str, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``missions langgraph-proxy --port P`` as the page says, signed in as omar (an ops lead)."""
    login(home, "omar", capsys, monkeypatch)
    port = free_port()
    env = {**os.environ, "MISSIONS_HOME": str(home)}
    command = [sys.executable, "-m", "ai_missions.cli", "langgraph-proxy", "--port", str(port), "--server", server]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                httpx.get(f"{url}/ok", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        said = process.communicate(timeout=30)[0]
        assert "as omar (ops_lead)" in said, said
        assert f"baseUrl=http://127.0.0.1:{port}" in said, said


def test_60_11_studio_through_the_proxy_reads_and_starts_as_the_signed_in_account(
    server: str, proxy: str, home: Path
) -> None:
    studio = get_sync_client(url=proxy, headers=STUDIO)  # what Studio sends: no token of ours
    direct = get_sync_client(url=server, headers=STUDIO)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        direct.assistants.search(graph_id=MISSION)
    assert refused.value.response.status_code == 401
    assert httpx.get(f"{proxy}/info", headers=STUDIO, timeout=30).status_code == 200
    graphs = {a["graph_id"] for a in studio.assistants.search(limit=20)}
    assert MISSION in graphs
    order_id = next(o for o in free_orders(home) if o not in set(capture_orders(home)))
    thread = studio.threads.create()
    chunks = list(studio.runs.stream(thread["thread_id"], MISSION, input={"subject_id": order_id}))
    assert chunks  # streamed through the proxy as Studio reads a run
    created = RunStore(home / "runs.sqlite").list_runs(mission=MISSION, subject_id=order_id, limit=1)
    assert created, "the run started through the proxy"
    assert studio.threads.get(thread["thread_id"])["metadata"]["owner"] == "omar"
    forged = get_sync_client(url=proxy, headers={**STUDIO, "Authorization": "Bearer mst_forged"})
    assert forged.threads.get(thread["thread_id"])["metadata"]["owner"] == "omar"  # the proxy's token, not theirs
