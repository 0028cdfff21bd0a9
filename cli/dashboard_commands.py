"""``missions dashboard [--port P] [--host H]``: the Streamlit dashboard, on 127.0.0.1 unless told otherwise.

Deciding needs a signed-in account. Another address than loopback is refused while nobody could sign in (no
local account and no single sign-on configured): the dashboard would be open to the network with nobody able to
prove who they are; and while any account still has the demo's printed password (``missions-demo``): anyone who
has seen the demo could sign in as its admin."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ai_missions import dashboard
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.settings import is_loopback, missions_home, runs_db

APP = Path(dashboard.__file__).resolve().parent / "app.py"
#: What ``streamlit run`` serves: ``app.py``'s pages as an ASGI app, with the route that sets the session cookie.
SERVED = APP.with_name("served.py")
HOST = "127.0.0.1"
DEFAULT_PORT = 8501


def register(subparsers: Any) -> None:
    dashboard = subparsers.add_parser("dashboard", help="the Streamlit dashboard on 127.0.0.1")
    dashboard.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    dashboard.add_argument(
        "--host", default=HOST, help=f"address to bind (default {HOST}; another needs sign-in: accounts or SSO)"
    )
    dashboard.set_defaults(handler=_dashboard)


def sign_in_available(home: Path) -> bool:
    """Whether anyone can sign in: a local account exists, or ``[auth]`` (OIDC) is in ``secrets.toml``."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore
    from ai_missions.services.identity import Accounts

    if Accounts(RunStore(runs_db(home))).count() > 0:
        return True
    for secrets in (Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        if secrets.exists() and "[auth" in secrets.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def check_host(host: str, home: Path) -> None:
    """Refuse an address beyond loopback while nobody could sign in or an account has the demo password."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.account_commands import DEMO_PASSWORD
    from ai_missions.kernel.store import RunStore
    from ai_missions.services.identity import Accounts

    if is_loopback(host):
        return
    if not sign_in_available(home):
        raise ForbiddenError(
            f"refusing to serve the dashboard on {host} with sign-in off: add an account first "
            "(`missions accounts add NAME --role ROLE`) or configure single sign-on ([auth] in secrets.toml)"
        )
    if demo := Accounts(RunStore(runs_db(home))).with_password(DEMO_PASSWORD):
        shown = ", ".join(demo[:5]) + (f" and {len(demo) - 5} more" if len(demo) > 5 else "")
        raise ForbiddenError(
            f"refusing to serve the dashboard on {host}: {len(demo)} account(s) ({shown}) still have the demo "
            "password; change each with `missions accounts password NAME` (signed in as an admin)"
        )


def streamlit_command(port: int, host: str = HOST) -> list[str]:
    """``streamlit run`` on the dashboard: no browser opened, no usage statistics, no file watcher."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SERVED),
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={host}",
        "--theme.base=light",
        "--theme.primaryColor=#2457c5",
        "--client.toolbarMode=minimal",
    ]


def _dashboard(args: argparse.Namespace) -> int:
    home = missions_home()
    check_host(args.host, home)
    print(f"AI Missions dashboard on http://{args.host}:{args.port} (state: {home}); Ctrl+C stops it", flush=True)
    env = {**os.environ, "MISSIONS_HOME": str(home)}
    command = streamlit_command(args.port, args.host)
    # This process becomes Streamlit (same pid): a SIGTERM to `missions dashboard` (a service manager, `kill PID`)
    # reaches Streamlit itself and frees the port. As a child, Streamlit outlived the SIGTERM and kept the port.
    sys.stderr.flush()
    os.execve(command[0], command, env)
