"""The Decision Queue's co-approval and hand-off widgets (:mod:`ai_missions.services.coapproval`): the banner at the top
of a card for a plan that needs several roles ("Needs customer_care + finance", who signed what so far, a hand-off),
and the form that passes a decision on. The rules themselves live below the UI, in ``decide``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ai_missions.dashboard import model, ui
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import ToolPolicy
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.services import coapproval
from ai_missions.services.authorization import DecisionResource, Identity
from ai_missions.services.review import hand_off, roles_needed


def signed_parts(store: RunStore, decision_id: str) -> dict[int, tuple[str, str]]:
    """Position -> (reviewer, role) of every action already signed (or rejected) in a sign-off."""
    return {
        int(p): (str(s.get("reviewer")), str(s.get("role")))
        for s in coapproval.signoffs(store, decision_id)
        for p in s.get("answers") or {}
    }


def banner(
    store: RunStore,
    decision: Decision,
    actions: Sequence[Mapping[str, Any]],
    known: Sequence[Any] | None,
    tools: ToolPolicy,
) -> bool:
    """The top of the card for a shared plan and for a handed-off decision; whether the plan needs several roles."""
    shared = known is not None and coapproval.shared_plan(actions, known, tools)
    if shared and known is not None:
        needed = roles_needed(actions, known, tools)
        signed = signed_parts(store, decision.decision_id)
        done = "; ".join(f"{ui.plain(who)} ({role}) signed action {p + 1}" for p, (who, role) in sorted(signed.items()))
        st.warning(
            f"**Needs {' + '.join(needed)}**: no single role may approve the whole plan; each signs what their role "
            f"may, and it executes once every action is signed. "
            f"{'Signed: ' + done if done else 'Nobody has signed yet.'}",
            icon=":material/group:",
        )
    handed = coapproval.handed_to(store, decision.decision_id)
    if handed is not None:
        st.info(
            f"Handed to **{ui.plain(handed['to'])}** by {ui.plain(handed['by'])} "
            f"{model.age_text(handed['at'])} ago: {ui.plain(handed['reason'])}",
            icon=":material/forward:",
        )
    return shared


def hand_off_form(
    store: RunStore, decision: Decision, who: Identity, case: DecisionResource, roster: Mapping[str, str]
) -> None:
    """Pass the decision on to a role or a person who may approve at least one of its open actions (the
    authorization point's list), with a reason.

    Role or person is chosen first, then one of a short list: one list of every role and person (37 in the demo
    roster) was a long scroll that rendered only the rows in view, and the browser walk chose from it unreliably on
    a loaded machine (2 failures in 3 full runs); each list alone stays under Streamlit's 25 rendered rows."""
    roles, people = model.hand_off_targets(who, case, roster)
    if not roles and not people:
        return
    key = f"handoff-{decision.decision_id}"
    with st.expander("Pass it on (hand off)", icon=":material/forward:"):
        kind = st.radio("Pass to", ["a role", "a person"], horizontal=True, key=f"{key}-kind")
        if kind == "a role":
            to = st.selectbox("Role", roles, key=f"{key}-role")
        else:
            to = st.selectbox("Person", people, key=f"{key}-person")
        reason = st.text_input("Why? (required)", key=f"{key}-reason")
        if st.button("Hand off", key=f"{key}-go", disabled=not reason.strip() or to is None):
            try:
                hand_off(store, decision, who, to=str(to), reason=reason, roster=roster, rules=case.mission.rules)
            except MissionsError as exc:
                st.error(ui.plain(exc))
            else:
                st.rerun()
