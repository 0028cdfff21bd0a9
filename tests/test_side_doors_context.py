"""Issue 42, item 3: the run context came from the client. A customer's ``context`` named ``llm_base_url`` (a
listener on 127.0.0.1: the server posted the mission prompt there with its own ``OPENAI_API_KEY``) and ``home``
(the server made a key and a store in any directory).

The graph's context schema is the client's choice alone (:class:`~ai_missions.nodes.context.ClientContext`: the
reasoner, by name); homes, endpoints, keys and paths come from the server's settings. A context naming anything
else is refused in one line before a step runs, and nothing reaches the listener or the directory named. (Over
LangGraph's HTTP API, ``tests/test_langgraph_server.py`` sends the same.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from ai_missions.integrations.books import stories
from ai_missions.kernel.errors import ForbiddenError, MissionsError, ValidationError
from ai_missions.nodes.context import ClientContext, MissionContext, server_context
from tests.support.listener import Listener
from tests.support.served import served
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow

MISSION = "order-exception"


home = small_home_fixture("context")


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


def graph() -> Any:
    exported = served(MISSION)
    return exported.copy(update={"checkpointer": InMemorySaver()})


ATTEMPTS = {
    "llm_base_url": lambda listener, elsewhere: {"reasoner": "llm", "llm_base_url": listener.url},
    "llm_api_key": lambda listener, elsewhere: {"reasoner": "llm", "llm_api_key": "sk-the-clients"},
    "llm_model": lambda listener, elsewhere: {"reasoner": "llm", "llm_model": "an-expensive-one"},
    "home": lambda listener, elsewhere: {"home": str(elsewhere)},
    "allowed_domains": lambda listener, elsewhere: {"allowed_domains": ["finance", "hr"]},
    "systems": lambda listener, elsewhere: {"systems": {"call": "x"}},
    "all of them": lambda listener, elsewhere: {
        "reasoner": "llm", "llm_base_url": listener.url, "llm_api_key": "k", "home": str(elsewhere)
    },
}  # fmt: skip


@pytest.mark.attack("42.3")
@pytest.mark.parametrize("field", list(ATTEMPTS))
async def test_a_clients_context_naming_a_server_setting_is_refused_before_anything_runs(
    home: Path, tmp_path: Path, listener: Listener, field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(home))  # the server's setting
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-servers-own")  # what the attacker wanted posted to their listener
    elsewhere = tmp_path / "elsewhere"
    subject = stories(home)[MISSION]
    mission_graph = graph()
    config = {"configurable": {"thread_id": f"context-{field}"}}
    with pytest.raises(ForbiddenError, match="a run's context may not set") as refused:
        await mission_graph.ainvoke({"subject_id": subject}, config, context=ATTEMPTS[field](listener, elsewhere))
    assert "\n" not in str(refused.value)
    assert "server's settings" in str(refused.value)
    assert (await mission_graph.aget_state(config)).values == {}  # no step ran
    assert listener.received == []
    assert not elsewhere.exists()


@pytest.mark.attack("42.3")
async def test_the_reasoner_a_client_chooses_runs_on_the_servers_endpoint_only(
    home: Path, tmp_path: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's one choice, the reasoner: the llm reasoner then reaches the endpoint of the server's settings
    (here none is set: the run says so in one line), never one the client names."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    subject = stories(home)[MISSION]
    with pytest.raises(MissionsError, match="needs an endpoint: set OPENAI_BASE_URL"):
        await graph().ainvoke(
            {"subject_id": subject}, {"configurable": {"thread_id": "llm-no-endpoint"}}, context={"reasoner": "llm"}
        )
    assert listener.received == []
    monkeypatch.setenv("OPENAI_BASE_URL", listener.url)  # the server's own setting: used
    config = {"configurable": {"thread_id": "llm-servers-endpoint"}}
    with contextlib.suppress(Exception):  # the listener is no chat model: the run escalates or fails
        await graph().ainvoke({"subject_id": subject}, config, context={"reasoner": "llm"})
    assert listener.received
    assert listener.received[0].startswith(b"POST /v1/chat/completions")


def test_the_context_schema_offers_a_client_the_reasoner_alone() -> None:
    schema = graph().get_context_jsonschema()
    assert set(schema["properties"]) == {"reasoner"}
    assert schema["properties"]["reasoner"]["enum"] == ["offline", "llm"]
    assert server_context({"reasoner": "llm"}) == MissionContext(reasoner="llm")
    assert server_context(ClientContext(reasoner="llm")).reasoner == "llm"
    assert server_context(None) == MissionContext()
    mine = MissionContext(home="/srv/missions")  # the server's own process: as it is
    assert server_context(mine) is mine
    with pytest.raises(ValidationError, match="reasoner must be one of offline, llm"):
        server_context({"reasoner": "gpt-5"})
