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


def _stat(pid: int) -> tuple[int, float] | None:
    """A process's parent and CPU seconds, from /proc (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds of a live process and its live descendants (a worker and the MCP servers it started)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        found = _stat(int(stat.parent.name))
        if found is not None:
            children.setdefault(found[0], []).append(int(stat.parent.name))
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        found = _stat(pid)
        total += found[1] if found else 0.0
        stack.extend(children.get(pid, []))
    return total


def pids_cpu(pids: list[int]) -> float:
    """CPU seconds of some processes (Postgres backends, found by their application name)."""
    return sum(found[1] for pid in pids if (found := _stat(pid)) is not None)


def machine_jiffies() -> dict[str, int]:
    """The whole machine's CPU time so far, by state (busy, idle, steal: taken by the host for others), from
    /proc/stat's first line."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return {"busy": user + nice + system + irq + softirq, "idle": idle + iowait, "steal": steal}


def machine_shares(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """Each state's share of the machine's CPU time between two readings."""
    spent = {k: after[k] - before[k] for k in before}
    total = sum(spent.values()) or 1
    return {k: v / total for k, v in spent.items()}
