"""Persistent MCP sessions to the enterprise systems, shared by every mission in a process.

``MultiServerMCPClient.get_tools()`` opens a new session (a new server process over stdio) per tool call; here each
system gets one session, opened once (all at once) and reused, and its tools are listed once (name, system, input
schema). The missions' calls go straight to the session (``ClientSession.call_tool``): the LangChain tool wrapper
adds ~0.5 ms of callbacks and signature inspection to every call and nothing a node needs, and wrapping the tools
when a session opens would import LangChain, which a refusal before a run must not wait for.
:meth:`SystemsGateway.langchain_tools` wraps them (``load_mcp_tools``) for an agent that binds them to a model.
Each session lives in its own task so it is closed by the task that opened it. Connections use the adapters'
connection format (:mod:`ai_missions.services.connections`).

A ``lazy`` gateway starts no server when it opens: each system's session starts on the first call to one of its
tools (or :meth:`SystemsGateway.open_for`) and stays open after. A decision that executes two writes of one
system then spawns one server, not the mission's five (a process start and an import of the simulator each).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import anyio

from ai_missions.contracts import tools_by_name
from ai_missions.kernel.errors import MissionsError, NotFoundError

if TYPE_CHECKING:  # the MCP stack is imported when a first session opens: a decision that writes nowhere (a
    # rejection) never pays for it (~0.2 s of a cold `missions decide`)
    from langchain_core.tools import BaseTool
    from langchain_mcp_adapters.sessions import Connection
    from mcp import ClientSession, types

    from ai_missions.services.mcp_session import ToolSession


class SystemError_(MissionsError):
    """A call that failed with an answer: the system refused it, or it failed part-way (its outcome is in doubt).

    ``code`` is the system's error code (``invalid_argument``, ``conflict``, ``not_found``, ``forbidden``,
    ``error``, ``internal_error``...), or ``in_doubt`` for an answer the gateway cannot read as the system's own
    (a result that breaks the tool's output schema, an MCP error code it does not know). ``refused`` says nothing
    was written: only then may a write be recorded failed; any other failure of a write is read back by its
    idempotency key (:func:`ai_missions.nodes.execute.call_write`). By default only ``internal_error`` is not a
    refusal (the system's own error answers); the gateway passes ``refused`` for what it classifies itself.
    """

    def __init__(self, message: str, code: str = "error", *, refused: bool | None = None) -> None:
        super().__init__(message)
        self.code = code
        #: The system said no (nothing was written), as opposed to failing part-way or answering unreadably.
        self.refused = code != "internal_error" if refused is None else refused


class SystemUnavailable(MissionsError):
    """A system did not answer (down, crashed or slower than the timeout)."""


class _TransportGone(Exception):
    """The transport under a session is gone (refused, closed, or the server no longer knows the session)."""


#: How long closing waits for the sessions to end on their own (a DELETE to an HTTP server, a stdio server's
#: exit) before it cancels them: a dead or hung system must not hold a closing process.
CLOSE_GRACE_S = 2.0
#: The code of a failure the gateway cannot read as the system's own answer: a write's outcome is in doubt.
IN_DOUBT = "in_doubt"
#: The MCP client's answer when a restarted HTTP server does not know the session id (a 404).
_SESSION_TERMINATED = 32600

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Opening:
    """One session being opened: ``done`` once it is open or could not open (``error`` says why); ``scope`` is the
    holder task's, cancelled when the caller stops waiting (and later, to end the session: :meth:`_Held.drop`)."""

    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    done: anyio.Event = field(default_factory=anyio.Event)
    error: BaseException | None = None


@dataclass(eq=False)
class _Held:
    """One system's open session and what ends it: its holder task's scope and the calls in flight on it."""

    session: ToolSession
    scope: anyio.CancelScope
    calls: set[anyio.CancelScope] = field(default_factory=set)
    dead: bool = False
    closed: anyio.Event = field(default_factory=anyio.Event)

    def drop(self) -> None:
        """End the session now: its holder task and every call waiting on it (they see the system unavailable)."""
        if not self.dead:
            self.dead = True
            self.scope.cancel()
            for call in self.calls:
                call.cancel()


class SystemsGateway:
    """Open sessions to every system: ``async with SystemsGateway(connections) as systems: await systems.call(...)``."""

    def __init__(
        self,
        connections: Mapping[str, Connection],
        *,
        call_timeout_s: float = 10.0,
        reconcile_timeout_s: float | None = None,
        lazy: bool = False,
    ) -> None:
        self.connections = dict(connections)
        #: Start each system's session on first need instead of all at once on entry.
        self.lazy = lazy
        self.call_timeout_s = call_timeout_s
        #: How long a reconciling read (or a safe retry) waits: longer than a call, a slow system still answers.
        self.reconcile_timeout_s = (
            reconcile_timeout_s if reconcile_timeout_s is not None else max(30.0, 3 * call_timeout_s)
        )
        self.system_of: dict[str, str] = {}
        self._held: dict[str, _Held] = {}
        self._sessions: dict[str, ToolSession] = {}
        #: Tools the servers declare read-only: a read that failed because its transport was gone is retried
        #: once on a fresh session (a write is not: its outcome is read back by its key, or is unknown).
        self._reads: set[str] = set()
        self._schemas: dict[str, dict[str, Any]] = {}
        self._stack = AsyncExitStack()
        self._stop = anyio.Event()
        self._group: anyio.abc.TaskGroup | None = None
        #: Systems whose session is open (until the gateway closes, or the session's transport is found gone:
        #: the next call then opens a new one).
        self.open_systems: set[str] = set()
        self._opening = anyio.Lock()

    async def __aenter__(self) -> SystemsGateway:
        self._group = await self._stack.enter_async_context(anyio.create_task_group())
        self._stack.push_async_callback(self._close)
        if self.lazy:
            return self
        try:
            await self.open(self.connections)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def open(self, systems: Iterable[str]) -> None:
        """Start the sessions of ``systems`` that are not open yet, all at once; SystemUnavailable if one cannot."""
        assert self._group is not None, "use the gateway inside `async with`"
        async with self._opening:
            wanted = [s for s in dict.fromkeys(systems) if s in self.connections and s not in self.open_systems]
            if not wanted:
                return
            await anyio.to_thread.run_sync(_mcp_stack)  # its first import reads files: never on the event loop
            try:
                with anyio.fail_after(60):
                    async with anyio.create_task_group() as starting:  # every server starts at once
                        for name in wanted:
                            starting.start_soon(self._start, self._group, name)
            except Exception as exc:
                names = ", ".join(wanted)
                raise SystemUnavailable(f"cannot reach the systems ({names}): {_first_cause(exc)}") from exc

    def system_for(self, tool_name: str) -> str | None:
        """The system serving ``tool_name``: known once its session is open, else from the tool contracts."""
        if tool_name in self.system_of:
            return self.system_of[tool_name]

        spec = tools_by_name().get(tool_name)
        return spec.system if spec is not None and spec.system in self.connections else None

    async def open_for(self, tool_names: Iterable[str]) -> None:
        """Open the systems serving these tools (every system when one of them is in no contract), so their
        schemas are known before a plan is checked against them."""
        names = [t for t in tool_names if t not in self.system_of or self.system_of[t] not in self._held]
        systems = [self.system_for(t) for t in names]
        await self.open(self.connections if None in systems else [s for s in systems if s is not None])

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _close(self) -> None:
        """Let every session end on its own for up to :data:`CLOSE_GRACE_S`, then cancel those still ending."""
        self._stop.set()
        with anyio.move_on_after(CLOSE_GRACE_S):
            for held in list(self._held.values()):
                await held.closed.wait()
        for held in list(self._held.values()):
            held.drop()

    async def _start(self, group: anyio.abc.TaskGroup, name: str) -> None:
        """Open ``name``'s session in a task of the gateway's group and wait until it is open; raise why it could
        not open. Cancelled, it cancels the opening and returns at once.

        Not ``group.start()``: with anyio 4.16 a task ``start()`` spawns that is cancelled before its first step
        never marks its handle finished, and ``start()`` then waits for it forever, shielded. That is every
        task's lot when ``asyncio.Runner`` closes a loop (pytest-asyncio after each test), so a gateway left opening
        on a test's loop held its teardown until pytest's timeout."""
        opening = _Opening()
        group.start_soon(self._hold_session, name, opening)
        try:
            await opening.done.wait()
        except BaseException:
            opening.scope.cancel()
            raise
        if opening.error is not None:
            raise opening.error

    async def _hold_session(self, name: str, opening: _Opening) -> None:
        """Open and hold ``name``'s session until the gateway closes or the session is dropped; a transport that
        dies later ends this session only (not the gateway's other sessions, nor the caller's task). A failure to
        open goes to ``opening`` (the caller of :meth:`open` reports it), never to the gateway's group, whose
        other sessions it must not end."""
        open_session = _mcp_stack()  # imported by open(), off the loop: a lookup here
        held: _Held | None = None
        try:
            with opening.scope:
                async with open_session(self.connections[name]) as session:
                    tools = await _list_all_tools(session)
                    held = _Held(session, opening.scope)
                    for tool in tools:
                        self.system_of[tool.name] = name
                        self._schemas[tool.name] = tool.inputSchema
                        if tool.annotations is not None and tool.annotations.readOnlyHint:
                            self._reads.add(tool.name)
                    self._held[name] = held
                    self._sessions[name] = session
                    self.open_systems.add(name)
                    opening.done.set()
                    await self._stop.wait()
        except Exception as exc:
            if held is None:
                opening.error = exc  # it never opened: open() reports why
            else:
                log.info("the session to %s ended: %s", name, _first_cause(exc))
        finally:
            if not opening.done.is_set():  # ended before it opened (its caller gave up, or the gateway closed)
                opening.error = opening.error or SystemUnavailable(f"{name}: the gateway closed while it opened")
                opening.done.set()
            if held is not None:
                held.drop()
                held.closed.set()
                if self._held.get(name) is held:
                    del self._held[name]
                    self._sessions.pop(name, None)
                    self.open_systems.discard(name)

    def _drop(self, name: str, held: _Held) -> None:
        """Forget a session whose transport is gone: the next call to the system opens a new one."""
        held.drop()
        if self._held.get(name) is held:
            del self._held[name]
            self._sessions.pop(name, None)
            self.open_systems.discard(name)

    async def langchain_tools(self) -> list[BaseTool]:
        """The open systems' tools as LangChain tools bound to their sessions, for an agent that binds them to a
        model (the missions call :meth:`call`)."""
        from langchain_mcp_adapters.tools import load_mcp_tools  # for start-up time: LangChain only when asked

        # a ServedSession answers the two calls the adapters make of a session (list_tools by cursor, call_tool)
        sessions = [(name, cast("ClientSession", s)) for name, s in self._sessions.items()]
        return [t for name, s in sessions for t in await load_mcp_tools(s, server_name=name)]

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        """Each tool's JSON input schema, as the server declared it (read-only; a lazy gateway knows those of the
        systems opened so far: :meth:`open_for` first)."""
        return MappingProxyType(self._schemas)

    async def call(
        self,
        tool_name: str,
        args: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call one tool and return its structured result; raises SystemError_ / SystemUnavailable.

        ``timeout_s`` overrides the gateway's call timeout (a reconciling read waits longer); ``meta`` travels as
        the request's MCP ``_meta`` (an approval grant for a write).
        """
        timeout = self.call_timeout_s if timeout_s is None else timeout_s
        try:
            return await self._call_once(tool_name, args, timeout, meta)
        except _TransportGone as exc:
            if tool_name not in self._reads:
                raise SystemUnavailable(f"{self.system_of[tool_name]} is unavailable: {exc}") from exc
        try:  # a read, once more on a fresh session: the system may have restarted
            return await self._call_once(tool_name, args, timeout, meta)
        except _TransportGone as exc:
            raise SystemUnavailable(f"{self.system_of[tool_name]} is unavailable: {exc}") from exc

    async def _call_once(
        self, tool_name: str, args: Mapping[str, Any], timeout: float, meta: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """One call on the system's current session (opened first if it is not open); _TransportGone when the
        session's transport is found gone (the session is then dropped)."""
        name = self.system_of.get(tool_name)
        held = self._held.get(name) if name is not None else None
        if held is None and name is not None:  # the system's last session was dropped: a new one
            await self.open([name])
        elif held is None and self.lazy:  # first use of a lazy system
            await self.open_for([tool_name])
        name = self.system_of.get(tool_name)
        held = self._held.get(name) if name is not None else None
        if held is None or name is None:
            raise NotFoundError(f"no system serves a tool named {tool_name!r}")
        watch = anyio.CancelScope()
        held.calls.add(watch)
        try:
            with anyio.fail_after(timeout), watch:
                result = await held.session.call_tool(tool_name, dict(args), meta=dict(meta) if meta else None)
        except TimeoutError as exc:
            raise SystemUnavailable(f"{name} did not answer {tool_name} within {timeout:g}s") from exc
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError) as exc:
            self._drop(name, held)
            raise _TransportGone(f"{tool_name}: {exc!r}") from exc
        except RuntimeError as exc:  # the MCP client's own: a result that breaks the tool's output schema (the
            # system answered, so a write may well have happened), or a client in a state it cannot send from
            raise SystemError_(f"{tool_name}: {exc} (its outcome is in doubt)", IN_DOUBT, refused=False) from exc
        except Exception as exc:
            if _transport_gone(exc):
                self._drop(name, held)
                raise _TransportGone(f"{tool_name}: {exc} (the server died or forgot the session)") from exc
            if (meant := _protocol_error(name, tool_name, exc)) is None:
                raise  # not the protocol's: a bug, shown as it is
            raise meant from exc
        finally:
            held.calls.discard(watch)
        if watch.cancel_called:  # the session died under the call
            self._drop(name, held)
            raise _TransportGone(f"{tool_name}: the connection closed mid-call")
        return _structured(tool_name, result)


def _mcp_stack() -> Any:
    """What a session needs (``open_session``), imported on first call (later calls are lookups)."""
    # deferred: start-up time (loads mcp and jsonschema_rs)
    from ai_missions.services.mcp_session import open_session

    return open_session


async def _list_all_tools(session: ToolSession) -> list[types.Tool]:
    """Every tool the session's server lists, page by page."""
    from mcp.types import PaginatedRequestParams  # imported with the session that lists: a lookup

    tools: list[types.Tool] = []
    cursor: str | None = None
    for _ in range(1000):  # a server that never stops paging is a broken one
        page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools.extend(page.tools)
        if not (cursor := page.nextCursor):
            return tools
    raise RuntimeError("the server kept paging its tool list past 1,000 pages")


def _transport_gone(exc: Exception) -> bool:
    """An MCP error that says the session's transport is gone: the connection closed, or a restarted HTTP server
    does not know the session."""
    from mcp.shared.exceptions import McpError  # imported with the session that raised it: a lookup
    from mcp.types import CONNECTION_CLOSED

    return isinstance(exc, McpError) and exc.error.code in (CONNECTION_CLOSED, _SESSION_TERMINATED)


def _protocol_error(system: str, tool_name: str, exc: Exception) -> MissionsError | None:
    """What an MCP protocol error (``McpError``) means for a call: a system that died mid-call (the connection
    closed under it) or timed out is unavailable, never a refusal (a write's outcome is then read back by its key,
    or is unknown); a request JSON-RPC refuses before any tool runs (:data:`_REFUSED_BEFORE_RUNNING`) is a
    refusal; any other code (an internal error, a server's own code, one not known here) may come from a tool that
    failed part-way, so a write is in doubt, never recorded as not done. None for anything else."""
    from mcp.shared.exceptions import McpError  # imported with the session that raised it: a lookup
    from mcp.types import CONNECTION_CLOSED, INTERNAL_ERROR

    if not isinstance(exc, McpError):
        return None
    code = exc.error.code
    if code in (CONNECTION_CLOSED, 408):  # 408: the MCP session's own request timeout
        return SystemUnavailable(f"{system} is unavailable: {tool_name}: {exc} (the server died or hung mid-call)")
    if code in _refused_before_running():
        return SystemError_(f"{tool_name}: {exc}", "error", refused=True)
    doubt = "internal_error" if code == INTERNAL_ERROR else IN_DOUBT
    return SystemError_(f"{tool_name}: {exc} (MCP error {code}: its outcome is in doubt)", doubt, refused=False)


def _refused_before_running() -> frozenset[int]:
    """JSON-RPC's codes for a request refused before any handler ran (unparseable, malformed, no such method,
    invalid parameters): nothing was written. A tool's own failure comes back as an error result, not as these."""
    from mcp.types import INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR

    return frozenset({PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS})


def _first_cause(exc: BaseException) -> str:
    """The innermost meaningful error of a (possibly grouped) start-up failure, in one line."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, TimeoutError):
        return "a server did not start within 60 s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _structured(tool_name: str, result: types.CallToolResult) -> dict[str, Any]:
    text = "\n".join(block.text for block in result.content if block.type == "text")
    if result.isError:
        error = result.structuredContent.get("error") if isinstance(result.structuredContent, dict) else None
        code = str(error.get("code", "error")) if isinstance(error, dict) else "error"
        raise SystemError_(f"{tool_name}: {text}", code)
    content = result.structuredContent
    if content is not None:
        return content if isinstance(content, dict) else {"result": content}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"result": parsed}
