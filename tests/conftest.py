"""Test harness: every test runs with no outbound network and its own MISSIONS_HOME."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles

from ai_missions import identity
from tests.support.browser import install_chromium
from tests.support.bytecode import compile_project

pytest_plugins = ["tests.support.attack_tally"]

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise ConnectionRefusedError(f"tests have no network: connection to {host} blocked")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


#: argon2id as the platform hashes, at the lowest cost: the demo roster's 25 accounts, made by most test homes,
#: cost ~4.5 s of CPU each at the real cost (0.18 s a hash or check). Hashes keep their parameters, so one made at
#: either cost checks under the other; the real cost is the CLI's in its subprocesses (``test_governance``'s
#: ``accounts demo`` asserts it on the stored hashes).
CHEAP_HASHER = PasswordHasher.from_parameters(
    dataclasses.replace(profiles.RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=8, parallelism=1)
)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(identity, "_hasher", lambda: CHEAP_HASHER)
        yield


@pytest.fixture(autouse=True)
def missions_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh MISSIONS_HOME per test; nothing touches the developer's own ./.missions."""
    home = tmp_path / "home"
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_DATABASE_URL", raising=False)  # SQLite unless a test asks for Postgres
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return home


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test on each backend of the shared state: SQLite files (the default) and a Postgres schema of its
    own (``MISSIONS_DATABASE_URL``)."""
    if request.param == "sqlite":
        monkeypatch.delenv("MISSIONS_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    from tests.support.postgres import fresh_schema

    with fresh_schema() as url:
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        yield "postgres"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (stable otherwise): with a file per worker, the long files start at once and the quick ones
    fill in around them, instead of one long file starting last and running alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_configure(config: pytest.Config) -> None:
    """Once, before any test starts (in the controller, not in each xdist worker): compile the project's bytecode,
    which every process the tests start then reads; on a fresh machine, install the browser the browser tests
    drive, unless the run leaves them out."""
    if hasattr(config, "workerinput"):
        return
    compile_project()
    if "not browser" not in (config.getoption("markexpr", "") or "").replace("  ", " "):
        install_chromium()
