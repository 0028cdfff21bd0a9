"""``missions serve``: the platform over MCP (streamable HTTP), driven by the official MCP client.

One small book, one index and one server (serving the order-exception mission) for the module. Every call is made
as an account (bearer token); the role checks are the runtime's own; the CLI decides through the running server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.store import RunStore
from ai_missions.platform_server import _bound_socket
from ai_missions.services.platform_client import SERVE_FILE
from ai_missions.testing import signed_in_as
from tests.support.platform_serve import missions_serve
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow


home = small_home_fixture("served", lambda home: signed_in_as(home, "ana"))


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[str]:
    with missions_serve(home, "order-exception") as served:
        yield served.server.url
    assert served.returncode == 0, served.stderr
    assert "Traceback" not in served.stderr
    assert not (home / SERVE_FILE).exists(), "a stopped server leaves no announcement behind"


def token(home: Path, name: str) -> str:
    return signed_in_as(home, name)["MISSIONS_TOKEN"]


async def call(url: str, bearer: str | None, tool: str, **arguments: Any) -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else None
    async with (
        httpx.AsyncClient(headers=headers, timeout=120) as http,
        streamable_http_client(url, http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool(tool, arguments)
    if result.isError:
        raise RuntimeError(" ".join(getattr(c, "text", "") for c in result.content))
    structured = result.structuredContent
    assert structured is not None
    return structured.get("result", structured) if set(structured) == {"result"} else structured


def test_lists_its_tools_to_an_mcp_client(server: str, home: Path) -> None:
    import anyio

    async def names() -> set[str]:
        headers = {"Authorization": f"Bearer {token(home, 'omar')}"}
        async with (
            httpx.AsyncClient(headers=headers) as http,
            streamable_http_client(server, http_client=http) as (r, w, _),
            ClientSession(r, w) as session,
        ):
            await session.initialize()
            return {t.name for t in (await session.list_tools()).tools}

    assert {"start_mission", "list_queue", "list_runs", "read_run", "decide"} <= anyio.run(names)


def test_an_unauthenticated_call_is_refused(server: str, home: Path) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_queue", "arguments": {}}}
    headers = {"Accept": "application/json, text/event-stream"}
    assert httpx.post(server, json=body, headers=headers).status_code == 401
    forged = {**headers, "Authorization": "Bearer mst_forged"}
    assert httpx.post(server, json=body, headers=forged).status_code == 401
    assert [e for e in RunStore(home / "runs.sqlite").list_runs(limit=5)] == []  # nothing was started


async def test_a_mission_started_decided_and_executed_once_through_the_server(server: str, home: Path) -> None:
    order_id = story_order_id(home)
    assert order_id is not None
    started = await call(server, token(home, "ana"), "start_mission", mission="order-exception", subject_id=order_id)
    assert started["status"] == "awaiting_decision"
    decision_id = started["decision_id"]
    queue = await call(server, token(home, "omar"), "list_queue")
    assert decision_id in [d["decision_id"] for d in queue]
    # no rule lets customer_care answer a payment release or a reservation: the queue does not list it to cole
    queue = await call(server, token(home, "cole"), "list_queue")
    assert decision_id not in [d["decision_id"] for d in queue]

    # cole (customer_care) may read, not approve a payment release: refused, and the decision stays pending
    with pytest.raises(RuntimeError, match=r"\[ForbiddenError\] cole \(customer_care\) may not approve"):
        await call(server, token(home, "cole"), "decide", decision_id=decision_id, approve=True)
    store = RunStore(home / "runs.sqlite")
    assert store.get_decision(decision_id).status == "pending"

    # the CLI finds the server and decides through it, as the signed-in account
    env = {**os.environ, "MISSIONS_HOME": str(home), **signed_in_as(home, "omar")}
    done = subprocess.run(
        [sys.executable, "-m", "ai_missions.cli", "decide", decision_id, "--approve", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "closed"
    with pytest.raises(RuntimeError, match=r"\[ConflictError\] decision .* already decided by omar"):
        await call(server, token(home, "ana"), "decide", decision_id=decision_id, approve=True)

    run = await call(server, token(home, "cole"), "read_run", run_id=started["run_id"])
    results = [e for e in run["audit"] if e["kind"] == "action_result"]
    assert [e["source"] for e in results] == ["release_payment_hold", "confirm_reservation", "release_to_fulfillment"]
    assert [e["actor"] for e in run["audit"] if e["kind"] == "decision"] == ["omar (ops_lead)"]
    assert {e["kind"] for e in run["explain"]} >= {"observation", "verdict", "decision", "action_result"}


async def test_stdio_serves_a_local_agent_as_the_account_signed_in_where_it_starts(home: Path) -> None:
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {**os.environ, "MISSIONS_HOME": str(home), **signed_in_as(home, "cole")}
    command = ["-m", "ai_missions.cli", "serve", "--transport", "stdio", "--mission", "order-exception"]
    params = StdioServerParameters(command=sys.executable, args=command, env=env)
    store = RunStore(home / "runs.sqlite")
    known = [r["run_id"] for r in store.list_runs(mission="order-exception", limit=50)]
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        runs = await session.call_tool("list_runs", {"mission": "order-exception"})
        assert not runs.isError
        assert [r["run_id"] for r in (runs.structuredContent or {})["result"]] == known
        pending = store.pending_decisions(mission="order-exception", limit=1)
        if pending:  # cole may read, not approve what the ops lead approves
            refused = await session.call_tool("decide", {"decision_id": pending[0].decision_id, "approve": True})
            assert refused.isError


def test_stdio_refuses_to_start_unsigned(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MISSIONS_TOKEN"}
    env["MISSIONS_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "ai_missions.cli", "serve", "--transport", "stdio"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "not signed in" in done.stderr


def test_the_announced_socket_takes_connections_before_the_server_accepts_them() -> None:
    """``serve.json`` is written before uvicorn starts: a client that reads it then is queued, never refused."""
    sock = _bound_socket("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass
    finally:
        sock.close()
