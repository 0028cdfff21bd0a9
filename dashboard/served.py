"""What ``missions dashboard`` serves: the dashboard's pages (``app.py``) as Streamlit's ASGI app, with one route of
the platform's own beside them, ``/missions-session``, where the browser's session cookie is set by the server,
HttpOnly, and the middleware that gives each browser the value tickets and sessions are bound to
(:mod:`ai_missions.dashboard.session_cookie`)."""

from __future__ import annotations

from starlette.middleware import Middleware
from streamlit.starlette import App

from ai_missions.dashboard import heap
from ai_missions.dashboard.session_cookie import BrowserBinding, routes

heap.serving()
app = App("app.py", routes=routes(), middleware=[Middleware(BrowserBinding)])
