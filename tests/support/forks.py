"""A module's fork server (:class:`~tests.support.fork_decider.ForkServer`): the ``missions`` processes a test runs
one at a time (a command whose exit code and output it reads, a decision it kills mid-plan, the ``resume`` after a
crash) forked from a server that imported the stack once, each a real process of its own, without paying a Python
start and the stack's imports (~2 s of CPU a process) each. A module takes it as

    forks = forks_fixture()

(the fixture ``forks``). Tests of the ``missions`` executable itself, of processes racing each other, or of what a
fresh process does at start-up keep their own processes (``tests/support/cli_process.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.fork_decider import ForkServer


def forks_fixture() -> Any:
    """A module-scoped ``forks`` fixture: a :class:`ForkServer` in the environment a test hands its children (no
    database URL or token of the caller's; offline), closed after the module."""

    @pytest.fixture(scope="module")
    def forks() -> Iterator[ForkServer]:
        keep = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_DATABASE_URL", "MISSIONS_TOKEN")}
        server = ForkServer({**keep, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
        try:
            yield server
        finally:
            server.close()

    return forks
