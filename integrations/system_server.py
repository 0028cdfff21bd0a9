"""The MCP server of one declared system (:class:`.plugin.SimulatedSystem`): the FastMCP subclass every system is
served by (structured errors, the grant check of writes, simulated latency), the server built from a declaration
(every declared tool registered through FastMCP's public ``add_tool`` with its description and annotations, then the
write lookup) and the contract it serves. The launcher of a system's process is :mod:`.serving`.

It imports no other module of the simulator's registry: the declaration builds its server from here
(:meth:`.plugin.SimulatedSystem.__call__`), and the registry (:mod:`.systems`) builds on the declaration.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import anyio
import pydantic
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp import server as fastmcp_server
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.fastmcp.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from ai_missions.contracts import CONTRACTS_GROUP, contract_file
from ai_missions.integrations.stdio_pipes import serve_over_pipes
from ai_missions.integrations.store import recorded_write
from ai_missions.kernel import blocking, grants
from ai_missions.kernel.errors import (
    ConflictError,
    ForbiddenError,
    MissionsError,
    NotFoundError,
    ValidationError,
)
from ai_missions.kernel.grants import META_KEY
from ai_missions.kernel.settings import missions_home
from ai_missions.kernel.tools import SYSTEMS_GROUP, SystemContract, ToolSpec

if TYPE_CHECKING:  # the declaration imports this module to build its server
    from ai_missions.integrations.plugin import DeclaredTool, SimulatedSystem

Transport = Literal["stdio", "streamable-http"]
T = TypeVar("T")
LATENCY_ENV = "MISSIONS_SIM_LATENCY_MS"


def _registered_names() -> tuple[str, ...]:
    """The names systems are registered under (entry points ``ai_missions.systems``), none of them loaded."""
    return tuple(point.name for point in entry_points(group=SYSTEMS_GROUP))


def latency_ms(system: str, spec: str | None = None) -> float:
    """Simulated per-call latency of ``system`` from ``MISSIONS_SIM_LATENCY_MS`` (``erp=20,crm=50``); 0 if unset."""
    spec = os.environ.get(LATENCY_ENV, "") if spec is None else spec
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        try:
            ms = float(value)
        except ValueError:
            ms = -1.0
        if not sep or ms < 0 or name.strip() not in (*_registered_names(), "*"):
            raise ValidationError(f"bad {LATENCY_ENV} entry {part!r}; expected SYSTEM=MILLISECONDS, e.g. erp=20")
        if name.strip() in (system, "*"):
            return ms
    return 0.0


def error_code(exc: BaseException) -> str:
    for kind, code in (
        (NotFoundError, "not_found"),
        (ValidationError, "invalid_argument"),
        (ConflictError, "conflict"),
        (ForbiddenError, "forbidden"),
        (MissionsError, "error"),
        (pydantic.ValidationError, "invalid_argument"),
    ):
        if isinstance(exc, kind):
            return code
    return "internal_error"


def error_message(exc: BaseException) -> str:
    if isinstance(exc, pydantic.ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())
    return str(exc)


def error_result(tool: str, exc: BaseException) -> CallToolResult:
    """A tool error the client sees as ``isError`` with ``{"error": {"code", "message", "tool"}}``."""
    code, message = error_code(exc), error_message(exc)
    return CallToolResult(
        content=[TextContent(type="text", text=f"{code}: {message}")],
        structuredContent={"error": {"code": code, "message": message, "tool": tool}},
        isError=True,
    )


def plain_logging(level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO") -> None:
    """FastMCP's ``configure_logging`` without rich: a plain handler on stderr, as FastMCP sets up when rich is
    absent. Its own imports rich's console and logging (~25 ms of CPU on every cold start that builds a server, a
    refused ``missions run`` included) to colour a few warnings."""
    logging.basicConfig(level=level, format="%(message)s")


fastmcp_server.configure_logging = plain_logging  # FastMCP calls it from its constructor (mcp 1.x)


class SystemServer(FastMCP):
    """FastMCP for one simulated system: every failure is a structured tool error; optional simulated latency.

    Defence in depth: a write tool runs only with an approval grant (MCP ``_meta`` ``{"grant": ...}``) for exactly
    its arguments and idempotency key, signed with the platform key of the server's home (:mod:`grants`). The
    system does not trust whoever calls it to have asked a reviewer."""

    def __init__(
        self,
        system: SimulatedSystem,
        *,
        latency: float = 0.0,
        home: Path | None = None,
        in_process: bool = False,
        **kwargs: Any,
    ) -> None:
        """``in_process``: served on the client's event loop (a ``ServedSession``), so each synchronous tool runs on a
        worker thread instead of blocking that loop (inline where the loop runs only eval replays:
        :mod:`ai_missions.kernel.blocking`); one at a time, as its own process would run them."""
        super().__init__(name=f"ai-missions-{system.name}", log_level="WARNING", **kwargs)
        self.system = system.name
        self.latency = latency
        self.home = home or missions_home()
        self.in_process = in_process
        self._one_at_a_time = anyio.CapacityLimiter(1)
        specs = system.specs()
        self.contract_names = frozenset(t.name for t in specs)
        self.write_names = frozenset(t.name for t in specs if t.is_write)
        #: The database connection the tools share, closed with :meth:`close` (set by :func:`build`).
        self.db: sqlite3.Connection | None = None

    def add_tool(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().add_tool(self._served(fn), *args, **kwargs)

    def add_declared(self, system: SimulatedSystem, tool: DeclaredTool, fn: Callable[..., Any]) -> None:
        """:meth:`add_tool` for ``fn``, what ``tool`` serves over this server's book, with the declaration's name,
        description and annotations."""
        self.add_tool(
            fn,
            name=tool.name,
            description=tool.description,
            annotations=tool_annotations(tool.spec(system.name)),
            structured_output=True,
        )

    def _served(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as this server runs it: on a worker thread when served on the client's event loop."""
        if self.in_process and not inspect.iscoroutinefunction(fn):
            return _off_loop(fn, self._one_at_a_time)
        return fn

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _grant(self) -> Any:
        """The approval grant sent with the current request (MCP ``_meta``), if any."""
        try:
            meta = self.get_context().request_context.meta
        except (LookupError, ValueError):
            return None
        return (meta.model_extra or {}).get(META_KEY) if meta is not None else None

    def _recorded(self, tool: str, key: str) -> bool:
        """Whether this system recorded ``tool``'s write under ``key``: a call with a spent grant only replays it."""
        if self.db is None:
            return False
        try:
            record = recorded_write(self.db, key)
        except MissionsError:
            return False
        return record.found and record.tool == tool

    async def _blocking(self, call: Callable[[], T]) -> T:
        """``call()``, on a worker thread (one at a time, like the tools) when served on the client's event loop."""
        if self.in_process:
            return await blocking.run_sync_limited(call, self._one_at_a_time)
        return call()

    async def run_stdio_async(self) -> None:
        """FastMCP's stdio transport over event-loop pipes: no worker thread per line (``stdio_pipes``)."""
        await serve_over_pipes(self)

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        if self.latency:
            await anyio.sleep(self.latency / 1000)
        if name not in self.contract_names:
            return error_result(name, NotFoundError(f"unknown tool {name!r} on {self.system}"))
        granted: dict[str, Any] | None = None
        if name in self.write_names:
            check = functools.partial(
                grants.check,
                self.home,
                self._grant(),
                name,
                arguments if isinstance(arguments, dict) else {},
                replay=functools.partial(self._recorded, name),
            )
            try:  # reads the platform key and the grant ledger: off the loop when served on the client's loop
                granted = await self._blocking(check)
            except MissionsError as exc:  # refused, or a ledger that cannot be read: nothing is written
                return error_result(name, exc)
        try:
            result = await super().call_tool(name, arguments)
        except ToolError as exc:
            return error_result(name, exc.__cause__ or exc)
        if granted is not None and not (isinstance(result, CallToolResult) and result.isError):
            try:  # single use: spent once done
                await self._blocking(functools.partial(grants.spend, self.home, granted))
            except MissionsError as exc:  # the caller reads the write back by its key: done, not lost
                return error_result(name, MissionsError(f"{name} was done but its grant was not recorded spent: {exc}"))
        if isinstance(result, tuple):  # (content, structured): already validated by the tool's pydantic model,
            content, structured = result  # so skip the low-level server's per-call JSON-schema re-validation
            return CallToolResult(content=list(content), structuredContent=structured, isError=False)
        return result


