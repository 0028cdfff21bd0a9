"""SIGTERM to ``missions dashboard`` ends Streamlit and frees its port (issue 39 item 10: Streamlit ran as a child
that outlived the signal and kept holding 8501). The signal goes to the command's own pid only, as a service manager
or ``kill PID`` sends it, never to a process group."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.support.browser import start_dashboard, wait_until_healthy
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
    log = tmp_path / "dashboard.log"
    # its own process group, so that a leftover can be cleaned up below; never signalled as a group here
    dashboard = start_dashboard(tmp_path / "home", log, port, env)
    try:
        wait_until_healthy(dashboard, f"http://127.0.0.1:{port}", log)
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
