"""LangGraph's own server runs the missions unchanged: ``langgraph dev`` from the project's dependencies (no
``--allow-blocking``), signed in with the platform's tokens (``langgraph.json``'s auth). A mission run through its
API is recorded in the run store and listed by ``missions queue``; an Agent Inbox "accept" sent by an
authenticated reviewer approves it as the queue would (the reviewer's role of record, grants, execution), while a
request without a token is refused and ``missions decide`` points to the server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from langgraph_sdk import get_sync_client

from ai_missions.cli import main
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.store import RunStore
from ai_missions.testing import signed_in_as
from tests.support.langgraph_server import server_fixture
from tests.support.listener import Listener
from tests.support.small_home import demo_home_fixture

pytestmark = pytest.mark.slow


home = demo_home_fixture("langgraph-server")


server = server_fixture()


def client(url: str, home: Path, reviewer: str | None) -> object:
    headers = {"Authorization": f"Bearer {signed_in_as(home, reviewer)['MISSIONS_TOKEN']}"} if reviewer else {}
    return get_sync_client(url=url, headers=headers)


def test_a_mission_run_on_the_server_is_queued_and_approved_by_an_authenticated_reviewer(
    server: str, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    anonymous = get_sync_client(url=server)
    with pytest.raises(httpx.HTTPStatusError) as refused:
        anonymous.threads.create()
    assert refused.value.response.status_code in (401, 403)

    omar = client(server, home, "omar")
    order_id = story_order_id(home)
    thread = omar.threads.create()  # type: ignore[attr-defined]
    omar.runs.wait(thread["thread_id"], "order-exception", input={"subject_id": order_id})  # type: ignore[attr-defined]
    state = omar.threads.get_state(thread["thread_id"])  # type: ignore[attr-defined]
    request = state["tasks"][0]["interrupts"][0]["value"]
    decision_id = request[0]["metadata"]["decision_id"]

    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    capsys.readouterr()
    assert main(["queue", "--json"]) == 0
    queued = {d["decision_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert queued[decision_id]["run_id"] == thread["thread_id"]
    assert queued[decision_id]["needs"] == "ops_agent or ops_lead"
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, "omar")["MISSIONS_TOKEN"])
    assert main(["decide", decision_id, "--approve"]) == 2  # its checkpoint is on the server: answered there
    assert "LangGraph's server" in capsys.readouterr().err

    # Agent Inbox's answer: a bare list of responses, sent by the signed-in ops lead
    accept = [{"type": "accept"} for _ in request]
    omar.runs.wait(thread["thread_id"], "order-exception", command={"resume": accept})  # type: ignore[attr-defined]
    final = omar.threads.get_state(thread["thread_id"])  # type: ignore[attr-defined]
    assert final["values"]["status"] == "closed", final["values"].get("status")
    assert {r["status"] for r in final["values"]["results"]} == {"done"}
    store = RunStore(home / "runs.sqlite")
    decided = store.get_decision(decision_id)
    assert (decided.status, decided.decided_by, decided.reviewer_role) == ("decided", "omar", "ops_lead")
    assert store.get_run(thread["thread_id"])["status"] == "closed"


@pytest.mark.attack("42.3")
def test_a_clients_context_names_no_endpoint_key_or_home_on_the_server(server: str, home: Path, tmp_path: Path) -> None:
    """Issue 42, item 3, over HTTP: a run's ``context`` naming an endpoint (a listener of the attacker's), a key and
    a home. The server's context schema offers the reasoner alone, and its auth refuses such a start in one line
    before a run is recorded: nothing is posted to the listener, nothing is created in the home named, and the
    ``llm`` reasoner on a server without an endpoint is refused the same way (no ``failed`` run left behind)."""
    elsewhere = tmp_path / "elsewhere"
    subject = next(r.order_id for r in scan_exceptions(home) if r.order_id != story_order_id(home))
    omar = client(server, home, "omar")
    with Listener() as listener:
        context = {"reasoner": "llm", "llm_base_url": listener.url, "llm_api_key": "sk-x", "home": str(elsewhere)}
        thread = omar.threads.create()  # type: ignore[attr-defined]
        start = {"subject_id": subject}
        with pytest.raises(httpx.HTTPStatusError) as refused:
            omar.runs.wait(thread["thread_id"], "order-exception", input=start, context=context)  # type: ignore[attr-defined]
        with pytest.raises(httpx.HTTPStatusError) as no_endpoint:  # the server is started without OPENAI_BASE_URL
            omar.runs.wait(thread["thread_id"], "order-exception", input=start, context={"reasoner": "llm"})  # type: ignore[attr-defined]
        assistant = omar.assistants.search(graph_id="order-exception")[0]["assistant_id"]  # type: ignore[attr-defined]
        schema = omar.assistants.get_schemas(assistant)["context_schema"]  # type: ignore[attr-defined]
        received = list(listener.received)
    said = refused.value.response
    assert said.status_code == 403, said.text
    assert "may not set home, llm_api_key, llm_base_url" in said.text
    assert no_endpoint.value.response.status_code == 422, no_endpoint.value.response.text
    assert received == []
    assert not elsewhere.exists()
    assert set(schema["properties"]) == {"reasoner"}
    assert RunStore(home / "runs.sqlite").list_runs(status="failed") == []
    print(f"\nissue 42.3 over HTTP: a start with a client's endpoint, key and home refused: {said.text[:300]}")
