"""``missions dashboard [--port P]``: the Streamlit dashboard, served on 127.0.0.1 only."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ai_missions.settings import missions_home

APP = Path(__file__).resolve().parent / "app.py"
HOST = "127.0.0.1"
DEFAULT_PORT = 8501


def register(subparsers: Any) -> None:
    dashboard = subparsers.add_parser("dashboard", help="the Streamlit dashboard on 127.0.0.1")
    dashboard.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    dashboard.set_defaults(handler=_dashboard)


def streamlit_command(port: int) -> list[str]:
    """``streamlit run`` on the dashboard: loopback only, no browser opened, no usage statistics, no file watcher."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        f"--server.address={HOST}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={HOST}",
        "--theme.base=light",
        "--theme.primaryColor=#2457c5",
        "--client.toolbarMode=minimal",
    ]


def _dashboard(args: argparse.Namespace) -> int:
    home = missions_home()
    print(f"AI Missions dashboard on http://{HOST}:{args.port} (state: {home}); Ctrl+C stops it", flush=True)
    env = {**os.environ, "MISSIONS_HOME": str(home)}
    return subprocess.call(streamlit_command(args.port), env=env)
