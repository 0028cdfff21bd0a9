"""Debian's Chromium for the browser tests (marked ``browser``).

The test run installs it on a fresh machine (:func:`install_chromium`, called once by ``tests/conftest.py`` before
any test starts, when the run selects browser tests): ``apt-get install chromium``, as ``.ci/run`` used to, so the
README's test command needs nothing installed by hand. Where that cannot be done (not root, no apt, no mirror) the
browser tests fail, in one line saying why and how to install it or leave them out (``-m 'not ... and not
browser'``); a test that was not run is never reported as passed or skipped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


#: Why :func:`install_chromium` could not install it, for the one-line failure of each browser test (an environment
#: variable, so the xdist workers started after it ran see it too).
_PROBLEM = "MISSIONS_TEST_CHROMIUM_PROBLEM"


def install_chromium() -> None:
    """Install Debian's Chromium when it is missing (about 35 s on a fresh machine); remember why not, if not.

    Playwright drives this system browser; its own ``playwright install`` download is never used."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        os.environ[_PROBLEM] = "no apt-get here" if apt is None else "installing it needs root"
        return
    quiet = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.PIPE,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    for step in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(step, check=False, timeout=900, **quiet)  # type: ignore[call-overload]
        if done.returncode != 0:
            last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            os.environ[_PROBLEM] = f"`{' '.join(step[1:])}` failed: {last[0]}"
            return


def require_chromium() -> None:
    """Fail, in one line, when Chromium is not installed."""
    if not CHROMIUM.exists():
        why = f" ({os.environ[_PROBLEM]})" if os.environ.get(_PROBLEM) else ""
        pytest.fail(
            f"{CHROMIUM} is missing and the test run could not install it{why}: `apt-get install chromium` as root, "
            "or leave the browser tests out with -m 'not extended and not live and not browser'",
            pytrace=False,
        )


#: Chromium's switches for a headless run on a CI box: no sandbox (containers), GPU, or background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard_server(home: Path, log: Path, *, wait: float = 90) -> Iterator[str]:
    """``missions dashboard --port P`` on ``home``, in its own process group, until its health check answers; its
    base address. Stopped (with the MCP servers it started) on exit."""
    port = free_port()
    env = {**os.environ, "MISSIONS_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ai_missions.cli", "dashboard", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            if server.poll() is not None:
                pytest.fail(f"the dashboard exited with {server.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer in {wait:.0f} s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
