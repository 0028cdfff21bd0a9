"""The browser's session cookie, set by the server (``Set-Cookie``: HttpOnly, SameSite=Strict, Secure over HTTPS).

The cookie holds the session's API token, so no script of the page may read it: it is never written into the page.
After signing in (or out) the page is given a one-time *ticket* instead, which its script posts to
``/missions-session``; the server redeems the ticket (once, within :data:`TICKET_SECONDS`) and answers with the
``Set-Cookie`` header. Ticket and route live in the dashboard's process (``missions dashboard`` serves
``served.py``, an ``st.App`` with this route beside the pages), so a ticket names a token only to that server.
"""

from __future__ import annotations

import secrets
import threading
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

#: The path the page posts its ticket to.
PATH = "/missions-session"
#: How long a ticket may wait for the browser to redeem it.
TICKET_SECONDS = 60
#: The cookie naming a signed-in session (its API token), and how long it lasts (the token's own lifetime).
COOKIE = "missions_session"
COOKIE_SECONDS = 86400

_tickets: dict[str, tuple[float, str | None]] = {}
_lock = threading.Lock()


def ticket(token: str | None) -> str:
    """A one-time ticket for the browser to redeem: setting the cookie to ``token``, or clearing it (None)."""
    value = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for stale in [k for k, (at, _) in _tickets.items() if now - at > TICKET_SECONDS]:
            del _tickets[stale]
        _tickets[value] = (now, token)
    return value


def redeem(value: str) -> tuple[bool, str | None]:
    """Whether ``value`` is a live ticket (each redeems once), and the token it sets (None: it clears)."""
    with _lock:
        found = _tickets.pop(value, None)
    if found is None or time.monotonic() - found[0] > TICKET_SECONDS:
        return False, None
    return True, found[1]


async def session(request: Request) -> Response:
    """``POST /missions-session`` with a ticket as the body: the cookie set (or cleared) with ``Set-Cookie``."""
    live, token = redeem((await request.body()).decode("utf-8", "replace").strip())
    if not live:
        return Response("no such ticket", status_code=403, media_type="text/plain")
    response = Response(status_code=204)
    secure = request.url.scheme == "https"
    if token is None:
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
    else:
        response.set_cookie(
            COOKIE, token, max_age=COOKIE_SECONDS, path="/", secure=secure, httponly=True, samesite="strict"
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def routes() -> list[Route]:
    return [Route(PATH, session, methods=["POST"])]


def script(value: str) -> str:
    """The page's script: post the ticket (it is not the token) and let the server set the cookie."""
    return (
        f"<script>fetch('{PATH}',{{method:'POST',credentials:'same-origin',"
        f"headers:{{'Content-Type':'text/plain'}},body:'{value}'}});</script>"
    )
