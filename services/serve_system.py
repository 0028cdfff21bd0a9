"""The process a stdio connection spawns: one registered system (entry point group ``ai_missions.systems``)
served over stdio, ``python -m ai_missions.services.serve_system SYSTEM --home HOME``.

The platform names no system's module: it spawns this launcher, which loads whichever plug-in registered the
system (a simulated one, or a company's adapter to a real one), as the in-process transport does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ai_missions.kernel.errors import process_exit
from ai_missions.kernel.settings import missions_home
from ai_missions.services.mcp_session import system_factory


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until the client disconnects; an unknown system or a missing book is one line on stderr, exit 2."""
    parser = argparse.ArgumentParser(description="Serve one registered system over MCP (stdio).")
    parser.add_argument("system")
    parser.add_argument("--home", type=Path, default=None, help="MISSIONS_HOME holding the book (default: env)")
    args = parser.parse_args(argv)
    return process_exit(lambda: system_factory(args.system)(args.home or missions_home()).run(transport="stdio"))


if __name__ == "__main__":
    sys.exit(main())
