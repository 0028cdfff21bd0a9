"""Test harness: every test runs with no outbound network and its own MISSIONS_HOME."""

from __future__ import annotations

import dataclasses
import importlib
import ipaddress
import os
import socket
import sys
from collections.abc import Generator, Iterator
from functools import cache
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles

from ai_missions.services import identity
from tests.support.browser import install_chromium
from tests.support.bytecode import bytecode_written, compile_project

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


@pytest.fixture(autouse=True, scope="session")
def _streamlit_components_scanned_once() -> Iterator[None]:
    """Streamlit's AppTest scans every installed distribution's metadata for v2 components each time a new app first
    runs (~0.3 s of CPU, ~40% of a dashboard test file's): the installed packages do not change while the tests run,
    so the scan runs once a process and each app registers the same manifests it would have found."""
    if "streamlit.testing.v1" not in sys.modules:  # no test this process collected opens an app
        yield
        return
    scanner = importlib.import_module("streamlit.components.v2.manifest_scanner")  # streamlit is loaded already
    scanned = cache(scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scanner, "scan_component_manifests", lambda max_workers=None: list(scanned(max_workers)))
        yield


@pytest.fixture(autouse=True, scope="session")
def _streamlit_scripts_compiled_once() -> Iterator[None]:
    """AppTest makes a new script cache for every run, so each run read, rewrote (Streamlit's magic) and compiled the
    app's script and its page again (~10-20 ms of CPU a run, twice a page opened), where ``streamlit run`` compiles
    each once a process until its file changes. Here too: each script is compiled once a process, keyed by its path
    and its text (a changed file is compiled again), and every run executes that code, as the server's do."""
    if "streamlit.testing.v1" not in sys.modules:  # no test this process collected opens an app
        yield
        return
    from streamlit import config
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    compiled: dict[tuple[str, bytes, bool], object] = {}
    compile_script = ScriptCache.get_bytecode

    def get_bytecode(self: ScriptCache, script_path: str) -> object:
        path = os.path.abspath(script_path)
        key = (path, Path(path).read_bytes(), bool(config.get_option("runner.magicEnabled")))
        if key not in compiled:
            compiled[key] = compile_script(self, script_path)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScriptCache, "get_bytecode", get_bytecode)
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


#: The files that take longest, longest first (each file's tests' wall times summed over a full run, at 4fa7583 on a
#: quiet 2-core machine: the demo cards' browser walk 243 s with its set-up, the kill campaign 184, the notebooks 170,
#: then 62 s and less each): they start before the other slow files. xdist keeps this order (``--no-loadscope-reorder``
#: in the pytest options): by default it runs the files with the most tests first, so the kill campaign and the
#: notebooks, a few tests each, started last and ran alone on one core at the end of the run; the demo cards' walk,
#: the longest file, was in no list and started at 227 s, where any later start would have made the run's tail.
LONGEST_FIRST = (
    "test_demo_cards_browser.py",
    "test_kill_campaign.py",
    "test_notebooks.py",
    "test_review_walk_browser.py",
    "test_invoice_mission.py",
    "test_mission_e2e.py",
    "test_injection_corpus.py",
    "test_governance.py",
    "test_systems_mcp.py",
    "test_sixth_mission.py",
    "test_faults.py",
    "test_retail_mission.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, then the other slow tests, then the rest (stable otherwise): with a file per
    worker, the long files start at once and the quick ones fill in around them, instead of one long file starting
    last and running alone."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        if name in LONGEST_FIRST:
            return LONGEST_FIRST.index(name)
        return len(LONGEST_FIRST) + (item.get_closest_marker("slow") is None)

    items.sort(key=rank)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core. Measured on a quiet full run (2 cores, 2 workers, 833 s): its processes
    used 935 s of CPU of the 1,716 the cores had, as most slow tests wait on what they start (system servers,
    Streamlit and a browser, notebook kernels, killed and resumed CLI processes); a second worker a core fills
    that wait."""
    return 2 * (os.cpu_count() or 1)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """Collect with bytecode written (:func:`~tests.support.bytecode.bytecode_written`): the test modules' rewritten
    bytecode is kept for the next worker and the next run, which read it instead of rewriting every module."""
    with bytecode_written():
        return (yield)


def pytest_configure(config: pytest.Config) -> None:
    """Once, before any test starts (in the controller, not in each xdist worker): compile the project's bytecode,
    which every process the tests start then reads; on a fresh machine, install the browser the browser tests
    drive, unless the run leaves them out."""
    if hasattr(config, "workerinput"):
        return
    compile_project()
    if "not browser" not in (config.getoption("markexpr", "") or "").replace("  ", " "):
        install_chromium()
