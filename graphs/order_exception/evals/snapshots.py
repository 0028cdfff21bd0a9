"""The records around one order as they stand now: what a reviewer's decision is kept with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ai_missions.integrations.snapshot import export_snapshot


def snapshot_order(order_id: str, home: Path) -> dict[str, Any]:
    return export_snapshot([order_id], home)
