"""Persistent MCP sessions to the enterprise systems, shared by every mission in a process.

``MultiServerMCPClient.get_tools()`` opens a new session (a new server process over stdio) per tool call; here each
system gets one session, opened once (all at once) and reused, and its tools are loaded with ``load_mcp_tools``
bound to that session (``gateway.tools``, for an agent that binds them to a model). The missions' own calls go
straight to the session (``ClientSession.call_tool``): the LangChain tool wrapper adds ~0.5 ms of callbacks and
signature inspection to every call and nothing a node needs. Each session lives in its own task so it is closed by
the task that opened it. Connections use the adapters' connection format (:mod:`ai_missions.connections`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AsyncExitStack
from types import MappingProxyType
from typing import Any

import anyio
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.sessions import Connection
from langchain_mcp_adapters.tools import load_mcp_tools
from mcp import ClientSession, types

from ai_missions.errors import MissionsError, NotFoundError
from ai_missions.mcp_session import open_session


class SystemError_(MissionsError):
    """A system refused a call (validation, invariant, unknown id): the message says why.

    ``code`` is the system's error code (``invalid_argument``, ``conflict``, ``not_found``, ``forbidden``,
    ``error``, ``internal_error``...); only ``internal_error`` leaves a write's outcome in doubt.
    """

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code

    @property
    def refused(self) -> bool:
        """The system said no (nothing was written), as opposed to failing part-way."""
        return self.code != "internal_error"


class SystemUnavailable(MissionsError):
    """A system did not answer (down, crashed or slower than the timeout)."""


class SystemsGateway:
    """Open sessions to every system: ``async with SystemsGateway(connections) as systems: await systems.call(...)``."""

    def __init__(
        self,
        connections: Mapping[str, Connection],
        *,
        call_timeout_s: float = 10.0,
        reconcile_timeout_s: float | None = None,
    ) -> None:
        self.connections = dict(connections)
        self.call_timeout_s = call_timeout_s
        #: How long a reconciling read (or a safe retry) waits: longer than a call, a slow system still answers.
        self.reconcile_timeout_s = (
            reconcile_timeout_s if reconcile_timeout_s is not None else max(30.0, 3 * call_timeout_s)
        )
        self.tools: dict[str, BaseTool] = {}
        self.system_of: dict[str, str] = {}
        self._session_of: dict[str, ClientSession] = {}
        self._schemas: dict[str, dict[str, Any]] = {}
        self._stack = AsyncExitStack()
        self._stop = anyio.Event()

    async def __aenter__(self) -> SystemsGateway:
        group = await self._stack.enter_async_context(anyio.create_task_group())
        self._stack.push_async_callback(self._close)
        try:
            with anyio.fail_after(60):
                async with anyio.create_task_group() as starting:  # every server starts at once
                    for name in self.connections:
                        starting.start_soon(self._start, group, name)
        except BaseException as exc:
            await self._stack.aclose()
            if isinstance(exc, Exception):
                names = ", ".join(self.connections)
                raise SystemUnavailable(f"cannot reach the systems ({names}): {_first_cause(exc)}") from exc
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _close(self) -> None:
        self._stop.set()

    async def _start(self, group: anyio.abc.TaskGroup, name: str) -> None:
        await group.start(self._hold_session, name)

    async def _hold_session(self, name: str, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        async with open_session(self.connections[name]) as session:
            for tool in await load_mcp_tools(session, server_name=name):
                self.tools[tool.name] = tool
                self.system_of[tool.name] = name
                self._session_of[tool.name] = session
                self._schemas[tool.name] = _json_schema(tool)
            task_status.started()
            await self._stop.wait()

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        """Each tool's JSON input schema, as the server declared it (read-only)."""
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
        session = self._session_of.get(tool_name)
        if session is None:
            raise NotFoundError(f"no system serves a tool named {tool_name!r}")
        timeout = self.call_timeout_s if timeout_s is None else timeout_s
        try:
            with anyio.fail_after(timeout):
                result = await session.call_tool(tool_name, dict(args), meta=dict(meta) if meta else None)
        except TimeoutError as exc:
            raise SystemUnavailable(
                f"{self.system_of[tool_name]} did not answer {tool_name} within {timeout:g}s"
            ) from exc
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError) as exc:
            raise SystemUnavailable(f"{self.system_of[tool_name]} is unavailable: {exc!r}") from exc
        except RuntimeError as exc:  # a result that breaks the tool's output schema
            raise SystemError_(f"{tool_name}: {exc}") from exc
        return _structured(tool_name, result)


def _first_cause(exc: BaseException) -> str:
    """The innermost meaningful error of a (possibly grouped) start-up failure, in one line."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, TimeoutError):
        return "a server did not start within 60 s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _json_schema(tool: BaseTool) -> dict[str, Any]:
    schema = tool.args_schema
    if isinstance(schema, dict):
        return schema
    return tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]


def _structured(tool_name: str, result: types.CallToolResult) -> dict[str, Any]:
    text = "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))
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
