"""MCP client sessions whose result validation costs microseconds, not milliseconds.

``mcp`` 1.x (the line langchain-mcp-adapters needs) validates every structured tool result with one-shot
``jsonschema.validate``, which re-checks the schema against the metaschema on every call: ~10 ms a call for our
output schemas. Upstream fixed it in 2.x (modelcontextprotocol/python-sdk#3133) by compiling each validator once;
this session does the same, with ``jsonschema-rs`` (Rust): 1.5 us to validate an order, where a compiled
``jsonschema`` validator takes 180 us. Results are still validated against the tool's output schema.

A system served in this process is reached through :class:`ServedSession`, which hands each request to the
server's own tool handling rather than framing it as JSON-RPC (a quarter of the CPU a call cost).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from importlib.metadata import EntryPoint, entry_points, version
from pathlib import Path
from typing import Any, TextIO

import anyio
import jsonschema_rs
import orjson
import pydantic_core
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client
from mcp.server.lowlevel.server import request_ctx
from mcp.shared.context import RequestContext

from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.tools import SYSTEMS_GROUP


class _OutputCheck:
    """Each tool's output-schema validator, compiled once (``jsonschema-rs``) and kept while the schema is the one
    listed."""

    def __init__(self) -> None:
        self._validators: dict[str, tuple[Any, Any]] = {}

    def check(self, name: str, schema: dict[str, Any] | None, result: types.CallToolResult) -> None:
        """RuntimeError, as the SDK's client raises it, when ``result`` breaks ``schema``."""
        if schema is None:
            return
        if result.structuredContent is None:
            raise RuntimeError(f"Tool {name} has an output schema but did not return structured content")
        cached = self._validators.get(name)
        if cached is None or cached[0] is not schema:  # a new listing may bring a new schema
            try:
                cached = (schema, jsonschema_rs.validator_for(schema))
            except (ValueError, jsonschema_rs.ReferencingError) as exc:  # type: ignore[misc]  # 0.44 (langgraph-api) stubs it as no exception
                raise RuntimeError(f"Tool {name} declares an invalid output schema: {exc}") from exc
            self._validators[name] = cached
        try:
            cached[1].validate(result.structuredContent)
        except jsonschema_rs.ValidationError as exc:
            raise RuntimeError(f"Invalid structured content returned by tool {name}: {exc.message}") from exc


