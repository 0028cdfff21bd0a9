"""``missions serve``: run the platform as an MCP server (see :mod:`ai_missions.platform_server`).

Its callers send bearer tokens: an address beyond loopback is refused unless the server speaks TLS itself
(``--tls-cert`` and ``--tls-key``) or ``--behind-tls-proxy`` says a TLS proxy fronts it (the tokens would
otherwise cross the network in plain HTTP)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

from ai_missions.cli import LazyChoices
from ai_missions.kernel.errors import ConflictError, ForbiddenError, ValidationError
from ai_missions.kernel.settings import is_loopback, missions_home, runs_db


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve", help="serve the platform over MCP (start missions, the queue, runs, decide) until stopped"
    )
    serve.add_argument("--transport", choices=("streamable-http", "stdio"), default="streamable-http")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (beyond loopback: TLS or a TLS proxy)")
    serve.add_argument("--tls-cert", type=Path, help="certificate (PEM) to serve HTTPS with; needs --tls-key")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument(
        "--behind-tls-proxy",
        action="store_true",
        help="a TLS-terminating proxy fronts this server (allows plain HTTP beyond loopback)",
    )
    serve.add_argument("--port", type=_port, default=8765, help="0 picks a free port (see serve.json)")
    serve.add_argument(
        "--mission",
        action="append",
        dest="missions",
        default=[],
        choices=LazyChoices("ai_missions.kernel.missions:mission_names"),
        metavar="MISSION",
        help="serve only this mission (repeatable; default: every installed mission)",
    )
    serve.set_defaults(handler=_serve)

    proxy = subparsers.add_parser(
        "langgraph-proxy",
        help="a local proxy to `langgraph dev` adding your token to every request (for Studio, which sends none)",
    )
    proxy.add_argument("--port", type=_port, default=2025, help="the proxy's port on 127.0.0.1 (default 2025)")
    proxy.add_argument(
        "--server", default="http://127.0.0.1:2024", help="LangGraph's server (default: langgraph dev's address)"
    )
    proxy.set_defaults(handler=_langgraph_proxy)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in 0..65535, got {value}")
    return value


def check_exposure(host: str, tls: tuple[Path, Path] | None, behind_tls_proxy: bool) -> None:
    """Refuse plain HTTP beyond loopback: bearer tokens would cross the network readable by anyone on the path."""
    if not is_loopback(host) and tls is None and not behind_tls_proxy:
        raise ForbiddenError(
            f"refusing to serve on {host} over plain HTTP (bearer tokens in the clear): give --tls-cert and "
            "--tls-key, or --behind-tls-proxy when a TLS proxy fronts it"
        )


def _tls(args: argparse.Namespace) -> tuple[Path, Path] | None:
    if (args.tls_cert is None) != (args.tls_key is None):
        raise ValidationError("--tls-cert and --tls-key go together")
    if args.tls_cert is None:
        return None
    for path in (args.tls_cert, args.tls_key):
        if not path.is_file():
            raise ValidationError(f"no file {path}")
    return args.tls_cert, args.tls_key


def _serve(args: argparse.Namespace) -> int:
    import anyio

    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore
    from ai_missions.services.identity import Accounts
    from ai_missions.services.platform_client import running_server

    tls = _tls(args)
    if args.transport == "streamable-http":
        check_exposure(args.host, tls, args.behind_tls_proxy)
    home = missions_home()
    if args.transport == "stdio":
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.platform_server import serve_stdio

        anyio.run(serve_stdio, home, args.missions)
        return 0
    if (other := running_server(home)) is not None:
        raise ConflictError(f"missions serve already runs for {home} at {other.url} (pid {other.pid})")
    if Accounts(RunStore(runs_db(home))).count() == 0:
        raise ValidationError("no accounts yet: add one (`missions accounts add NAME --role ROLE`) before serving")
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.platform_server import serve_http

    def ready(url: str) -> None:
        print(f"missions serve: {url} (MCP, streamable HTTP; bearer token of `missions login`)", flush=True)

    signal.signal(signal.SIGTERM, _stop)  # a plain `kill` unwinds too: sessions closed, serve.json removed
    print("missions serve: opening the missions' systems…", file=sys.stderr, flush=True)
    try:
        anyio.run(
            lambda: serve_http(home, host=args.host, port=args.port, missions=args.missions, on_ready=ready, tls=tls)
        )
    except KeyboardInterrupt:
        print("missions serve: stopped", file=sys.stderr)
    return 0


def _stop(signum: int, frame: Any) -> NoReturn:
    raise KeyboardInterrupt


def _langgraph_proxy(args: argparse.Namespace) -> int:
    """Forwards to LangGraph's server as the signed-in account (its saved token, checked here first), on loopback
    only: whoever reaches the port acts as that account (:mod:`ai_missions.token_proxy`)."""
    # deferred: start-up time (`missions --help` loads every area)
    import uvicorn

    from ai_missions.kernel.store import RunStore
    from ai_missions.services.identity import saved_token, signed_in
    from ai_missions.token_proxy import token_proxy

    home = missions_home()
    account = signed_in(home, RunStore(runs_db(home)))  # refuses without a valid sign-in, in one line
    token = str(saved_token(home))
    print(
        f"Forwarding http://127.0.0.1:{args.port} to {args.server} as {account.name} ({account.role}); in Studio: "
        f"https://smith.langchain.com/studio/?baseUrl=http://127.0.0.1:{args.port} (Ctrl-C stops it; anyone who "
        "can reach this port acts as you while it runs)",
        flush=True,
    )
    uvicorn.run(token_proxy(args.server, token), host="127.0.0.1", port=args.port, log_level="warning")
    return 0
