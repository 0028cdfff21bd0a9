"""The sidebar's absence control: an account that a rule names as the one person who approves (an account owner,
ACC-001) marks itself away until a day, or back. While it is away, the stand-in the rule names (the owner's manager)
decides what waits for it. The same path as ``missions accounts away``: the authorization point, then a signed
row of record on the audit chain (:func:`ai_missions.services.review.mark_away`)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ai_missions.dashboard import resources
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services import absence
from ai_missions.services.governance import approval_rules
from ai_missions.services.review import mark_away, mark_back


def stands_in_for_someone(role: str) -> bool:
    """Whether a rule of record names a holder of ``role`` as the one person who approves, with a stand-in for
    their absence: only then does marking oneself away move anything."""
    try:
        rules = approval_rules(PolicyBook(knowledge_dir(resources.home())))
    except (MissionsError, OSError):
        return False
    return any(rule.stand_in_fact and role in rule.roles for rule in rules)


def away_control(reviewer: str) -> None:
    """ "Mark me away" (the last day away, optional; why, optional) or, while away, what that means and "I'm back"."""
    store = resources.store()
    try:
        account = resources.accounts().get(reviewer)
        if not stands_in_for_someone(account.role):
            return
        current = absence.recorded(store).get(reviewer)
    except MissionsError as exc:
        st.sidebar.error(f"Absence: {exc}")
        return
    if current is not None and current.in_force(absence.today()):
        st.sidebar.caption(f"You are {current.words()}: your manager decides what waits for you (ACC-001).")
        if st.sidebar.button("I'm back", key="away-back", width="stretch"):
            mark_back(store, account, reviewer)
            st.rerun()
        return
    with st.sidebar.popover("Mark me away", width="stretch"):
        until: date | None = st.date_input("Last day away", value=None, min_value=absence.today(), key="away-until")
        reason = st.text_input("Why (optional)", key="away-reason", max_chars=absence.REASON_CHARS)
        st.caption("Until you are back, your manager decides what waits for you, pending decisions included.")
        if st.button("Mark me away", type="primary", key="away-mark", width="stretch"):
            try:
                mark_away(store, account, reviewer, until=until.isoformat() if until else None, reason=reason)
            except MissionsError as exc:
                st.error(str(exc))
            else:
                st.rerun()
