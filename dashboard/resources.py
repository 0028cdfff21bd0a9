"""The dashboard's expensive clients, opened once per process and shared by every session (``st.cache_resource``).

- the run store (:class:`RunStore`, SQLite): every listing, count and audit trail, as the CLI reads them;
- the mission client (:class:`MissionClient`): graph state and ``decide``, over the runtime's persistent MCP
  sessions (opened on first need, ~2 s, then reused);
- the knowledge base (:class:`KnowledgeBase`): policy search and reading.

Everything is keyed by ``MISSIONS_HOME``, so one process can serve (or test) several homes.

When ``missions serve`` runs on the home (found as the CLI finds it: :mod:`ai_missions.services.platform_client`),
deciding and the Decision Queue's listing go through it, as the signed-in account: the session holds an API token of
that account (issued at its first call, revoked at sign-out), and the server checks it and the account's role as it
checks the CLI's. Without a server (or when it does not serve the mission) the dashboard works in-process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ai_missions.dashboard.session_cookie import COOKIE
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.services.governance import load_roster
from ai_missions.services.identity import Accounts
from ai_missions.services.platform_client import RunningServer, ServerUnavailable, running_server
from ai_missions.services.queries import RunQueries

if TYPE_CHECKING:  # imported on first use: the runtime and the vector store take seconds to import
    from ai_missions.client import MissionClient
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

#: The session's API token for calls through ``missions serve``: (account, token).
API_TOKEN = "platform-api-token"
#: Hours an API token issued for a dashboard session lasts (a day: sessions are shorter).
SESSION_TOKEN_DAYS = 1
#: The browser cookie naming a signed-in session: the session's API token (random, stored hashed and signed in the
#: run store, revoked at sign-out), so a reload or a link opened in another tab finds the account again.
SESSION_COOKIE = COOKIE


def home() -> Path:
    return missions_home()


@st.cache_resource(show_spinner=False)
def _store(home: str) -> RunStore:
    return RunStore(runs_db(Path(home)))


def store() -> RunStore:
    return _store(str(home()))


def queries() -> RunQueries:
    """The dashboard's read-only queries over the run store."""
    return RunQueries(store())


def _close(client: MissionClient) -> None:
    client.__exit__(None, None, None)


@st.cache_resource(show_spinner="Connecting to the systems…", on_release=_close)
def _client(home: str) -> MissionClient:
    # deferred: start-up time (loads langgraph and langchain_core)
    from ai_missions.client import MissionClient

    return MissionClient(Path(home)).__enter__()


def client() -> MissionClient:
    """The mission client of this home (the same runtime API the CLI uses)."""
    return _client(str(home()))


@st.cache_resource(show_spinner=False)
def _knowledge(home: str) -> KnowledgeBase:
    # deferred: start-up time (loads chromadb and numpy)
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

    return KnowledgeBase(knowledge_dir(Path(home)))


def knowledge() -> KnowledgeBase:
    return _knowledge(str(home()))


def roster() -> dict[str, str]:
    """Account name -> role (the store's accounts); read on every run."""
    return load_roster(home())


def accounts() -> Accounts:
    """The store's local accounts, for signing in."""
    return Accounts(store())


def server() -> RunningServer | None:
    """The ``missions serve`` running on this home, if any."""
    return running_server(home())


def session_token(reviewer: str) -> str:
    """An API token of the session's signed-in account, issued once per session."""
    held = st.session_state.get(API_TOKEN)
    if held is None or held[0] != reviewer:
        held = (reviewer, accounts().issue_token(reviewer, days=SESSION_TOKEN_DAYS))
        st.session_state[API_TOKEN] = held
    return str(held[1])


def start_session(reviewer: str) -> str:
    """At sign-in: a new API token of the account, held by the session (and named by the browser's cookie)."""
    held = (reviewer, accounts().issue_token(reviewer, days=SESSION_TOKEN_DAYS))
    st.session_state[API_TOKEN] = held
    return held[1]


def resume_session(token: object) -> str | None:
    """The account a browser's session cookie names, when the platform issued that token and it is still valid
    (not expired, not revoked, its row signed); None otherwise. The session then holds that token."""
    if not isinstance(token, str) or not token:  # no cookie (or, under AppTest, no browser at all)
        return None
    try:
        account = accounts().account_for_token(token)
    except MissionsError:
        return None
    st.session_state[API_TOKEN] = (account.name, token)
    return account.name


def forget_session_token() -> None:
    """At sign-out: the session's token stops working at once."""
    held = st.session_state.pop(API_TOKEN, None)
    if held is not None:
        accounts().revoke(held[1])


def decide(decision_id: str, reviewer: str, **options: Any) -> dict[str, Any]:
    """Decide as the signed-in ``reviewer`` (see :meth:`MissionRuntime.decide` for ``options``): through the
    running server when it serves the decision's mission, else in this process. The outcome, as a dict."""
    running = server()
    if running is not None and running.serves(store().get_decision(decision_id).mission):
        try:
            outcome: dict[str, Any] = running.call(
                "decide", {"decision_id": decision_id, **options}, token=session_token(reviewer)
            )
            return outcome
        except ServerUnavailable:
            pass  # announced but not listening (it never got the call): decide here
    return client().decide(decision_id, reviewer, **options).to_dict()


def pending(reviewer: str | None, *, limit: int, offset: int = 0) -> list[Decision]:
    """A page of the Decision Queue: through the running server as the signed-in reviewer, else from the store
    (reading needs no sign-in)."""
    running = server()
    if running is not None and reviewer is not None:
        try:
            rows = running.call("list_queue", {"limit": limit, "offset": offset}, token=session_token(reviewer))
            return [Decision(**row) for row in rows]
        except ServerUnavailable:
            pass
    return store().pending_decisions(limit=limit, offset=offset)
