"""A free TCP port on 127.0.0.1 for a server a test starts (the dashboard, ``langgraph dev``, a system over HTTP).

Each pytest-xdist worker takes its ports from its own block, below the kernel's ephemeral range, and never hands
out the same port twice: a port the OS picks (``bind(("127.0.0.1", 0))``) is free only until the server binds it,
seconds later on a loaded machine, and in that window another worker could be handed the same one. The server that
binds second then exits, and its test's health check is answered by the other worker's server (CI, once: a
``langgraph dev`` fixture got a 409 naming a run of another module's home). Outgoing connections take their local
ports from the ephemeral range, so they never hold one of these either."""

from __future__ import annotations

import os
import socket

#: The first port of worker ``gw0``'s block, and the size of each worker's block (13 workers fit below 32768).
FIRST, BLOCK = 12_000, 1_500

_taken: set[int] = set()


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw3"; the main process of a run without -n: 0
    digits = worker.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def free_port() -> int:
    """A port nothing listens on now, from this worker's block, not handed out before in this process."""
    start = FIRST + BLOCK * _worker_index()
    for port in range(start, start + BLOCK):
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # a server (this run's, or the machine's) holds it
                continue
        _taken.add(port)
        return port
    raise RuntimeError(f"no free port left in {start}..{start + BLOCK - 1}")