class ValidatingClientSession(ClientSession):
    """A ClientSession that compiles each tool's output-schema validator once and reuses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._output = _OutputCheck()

    async def _validate_tool_result(self, name: str, result: types.CallToolResult) -> None:
        if name not in self._tool_output_schemas:
            await self.list_tools()
        self._output.check(name, self._tool_output_schemas.get(name), result)


@contextmanager
def _server_stderr(connection: Mapping[str, Any]) -> Iterator[TextIO]:
    """Where a stdio server's stderr goes: ours when it is a real file, else a log beside the book (Jupyter's
    stderr has no file descriptor to hand to a subprocess)."""
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        home = Path((connection.get("env") or {}).get("MISSIONS_HOME") or tempfile.gettempdir())
        (home / "logs").mkdir(parents=True, exist_ok=True)
        with open(home / "logs" / "mcp-servers.log", "a", encoding="utf-8") as log:
            yield log
    else:
        yield sys.stderr


@asynccontextmanager
async def open_session(connection: Mapping[str, Any]) -> AsyncIterator[ToolSession]:
    """An initialized session over a langchain-mcp-adapters style connection (stdio, streamable HTTP, or
    ``{"transport": "in_process", "system": ..., "home": ...}``)."""
    transport = connection["transport"]
    if transport == "stdio":
        params = StdioServerParameters(
            command=connection["command"],
            args=list(connection.get("args", [])),
            env=connection.get("env"),
            cwd=connection.get("cwd"),
        )
        with _server_stderr(connection) as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write), ValidatingClientSession(read, write) as s:
                await s.initialize()
                yield s
    elif transport == "in_process":
        async with _in_process(connection["system"], Path(connection["home"])) as session:
            yield session
    elif transport in ("streamable_http", "streamable-http", "http"):
        http = streamablehttp_client(connection["url"], headers=connection.get("headers"))
        async with http as (read, write, _), ValidatingClientSession(read, write) as session:
            await session.initialize()
            yield session
    else:
        raise ValueError(f"unsupported MCP transport {transport!r}")


@cache
def _registered_systems() -> Mapping[str, EntryPoint]:
    """The ``ai_missions.systems`` entry points by name, read once a process: a scan reads every installed
    distribution's metadata, every session a mission opens looked its system up, and what is installed does not
    change while a process runs."""
    return {ep.name: ep for ep in entry_points(group=SYSTEMS_GROUP)}


def system_factory(system: str) -> Callable[..., Any]:
    """The registered ``build`` of ``system`` (entry point group ``ai_missions.systems``)."""
    found = _registered_systems()
    if system not in found:
        raise ValidationError(f"no system named {system!r} is registered; registered: {', '.join(sorted(found))}")
    factory: Callable[..., Any] = found[system].load()
    return factory


class ServedSession:
    """A session with a system served in this process: each request goes to the server's own tool handling
    (FastMCP's ``list_tools`` and ``call_tool``, the system's grant checks with it), as the SDK's server dispatches a
    request it has read, and each result is checked against the tool's output schema, as the client checks it.

    Our own in place of a ``ClientSession`` over in-memory streams, measured: over the SDK's sessions (on deques in
    place of anyio's memory streams, our last version) a system read cost 248 us of CPU, most of it the JSON-RPC
    framing (pydantic models dumped and validated on each side, a response stream per request); here 80 us, of
    which 56 are the server's own ``call_tool`` and ~20 the request's task (``get_order``, 2,000 calls, one
    process, three runs).

    A request still crosses a JSON boundary (arguments and the approval grant in ``_meta`` are copied as JSON), a
    tool that raises answers an error result as the SDK's server makes it, the ``_meta`` of the request is where the
    server reads it (the SDK's request context), and each request is handled in a task of its own, as the SDK's
    server handles it: a caller's timeout abandons the wait, not the write. Progress and read timeouts are the
    caller's (the gateway bounds each call); stdio and HTTP keep the SDK's sessions."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._schemas: dict[str, dict[str, Any] | None] = {}
        self._output = _OutputCheck()
        self._requests = itertools.count(1)
        self._handling: set[asyncio.Task[types.CallToolResult]] = set()

    async def initialize(self) -> types.InitializeResult:
        """What the server would answer an ``initialize``: its name and instructions, and that it serves tools."""
        return types.InitializeResult(
            protocolVersion=types.LATEST_PROTOCOL_VERSION,
            capabilities=types.ServerCapabilities(tools=types.ToolsCapability(listChanged=False)),
            serverInfo=types.Implementation(name=self._server.name, version=version("mcp")),
            instructions=self._server.instructions,
        )

    async def list_tools(
        self, cursor: str | None = None, *, params: types.PaginatedRequestParams | None = None
    ) -> types.ListToolsResult:
        """Every tool on one page (the server lists them all at once)."""
        tools = await self._server.list_tools()
        self._schemas = {tool.name: tool.outputSchema for tool in tools}
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        read_timeout_seconds: Any = None,
        progress_callback: Any = None,
        *,
        meta: dict[str, Any] | None = None,
    ) -> types.CallToolResult:
        """The tool's result, as the SDK's client returns it; RuntimeError when it breaks the output schema."""
        request_meta = types.RequestParams.Meta.model_validate(_as_json(meta)) if meta else None
        request = self._handle(name, _as_json(arguments or {}), next(self._requests), request_meta)
        handling = asyncio.get_running_loop().create_task(request)
        self._handling.add(handling)
        handling.add_done_callback(self._handling.discard)
        answer = await asyncio.shield(handling)  # a caller that stops waiting (its timeout) does not stop the server
        if not answer.isError:
            if name not in self._schemas:
                await self.list_tools()
            self._output.check(name, self._schemas.get(name), answer)
        return answer

    async def _handle(
        self, name: str, arguments: dict[str, Any], request_id: int, meta: types.RequestParams.Meta | None
    ) -> types.CallToolResult:
        """One request as the server handles it: in a task of its own, as the SDK's server runs each, so that a
        write a caller gave up waiting for still lands (or fails) as it would on a server elsewhere, and with the
        request's ``_meta`` in the SDK's request context, where the server reads the approval grant."""
        no_session: Any = None  # the tools read the request's _meta, never its session
        request_ctx.set(RequestContext(request_id, meta, no_session, None))  # this task's own context
        try:
            return _as_result(await self._server.call_tool(name, arguments))
        except Exception as exc:  # as the SDK's server answers a tool that raised
            return types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))], isError=True)

    async def aclose(self) -> None:
        """Cancel what the server is still handling and wait for it, as the SDK's server does when its transport
        closes (a tool's SQLite work on a worker thread finishes first)."""
        for handling in self._handling:
            handling.cancel()
        await asyncio.gather(*self._handling, return_exceptions=True)


#: A session the gateway holds: the SDK's client over stdio or HTTP, or one with a system served in this process.
ToolSession = ClientSession | ServedSession


def _as_json(value: Any) -> Any:
    """``value`` as the other side of a JSON-RPC message reads it: a copy, JSON's types only."""
    return orjson.loads(pydantic_core.to_json(value))


def _as_result(results: Any) -> types.CallToolResult:
    """What a FastMCP ``call_tool`` returned, as the SDK's server turns it into a ``tools/call`` result."""
    if isinstance(results, types.CallToolResult):
        return results
    if isinstance(results, tuple) and len(results) == 2:
        content, structured = results
        return types.CallToolResult(content=list(content), structuredContent=structured, isError=False)
    if isinstance(results, dict):
        text = types.TextContent(type="text", text=json.dumps(results, indent=2))
        return types.CallToolResult(content=[text], structuredContent=results, isError=False)
    return types.CallToolResult(content=list(results), isError=False)


@asynccontextmanager
async def _in_process(system: str, home: Path) -> AsyncIterator[ServedSession]:
    """A session with ``system`` served in this process (:class:`ServedSession`): the same tools, validation and
    grant checks as over stdio, without a process (and its cold imports) per system."""
    # the entry point's import and the server's database open off the loop (file reads, an import)
    server = await anyio.to_thread.run_sync(lambda: system_factory(system)(home, in_process=True))
    session = ServedSession(server)
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):  # closing while cancelled: the calls in flight end first
            await session.aclose()
        server.close()
