"""``missions worker``: take mission triggers and eval cases from the shared queue (procrastinate on Postgres)."""

from __future__ import annotations

import argparse
from typing import Any

from ai_missions.cli import LazyChoices


def register(subparsers: Any) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="process queued mission triggers and eval cases (needs MISSIONS_DATABASE_URL); run one per core",
    )
    worker.add_argument(
        "--queue",
        action="append",
        choices=LazyChoices("ai_missions.cli.workers:queue_names"),
        help="only this queue (repeatable; default: both)",
    )
    worker.add_argument("--name", default=None, help="the worker's name in logs and the jobs table")
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import sys

    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.workers import require_url, run_worker
    from ai_missions.kernel.settings import missions_home

    require_url("missions worker")  # the setting is checked before anything starts
    import logging

    logging.basicConfig(level=logging.WARNING, format=f"missions worker {args.name or ''}: %(message)s")
    print(f"missions worker {args.name or ''}: waiting for jobs (Ctrl-C stops after the job in hand)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(missions_home(), queues=args.queue, name=args.name))
    return 0
