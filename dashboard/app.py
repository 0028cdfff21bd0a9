"""The AI Missions dashboard. ``missions dashboard`` runs ``streamlit run`` on this file (on 127.0.0.1).

This file is the frame around every page: the navigation, and the sidebar where the reviewer signs in (a local
account, or single sign-on through Streamlit's OIDC login when ``[auth]`` is configured in ``secrets.toml``). Who
decides is the signed-in account, kept in the server-side session: never a URL parameter or a choice in a list.
The pages live in ``views/``; they read through the run store and the mission client (``resources``), as the CLI
does.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import streamlit as st

from ai_missions.dashboard import heap, resources, sight, ui
from ai_missions.dashboard import session_cookie as session_cookie_route
from ai_missions.dashboard.away import away_control
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import registry
from ai_missions.kernel.settings import sso_domains
from ai_missions.services.identity import sso_account as identity_sso_account

st.set_page_config(page_title="AI Missions", page_icon=":material/radar:", layout="wide")
heap.freeze_loaded_modules()  # what the process has loaded is left out of the collection after each run
#: A denser page than Streamlit's default, so a decision fits one 1280x800 screen: a narrower sidebar, less space
#: around the page, smaller titles, and the decision card's text a size smaller.
st.html(
    "<style>"
    "[data-testid=stSidebar]{width:224px !important;min-width:224px !important}"
    "[data-testid=stMainBlockContainer]{padding:1.1rem 1.25rem 2rem 1.25rem;max-width:none}"
    "[data-testid=stMainBlockContainer] h1{font-size:1.7rem;padding:0 0 .2rem 0}"
    "[data-testid=stMainBlockContainer] h3{font-size:1.15rem}"
    ".st-key-decision-card h4{font-size:1.05rem;padding:0;line-height:1.5}"
    ".st-key-decision-card blockquote{margin:.1rem 0 .2rem 0;padding:0 0 0 .7rem}"
    ".st-key-decision-card blockquote p{margin:0 0 .3rem 0 !important;font-size:.84rem !important;line-height:1.35}"
    ".st-key-queue-table [data-testid=stElementToolbar]{display:none}"  # it covered the pager's "Next"
    "[data-testid=stSidebarNavLink] span{white-space:normal !important;overflow:visible !important}"
    ".st-key-decision-card [data-testid=stMarkdownContainer] p,.st-key-decision-card [data-testid=stText]"
    "{font-size:.875rem;line-height:1.4}"
    "div[class*=st-key-act-]{padding:.45rem .75rem !important}"
    ".st-key-decision-card [data-testid=stCheckbox] label *"
    "{white-space:normal !important;overflow:visible !important;text-overflow:clip !important}"
    "</style>"
)


def sso_configured() -> bool:
    """Whether single sign-on (Streamlit's ``st.login``, OIDC) is configured in ``secrets.toml``."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


#: Which clock the pages' dates are on (issue 60 item 6: the books' March dates under November runs read as one).
CLOCKS = (
    "Clocks: runs, decisions and deadlines are on this machine's clock (UTC); dates inside the systems' records "
    "(an order placed, a renewal, a ticket due) are on the book's own."
)
#: Session-state keys: the cookie to set in the browser (once, after signing in), and to clear (after signing out).
SET_COOKIE = "session-cookie-set"
CLEAR_COOKIE = "session-cookie-clear"
#: ... and that this run signed the reviewer in (the sidebar is redrawn once the page is resolved).
SIGNED_IN = "signed-in-just-now"
#: A dashboard session's value as :mod:`ai_missions.dashboard.session_cookie` opens them (what a ticket may set).
SESSION_SHAPE = re.compile(re.escape(session_cookie_route.PREFIX) + r"[A-Za-z0-9_-]{20,100}")


def sign_out() -> None:
    st.session_state.pop(ui.REVIEWER_KEY, None)
    resources.end_session()  # the dashboard session the cookie named, and the token calls to `missions serve` carried
    st.session_state[CLEAR_COOKIE] = True
    if sso_configured() and st.user.is_logged_in:
        st.logout()


def sign_in_form() -> None:
    """A local account's name and password; on success the session is signed in as that account."""
    with st.sidebar.form("sign-in", border=False):
        st.markdown("**Sign in to decide**")
        name = st.text_input("Account", key="sign-in-name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign-in-password", autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary", width="stretch"):
            try:
                account = resources.accounts().authenticate(name.strip(), password)
            except MissionsError as exc:
                st.error(str(exc))
            else:
                st.session_state[ui.REVIEWER_KEY] = account.name
                st.session_state[SET_COOKIE] = resources.start_session(account.name)
                st.session_state.pop("sign-in-password", None)
                st.session_state[SIGNED_IN] = True  # rerun once the page is known: run_page


def sso_account(roster: dict[str, str]) -> str | None:
    """The account of the single-sign-on user: a verified e-mail of a configured domain (``MISSIONS_SSO_DOMAINS``)
    whose local part names an account (:func:`ai_missions.services.identity.sso_account`)."""
    if not (sso_configured() and st.user.is_logged_in):
        return None
    return identity_sso_account(st.user.to_dict(), roster, sso_domains())


def session_cookie() -> None:
    """Set (after signing in) or clear (after signing out) the browser's session cookie. The server sets it, with
    ``Set-Cookie`` (HttpOnly, SameSite=Strict, Secure over HTTPS): the page gets only a one-time ticket to post,
    redeemable by this browser alone (:mod:`ai_missions.dashboard.session_cookie`). The cookie names a dashboard
    session, which only this process accepts, in this browser (see :func:`resume`); it is no API token."""
    value = st.session_state.pop(SET_COOKIE, None)
    cleared = st.session_state.pop(CLEAR_COOKIE, None)
    browser = resources.browser()
    if browser is None:  # no browser to bind a ticket to: the session stays in this tab
        return
    if value and SESSION_SHAPE.fullmatch(str(value)):
        ticket = session_cookie_route.ticket(str(value), browser)
    elif cleared:
        ticket = session_cookie_route.ticket(None, browser)
    else:
        return
    st.html(session_cookie_route.script(ticket), unsafe_allow_javascript=True, width=1)


def resume() -> None:
    """A new session in a browser signed in earlier (a reload, a ``?decision=`` link in another tab): the account of
    the dashboard session its cookie names, opened by this process for this browser, with its API token still
    valid and signed; and a session that ended (signed out in another tab, its token revoked or expired) is signed
    out."""
    if (reviewer := ui.reviewer()) is not None:
        if resources.session_ended(reviewer):
            st.session_state.pop(ui.REVIEWER_KEY, None)
            st.session_state.pop(resources.API_TOKEN, None)
            st.session_state.pop(resources.SESSION, None)
        return
    if st.session_state.get(CLEAR_COOKIE):
        return
    if (name := resources.resume_session(st.context.cookies)) is not None:
        st.session_state[ui.REVIEWER_KEY] = name


def sidebar() -> None:
    """Who is signed in (decisions are recorded under that account and its role), or the sign-in form."""
    try:
        roster = resources.roster()
    except MissionsError as exc:
        st.sidebar.error(f"Accounts: {exc}")
        return
    if (sso := sso_account(roster)) is not None:
        st.session_state[ui.REVIEWER_KEY] = sso
    else:
        resume()
    with st.sidebar:
        session_cookie()
    if st.session_state.get(ui.REVIEWER_KEY) not in roster:
        st.session_state.pop(ui.REVIEWER_KEY, None)
    reviewer = ui.reviewer()
    if reviewer is None:
        sign_in_form()
        if sso_configured():
            st.sidebar.button("Sign in with single sign-on", on_click=st.login, width="stretch")
            if st.user.is_logged_in:
                st.sidebar.warning(f"No account for {st.user.get('email') or 'this sign-on'}: ask an admin to add one")
    else:
        st.sidebar.markdown(f"Signed in as **{reviewer}** · {roster[reviewer]}")
        st.sidebar.button("Sign out", key="sign-out", on_click=sign_out)
        away_control(reviewer)  # an account owner marks herself away (ACC-001: her manager decides meanwhile)
        if ui.audience(roster[reviewer]) == "staff":  # never to a visitor or a customer (issue 60 item 12)
            st.sidebar.caption(f"State: `{resources.home()}`")
            st.sidebar.caption(CLOCKS)


Visibility = Literal["visible", "hidden"]


def staff_pages(*, visible: bool = True) -> dict[str, list[Any]]:
    """The operations pages and the pages of the missions the signed-in account may see (the authorization point's
    answer, :mod:`ai_missions.dashboard.sight`; another mission's page is not registered, so its address opens the
    Overview); for a visitor (``visible=False``) every page's address, hidden, without the Decision Queue's count."""
    shown: Visibility = "visible" if visible else "hidden"
    queue = "Decision Queue"
    seen = set(registry())
    if visible:
        who, known = sight.viewer(), sight.rules()
        queue = f"Decision Queue · {len(sight.pending(resources.store(), who, known)):,}"  # what its table lists
        seen = set(sight.missions(who, known))
    mission_pages = {
        spec.title: [
            st.Page(path, title=title, url_path=f"{spec.name}-{path.stem}", visibility=shown)
            for title, path in spec.pages.items()
        ]
        for spec in registry().values()
        if spec.pages and spec.name in seen
    }
    return {
        "Operations": [
            st.Page(ui.OVERVIEW, title="Overview", icon=":material/monitoring:", default=visible, visibility=shown),
            st.Page(ui.QUEUE, title=queue, icon=":material/inbox:", visibility=shown),
            st.Page(ui.RUNS, title="Runs", icon=":material/list_alt:", visibility=shown),
            st.Page(ui.RUN, title="Run", icon=":material/timeline:", visibility="hidden"),
        ],
        "Knowledge": [
            st.Page(ui.KNOWLEDGE, title="Policies", icon=":material/menu_book:", visibility=shown),
            st.Page(ui.EVALS, title="Evals", icon=":material/science:", visibility=shown),
        ],
        **mission_pages,
    }


def portal_pages(*, visible: bool = True) -> list[Any]:
    """The customer's pages: each shows only the signed-in customer's own orders and messages."""
    shown: Visibility = "visible" if visible else "hidden"
    return [
        st.Page(path, title=title, url_path=f"{spec.name}-{path.stem}", visibility=shown)
        for spec in registry().values()
        for title, path in spec.portal_pages.items()
    ]


def sign_in_notice() -> None:
    """All a visitor sees, whatever the address: how to sign in (the form is in the sidebar)."""
    st.title("AI Missions")
    st.info("Sign in (in the sidebar) to continue: staff see the operations, customers their own orders and messages.")


def nothing_for_this_account() -> None:
    st.title("AI Missions")
    st.info("This account sees no page: ask an admin for the role you need.")


def run_page(pages: Any) -> None:
    """Run the page the address names; just after signing in, rerun first (the sidebar was drawn signed out).

    That rerun comes only once the navigation has resolved the address: a rerun asked before it keeps no page
    name, only the page the browser already knew, and a browser that signed in before its first run had finished
    (a ``?decision=`` link opened on a busy machine) knew none and landed on the Overview."""
    navigation = st.navigation(pages)
    if st.session_state.pop(SIGNED_IN, False):
        st.rerun()
    navigation.run()


sidebar()
who = ui.audience(resources.roster().get(ui.reviewer() or ""))
if who == "staff":
    run_page(staff_pages())
elif who == "customer":  # the portal only; any other address opens it instead
    run_page(portal_pages() or [st.Page(nothing_for_this_account, title="AI Missions")])
else:
    # Every page stays addressable (hidden), so signing in on a link to a decision returns to it; but at any
    # address a visitor is shown the sign-in notice, never the page.
    sign_in = st.Page(sign_in_notice, title="Sign in", icon=":material/login:", url_path="sign-in", default=True)
    addresses = [page for pages in staff_pages(visible=False).values() for page in pages]
    st.navigation([sign_in, *addresses, *portal_pages(visible=False)])
    sign_in_notice()
