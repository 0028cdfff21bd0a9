"""The launcher of one simulated system's process: ``python -m ai_missions.integrations.serving SYSTEM``
(``--transport``, ``--host``, ``--port`` and ``--home``) serves the system registered under that name over MCP; the
``missions systems serve`` command does the same. The server itself is built from the system's declaration
(:mod:`.system_server`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ai_missions.integrations.system_server import SystemServer, Transport, build
from ai_missions.integrations.systems import SERVED, declared
from ai_missions.kernel.errors import ValidationError, process_exit
from ai_missions.kernel.settings import missions_home

__all__ = ["build_server", "main", "parser", "serve"]


def build_server(system: str, home: Path | None = None, **settings: Any) -> SystemServer:
    """The MCP server of the registered system ``system`` over the book under ``home``."""
    return build(declared(system), home, **settings)


def serve(
    system: str,
    transport: Transport = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    home: Path | None = None,
) -> None:
    """Serve one system until the client disconnects (stdio) or the process is stopped (streamable-http)."""
    if transport not in ("stdio", "streamable-http"):
        raise ValidationError(f"unknown transport {transport!r}; expected stdio or streamable-http")
    server = build_server(system, home or missions_home(), host=host, port=port)
    server.run(transport=transport)


def parser(system: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=f"Serve the simulated {system or 'SYSTEM'} system over MCP.")
    if system is None:
        p.add_argument("system", help=", ".join(SERVED))
    p.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--home", type=Path, default=None, help="MISSIONS_HOME holding the book (default: env)")
    return p


def main(argv: Sequence[str] | None = None, system: str | None = None) -> int:
    """Command-line entry of a server process; errors are one line on stderr, exit 2."""
    args = parser(system).parse_args(argv)
    return process_exit(lambda: serve(system or args.system, args.transport, args.host, args.port, args.home))


if __name__ == "__main__":
    sys.exit(main())
