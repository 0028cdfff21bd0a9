"""A free TCP port on 127.0.0.1 for a server a test starts (the dashboard, ``langgraph dev``, a system over HTTP)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; a server started at once gets it in practice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
