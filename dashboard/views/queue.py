"""The Decision Queue: the pending decisions the signed-in account may see (the authorization point's answer, as
``missions queue`` lists them), by deadline (GOV-005: soonest first, due and late ones flagged), then oldest first,
and the card of one of them (:mod:`ai_missions.dashboard.card`): approve, reject (with a reason) or edit every
action, or hand it off.

The card shows one decision chosen by its id, never by its row: a row picked in the table (a click anywhere on
it), a ``?decision=`` link, or, by default and after each decision, the next one this reviewer may decide (issue
60 item 1: a support lead was offered an order). It keeps that decision until the reviewer moves on; one taken
elsewhere meanwhile says who took it and when, and offers the next. A decision this account may not see is not
shown, by link or otherwise (issue 59 item 7). The page watches the queue and refreshes itself when it changes
elsewhere: a reviewer never acts on a stale card, and nothing reruns while nothing changed (so half-filled answers
are not disturbed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from ai_missions.dashboard import card, model, resources, sight, ui
from ai_missions.dashboard.filters import FILTER_KEYS, filter_bar
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.missions import get_mission, registry
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services import authorization, queue_filters
from ai_missions.services.authorization import Person

PAGE_SIZE = 10
#: Rows of the queue table in view at once (the page's others scroll inside it), and their height in pixels.
ROWS_IN_VIEW = 3
ROW_HEIGHT = 31
#: The height of the box at the top saying what the last decision did (its two lines and border), in px.
RESULT_HEIGHT = 84
#: The ids of the table's rows as last shown (to read a row picked in it).
SHOWN = "queue-shown"
#: How often the page checks whether the queue changed elsewhere.
WATCH_EVERY = "5s"


def queue_state(store: RunStore, focus_id: str | None) -> tuple[Any, ...]:
    """What the page shows that someone else can change: the pending count, the first page, the card's status."""
    page = tuple(d.decision_id for d in store.pending_decisions(limit=PAGE_SIZE))
    focused = None
    if focus_id:
        try:
            focused = store.get_decision(focus_id).status
        except NotFoundError:
            focused = "unknown"
    return store.count_pending(), page, focused


@st.fragment(run_every=WATCH_EVERY)
def watch(store: RunStore, shown: tuple[Any, ...], focus_id: str | None) -> None:
    """Rerun the whole page when the queue changed since it was drawn."""
    if queue_state(store, focus_id) != shown:
        st.rerun(scope="app")


