"""Issue 42 item 8: the portal's (the dashboard's) session cookie is an API token, and it was set from JavaScript, so
any script of the page could read it. Now the server sets it with ``Set-Cookie`` (HttpOnly, SameSite=Strict,
Secure over HTTPS) when the page posts a one-time ticket; the token is never written into the page."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from ai_missions.dashboard import session_cookie
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD
from tests.support.browser import dashboard_server

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def client(base_url: str = "http://127.0.0.1") -> TestClient:
    return TestClient(Starlette(routes=session_cookie.routes()), base_url=base_url)


@pytest.mark.attack("42.8")
def test_the_server_sets_the_session_cookie_httponly_strict_and_secure_over_https() -> None:
    token = "mst_" + "a" * 40
    answer = client().post(session_cookie.PATH, content=session_cookie.ticket(token))
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{session_cookie.COOKIE}={token};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would never come back
    over_https = client("https://dashboard.example").post(session_cookie.PATH, content=session_cookie.ticket(token))
    assert "Secure" in over_https.headers["set-cookie"]
    assert "HttpOnly" in over_https.headers["set-cookie"]


@pytest.mark.attack("42.8")
def test_a_ticket_sets_the_cookie_once_and_a_made_up_one_never() -> None:
    ticket = session_cookie.ticket("mst_" + "b" * 40)
    assert client().post(session_cookie.PATH, content=ticket).status_code == 204
    replayed = client().post(session_cookie.PATH, content=ticket)
    assert replayed.status_code == 403
    assert "set-cookie" not in replayed.headers
    assert client().post(session_cookie.PATH, content="mst_" + "c" * 40).status_code == 403  # a token is no ticket
    cleared = client().post(session_cookie.PATH, content=session_cookie.ticket(None))
    assert cleared.status_code == 204
    assert 'missions_session="";' in cleared.headers["set-cookie"] or "Max-Age=0" in cleared.headers["set-cookie"]
    assert "HttpOnly" in cleared.headers["set-cookie"]


@pytest.mark.attack("42.8")
def test_signing_in_writes_a_ticket_into_the_page_never_the_token(missions_home: Path) -> None:
    missions_home.mkdir(parents=True)
    store = RunStore(runs_db(missions_home))
    Accounts(store).add("ana", "ops_agent", DEMO_PASSWORD, by="setup")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="sign-in-name").input("ana")
    at.text_input(key="sign-in-password").input(DEMO_PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    token = at.session_state["platform-api-token"][1]
    scripts = [str(getattr(e, "proto", "")) for e in at.get("html")]
    assert any(session_cookie.PATH in s for s in scripts), scripts
    assert not any(token in s for s in scripts)
    assert not any("document.cookie" in s for s in scripts)


@pytest.mark.slow
def test_missions_dashboard_serves_the_cookie_route_beside_the_pages(missions_home: Path, tmp_path: Path) -> None:
    missions_home.mkdir(parents=True)
    with dashboard_server(missions_home, tmp_path / "dashboard.log") as base:
        request = urllib.request.Request(f"{base}{session_cookie.PATH}", data=b"made-up", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403  # the route is there, and a ticket it never issued sets nothing
        assert "set-cookie" not in {k.lower() for k in refused.value.headers}
