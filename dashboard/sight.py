"""What the signed-in account may see, page by page: the one authorization point's answers
(:mod:`ai_missions.services.authorization`), asked as the CLI's ``show``, ``runs`` and ``queue`` ask them.

- a mission's pages, its runs and their figures: a reviewer of the mission (``see`` a mission);
- a run's Explain rail: ``see`` the run (as ``missions show``);
- a decision's card and its row in the queue: ``see`` the decision (as ``missions queue``: an account owner sees
  her own accounts' decisions, not every owner's).

Issue 59 item 7: the queue and the Run page asked nothing, so an account owner, whom ``show`` refuses an order's
run, read every mission's queue, an order's card with the customer's data and its whole Explain rail by link.
Nothing here decides: a refusal is the authorization point's own line, shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import streamlit as st

from ai_missions.dashboard import resources, ui
from ai_missions.kernel.missions import registry
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services import authorization
from ai_missions.services.authorization import Answer, DecisionResource, Identity, Person


def viewer(roster: Mapping[str, str] | None = None) -> Person | None:
    """The signed-in account with its role of record (None for a visitor)."""
    name = ui.reviewer()
    role = (roster if roster is not None else resources.roster()).get(name or "")
    return Person(name, role) if name and role else None


def rules() -> list[ApprovalRule]:
    """The approval rules the answers are given with (:func:`ai_missions.dashboard.resources.rules`)."""
    return resources.rules()


def missions(who: Identity | None, known: Sequence[ApprovalRule]) -> list[str]:
    """The registered missions ``who`` may see (their queue, runs, figures and pages), in name order."""
    if who is None:
        return []
    return sorted(
        name
        for name in registry()
        if authorization.answer(who, "see", authorization.mission_resource(name, known)).allowed
    )


def run_answer(
    store: RunStore,
    who: Identity | None,
    run: Mapping[str, Any],
    known: Sequence[ApprovalRule],
    events: Sequence[Mapping[str, Any]] | None = None,
) -> Answer:
    """May ``who`` see this run (its Explain rail, its facts), as ``missions show`` asks."""
    if who is None:
        return Answer(False, "sign in to see runs")
    return authorization.answer(who, "see", authorization.run_resource(store, run, known, events=events))


def decision_answer(
    store: RunStore,
    who: Identity | None,
    decision: Decision,
    known: Sequence[ApprovalRule],
    events: Sequence[Mapping[str, Any]] | None = None,
) -> Answer:
    """May ``who`` see this decision (its card), as ``missions queue`` lists it."""
    if who is None:
        return Answer(False, "sign in to see decisions")
    return authorization.answer(who, "see", authorization.decision_resource(store, decision, known, events=events))


#: Session key: the account's pending decisions as last listed, with what they were listed from.
_LISTED = "sight-pending"


def queue_mark(store: RunStore) -> tuple[Any, ...]:
    """What changes when the pending decisions anyone may see change: how many are pending and the newest, the latest
    decided, and the sign-offs and hand-offs so far (each read from an index or a small table)."""
    row = (
        store.read()
        .execute(
            "SELECT (SELECT count(*) FROM decisions WHERE status = 'pending'),"
            " (SELECT max(created_at) FROM decisions WHERE status = 'pending'),"
            " (SELECT max(decided_at) FROM decisions WHERE decided_at IS NOT NULL),"
            " (SELECT count(*) FROM decision_signoffs), (SELECT count(*) FROM decision_handoffs)"
        )
        .fetchone()
    )
    return tuple(row)


def pending(store: RunStore, who: Identity | None, known: Sequence[ApprovalRule]) -> list[Decision]:
    """:func:`listed`, kept in the session while nothing it depends on changed (the account, the rules, the
    queue's :func:`queue_mark`): the navigation's count and the page ask it on every run."""
    if who is None:
        return []
    key = (
        who.name,
        who.role,
        str(resources.home()),
        hash(tuple(r.model_dump_json() for r in known)),
        queue_mark(store),
    )
    held = st.session_state.get(_LISTED)
    if held is not None and held[0] == key:
        return list(held[1])
    found = listed(store, who, known)
    st.session_state[_LISTED] = (key, found)
    return list(found)


def listed(store: RunStore, who: Identity | None, known: Sequence[ApprovalRule]) -> list[Decision]:
    """Every pending decision ``who`` may see, in queue order (GOV-005), as ``missions queue`` lists them.

    Each is asked first as the decision's request alone shows it (its actions, nothing read from the store), and,
    unless the point says yes to that, again with everything :func:`authorization.decision_resource` reads (the
    case's facts, the tiers, sign-offs and a hand-off). A yes on less is a yes on all: what ``see`` looks at beyond
    the actions (the person a fact names, an escalated tier, a signer, a hand-off target) only ever adds sight. So a
    reviewer of a whole mission costs no read per decision (1,000 pending: the store's work of the page stayed
    within twice a read of the runs table; ``tests/test_dashboard_scale.py``), and every other answer is the full
    one (``tests/test_dashboard_sight.py`` compares with the CLI's ``queue``)."""
    if who is None:
        return []
    missions = {name: authorization.mission_resource(name, known) for name in registry()}
    seen = {name for name, mission in missions.items() if authorization.answer(who, "see", mission)}
    shown: list[Decision] = []
    offset = 0
    while batch := store.pending_decisions(limit=500, offset=offset):
        offset += len(batch)
        for decision in batch:
            if decision.mission not in seen:
                continue  # sight of a decision needs sight of its mission
            actions = tuple(
                {"tool": i["action_request"]["action"], "args": i["action_request"]["args"]}
                for i in decision.request.get("interrupts", [])
            )
            bare = DecisionResource(decision.decision_id, missions[decision.mission], decision.status, actions)
            if authorization.answer(who, "see", bare) or decision_answer(store, who, decision, known):
                shown.append(decision)
    return shown


def queue(who: Identity | None, *, limit: int | None = None, offset: int = 0) -> list[Decision]:
    """The Decision Queue of ``who``: through the running ``missions serve`` as that account, else here (both ask
    the one authorization point, as ``missions queue`` does). A visitor's is empty."""
    if who is None:
        return []
    served = resources.pending(who, limit=limit, offset=offset)
    if served is not None:
        return served
    listed = pending(resources.store(), who, resources.rules())
    return listed[offset:] if limit is None else listed[offset : offset + limit]


def refusal(said: Answer) -> None:
    """The authorization point's refusal, as it words it (nothing of the resource is shown)."""
    st.error(ui.plain(said.reason), icon=":material/block:")


def refuse(said: Answer) -> NoReturn:
    """Stop the page with the authorization point's refusal."""
    refusal(said)
    st.stop()
