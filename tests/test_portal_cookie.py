"""Issue 42 item 8: the portal's (the dashboard's) session cookie was set from JavaScript, so any script of the page
could read it. Now the server sets it with ``Set-Cookie`` (HttpOnly, SameSite=Strict, Secure over HTTPS) when the
page posts a one-time ticket; nothing of the session is written into the page.

Issue 59 item 5: the cookie held an API token, which every other service on 127.0.0.1 received (cookies are scoped
by host, not port) and could replay; and the ticket set it for whoever posted it first. Now the cookie names a
dashboard session that this process alone accepts, and tickets and sessions are bound to the browser that signed
in (``tests/test_dashboard_session_browser.py`` tries both in Chromium)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from ai_missions.dashboard import resources, session_cookie
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD
from tests.support.browser import dashboard_server

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


BROWSER = "browser-a" * 3


def client(base_url: str = "http://127.0.0.1", browser: str | None = BROWSER) -> TestClient:
    served = TestClient(Starlette(routes=session_cookie.routes()), base_url=base_url)
    if browser is not None:
        served.cookies.set(session_cookie.BROWSER, browser)
    return served


@pytest.mark.attack("42.8")
def test_the_server_sets_the_session_cookie_httponly_strict_and_secure_over_https() -> None:
    token = session_cookie.open_session("ana", "mst_" + "a" * 40, BROWSER)
    answer = client().post(session_cookie.PATH, content=session_cookie.ticket(token, BROWSER))
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{session_cookie.COOKIE}={token};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would never come back
    over_https = client("https://dashboard.example").post(
        session_cookie.PATH, content=session_cookie.ticket(token, BROWSER)
    )
    assert "Secure" in over_https.headers["set-cookie"]
    assert "HttpOnly" in over_https.headers["set-cookie"]


@pytest.mark.attack("42.8")
def test_a_ticket_sets_the_cookie_once_and_a_made_up_one_never() -> None:
    ticket = session_cookie.ticket(session_cookie.open_session("ana", "mst_" + "b" * 40, BROWSER), BROWSER)
    assert client().post(session_cookie.PATH, content=ticket).status_code == 204
    replayed = client().post(session_cookie.PATH, content=ticket)
    assert replayed.status_code == 403
    assert "set-cookie" not in replayed.headers
    assert client().post(session_cookie.PATH, content="mst_" + "c" * 40).status_code == 403  # a token is no ticket
    cleared = client().post(session_cookie.PATH, content=session_cookie.ticket(None, BROWSER))
    assert cleared.status_code == 204
    assert 'missions_session="";' in cleared.headers["set-cookie"] or "Max-Age=0" in cleared.headers["set-cookie"]
    assert "HttpOnly" in cleared.headers["set-cookie"]


@pytest.mark.attack("42.8")
def test_signing_in_writes_a_ticket_into_the_page_never_the_token(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missions_home.mkdir(parents=True)
    store = RunStore(runs_db(missions_home))
    Accounts(store).add("ana", "ops_agent", DEMO_PASSWORD, by="setup")
    monkeypatch.setattr(resources, "browser", lambda: BROWSER)  # AppTest has no browser to send the cookie
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="sign-in-name").input("ana")
    at.text_input(key="sign-in-password").input(DEMO_PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    token = at.session_state[resources.API_TOKEN][1]
    session = at.session_state[resources.SESSION]
    scripts = [str(getattr(e, "proto", "")) for e in at.get("html")]
    assert any(session_cookie.PATH in s for s in scripts), scripts
    assert not any(token in s or session in s for s in scripts)
    assert not any("document.cookie" in s for s in scripts)


@pytest.mark.attack("59.5")
def test_the_cookie_names_a_dashboard_session_that_no_api_accepts(missions_home: Path) -> None:
    """What the cookie holds is no API token: the run store's accounts refuse it, as ``whoami``, ``missions serve``
    and the LangGraph server would (they all ask ``account_for_token``)."""
    missions_home.mkdir(parents=True)
    accounts = Accounts(RunStore(runs_db(missions_home)))
    accounts.add("fiona", "finance", DEMO_PASSWORD, by="setup")
    api_token = accounts.issue_token("fiona", days=1)
    value = session_cookie.open_session("fiona", api_token, BROWSER)
    assert not value.startswith("mst_")
    with pytest.raises(ForbiddenError):
        accounts.account_for_token(value)
    assert accounts.account_for_token(api_token).name == "fiona"  # the session's own token stays on the server
    assert session_cookie.session_of(value, BROWSER) is not None
    assert session_cookie.session_of(api_token, BROWSER) is None  # and an API token opens no dashboard session


@pytest.mark.attack("59.5")
def test_a_ticket_posted_by_another_browser_or_none_sets_nothing() -> None:
    value = session_cookie.open_session("fiona", "mst_" + "d" * 40, BROWSER)
    ticket = session_cookie.ticket(value, BROWSER)
    for stranger in (client(browser="browser-b" * 3), client(browser=None)):
        refused = stranger.post(session_cookie.PATH, content=ticket)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
    assert client().post(session_cookie.PATH, content=ticket).status_code == 204  # still the right browser's


@pytest.mark.attack("59.5")
def test_a_session_value_resumes_only_in_its_own_browser_and_ends_at_sign_out() -> None:
    value = session_cookie.open_session("fiona", "mst_" + "e" * 40, BROWSER)
    assert session_cookie.session_of(value, "browser-b" * 3) is None
    assert session_cookie.session_of(value, "") is None
    assert session_cookie.session_of(session_cookie.PREFIX + "made-up" * 5, BROWSER) is None
    assert session_cookie.session_of(value, BROWSER) == session_cookie.Session(
        "fiona",
        "mst_" + "e" * 40,
        BROWSER,
        session_cookie.session_of(value, BROWSER).ends,  # type: ignore[union-attr]
    )
    session_cookie.close_session(value)
    assert session_cookie.session_of(value, BROWSER) is None


def test_every_response_to_a_browser_without_one_binds_it() -> None:
    async def page(_: Any) -> Response:
        return PlainTextResponse("the page")

    served = TestClient(
        Starlette(routes=[Route("/queue", page)], middleware=[Middleware(session_cookie.BrowserBinding)])
    )
    first = served.get("/queue")
    bound = first.cookies.get(session_cookie.BROWSER)
    assert bound
    assert "HttpOnly" in first.headers["set-cookie"]
    assert "SameSite=Strict" in first.headers["set-cookie"]
    served.cookies.set(session_cookie.BROWSER, bound)
    assert "set-cookie" not in served.get("/queue").headers  # bound once: the value stays the browser's


@pytest.mark.slow
def test_missions_dashboard_serves_the_cookie_route_beside_the_pages(missions_home: Path, tmp_path: Path) -> None:
    missions_home.mkdir(parents=True)
    with dashboard_server(missions_home, tmp_path / "dashboard.log") as base:
        request = urllib.request.Request(f"{base}{session_cookie.PATH}", data=b"made-up", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403  # the route is there, and a ticket it never issued sets nothing
        set_cookies = refused.value.headers.get_all("set-cookie") or []
        assert not [c for c in set_cookies if c.startswith(f"{session_cookie.COOKIE}=")]
        assert [c for c in set_cookies if c.startswith(f"{session_cookie.BROWSER}=")]  # the browser is bound
