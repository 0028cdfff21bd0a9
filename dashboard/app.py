"""The AI Missions dashboard. ``missions dashboard`` runs ``streamlit run`` on this file (on 127.0.0.1).

This file is the frame around every page: the navigation, and the sidebar where the reviewer is chosen. The pages
live in ``views/``; they read through the run store and the mission client (``resources``), as the CLI does.
"""

from __future__ import annotations

import streamlit as st

from ai_missions.dashboard import resources, ui
from ai_missions.errors import MissionsError

st.set_page_config(page_title="AI Missions", page_icon=":material/radar:", layout="wide")
#: A denser page than Streamlit's default: less space above the title, smaller titles.
st.html(
    "<style>"
    "[data-testid=stMainBlockContainer]{padding-top:2.2rem;padding-bottom:2rem}"
    "[data-testid=stMainBlockContainer] h1{font-size:1.9rem;padding-bottom:.25rem}"
    "[data-testid=stMainBlockContainer] h3{font-size:1.15rem}"
    "</style>"
)


def sidebar() -> None:
    """The reviewer every decision on these pages is recorded under (``?reviewer=NAME`` preselects one)."""
    try:
        roster = resources.roster()
    except MissionsError as exc:
        st.sidebar.error(f"Reviewer roster: {exc}")
        return
    wanted = st.query_params.get("reviewer")
    if wanted in roster and st.session_state.get("reviewer-link") != wanted:  # a link chose the reviewer, once
        st.session_state[ui.REVIEWER_KEY] = st.session_state["reviewer-link"] = wanted
    if st.session_state.get(ui.REVIEWER_KEY) not in roster:
        st.session_state[ui.REVIEWER_KEY] = None
    st.sidebar.selectbox(
        "Reviewer",
        sorted(roster),
        index=None,
        key=ui.REVIEWER_KEY,
        format_func=lambda name: f"{name} · {roster[name]}",
        placeholder="Who is reviewing?",
        help="Decisions are recorded under this name. The role limits what may be approved; the runtime checks it "
        "again below the dashboard.",
    )
    st.sidebar.caption(f"State: `{resources.home()}`")


pending = resources.store().count_pending()
navigation = st.navigation(
    {
        "Operations": [
            st.Page(ui.OVERVIEW, title="Overview", icon=":material/monitoring:", default=True),
            st.Page(ui.QUEUE, title=f"Decision Queue · {pending:,}", icon=":material/inbox:"),
            st.Page(ui.RUNS, title="Runs", icon=":material/list_alt:"),
            st.Page(ui.RUN, title="Run", icon=":material/timeline:", visibility="hidden"),
        ],
        "Knowledge": [
            st.Page(ui.KNOWLEDGE, title="Policies", icon=":material/menu_book:"),
            st.Page(ui.EVALS, title="Evals", icon=":material/science:"),
        ],
    }
)
sidebar()
navigation.run()