def scroll_to_top() -> None:
    """Bring the page's top (where a decision's result is shown) into view: Streamlit keeps the scroll position
    across a rerun, so a reviewer who clicked a button low on the card would see the result above the fold."""
    st.sidebar.html(  # in the sidebar: an element of its own at the top of the page would push the title down
        "<script>for (const m of document.querySelectorAll('[data-testid=stMain],[data-testid=stAppScrollToBottomC"
        "ontainer]')) m.scrollTo({top: 0});window.scrollTo({top: 0});</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def still_needed(decision_id: str) -> list[str]:
    """The roles a shared plan still waits for, as the store holds its sign-offs now."""
    try:
        decision = store.get_decision(decision_id)
    except NotFoundError:
        return []
    sheet, _, _ = card.row_facts(store, decision, None, known, roster)
    return list(sheet.still_needed) if decision.status == "pending" else []


def last_result() -> None:
    """What the previous decision executed, in one box at the top of the page (kept across the rerun that removes
    it from the queue): who decided, the run's status, and each action's result on one line."""
    last = st.session_state.get(card.LAST)
    if not last:
        return
    lines = [  # each action's result once (an automatic note may be reported where it ran and again after)
        f"{model.ACTION_STATUS.get(r['status'], ('•', r['status']))[0]} {r['index'] + 1}. {r['tool']} "
        f"{model.ACTION_STATUS.get(r['status'], ('', r['status']))[1]}"
        + (f" ({ui.plain(r['detail'])})" if r.get("detail") and r["detail"] != "ok" and r["status"] != "done" else "")
        for r in sorted(last["results"], key=lambda r: int(r["index"]))
    ]
    results = " · ".join(dict.fromkeys(lines))
    who = f"{ui.plain(last['reviewer'])} ({last['role']})"
    if last["status"] == "awaiting_decision":  # a part of a shared plan signed: it waits for the other signers
        waiting = " + ".join(still_needed(last["decision_id"])) or "the other roles"
        done = (
            f"Your part of **{last['decision_id']}** ({ui.plain(last['subject_id'])}) is signed; waiting for "
            f"{ui.plain(waiting)}: it executes once every part is signed"
        )
    else:
        done = (
            f"**{last['decision_id']}** ({ui.plain(last['subject_id'])}) decided by {who}: run {last['run_id']} is "
            f"**{model.status_label(last['status'])}**"
        )
    with st.container(border=True, key="queue-result"):
        left, middle, right = st.columns([12, 3, 2], vertical_alignment="center")
        left.markdown(f":material/task_alt: {done}  \n{results or 'Nothing executed.'}")
        middle.page_link(ui.RUN, label="Open the run", icon=":material/timeline:", query_params={"run": last["run_id"]})
        if right.button("Dismiss", key="queue-dismiss"):
            del st.session_state[card.LAST]
            st.rerun()


def pick_row(key: str) -> None:
    """A row was picked (its checkbox, or a click on any of its cells): put the decision that row showed on the
    card, by id, whatever the table holds by now."""
    state = st.session_state.get(key)
    if state is None:
        return
    # a cell clicked names its row (the row ticked before stays in ``rows`` beside it: the cell is the news)
    picked = [int(cell[0]) for cell in state.selection.cells] or list(state.selection.rows)
    shown = st.session_state.get(SHOWN) or []
    if picked and picked[0] < len(shown):
        card.show_decision(shown[picked[0]])


def filters_changed() -> None:
    """The filters changed: back to their first page, and the card follows them (no card from before them)."""
    card.next_decision()
    st.session_state["queue-page"] = 1


def may_decide(store: RunStore, who: Person | None, decision: Decision, known: Sequence[ApprovalRule]) -> bool:
    """Whether ``who`` may decide it now, as ``decide --approve`` would answer (their part, in a shared plan)."""
    if who is None:
        return False
    case = authorization.decision_resource(store, decision, known)
    return authorization.decide_answer(who, case, [{"type": "accept"} for _ in case.actions]).allowed


def amount_cell(sheet: Any, facts: dict[str, Any], kind: str) -> str:
    """The table's amount: the most one action moves, else the subject's total (``—`` when neither)."""
    value, _ = model.amount_at_stake([a.amount for a in sheet.actions], facts, kind)
    return "—" if value is None else f"{value:,.2f}"


def queue_table(
    store: RunStore,
    page: list[Decision],
    runs: dict[str, dict[str, Any]],
    focus_id: str | None,
    known: Sequence[Any],
    roster: dict[str, str],
) -> None:
    """The page of pending decisions, the one on the card selected (highlighted); picking a row, or clicking any of
    its cells, puts its decision on the card (by id)."""
    now = model.now_utc()
    rows = []
    for d in page:
        sheet, facts, _ = card.row_facts(store, d, runs.get(d.run_id), known, roster)
        rows.append(
            {
                "due": model.due_cell(d.due_at, now),
                "mission": d.mission,
                "subject": d.subject_id,
                "amount": amount_cell(sheet, facts, get_mission(d.mission).subject.kind),
                "needs": sheet.waiting_for,
                "decision": d.decision_id,
            }
        )
    frame = pd.DataFrame(rows)
    shown = [d.decision_id for d in page]
    chosen = [shown.index(focus_id)] if focus_id in shown else []
    # a new table (and so its default selection) whenever its rows or the card change: a selection kept from other
    # rows would tick a row that is not the card's
    digest = hashlib.sha256(" ".join(shown).encode()).hexdigest()[:10]
    key = f"queue-table-{st.session_state.get(card.GENERATION, 0)}-{digest}-{focus_id}"
    st.session_state[SHOWN] = shown
    with st.container(key="queue-table"):
        st.dataframe(
            frame,
            key=key,
            hide_index=True,
            on_select=partial(pick_row, key),
            selection_mode=["single-row", "single-cell"],
            selection_default={"selection": {"rows": chosen}},
            width="stretch",
            height=38 + ROW_HEIGHT * min(len(frame), ROWS_IN_VIEW) + 2,
            row_height=ROW_HEIGHT,
            column_config={
                "due": st.column_config.TextColumn(width=110, help="Soonest first (GOV-005), then the oldest"),
                "mission": st.column_config.TextColumn(width=130),
                "subject": st.column_config.TextColumn(width=110),
                "amount": st.column_config.TextColumn(
                    width=90, help="The most one action moves; for a plan that moves none, the subject's total"
                ),
                "needs": st.column_config.TextColumn(
                    width=330, help="Who may approve it: a role, roles that sign parts, a person"
                ),
            },
        )


def recently_decided(store: RunStore, who: Person | None, known: Sequence[ApprovalRule]) -> None:
    """The latest decisions this account may see, who took them and what they answered."""
    recent = [
        d for d in resources.queries().recent_decisions(limit=20) if sight.decision_answer(store, who, d, known).allowed
    ][:8]
    if not recent:
        return
    with st.expander("Recently decided"):
        for d in recent:
            st.markdown(
                f"**{d.decision_id}** · {ui.plain(d.subject_id)} · {ui.plain(d.decided_by)} ({d.reviewer_role}) · "
                f"{model.age_text(d.decided_at or d.created_at)} ago  \n:gray[{ui.plain(model.decision_summary(d))}]"
            )


def taken_elsewhere(focus: Decision) -> None:
    with st.container(border=True):
        st.warning(
            f"**{focus.decision_id}** ({ui.plain(focus.subject_id)}) was already decided by "
            f"**{ui.plain(focus.decided_by)}** ({focus.reviewer_role}) at "
            f"{(focus.decided_at or '')[:19].replace('T', ' ')} UTC: {ui.plain(model.decision_summary(focus))}",
            icon=":material/how_to_reg:",
        )
        st.button("Next decision", key="queue-next", on_click=card.next_decision, type="primary")


def focused(decision_id: str, rows: int) -> None:
    """The decision on the card: its card when this account may see it and it is pending; who took it, when it
    was decided meanwhile; else the authorization point's refusal, with nothing of the case."""
    try:
        focus = store.get_decision(decision_id)
    except NotFoundError:
        st.warning(f"No decision {ui.plain(decision_id)}.", icon=":material/help:")
        return
    said = sight.decision_answer(store, who, focus, known)
    if not said:
        sight.refusal(said)
    elif focus.status != "pending":
        taken_elsewhere(focus)
    else:
        st.session_state[card.FOCUS] = focus.decision_id  # the card stays on this decision until the reviewer moves on
        run = store.get_run(focus.run_id)
        # fewer table rows in view leave the card more room; a result shown above it takes some
        room = ROW_HEIGHT * (ROWS_IN_VIEW - rows) - (RESULT_HEIGHT if st.session_state.get(card.LAST) else 0)
        card.decision_card(store, focus, run, timer, roster, who, known, more_room=room)


def chosen_focus(
    store: RunStore, listed: list[Decision], who: Person | None, known: Sequence[ApprovalRule]
) -> str | None:
    """The decision on the card: a new ``?decision=`` link's, else the one the reviewer is on, else the first listed
    this reviewer may decide (after a decision: the next one they may), else the first listed. A default on a later
    page turns the pager to it, so the ticked row is the card's."""
    linked = str(st.query_params.get("decision") or "") or None
    if linked and linked != st.session_state.get(card.LINKED):
        st.session_state[card.FOCUS] = st.session_state[card.LINKED] = linked
    if focus := st.session_state.get(card.FOCUS):
        return str(focus)
    if not listed:
        return None
    chosen = next((d for d in listed if may_decide(store, who, d, known)), listed[0])
    st.session_state["queue-page"] = listed.index(chosen) // PAGE_SIZE + 1
    return chosen.decision_id


store = resources.store()
timer = ui.QueryTimer()
if st.session_state.pop(card.SCROLL_UP, False):
    scroll_to_top()
with timer.measure():  # the accounts, read once a render: each read opens the store and checks every seal
    roster = resources.roster()
who = sight.viewer(roster)
known = sight.rules()  # the approval rules of record (opening the policy index once per process: not a query)
with timer.measure():
    visible = sight.queue(who)  # what this account may see, as `missions queue` lists it
# The title row, the table a few rows high, then the card across the page: its facts beside its actions, so a
# decision fits one 1280x800 screen (issue 39: it took three screens in a 400 px column).
title, mission_box, filters_box, pages_box = st.columns([5, 4, 3, 6], vertical_alignment="center")
title.title("Decision Queue")
last_result()
if not visible:
    everyone = store.count_pending()
    ui.empty_state(
        f"No pending decision you may see ({everyone:,} pending in all, for other reviewers)."
        if everyone
        else "No pending decisions: run `missions demo`, or `missions scan` to start missions on new cases."
    )
    if linked := str(st.query_params.get("decision") or ""):  # a link to a decision: why it is not shown
        focused(linked, 0)
    recently_decided(store, who, known)
    timer.caption()
    watch(store, queue_state(store, None), None)  # shows new decisions as they arrive
    st.stop()

seen_missions = sorted({d.mission for d in visible})
chosen_mission = mission_box.selectbox(
    "Mission",
    ["every mission", *seen_missions],
    key=FILTER_KEYS[0],
    label_visibility="collapsed",
    on_change=filters_changed,
)
mission = None if chosen_mission == "every mission" else str(chosen_mission)
with filters_box:
    known_types = sorted(
        {t for spec in registry().values() if spec.name in seen_missions for t in spec.vocabulary.case_types}
    )
    wanted = filter_bar(known_types, who, on_change=filters_changed)
with timer.measure():
    listed = [
        d
        for d in visible
        if (mission is None or d.mission == mission)
        and (not wanted.active or queue_filters.matches(store, d, store.get_run(d.run_id), wanted, known))
    ]
    focus_id = chosen_focus(store, listed, who, known)
with pages_box:
    offset = ui.pager(len(listed), PAGE_SIZE, "queue-page")
page = listed[offset : offset + PAGE_SIZE]
with timer.measure():
    runs = {d.run_id: store.get_run(d.run_id) for d in page}
    queue_table(store, page, runs, focus_id, known, roster)
if len(listed) != len(visible):
    st.caption(f"{len(listed):,} of the {len(visible):,} pending decisions you may see pass the filters")
watch(store, queue_state(store, focus_id), focus_id)
if focus_id:
    focused(focus_id, min(len(page), ROWS_IN_VIEW))
recently_decided(store, who, known)
timer.caption(f"{len(visible):,} pending you may see, by deadline (GOV-005): soonest due first, then the oldest")
