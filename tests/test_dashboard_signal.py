"""SIGTERM to ``missions dashboard`` ends Streamlit and frees its port (issue 39 item 10: Streamlit ran as a child
that outlived the signal and kept holding 8501). The signal goes to the command's own pid only, as a service manager
or ``kill PID`` sends it, never to a process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.ports import free_port

pytestmark = pytest.mark.slow


def port_free(port: int) -> bool:
    """Nothing listens on the port and a new server may bind it (as servers do, with SO_REUSEADDR: the health
    checks' closed connections may linger in TIME_WAIT)."""
    with socket.socket() as client:
        if client.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sigterm_to_the_dashboard_command_ends_streamlit_and_frees_the_port(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MISSIONS_TOKEN"}
    env.update(MISSIONS_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    log = tmp_path / "dashboard.log"
    with log.open("wb") as out:
        dashboard = subprocess.Popen(
            [sys.executable, "-m", "ai_missions.cli", "dashboard", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so that a leftover can be cleaned up below, never signalled as a group here
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert dashboard.poll() is None, f"the dashboard exited early:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the dashboard did not answer in 90 s:\n{log.read_text()}"
            time.sleep(0.3)
        assert not port_free(port)
        os.kill(dashboard.pid, signal.SIGTERM)  # the command's pid alone
        dashboard.wait(timeout=30)
        deadline = time.monotonic() + 10
        while not port_free(port):
            assert time.monotonic() < deadline, f"port {port} still held after SIGTERM:\n{log.read_text()}"
            time.sleep(0.2)
    finally:
        if dashboard.poll() is None:  # the signal did not end it: stop what this test started
            os.killpg(dashboard.pid, signal.SIGKILL)
            dashboard.wait()
