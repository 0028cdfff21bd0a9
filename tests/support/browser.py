"""Debian's Chromium for the browser tests (marked ``browser``).

The test run installs it on a fresh machine (:func:`install_chromium`, called once by ``tests/conftest.py`` before
any test starts, when the run selects browser tests): ``apt-get install chromium``, as ``.ci/run`` used to, so the
README's test command needs nothing installed by hand. Where that cannot be done (not root, no apt, no mirror) the
browser tests fail, in one line saying why and how to install it or leave them out (``-m 'not ... and not
browser'``); a test that was not run is never reported as passed or skipped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ai_missions.dashboard.session_cookie import COOKIE as SESSION_COOKIE
from ai_missions.testing import DEMO_PASSWORD
from tests.support.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")


#: Why :func:`install_chromium` could not install it, for the one-line failure of each browser test (an environment
#: variable, so the xdist workers started after it ran see it too).
_PROBLEM = "MISSIONS_TEST_CHROMIUM_PROBLEM"


def install_chromium() -> None:
    """Install Debian's Chromium when it is missing (about 35 s on a fresh machine); remember why not, if not.

    Playwright drives this system browser; its own ``playwright install`` download is never used."""
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        os.environ[_PROBLEM] = "no apt-get here" if apt is None else "installing it needs root"
        return
    quiet = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.PIPE,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    for step in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(step, check=False, timeout=900, **quiet)  # type: ignore[call-overload]
        if done.returncode != 0:
            last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            os.environ[_PROBLEM] = f"`{' '.join(step[1:])}` failed: {last[0]}"
            return


def require_chromium() -> None:
    """Fail, in one line, when Chromium is not installed."""
    if not CHROMIUM.exists():
        why = f" ({os.environ[_PROBLEM]})" if os.environ.get(_PROBLEM) else ""
        pytest.fail(
            f"{CHROMIUM} is missing and the test run could not install it{why}: `apt-get install chromium` as root, "
            "or leave the browser tests out with -m 'not extended and not live and not browser'",
            pytrace=False,
        )


#: Chromium's switches for a headless run on a CI box: no sandbox (containers), GPU, or background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def start_dashboard(home: Path, log: Path, port: int, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``missions dashboard --port P`` on ``home`` (in ``env``, this process's by default), its output in ``log``, in
    its own process group: a test can stop it with the MCP servers it started, or signal the command alone."""
    env = {**(os.environ if env is None else env), "MISSIONS_HOME": str(home)}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "ai_missions.cli", "dashboard", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_healthy(server: subprocess.Popen[bytes], base: str, log: Path, wait: float = 90) -> None:
    """Until the dashboard at ``base`` answers its health check; the test fails if it exits first or does not answer
    in ``wait`` seconds (its log is the message)."""
    deadline = time.monotonic() + wait
    while True:
        if server.poll() is not None:
            pytest.fail(f"the dashboard exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the dashboard did not answer in {wait:.0f} s:\n{log.read_text()}")
        time.sleep(0.1)


@contextmanager
def dashboard_server(home: Path, log: Path, *, wait: float = 90) -> Iterator[str]:
    """``missions dashboard --port P`` on ``home``, in its own process group, until its health check answers; its
    base address. Stopped (with the MCP servers it started) on exit."""
    port = free_port()
    server = start_dashboard(home, log, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server, base, log, wait)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless with :data:`CHROMIUM_ARGS`, driven by Playwright; closed on exit."""
    # imported here, not at the top: tests/conftest.py imports this module on every run, and Playwright takes a
    # noticeable part of a second to import
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def settled(page: Any, timeout_ms: float = 60_000) -> None:
    """Wait for the dashboard's script run to finish (the app marks its state on the root element)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)


def open_in_session(page: Any, address: str) -> None:
    """Open ``address`` (a path and its query, such as ``/queue?decision=D-...``) in the dashboard open in ``page``,
    in the same Streamlit session, as the browser's Back and Forward buttons do: the address is pushed onto the
    tab's history and the ``popstate`` event those buttons fire is sent, on which Streamlit reruns the page the
    address names with its query parameters (the previous page's elements cleared). ``page.goto`` loads the whole
    app again instead: ~1 s of Chromium's CPU a load (its script bundle parsed and run anew) and a new session that
    finds its account again by cookie. The caller waits for what the new address shows."""
    page.evaluate(
        "(address) => { history.pushState(null, '', address); dispatchEvent(new PopStateEvent('popstate')); }",
        address,
    )


def sign_in(page: Any, name: str) -> None:
    """Sign ``name`` in (the demo password) in the sidebar of the page open now; wait until the sidebar says so.

    The form is filled once the page's first run has resolved the address (the notice is drawn after the
    navigation): the sidebar's form shows before that, and a sign-in sent then carries no page, so the browser lands
    on the Overview (CI, loaded, once: a ``?decision=`` link)."""
    from playwright.sync_api import expect  # imported here for the reason given in :func:`chromium`

    expect(page.get_by_text("Sign in (in the sidebar) to continue")).to_be_visible()
    settled(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="Account").fill(name)
    sidebar.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    # the page's script redeems its ticket for the session cookie after the sidebar says so: a reload or a new tab
    # before that finds no session (a busy machine showed it once)
    for _ in range(600):
        if any(c["name"] == SESSION_COOKIE for c in page.context.cookies()):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{name} signed in but the session cookie was not set within 30 s")


def dashboard_fixtures(wait_ms: int = 60_000) -> tuple[Any, Any, Any]:
    """The three module-scoped fixtures a browser module over one ``home`` fixture takes, as
    ``chromium_installed, dashboard, browser = dashboard_fixtures()`` (pytest names them after the assignment):
    Chromium required (autouse), ``missions dashboard`` on ``home`` (its base address), and one Chromium, with
    Playwright's ``expect`` waiting ``wait_ms``."""

    @pytest.fixture(autouse=True, scope="module")
    def chromium_installed() -> None:
        require_chromium()

    @pytest.fixture(scope="module")
    def dashboard(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        with dashboard_server(home, tmp_path_factory.mktemp("server") / "dashboard.log") as base:
            yield base

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Any]:
        from playwright.sync_api import expect  # imported here for the reason given in :func:`chromium`

        expect.set_options(timeout=wait_ms)
        with chromium() as browser:
            yield browser

    return chromium_installed, dashboard, browser


def shots_fixture() -> Any:
    """A module-scoped ``shots`` fixture: where a browser module saves its screenshots (``MISSIONS_SCREENSHOTS=dir``
    keeps them where you can look at them; otherwise the test's temporary directory)."""

    @pytest.fixture(scope="module")
    def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
        where = os.environ.get("MISSIONS_SCREENSHOTS")
        directory = Path(where).resolve() if where else tmp_path_factory.mktemp("shots")
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    return shots


#: The screen issue 29 and issue 60 judge a decision's card on.
SCREEN = (1280, 800)


def inside_the_screen(page: Any, what: str, element: Any) -> tuple[float, float]:
    """``element`` is shown, and wholly within the first screen (no scrolling); its top and bottom."""
    from playwright.sync_api import expect  # imported here for the reason given in :func:`chromium`

    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None, what
    top, bottom = box["y"], box["y"] + box["height"]
    assert top >= 0, f"{what} starts at {top:.0f} px, above the screen"
    assert bottom <= SCREEN[1], f"{what} spans {top:.0f}-{bottom:.0f} px, beyond the first {SCREEN[1]}"
    return top, bottom
