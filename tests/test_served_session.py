"""A system served in this process answers as over the SDK's sessions: errors, copies, _meta and output checks.

:class:`~ai_missions.services.mcp_session.ServedSession` hands each request to the server's own tool handling
instead of framing it as JSON-RPC; these are the parts of a session that framing used to give for free.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest
from mcp.server.fastmcp import Context, FastMCP
from mcp.shared.memory import create_connected_server_and_client_session
from pydantic import BaseModel

from ai_missions.services.mcp_session import ServedSession


class Count(BaseModel):
    n: int


def _server() -> tuple[FastMCP, list[Any]]:
    server = FastMCP("counter")
    seen: list[Any] = []

    @server.tool(structured_output=True)
    def count(items: list[str]) -> Count:
        seen.append(items)
        items.append("added by the server")  # a server that changes what it was sent changes only its copy
        return Count(n=len(items) - 1)

    @server.tool()
    def explode() -> str:
        raise RuntimeError("the mainframe is on fire")

    @server.tool()
    def grant(ctx: Context) -> str:  # type: ignore[type-arg]
        meta = ctx.request_context.meta
        return str((meta.model_extra or {}).get("grant") if meta is not None else None)

    return server, seen


async def test_a_call_crosses_a_json_boundary_and_is_checked_against_its_output_schema() -> None:
    server, seen = _server()
    session = ServedSession(server)
    sent = ["a", "b"]
    result = await session.call_tool("count", {"items": sent})
    assert not result.isError
    assert result.structuredContent == {"n": 2}
    assert sent == ["a", "b"]
    assert seen[0] is not sent  # the server got a copy
    names = {tool.name for tool in (await session.list_tools()).tools}
    assert names == {"count", "explode", "grant"}
    session._schemas["count"] = {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}
    with pytest.raises(RuntimeError, match=r"^Invalid structured content returned by tool count: "):
        await session.call_tool("count", {"items": []})


async def test_a_tool_that_raises_or_bad_input_is_an_error_result() -> None:
    session = ServedSession(_server()[0])
    failed = await session.call_tool("explode", {})
    assert failed.isError
    assert "the mainframe is on fire" in failed.content[0].text  # type: ignore[union-attr]
    malformed = await session.call_tool("count", {"items": "not a list"})
    assert malformed.isError
    unknown = await session.call_tool("no_such_tool", {})
    assert unknown.isError


async def test_the_request_meta_reaches_the_server_and_ends_with_the_call() -> None:
    session = ServedSession(_server()[0])
    granted = await session.call_tool("grant", {}, meta={"grant": {"token": "g-1"}})
    assert granted.structuredContent == {"result": "{'token': 'g-1'}"}
    bare = await session.call_tool("grant", {})
    assert bare.structuredContent == {"result": "None"}  # the last call's _meta did not stay behind
    info = await session.initialize()
    assert info.serverInfo.name == "counter"
    assert info.capabilities.tools is not None


async def test_it_answers_what_the_sdks_own_session_answers() -> None:
    """The same calls through the SDK's client over its in-memory transport and through a ServedSession: the same
    results, errors included (content, structured content, isError)."""
    calls: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
        ("count", {"items": ["a"]}, None),
        ("count", {"items": 3}, None),
        ("explode", {}, None),
        ("no_such_tool", {}, None),
        ("grant", {}, {"grant": {"token": "g-2"}}),
    ]
    served = ServedSession(_server()[0])
    async with create_connected_server_and_client_session(_server()[0]) as sdk:
        for name, arguments, meta in calls:
            theirs = await sdk.call_tool(name, arguments, meta=meta)
            ours = await served.call_tool(name, arguments, meta=meta)
            assert ours.model_dump() == theirs.model_dump(), name
        assert [t.model_dump() for t in (await served.list_tools()).tools] == [
            t.model_dump() for t in (await sdk.list_tools()).tools
        ]


async def test_a_caller_that_stops_waiting_does_not_stop_the_server_and_closing_ends_what_is_in_flight() -> None:
    server = FastMCP("slow")
    landed: list[str] = []

    @server.tool()
    async def write(what: str, seconds: float) -> str:
        await asyncio.sleep(seconds)
        landed.append(what)
        return what

    session = ServedSession(server)
    with pytest.raises(TimeoutError):
        with anyio.fail_after(0.05):
            await session.call_tool("write", {"what": "late", "seconds": 0.2})
    assert landed == []
    await asyncio.sleep(0.3)
    assert landed == ["late"]  # as on a server elsewhere: the write the caller gave up on still landed
    with pytest.raises(TimeoutError):
        with anyio.fail_after(0.05):
            await session.call_tool("write", {"what": "never", "seconds": 5})
    await session.aclose()  # as the SDK's server does when its transport closes: what is in flight is cancelled
    await asyncio.sleep(0.1)
    assert landed == ["late"]
