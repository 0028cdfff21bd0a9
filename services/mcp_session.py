"""MCP client sessions whose result validation costs microseconds, not milliseconds.

``mcp`` 1.x (the line langchain-mcp-adapters needs) validates every structured tool result with one-shot
``jsonschema.validate``, which re-checks the schema against the metaschema on every call: ~10 ms a call for our
output schemas. Upstream fixed it in 2.x (modelcontextprotocol/python-sdk#3133) by compiling each validator once;
this session does the same, with ``jsonschema-rs`` (Rust): 1.5 us to validate an order, where a compiled
``jsonschema`` validator takes 180 us. Results are still validated against the tool's output schema.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import cache, partial
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Self, TextIO

import anyio
import jsonschema_rs
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.tools import SYSTEMS_GROUP


class ValidatingClientSession(ClientSession):
    """A ClientSession that compiles each tool's output-schema validator once and reuses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._validators: dict[str, tuple[Any, Any]] = {}

    async def _validate_tool_result(self, name: str, result: types.CallToolResult) -> None:
        if name not in self._tool_output_schemas:
            await self.list_tools()
        schema = self._tool_output_schemas.get(name)
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
async def open_session(connection: Mapping[str, Any]) -> AsyncIterator[ClientSession]:
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


class _Direction:
    """One direction of an in-process session: the messages sent and not yet received, and the receiver waiting.

    Our own in place of the MCP SDK's in-memory transport (``create_client_server_memory_streams``: anyio memory
    object streams), measured: those yield to the event loop on every send and every receive, four times a call, and a
    system's read cost 609-670 us of CPU over them against 548-587 over these (``get_order_context``, 2,000 calls,
    three runs each, turn about). Sending never waits (a session's messages are few and small), and nothing else of
    anyio's streams is used by the SDK's sessions."""

    __slots__ = ("items", "receiving_closed", "sending_closed", "waiter")

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.sending_closed = self.receiving_closed = False

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class _End:
    """An end of a :class:`_Direction`, closed by :meth:`aclose` or on leaving ``async with`` (as the SDK's sessions
    close their streams)."""

    #: The direction's flag this end sets when it closes.
    closes = ""

    def __init__(self, direction: _Direction) -> None:
        self._direction = direction

    async def aclose(self) -> None:
        setattr(self._direction, self.closes, True)
        self._direction.wake()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _Sender(_End):
    """The sending end, as the SDK's sessions use a memory object send stream."""

    closes = "sending_closed"

    async def send(self, item: Any) -> None:
        direction = self._direction
        if direction.sending_closed:
            raise anyio.ClosedResourceError
        if direction.receiving_closed:
            raise anyio.BrokenResourceError
        direction.items.append(item)
        direction.wake()


class _Receiver(_End):
    """The receiving end: an async iterator that ends once the sender closed and every message sent before was
    received."""

    closes = "receiving_closed"

    async def receive(self) -> Any:
        direction = self._direction
        while not direction.items:
            if direction.receiving_closed:
                raise anyio.ClosedResourceError
            if direction.sending_closed:
                raise anyio.EndOfStream
            direction.waiter = asyncio.get_running_loop().create_future()
            try:
                await direction.waiter
            finally:
                direction.waiter = None
        return direction.items.popleft()

    def __aiter__(self) -> _Receiver:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None


def _memory_transport() -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """The client's (read, write) and the server's (read, write) ends of an in-process session."""
    to_server, to_client = _Direction(), _Direction()
    return (_Receiver(to_client), _Sender(to_server)), (_Receiver(to_server), _Sender(to_client))


@asynccontextmanager
async def _in_process(system: str, home: Path) -> AsyncIterator[ClientSession]:
    """A session with ``system`` served on this event loop over in-memory streams (:class:`_Direction`): the same
    protocol, messages, validation and grant checks as over stdio, without a process (and its cold imports) per
    system."""
    # the entry point's import and the server's database open off the loop (file reads, an import)
    server = await anyio.to_thread.run_sync(lambda: system_factory(system)(home, in_process=True))
    lowlevel = server._mcp_server
    try:
        client, served = _memory_transport()
        async with anyio.create_task_group() as tasks:
            options = lowlevel.create_initialization_options()
            tasks.start_soon(partial(lowlevel.run, *served, options, raise_exceptions=False))
            try:
                async with ValidatingClientSession(*client) as session:
                    await session.initialize()
                    yield session
            finally:
                tasks.cancel_scope.cancel()
    finally:
        server.close()
