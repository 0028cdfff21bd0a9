"""Exception monitoring: the operations report that raises order-exception missions.

It reads the other systems' databases (read-only, as a reporting warehouse would) and owns none.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from ai_missions.integrations.plugin import SimulatedSystem
from ai_missions.integrations.scan import OrderException, scan_exceptions

SYSTEM = SimulatedSystem("monitor", "Exception monitoring", storage=False)


class OrderExceptions(BaseModel):
    exceptions: list[OrderException]


@SYSTEM.read
def list_order_exceptions(home: Path) -> OrderExceptions:
    """Every open order in exception right now, with its exception types and a detail per type.

    Computed from the systems' current state (never from stored labels), so an exception disappears once
    it is fixed: payment review, expiring authorization, oversell, phantom inventory, invalid address,
    duplicate order, double charge (see each type's detail)."""
    return OrderExceptions(exceptions=scan_exceptions(home))