def _off_loop(fn: Callable[..., Any], limiter: anyio.CapacityLimiter) -> Callable[..., Any]:
    """``fn`` as a coroutine function with the same signature (FastMCP reads it) that runs ``fn`` on a worker
    thread: its SQLite calls never block the event loop it is served on."""

    @functools.wraps(fn)
    async def run(**arguments: Any) -> Any:
        return await blocking.run_sync_limited(functools.partial(fn, **arguments), limiter)

    return run


def tool_annotations(spec: ToolSpec) -> ToolAnnotations:
    """MCP hints from the contract: reads are read-only; every irreversible write is destructive; writes are
    idempotent through their key; a write that reaches outside the company is open-world."""
    return ToolAnnotations(
        title=spec.summary,
        readOnlyHint=not spec.is_write,
        destructiveHint=spec.irreversible,
        idempotentHint=True,
        openWorldHint=spec.reaches_outside,
    )


def _register(server: SystemServer, system: SimulatedSystem, tool: DeclaredTool, given: dict[str, Any]) -> None:
    server.add_declared(system, tool, tool.served(given))


def build(system: SimulatedSystem, home: Path | None = None, **settings: Any) -> SystemServer:
    """The MCP server of a declared system over the book under ``home`` (which must exist for a system with storage;
    ``settings``: FastMCP host, port, ``in_process``). Every declared tool is registered, then the write lookup."""
    home = home or missions_home()
    server = SystemServer(system, latency=latency_ms(system.name), home=home, **settings)
    given: dict[str, Any] = {"home": home, "conn": None}
    if system.storage:
        server.db = given["conn"] = system.database(home)
    for tool in system.served_tools():
        _register(server, system, tool, given)
    return server


def contract_of(system: SimulatedSystem) -> SystemContract:
    """The contract a system's declaration serves, each tool's input schema as its server lists it: what its
    checked-in ``<system>.json`` must hold (``missions systems contract``)."""
    schemas = {
        t.name: Tool.from_function(
            t.served({"conn": None, "home": None}), name=t.name, structured_output=True
        ).parameters
        for t in system.served_tools()
    }
    return SystemContract(
        system.name,
        system.title,
        tuple(
            ToolSpec(
                s.system, s.name, s.kind, s.summary, s.amount_arg, s.irreversible, s.reaches_outside, schemas[s.name]
            )
            for s in system.specs()
        ),
    )


def contract_text(system: SimulatedSystem) -> str:
    """A system's derived contract as its checked-in file holds it."""
    return json.dumps(contract_of(system).to_json(), indent=1, ensure_ascii=False) + "\n"


def contract_path(system: str) -> Path:
    """Where the ``ai_missions.contracts`` entry point of ``system`` says its contract is checked in."""
    points = [p for p in entry_points(group=CONTRACTS_GROUP) if p.name == system]
    if not points:
        raise ValidationError(
            f"no {CONTRACTS_GROUP} entry point names {system!r}; register the package of {system}.json"
        )
    return Path(str(contract_file(points[0])))
