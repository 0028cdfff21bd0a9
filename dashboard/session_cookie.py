"""The browser's dashboard session: a cookie the dashboard alone accepts, set by the server, bound to one browser.

Cookies are scoped by host, not by port: whatever the browser holds for ``127.0.0.1`` it also sends to every other
service listening there (``missions serve``, a LangGraph server, anyone's). So the cookie never holds an API token
(issue 59 item 5: another local port received it and ``whoami`` with it answered "fiona (finance)"). It holds a
*dashboard session*: a random value this process keeps, in memory, with the account it signed in and the API token
the session uses for ``missions serve`` (which never leaves the server). Nothing else accepts the value: it is no
token of the run store, and another dashboard process does not know it. A dashboard restart signs every browser out.

The browser gets the session cookie without any script of the page seeing it: after signing in (or out) the page is
given a one-time *ticket*, which its script posts to ``/missions-session``; the server redeems the ticket (once,
within :data:`TICKET_SECONDS`) and answers with ``Set-Cookie`` (HttpOnly, SameSite=Strict, Secure over HTTPS).
The ticket is bound to the browser that signed in: every response to a browser without one sets a random
:data:`BROWSER` cookie (:class:`BrowserBinding`), the Streamlit session reads it from its own connection, and the
ticket is redeemed only by a request carrying the same value; a session is resumed only in that browser too. A
ticket read from the page and posted by anyone else sets nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The path the page posts its ticket to.
PATH = "/missions-session"
#: How long a ticket may wait for the browser to redeem it.
TICKET_SECONDS = 60
#: The cookie naming a signed-in dashboard session, and how long a session lasts (its API token's lifetime).
COOKIE = "missions_session"
COOKIE_SECONDS = 86400
#: The cookie naming the browser (random, set on its first request): tickets and sessions are bound to it.
BROWSER = "missions_browser"
#: How a session value starts: a dashboard session, never an API token (those start ``mst_``).
PREFIX = "mds_"


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: the account, the API token the session calls ``missions serve`` with (kept here, never
    sent to the browser), the browser it is bound to, and when it ends (``time.monotonic``)."""

    account: str
    api_token: str
    browser: str
    ends: float


@dataclass(frozen=True, slots=True)
class _Ticket:
    issued: float
    browser: str
    session: str | None  # the session value to set; None clears the cookie


_sessions: dict[str, Session] = {}  # digest of the session value -> session
_tickets: dict[str, _Ticket] = {}
_lock = threading.Lock()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def open_session(account: str, api_token: str, browser: str) -> str:
    """A new dashboard session of ``account`` in ``browser``; returns its value (for the cookie)."""
    value = PREFIX + secrets.token_urlsafe(32)
    with _lock:
        _sessions[_digest(value)] = Session(account, api_token, browser, time.monotonic() + COOKIE_SECONDS)
    return value


def session_of(value: object, browser: object) -> Session | None:
    """The live session ``value`` names, when it was opened in ``browser``; None otherwise (unknown, ended, made
    up, an API token, or the right value from another browser)."""
    if not isinstance(value, str) or not value.startswith(PREFIX) or not isinstance(browser, str) or not browser:
        return None
    with _lock:
        found = _sessions.get(_digest(value))
        if found is not None and found.ends < time.monotonic():
            del _sessions[_digest(value)]
            found = None
    if found is None or not secrets.compare_digest(found.browser, browser):
        return None
    return found


def close_session(value: object) -> Session | None:
    """End a session (signing out): every tab of the browser is signed out at its next run. Returns what it was."""
    if not isinstance(value, str):
        return None
    with _lock:
        return _sessions.pop(_digest(value), None)


def ticket(session: str | None, browser: str) -> str:
    """A one-time ticket for ``browser`` to redeem: setting the cookie to ``session``, or clearing it (None)."""
    value = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for stale in [k for k, t in _tickets.items() if now - t.issued > TICKET_SECONDS]:
            del _tickets[stale]
        _tickets[value] = _Ticket(now, browser, session)
    return value


def redeem(value: str, browser: str | None) -> tuple[bool, str | None]:
    """Whether ``value`` is a live ticket of ``browser`` (each redeems once; one posted by another browser sets
    nothing there and stays for its own), and the session value it sets (None: it clears)."""
    with _lock:
        found = _tickets.get(value)
        if found is None or time.monotonic() - found.issued > TICKET_SECONDS:
            _tickets.pop(value, None)
            return False, None
        if not browser or not secrets.compare_digest(found.browser, browser):
            return False, None
        del _tickets[value]
    return True, found.session


def _cookie_options(secure: bool, max_age: int) -> dict[str, Any]:
    return {"max_age": max_age, "path": "/", "secure": secure, "httponly": True, "samesite": "strict"}


async def session(request: Request) -> Response:
    """``POST /missions-session`` with a ticket as the body, from the browser it was issued to: the session cookie
    set (or cleared) with ``Set-Cookie``."""
    body = (await request.body()).decode("utf-8", "replace").strip()
    live, value = redeem(body, request.cookies.get(BROWSER))
    if not live:
        return Response("no such ticket for this browser", status_code=403, media_type="text/plain")
    response = Response(status_code=204)
    secure = request.url.scheme == "https"
    if value is None:
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
    else:
        response.set_cookie(COOKIE, value, **_cookie_options(secure, COOKIE_SECONDS))
    response.headers["Cache-Control"] = "no-store"
    return response


def routes() -> list[Route]:
    return [Route(PATH, session, methods=["POST"])]


def script(value: str) -> str:
    """The page's script: post the ticket (it is not the session) and let the server set the cookie."""
    return (
        f"<script>fetch('{PATH}',{{method:'POST',credentials:'same-origin',"
        f"headers:{{'Content-Type':'text/plain'}},body:'{value}'}});</script>"
    )


def browser_of(cookies: Mapping[str, str]) -> str | None:
    """The browser's binding value among a request's cookies (None when it has none yet)."""
    value = cookies.get(BROWSER)
    return value if isinstance(value, str) and value else None  # (AppTest's stand-in cookies hold mocks)


class BrowserBinding:
    """ASGI middleware: an HTTP response to a browser without a :data:`BROWSER` cookie sets one (random, HttpOnly,
    SameSite=Strict), so the Streamlit session it then opens (its websocket carries the cookie) can bind tickets and
    sessions to it. Written as plain ASGI, not Starlette's ``BaseHTTPMiddleware``: websockets pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._has_browser(scope):
            await self.app(scope, receive, send)
            return
        value = secrets.token_urlsafe(24)
        secure = scope.get("scheme") == "https"

        async def send_bound(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = SimpleCookie()
                cookie[BROWSER] = value
                cookie[BROWSER].update({"path": "/", "samesite": "Strict"})
                cookie[BROWSER]["httponly"] = True
                if secure:
                    cookie[BROWSER]["secure"] = True
                header = cookie.output(header="").strip().encode("latin-1")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, send_bound)

    @staticmethod
    def _has_browser(scope: Scope) -> bool:
        for name, raw in scope.get("headers", []):
            if name == b"cookie":
                jar = SimpleCookie()
                try:
                    jar.load(raw.decode("latin-1"))
                except Exception:  # a malformed Cookie header: treated as none (the browser gets a new value)
                    return False
                if BROWSER in jar and jar[BROWSER].value:
                    return True
        return False
