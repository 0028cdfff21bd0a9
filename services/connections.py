"""How the platform reaches each enterprise system: an MCP connection per system, in langchain-mcp-adapters' format.

By default every system is the local simulated one, served in-process: the plug-in registered under the
``ai_missions.systems`` entry point group runs on the client's own event loop, and each MCP request is handed to its
MCP server's own tool handling (:class:`~ai_missions.services.mcp_session.ServedSession`: the same tools, grant
checks and output validation, no JSON-RPC framing, no process and no cold imports per system; the platform never
imports the simulator, it loads a registered plug-in). ``MISSIONS_SYSTEMS_TRANSPORT=stdio`` spawns a
server process per system instead (the process boundary a real system has). ``$MISSIONS_HOME/systems.json`` points
any system elsewhere, e.g. a real server over streamable HTTP::

    {"payments": {"transport": "streamable_http", "url": "https://payments.internal/mcp"}}
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the adapters (and the MCP stack) are imported only where a session opens
    from langchain_mcp_adapters.sessions import Connection, StdioConnection

from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.settings import missions_home

#: Environment passed on to spawned servers besides MISSIONS_HOME (the MCP client passes only a safe minimum).
PASSED_ENV = ("MISSIONS_SIM_LATENCY_MS", "PYTHONPATH", "VIRTUAL_ENV")
#: The platform's launcher that serves a registered system over stdio (``python -m MODULE SYSTEM --home HOME``):
#: it loads the system's plug-in by entry point, so the platform names no system's module.
SYSTEM_LAUNCHER = "ai_missions.services.serve_system"
CONFIG_FILE = "systems.json"
TRANSPORT_ENV = "MISSIONS_SYSTEMS_TRANSPORT"
TRANSPORTS = ("stdio", "in-process")


def systems_transport(default: str = "in-process") -> str:
    """How the local systems are reached: ``MISSIONS_SYSTEMS_TRANSPORT`` (stdio or in-process), else ``default``."""
    transport = os.environ.get(TRANSPORT_ENV) or default
    if transport not in TRANSPORTS:
        raise ValidationError(f"{TRANSPORT_ENV}={transport!r}: expected one of {', '.join(TRANSPORTS)}")
    return transport


def simulated_command(system: str, home: Path) -> tuple[str, list[str]]:
    """The command line that serves the registered ``system`` over stdio."""
    return sys.executable, ["-m", SYSTEM_LAUNCHER, system, "--home", str(home)]


def configured(home: Path) -> dict[str, dict[str, Any]]:
    """``$MISSIONS_HOME/systems.json``: system -> connection, for the systems that are not the simulated default."""
    path = home / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "transport" in v for v in data.values()):
        raise ValidationError(f"{path}: expected an object of system -> connection with a transport")
    return data


def connections(
    systems: Iterable[str], home: Path | None = None, transport: str | None = None
) -> dict[str, Connection]:
    """One MCP connection per system: the configured one, or the local system over ``transport`` (default:
    :func:`systems_transport`)."""
    home = (home or missions_home()).resolve()
    overrides = configured(home)
    local = transport or systems_transport()
    if local not in TRANSPORTS:
        raise ValidationError(f"unknown systems transport {local!r}: expected one of {', '.join(TRANSPORTS)}")
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env["MISSIONS_HOME"] = str(home)
    found: dict[str, Connection] = {}
    for system in systems:
        if system in overrides:
            found[system] = overrides[system]  # type: ignore[assignment]
            continue
        if local == "in-process":
            found[system] = {"transport": "in_process", "system": system, "home": str(home)}  # type: ignore[assignment]
            continue
        command, args = simulated_command(system, home)
        stdio: StdioConnection = {"transport": "stdio", "command": command, "args": args, "env": dict(env)}
        found[system] = stdio
    return found
