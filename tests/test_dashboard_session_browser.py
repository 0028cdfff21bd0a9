"""Issue 59 item 5, in Chromium: the dashboard's cookie is a dashboard session, accepted by the dashboard alone, and
the one-time ticket that sets it is bound to the browser that signed in.

- **another local port** (cookies are scoped by host, not port): fiona signs in, then her browser visits a
  listener on another port of 127.0.0.1, which records every cookie it is sent and replays each as an API token to
  ``missions serve`` (its ``list_queue``) and to the CLI's ``whoami``: each refused. Before, the cookie was her API
  token and ``whoami`` answered "fiona (finance)".
- **the ticket**: the page's post of its ticket is held back and the ticket taken; posted from another browser (a
  context of its own, bound to it by the dashboard) it sets no cookie, while the browser that signed in still
  redeems it.
- **the cookie in another browser**: fiona's session cookie copied into another browser signs nobody in.

Each is marked ``attack("59.5")``: the run ends with ``attacks on 59.5: tried N, refused N``.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.dashboard.session_cookie import BROWSER, COOKIE, PATH
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.services.platform_client import RunningServer
from tests.support.browser import dashboard_fixtures, settled, sign_in
from tests.support.platform_serve import missions_serve
from tests.support.small_home import demo_home_fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WAIT_MS = 60_000


home = demo_home_fixture("dashboard-session")
chromium_installed, dashboard, browser = dashboard_fixtures(WAIT_MS)


class CookieJarListener:
    """An HTTP server on another port of 127.0.0.1 that keeps the ``Cookie`` header of every request it gets."""

    def __init__(self) -> None:
        received: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                received.append(self.headers.get("Cookie") or "")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *_: Any) -> None:
                pass

        self.received = received
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for header in self.received:
            for part in header.split(";"):
                name, _, value = part.strip().partition("=")
                if name:
                    jar[name] = value
        return jar

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed_in_page(browser: Any, dashboard: str, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{dashboard}/queue")
    sign_in(page, name)
    settled(page, WAIT_MS)
    return page


@pytest.fixture(scope="module")
def serve(home: Path) -> Iterator[RunningServer]:
    with missions_serve(home, "order-exception") as served:
        yield served.server


@pytest.mark.attack("59.5")
def test_the_cookie_another_local_port_receives_opens_nothing_there(
    browser: Any,
    dashboard: str,
    home: Path,
    serve: RunningServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = signed_in_page(browser, dashboard, "fiona")
    listener = CookieJarListener()
    try:
        page.goto(listener.url)
        received = listener.cookies()
    finally:
        listener.close()
    assert COOKIE in received, received  # the browser does send it there: cookies are scoped by host, not port
    assert not received[COOKIE].startswith("mst_")  # the dashboard session, not an API token

    tried = refused = 0
    for value in received.values():
        tried += 1
        try:
            serve.call("list_queue", {}, token=value)
        except ForbiddenError:
            refused += 1
        tried += 1
        monkeypatch.setenv("MISSIONS_HOME", str(home))
        monkeypatch.setenv("MISSIONS_TOKEN", value)
        capsys.readouterr()
        code = main(["whoami"])
        out, _ = capsys.readouterr()
        refused += int(code != 0 and "fiona" not in out)
    with capsys.disabled():
        print(f"\n  the cookies another port received, replayed to missions serve and whoami: tried {tried}, "
              f"refused {refused}")  # fmt: skip
    assert refused == tried


@pytest.mark.attack("59.5")
def test_a_ticket_taken_from_the_page_sets_no_cookie_in_another_browser(browser: Any, dashboard: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    tickets: list[str] = []

    def hold_back(route: Any) -> None:
        tickets.append(route.request.post_data or "")
        route.abort()

    context.route(f"**{PATH}", hold_back)
    page.goto(f"{dashboard}/queue")
    sidebar = page.get_by_test_id("stSidebar")
    expect(page.get_by_text("Sign in (in the sidebar) to continue")).to_be_visible()
    settled(page, WAIT_MS)
    sidebar.get_by_role("textbox", name="Account").fill("fiona")
    sidebar.get_by_role("textbox", name="Password").fill("missions-demo")
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()
    for _ in range(200):
        if tickets:
            break
        page.wait_for_timeout(50)
    assert tickets, "the page posted no ticket"
    ticket = tickets[0]
    assert not {c["name"] for c in context.cookies()} & {COOKIE}

    other = browser.new_context()
    other.new_page().goto(f"{dashboard}/queue")  # the dashboard binds this browser too
    assert BROWSER in {c["name"] for c in other.cookies()}
    answer = other.request.post(f"{dashboard}{PATH}", data=ticket, headers={"Content-Type": "text/plain"})
    assert answer.status == 403
    assert COOKIE not in {c["name"] for c in other.cookies()}
    bare = browser.new_context()  # a client that never visited: no browser value at all
    assert bare.request.post(f"{dashboard}{PATH}", data=ticket).status == 403

    context.unroute(f"**{PATH}")
    own = context.request.post(f"{dashboard}{PATH}", data=ticket, headers={"Content-Type": "text/plain"})
    assert own.status == 204  # the browser that signed in still redeems it
    assert COOKIE in {c["name"] for c in context.cookies()}
    page.reload()
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()


@pytest.mark.attack("59.5")
def test_the_session_cookie_copied_into_another_browser_signs_nobody_in(browser: Any, dashboard: str) -> None:
    from playwright.sync_api import expect

    page = signed_in_page(browser, dashboard, "fiona")
    session = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    other = browser.new_context()
    other.add_cookies([{"name": COOKIE, "value": session["value"], "url": dashboard}])
    stranger = other.new_page()
    stranger.goto(f"{dashboard}/queue")
    expect(stranger.get_by_text("Sign in (in the sidebar) to continue")).to_be_visible()
    settled(stranger, WAIT_MS)
    expect(stranger.get_by_text("Signed in as")).to_have_count(0)
    page.reload()  # while fiona's own browser stays signed in
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
