"""``missions serve``: run the platform as an MCP server (see :mod:`ai_missions.platform_server`)."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any, NoReturn

from ai_missions.cli import LazyChoices


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve", help="serve the platform over MCP (start missions, the queue, runs, decide) until stopped"
    )
    serve.add_argument("--transport", choices=("streamable-http", "stdio"), default="streamable-http")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8765, help="0 picks a free port (see serve.json)")
    serve.add_argument(
        "--mission",
        action="append",
        dest="missions",
        default=[],
        choices=LazyChoices("ai_missions.missions:mission_names"),
        metavar="MISSION",
        help="serve only this mission (repeatable; default: every installed mission)",
    )
    serve.set_defaults(handler=_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in 0..65535, got {value}")
    return value


def _serve(args: argparse.Namespace) -> int:
    import anyio

    from ai_missions.identity import Accounts
    from ai_missions.platform_client import running_server
    from ai_missions.settings import missions_home, runs_db
    from ai_missions.store import RunStore

    home = missions_home()
    if args.transport == "stdio":
        from ai_missions.platform_server import serve_stdio

        anyio.run(serve_stdio, home, args.missions)
        return 0
    if (other := running_server(home)) is not None:
        from ai_missions.errors import ConflictError

        raise ConflictError(f"missions serve already runs for {home} at {other.url} (pid {other.pid})")
    if Accounts(RunStore(runs_db(home))).count() == 0:
        from ai_missions.errors import ValidationError

        raise ValidationError("no accounts yet: add one (`missions accounts add NAME --role ROLE`) before serving")
    from ai_missions.platform_server import serve_http

    def ready(url: str) -> None:
        print(f"missions serve: {url} (MCP, streamable HTTP; bearer token of `missions login`)", flush=True)

    signal.signal(signal.SIGTERM, _stop)  # a plain `kill` unwinds too: sessions closed, serve.json removed
    print("missions serve: opening the missions' systems…", file=sys.stderr, flush=True)
    try:
        anyio.run(lambda: serve_http(home, host=args.host, port=args.port, missions=args.missions, on_ready=ready))
    except KeyboardInterrupt:
        print("missions serve: stopped", file=sys.stderr)
    return 0


def _stop(signum: int, frame: Any) -> NoReturn:
    raise KeyboardInterrupt
