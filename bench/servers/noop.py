"""A FastMCP server with one tool that does nothing, for ``bench/floor.py``.

    python bench/servers/noop.py [--pipes]

``--pipes`` serves stdio over event-loop pipes (``ai_missions.integrations.stdio_pipes``), as the systems do;
without it, over the SDK's own ``stdio_server`` (a worker thread per line read, per write and per flush).
"""

from __future__ import annotations

import sys

import anyio
from mcp.server.fastmcp import FastMCP

from ai_missions.integrations.stdio_pipes import serve_over_pipes

server = FastMCP("noop", log_level="WARNING")


@server.tool(structured_output=True)
def ping(order_id: str) -> dict[str, str]:
    """Echo the order id."""
    return {"order_id": order_id}


if __name__ == "__main__":
    if "--pipes" in sys.argv:
        anyio.run(serve_over_pipes, server)
    else:
        server.run()
