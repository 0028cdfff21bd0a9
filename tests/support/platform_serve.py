"""``missions serve`` in a process of its own on a home, for the tests of what reaches it (the platform's MCP
server) and of what uses it instead of a runtime of its own (the dashboard)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ai_missions.services.platform_client import RunningServer, running_server


@dataclass
class Served:
    """The server as it announced itself; once stopped, its exit code and standard error, for the caller to check."""

    server: RunningServer
    returncode: int | None = None
    stderr: str = ""


@contextmanager
def missions_serve(home: Path, mission: str) -> Iterator[Served]:
    """``missions serve --port 0 --mission MISSION`` on ``home``, signed out, until it announces itself (at most
    120 s); terminated on exit."""
    env = {k: v for k, v in os.environ.items() if k != "MISSIONS_TOKEN"}
    env["MISSIONS_HOME"] = str(home)
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_missions.cli", "serve", "--port", "0", "--mission", mission],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while (found := running_server(home)) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"missions serve did not start: {process.communicate()}")
        time.sleep(0.05)
    served = Served(found)
    try:
        yield served
    finally:
        process.terminate()
        _, served.stderr = process.communicate(timeout=60)
        served.returncode = process.returncode
