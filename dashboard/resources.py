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

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ai_missions.dashboard import session_cookie
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import registry
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services.authorization import Identity
from ai_missions.services.governance import approval_rules, load_roster
from ai_missions.services.identity import Accounts
from ai_missions.services.platform_client import RunningServer, ServerUnavailable, running_server
from ai_missions.services.queries import RunQueries

if TYPE_CHECKING:  # imported on first use: the runtime and the vector store take seconds to import
    from ai_missions.client import MissionClient
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

#: The session's API token for calls through ``missions serve``: (account, token). It stays on the server.
API_TOKEN = "platform-api-token"
#: The dashboard session's value (what the browser's cookie holds): :mod:`ai_missions.dashboard.session_cookie`.
SESSION = "dashboard-session"
#: Hours an API token issued for a dashboard session lasts (a day: sessions are shorter).
SESSION_TOKEN_DAYS = 1
#: The browser cookie naming a signed-in dashboard session (never an API token), so a reload or a link opened in
#: another tab of the same browser finds the account again.
SESSION_COOKIE = session_cookie.COOKIE


def home() -> Path:
    return missions_home()


@st.cache_resource(show_spinner=False)
def _store(home: str) -> RunStore:
    return RunStore(runs_db(Path(home)))


def store() -> RunStore:
    return _store(str(home()))


def queries(missions: Sequence[str] | None = None) -> RunQueries:
    """The dashboard's read-only queries over the run store: every mission's rows, or only ``missions``' (those the
    signed-in account may see). When no run of any other registered mission is in the store (one look-up each, by
    index) there is nothing to leave out, and the queries read as they would unnarrowed."""
    if missions is not None:
        others = [m for m in registry() if m not in set(missions)]
        db = store().read()
        if not any(db.execute("SELECT 1 FROM runs WHERE mission = ? LIMIT 1", (m,)).fetchone() for m in others):
            missions = None
    return RunQueries(store(), missions)


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


def rules() -> list[ApprovalRule]:
    """The approval rules of record; none before the policy index is built (then nobody is anyone's reviewer but
    an escalation role: the pages show less, never more)."""
    try:
        return approval_rules(knowledge())
    except MissionsError:
        return []


def roster() -> dict[str, str]:
    """Account name -> role (the store's accounts); read on every call, several times a run. Read through this
    process's store of the home (:func:`store`), which verifies only the audit entries after those it verified
    before (~0.5 ms a read): a store opened for each read walked the chain from its last checkpoint every time (~6
    ms, ~20 ms of a run's CPU). Before the first account, what :func:`load_roster` answers."""
    return Accounts(store()).roster() or load_roster(home())


def accounts() -> Accounts:
    """The store's local accounts, for signing in."""
    return Accounts(store())


def server() -> RunningServer | None:
    """The ``missions serve`` running on this home, if any."""
    return running_server(home())


def session_token(reviewer: str) -> str:
    """An API token of the session's signed-in account, issued once per session (it stays on the server: the
    browser's cookie names a dashboard session, never this token)."""
    held = st.session_state.get(API_TOKEN)
    if held is None or held[0] != reviewer:
        held = (reviewer, accounts().issue_token(reviewer, days=SESSION_TOKEN_DAYS))
        st.session_state[API_TOKEN] = held
    return str(held[1])


def browser() -> str | None:
    """The value this browser's requests carry (:data:`session_cookie.BROWSER`), as the Streamlit session's own
    connection brought it; None without one (no browser, as under AppTest, or cookies refused)."""
    return session_cookie.browser_of(st.context.cookies)


def start_session(reviewer: str) -> str | None:
    """At sign-in: a new API token of the account, held by the Streamlit session, and a dashboard session bound to
    this browser; returns the session's value for the cookie (None when the browser cannot be bound: it stays
    signed in in this tab only)."""
    held = (reviewer, accounts().issue_token(reviewer, days=SESSION_TOKEN_DAYS))
    st.session_state[API_TOKEN] = held
    bound = browser()
    if bound is None:
        return None
    value = session_cookie.open_session(reviewer, held[1], bound)
    st.session_state[SESSION] = value
    return value


def _live_account(token: str) -> str | None:
    """The account of an API token the run store holds, valid and signed; None once expired or revoked."""
    try:
        return accounts().account_for_token(token).name
    except MissionsError:
        return None


def resume_session(cookies: Mapping[str, str]) -> str | None:
    """The account of the dashboard session the browser's cookie names, when this process opened it for this
    browser and its API token is still valid (not expired, not revoked, its row signed); None otherwise. The
    Streamlit session then holds it."""
    found = session_cookie.session_of(cookies.get(SESSION_COOKIE), session_cookie.browser_of(cookies))
    if found is None or _live_account(found.api_token) != found.account:
        return None
    st.session_state[API_TOKEN] = (found.account, found.api_token)
    st.session_state[SESSION] = cookies[SESSION_COOKIE]
    return found.account


def session_ended(reviewer: str) -> bool:
    """Whether the signed-in session ended elsewhere: signed out in another tab (the dashboard session closed), or
    its API token revoked or expired. A session holding neither (single sign-on) is the sign-on's to end."""
    if (value := st.session_state.get(SESSION)) is not None:
        found = session_cookie.session_of(value, browser())
        if found is None or found.account != reviewer:
            return True
    held = st.session_state.get(API_TOKEN)
    return held is not None and (held[0] != reviewer or _live_account(held[1]) != reviewer)


def end_session() -> None:
    """At sign-out: the dashboard session ends (every tab of the browser), and its API token stops working."""
    session_cookie.close_session(st.session_state.pop(SESSION, None))
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


#: The most decisions ``missions serve`` lists in one call (its ``list_queue`` caps a page there).
SERVER_PAGE = 500


def pending(who: Identity, *, limit: int | None = None, offset: int = 0) -> list[Decision] | None:
    """The pending decisions ``who`` may see, in queue order (all of them without ``limit``), as the running
    ``missions serve`` lists them for that account (its ``list_queue`` asks the one authorization point); None when
    no server runs on this home (:func:`ai_missions.dashboard.sight.queue` then asks it here)."""
    running = server()
    if running is None:
        return None
    try:
        found: list[Decision] = []
        while limit is None or len(found) < limit:
            size = SERVER_PAGE if limit is None else min(SERVER_PAGE, limit - len(found))
            rows = running.call(
                "list_queue", {"limit": size, "offset": offset + len(found)}, token=session_token(who.name)
            )
            found += [Decision(**row) for row in rows]
            if len(rows) < size:
                break
        return found
    except ServerUnavailable:
        return None  # announced but not listening
