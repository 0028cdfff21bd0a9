"""CPU readings the benchmarks share (a helper, not a benchmark: ``make bench`` skips files starting with ``_``)."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def live_children_cpu() -> float:
    """CPU seconds of this process's live children (MCP servers it started), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += int(fields[11]) + int(fields[12])
    return total / TICK
