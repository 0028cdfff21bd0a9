"""Connection settings for MCP clients: each system's server spawned over stdio with this Python."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from langchain_mcp_adapters.sessions import StdioConnection

from ai_missions.integrations.catalog import SYSTEMS
from ai_missions.integrations.serving import LATENCY_ENV
from ai_missions.settings import missions_home

#: Environment passed on to the servers besides MISSIONS_HOME (the MCP client passes only a safe minimum).
PASSED_ENV = (LATENCY_ENV, "PYTHONPATH", "VIRTUAL_ENV")


def server_command(system: str, home: Path | None = None) -> tuple[str, list[str]]:
    """The command line that serves ``system`` over stdio."""
    home = (home or missions_home()).resolve()
    return sys.executable, ["-m", f"ai_missions.integrations.server_{system}", "--home", str(home)]


def stdio_connections(home: Path | None = None, systems: tuple[str, ...] = SYSTEMS) -> dict[str, StdioConnection]:
    """``langchain_mcp_adapters.client.MultiServerMCPClient`` connections for the systems over stdio."""
    home = (home or missions_home()).resolve()
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env["MISSIONS_HOME"] = str(home)
    connections: dict[str, StdioConnection] = {}
    for system in systems:
        command, args = server_command(system, home)
        connections[system] = StdioConnection(transport="stdio", command=command, args=args, env=dict(env))
    return connections
