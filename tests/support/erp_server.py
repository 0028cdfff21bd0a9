"""The erp served over streamable HTTP in a process of its own, on a port it keeps when killed and restarted: what
the tests of a system that goes away under the gateway (reconnects, writes in doubt) run against."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ai_missions.integrations.loader import write_book
from ai_missions.integrations.seed import generate


class Server:
    """The erp over streamable HTTP on a port it keeps when killed and restarted."""

    def __init__(self, home: Path) -> None:
        self.home = home
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "ai_missions.integrations.serving", "erp", "--transport", "streamable-http"]
        env = {**os.environ, "MISSIONS_HOME": str(self.home)}
        self.proc = subprocess.Popen([*command, "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.proc.poll() is None, "the erp server exited"
            assert time.monotonic() < deadline, "the erp server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)


@contextmanager
def served_erp(home: Path) -> Iterator[Server]:
    """A small commerce book in ``home`` and its erp served (killed on exit, if it still runs)."""
    write_book(generate(orders=60, seed=11), home)
    served = Server(home)
    served.start()
    try:
        yield served
    finally:
        if served.proc is not None and served.proc.poll() is None:
            served.kill()
