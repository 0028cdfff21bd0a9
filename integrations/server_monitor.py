"""The exception-monitoring MCP server: the report that raises order-exception missions.

It reads the other systems' databases (read-only, as a reporting warehouse would) and owns none.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ai_missions.integrations import scan
from ai_missions.integrations.serving import SystemServer, latency_ms, main, tool
from ai_missions.settings import missions_home


class OrderExceptions(BaseModel):
    exceptions: list[scan.OrderException]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The monitor server over the book under ``home``."""
    home = home or missions_home()
    server = SystemServer("monitor", latency=latency_ms("monitor"), **settings)

    @tool(server)
    def list_order_exceptions() -> OrderExceptions:
        """Computed from the systems' current state (never from stored labels), so an exception disappears once
        it is fixed: payment review, expiring authorization, oversell, phantom inventory, invalid address,
        duplicate order, double charge (see each type's detail)."""
        return OrderExceptions(exceptions=scan.scan_exceptions(home))

    return server


if __name__ == "__main__":
    sys.exit(main(system="monitor"))
