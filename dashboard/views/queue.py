"""The Decision Queue: pending decisions by deadline (GOV-005: soonest first, due and late ones flagged), then
oldest first; approve, reject (with a reason) or edit every action (an edit is checked as ``missions decide --edit``
checks it: only arguments the action has, each keeping its kind, valid for the tool's schema), or hand it off.

The reviewer is the account signed in in the sidebar. Whether their role may approve an action is shown beside it,
with the same rules the runtime applies, and the submit button stays disabled while it may not; the runtime checks
again when the decision is submitted (``decide``), so a refusal here is the runtime's own, and the decision stays
pending.

The card shows one decision chosen by its id, never by its row: a row picked in the table is turned into its
decision id when it is picked, and the card keeps that decision until the reviewer moves on. A decision taken
elsewhere in the meantime says who took it and when, and offers the next one. The page watches the queue and
refreshes itself when it changes elsewhere (a new decision, one decided by another reviewer): a reviewer never acts
on a stale card, and nothing reruns while nothing changed (so half-filled answers are not disturbed).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from ai_missions.dashboard import cosign, model, resources, ui
from ai_missions.dashboard.filters import filter_bar
from ai_missions.kernel.decisions import edited
from ai_missions.kernel.errors import ConflictError, ForbiddenError, MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.missions import get_mission, registry
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.services import authorization, queue_filters
from ai_missions.services.authorization import Person
from ai_missions.services.governance import approval_rules
from ai_missions.services.review import automatic_actions, case_facts, review_sheet

PAGE_SIZE = 10
#: Rows of the queue table in view at once (the page's others scroll inside it), and their height in pixels.
ROWS_IN_VIEW = 4
ROW_HEIGHT = 31
CHOICES = {"approve": "Approve", "reject": "Reject", "edit": "Edit"}
LAST = "queue-last"
GENERATION = "queue-generation"
#: The decision id on the card, and the ids of the table's rows as last shown (to read a row picked in it).
FOCUS = "queue-focus"
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


def rules() -> list[Any] | None:
    """The approval rules of the indexed policies (None when the index is not built)."""
    try:
        return approval_rules(resources.knowledge())
    except MissionsError:
        return None


def last_result() -> None:
    """What the previous decision executed (kept across the rerun that removes it from the queue)."""
    last = st.session_state.get(LAST)
    if not last:
        return
    with st.container(border=True):
        left, right = st.columns([6, 1], vertical_alignment="center")
        who = f"{last['reviewer']} ({last['role']})"
        done = (  # a part of a shared plan signed is not the decision taken: it waits for the other signers
            f"{who} signed their part of **{last['decision_id']}** ({ui.plain(last['subject_id'])}): it executes "
            f"once every part is signed; run {last['run_id']} is **{model.status_label(last['status'])}**"
            if last["status"] == "awaiting_decision"
            else f"**{last['decision_id']}** ({ui.plain(last['subject_id'])}) decided by {who}: "
            f"run {last['run_id']} is **{model.status_label(last['status'])}**"
        )
        left.success(done, icon=":material/task_alt:")
        if right.button("Dismiss", key="queue-dismiss"):
            del st.session_state[LAST]
            st.rerun()
        for result in last["results"]:
            icon, label = model.ACTION_STATUS.get(result["status"], ("•", result["status"]))
            detail = f" — {ui.plain(result['detail'])}" if result.get("detail") and result["detail"] != "ok" else ""
            st.markdown(f"{icon} **{result['index'] + 1}. {result['tool']}** · {label}{detail}")
        if not last["results"]:
            st.caption("Nothing executed.")
        st.page_link(ui.RUN, label="Open the run", icon=":material/timeline:", query_params={"run": last["run_id"]})


def due_badge(due_at: str | None) -> str:
    text, color = model.due_text(due_at)
    return f":{color}-badge[{text}]" if text else ":gray-badge[no deadline]"


def pick_row(key: str) -> None:
    """A row was picked: focus the decision that row showed (by id), whatever the table holds by now."""
    state = st.session_state.get(key)
    rows = list(state.selection.rows) if state is not None else []
    shown = st.session_state.get(SHOWN) or []
    if rows and rows[0] < len(shown):
        st.session_state[FOCUS] = shown[rows[0]]


def next_decision() -> None:
    st.session_state.pop(FOCUS, None)
    st.session_state[GENERATION] = int(st.session_state.get(GENERATION, 0)) + 1
    st.query_params.pop("decision", None)


def row_facts(
    store: RunStore, decision: Decision, run: dict[str, Any] | None, known: list[Any] | None, roster: dict[str, str]
) -> Any:
    """What the table and the card say beyond the decision (:func:`ai_missions.services.review.review_sheet`): who is
    needed, each action's money, and the case's facts; read from the store, as ``missions queue`` reads them."""
    events = store.events(decision.run_id)
    sheet = review_sheet(store, decision, known or [], events=events, run=run, roster=roster)
    return sheet, case_facts(events), events


def amount_cell(sheet: Any, facts: dict[str, Any], kind: str) -> str:
    """The table's amount: the most one action moves, else the subject's total (``—`` when neither)."""
    value, _ = model.amount_at_stake([a.amount for a in sheet.actions], facts, kind)
    return "—" if value is None else f"{value:,.2f}"


def queue_table(
    store: RunStore,
    page: list[Decision],
    runs: dict[str, dict[str, Any]],
    focus_id: str | None,
    known: list[Any] | None,
    roster: dict[str, str],
) -> None:
    """The page of pending decisions, the one on the card selected (highlighted); picking a row focuses its
    decision (by id)."""
    now = model.now_utc()
    rows = []
    for d in page:
        sheet, facts, _ = row_facts(store, d, runs.get(d.run_id), known, roster)
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
    key = f"queue-table-{st.session_state.get(GENERATION, 0)}-{focus_id}"
    st.session_state[SHOWN] = shown
    st.dataframe(
        frame,
        key=key,
        hide_index=True,
        on_select=partial(pick_row, key),
        selection_mode="single-row",
        selection_default={"selection": {"rows": chosen}},
        width="stretch",
        height=38 + ROW_HEIGHT * min(len(frame), ROWS_IN_VIEW) + 2,
        row_height=ROW_HEIGHT,
        column_config={
            "due": st.column_config.TextColumn(width=120, help="Soonest first (GOV-005), then the oldest"),
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


def decide(card: model.QueueCard, reviewer: str, role: str, responses: list[dict[str, Any]], shown_hash: str) -> None:
    """Decide what the reviewer saw: ``shown_hash`` is the actions hash on screen when the button was clicked."""
    decision = card.decision
    try:
        with st.spinner("Deciding and executing…"):
            outcome = resources.decide(  # through `missions serve` when it runs, else here
                decision.decision_id, reviewer, responses=responses, expected_hash=shown_hash
            )
    except ForbiddenError as exc:
        st.error(f"Refused: {ui.plain(exc)}. The decision stays pending.", icon=":material/block:")
        return
    except ValidationError as exc:
        st.error(f"Not submitted: {ui.plain(exc)}", icon=":material/error:")
        return
    except (ConflictError, NotFoundError) as exc:
        st.warning(ui.plain(exc), icon=":material/info:")
        return
    st.session_state[LAST] = {
        "decision_id": decision.decision_id,
        "subject_id": decision.subject_id,
        "run_id": outcome["run_id"],
        "status": outcome["status"],
        "results": [dict(r) for r in outcome["results"]],
        "reviewer": reviewer,
        "role": role,
    }
    if outcome["status"] == "awaiting_decision":  # a part of a shared plan: the card stays, showing who signed
        st.toast(f"Your part of {decision.decision_id} is signed: it executes once every part is signed")
        st.rerun()
    st.session_state.pop(FOCUS, None)
    st.session_state[GENERATION] = int(st.session_state.get(GENERATION, 0)) + 1
    st.query_params.pop("decision", None)
    st.rerun()


def decision_card(
    store: RunStore, decision: Decision, run: dict[str, Any] | None, timer: ui.QueryTimer, roster: dict[str, str]
) -> None:
    reviewer = ui.reviewer()
    role = roster.get(reviewer) if reviewer else None
    known = rules()
    spec = get_mission(decision.mission)
    with timer.measure():
        sheet, facts, events = row_facts(store, decision, run, known, roster)
    card = model.queue_card(decision, run, model.verdict_of(events))
    me = Person(reviewer, role) if reviewer and role else None
    case = authorization.decision_resource(store, decision, known, events=events) if known is not None else None
    key = f"q-{decision.decision_id}"
    shown_hash = str(st.session_state.get(f"{key}-shown", card.actions_hash))  # on screen when clicked
    st.session_state[f"{key}-shown"] = card.actions_hash
    with st.container(border=True, key="decision-card"):
        kind = spec.subject.kind
        at_stake = model.money_text([a.amount for a in sheet.actions], facts, kind)
        st.markdown(f"#### {decision.decision_id} · {kind} {ui.plain(decision.subject_id)} · {at_stake}")
        types = " ".join(f":gray-badge[{t}]" for t in card.case_types)
        st.markdown(
            f":blue-badge[{decision.mission}] needs **{ui.plain(sheet.waiting_for)}** &nbsp; "
            f"{due_badge(decision.due_at)} {ui.outcome_badge(card.outcome, card.confidence)} {types} &nbsp; "
            f":gray[waiting {model.age_text(decision.created_at)}]"
        )
        messages = {  # action number -> its free text that reaches someone outside (a customer, a vendor)
            a.number: model.text_args(a.args, rule.free_text)
            for a in card.actions
            if (rule := spec.tools.get(a.tool)) is not None and rule.spec.reaches_outside
        }
        messages = {number: written for number, written in messages.items() if written}
        facts_side, actions_side = st.columns([1, 1], gap="medium")
        with facts_side:
            plan = [{"tool": a.tool, "args": a.args} for a in card.actions]
            shared = cosign.banner(store, decision, plan, known, spec.tools)  # who signs what; a hand-off
            signed = cosign.signed_parts(store, decision.decision_id) if shared else {}
            st.text(card.summary)
            # the deciding facts in full, never in a box that scrolls by itself (issue 39: it hid the deciding fact)
            st.markdown(
                "  \n".join(
                    f"**{ui.plain(o.source)}** — {ui.plain(o.finding)}"
                    for o in model.shown_evidence(model.evidence(events), card.summary)
                )
            )
            for number, written in messages.items():  # what reaches a customer, as they will read it
                editing = st.session_state.get(f"{key}-{number}-choice") == "edit"
                said = "as proposed (your edit replaces it)" if editing else "as its recipient will read it"
                for name, text in written.items():
                    st.markdown(f":gray[Action {number}'s {name}, {said}:]\n\n{ui.quoted(text)}")
            st.page_link(
                ui.RUN,
                label=f"Explain rail of run {decision.run_id}",
                icon=":material/timeline:",
                query_params={"run": decision.run_id},
            )
            if ran := automatic_actions(events):  # what ran without a reviewer, with its status, as `show` lists it
                with st.expander(f"Ran without a reviewer ({len(ran)})", icon=":material/bolt:"):
                    st.markdown("  \n".join(model.automatic_line(a) for a in ran))
        with actions_side:
            interrupts, schemas = decision.request["interrupts"], decision.request.get("schemas")
            responses: list[dict[str, Any]] = []
            choices: list[str] = []
            problems: list[str] = []
            for position, action in enumerate(card.actions):
                with st.container(border=True, gap="xxsmall", key=f"act-{decision.decision_id}-{action.number}"):
                    written = messages.get(action.number, {})
                    short = model.args_text(model.key_args(action.args, written), limit=80)
                    cites = ui.plain(", ".join(action.policy_ids) or "no policy")
                    why = (
                        f"  \n:gray[{ui.plain(action.why)} · cites {cites}]"
                        if action.why and position not in signed
                        else ""
                    )
                    said = f" :gray[· {', '.join(written)}: at left, in full]" if written else ""
                    st.markdown(f"**{action.number}. {action.tool}** &nbsp; {ui.plain(short)}{said}{why}")
                    if position in signed:  # a co-signer's part: settled, not the next reviewer's to answer
                        who, who_role = signed[position]
                        st.markdown(f":green[:material/verified: signed by {ui.plain(who)} ({who_role})]")
                        choices.append("approve")
                        responses.append(model.response_for("approve", reason="", tool=action.tool, args=action.args))
                        continue
                    if short != model.args_text(model.key_args(action.args, written)):
                        with st.expander("All arguments"):
                            st.json(action.args)
                    left, right = st.columns([5, 4], vertical_alignment="center")
                    choice = left.radio(
                        f"Action {action.number}",
                        list(CHOICES),
                        key=f"{key}-{action.number}-choice",
                        format_func=CHOICES.__getitem__,
                        horizontal=True,
                        label_visibility="collapsed",
                    )
                    args = action.args
                    if choice == "edit":
                        text = st.text_area(
                            "New arguments (JSON)",
                            value=json.dumps(action.args, indent=2),
                            key=f"{key}-{action.number}-args",
                            height=68 + 22 * len(action.args),
                        )
                        try:
                            parsed = json.loads(text)
                        except json.JSONDecodeError as exc:
                            problems.append(f"action {action.number}: the arguments are not valid JSON ({exc.msg})")
                        else:
                            if isinstance(parsed, dict):  # as `missions decide --edit` checks it, before anything runs
                                try:
                                    args = edited(action.number, interrupts[position], parsed, schemas)
                                except ValidationError as exc:
                                    problems.append(str(exc))
                            else:
                                problems.append(f"action {action.number}: the arguments must be a JSON object")
                    reason = ""
                    if choice == "reject":
                        reason = st.text_input(
                            "Why is it rejected? (required)",
                            key=f"{key}-{action.number}-reason",
                            placeholder="e.g. the customer asked to wait",
                        )
                    if choice != "reject":
                        right.markdown(model.may_approve_line(me, case, position, args))
                    choices.append(choice)
                    responses.append(model.response_for(choice, reason=reason, tool=action.tool, args=args))

            approved = [
                {"tool": a.tool, "args": r["args"]["args"] if r.get("type") == "edit" else a.args}
                for a, r in zip(card.actions, responses, strict=True)
                if r.get("type") in ("accept", "edit")
            ]
            tools = get_mission(decision.mission).tools
            if me is not None and case is not None and (problem := model.plan_problem(me, case, responses)):
                problems.append(problem)
            for problem in problems:
                st.error(problem)
            money = [f"{a['tool']} {amount:,.2f}" for a in approved if (amount := tools.amount_of(a)) is not None]
            stock = [moved for a in approved if (moved := tools.stock_of(a)) is not None]
            confirmed = True
            if (money or stock) and reviewer is not None and not problems:  # say what moves before the click
                moves = [f"the money this moves: {'; '.join(money)}"] * bool(money)
                moves += [f"the stock this moves: {'; '.join(stock)}"] * bool(stock)
                confirmed = st.checkbox(f"I confirm {' · and '.join(moves)}", key=f"{key}-confirm")
            if reviewer is None:
                st.info("Choose a reviewer in the sidebar to decide.", icon=":material/person:")
            label = "Sign your part" if shared else model.plan_text(choices)
            clicked = st.button(
                f"{label} as {reviewer}" if reviewer else label,
                key=f"{key}-submit",
                type="primary",
                disabled=reviewer is None or bool(problems) or not confirmed,
                width="stretch",
            )
            st.caption(f"Actions hash {card.actions_hash}: what you approve is exactly what executes")
            if clicked and reviewer is not None:
                decide(card, reviewer, role or "", responses, shown_hash)
            if me is not None and case is not None:
                cosign.hand_off_form(store, decision, me, case, roster)


def recently_decided(store: RunStore) -> None:
    recent = resources.queries().recent_decisions(limit=8)
    if not recent:
        return
    with st.expander("Recently decided"):
        for d in recent:
            st.markdown(
                f"**{d.decision_id}** · {ui.plain(d.subject_id)} · {ui.plain(d.decided_by)} ({d.reviewer_role}) · "
                f"{model.age_text(d.decided_at or d.created_at)} ago  \n:gray[{ui.plain(model.decision_summary(d))}]"
            )


store = resources.store()
timer = ui.QueryTimer()
with timer.measure():
    total = store.count_pending()
if not total:
    st.title("Decision Queue")
    last_result()
    ui.empty_state("No pending decisions: run `missions demo`, or `missions scan` to start missions on new cases.")
    recently_decided(store)
    timer.caption()
    watch(store, queue_state(store, None), None)  # shows new decisions as they arrive
    st.stop()

reviewer = ui.reviewer()
with timer.measure():  # the accounts, read once a render: each read opens the store and checks every seal
    roster = resources.roster()
role = roster.get(reviewer) if reviewer else None
# The queue's table on top, a few rows high, and the card under it across the page: its facts beside its actions,
# so a decision fits one 1280x800 screen (issue 39: it took three screens in a 400 px column).
title, mission_box, filters_box, pages_box = st.columns([5, 4, 4, 6], vertical_alignment="center")
title.title("Decision Queue")
last_result()
known_types = [t for spec in registry().values() for t in spec.vocabulary.case_types]
missions = ["every mission", *sorted(registry())]
chosen = mission_box.selectbox("Mission", missions, key="queue-filter-mission", label_visibility="collapsed")
mission = None if chosen == "every mission" else str(chosen)
with filters_box:
    wanted = filter_bar(known_types, Person(reviewer, role) if reviewer and role else None)
narrowed = wanted.active or mission is not None
with timer.measure():
    shown_total = (
        queue_filters.pending(store, wanted, rules() or [], mission=mission, limit=0)[1] if narrowed else total
    )
with pages_box:
    offset = ui.pager(shown_total, PAGE_SIZE, "queue-page")
with timer.measure():
    if narrowed:
        page = queue_filters.pending(store, wanted, rules() or [], mission=mission, limit=PAGE_SIZE, offset=offset)[0]
    else:  # through `missions serve` when it runs, as the signed-in reviewer
        page = resources.pending(reviewer, limit=PAGE_SIZE, offset=offset)
    runs = {d.run_id: store.get_run(d.run_id) for d in page}
focus_id = st.session_state.get(FOCUS) or st.query_params.get("decision") or (page[0].decision_id if page else None)
known_rules = rules()  # opens the policy index once per process (seconds): not a store query
with timer.measure():
    queue_table(store, page, runs, str(focus_id) if focus_id else None, known_rules, roster)
if narrowed:
    st.caption(f"{shown_total:,} of {total:,} pending pass the filters")
focus: Decision | None = None
if focus_id:
    try:
        focus = store.get_decision(str(focus_id))
    except NotFoundError:
        focus = None
watch(store, queue_state(store, str(focus_id) if focus_id else None), str(focus_id) if focus_id else None)
if focus is not None and focus.status != "pending":
    with st.container(border=True):
        st.warning(
            f"**{focus.decision_id}** ({focus.subject_id}) was already decided by **{focus.decided_by}** "
            f"({focus.reviewer_role}) at {(focus.decided_at or '')[:19].replace('T', ' ')} UTC: "
            f"{model.decision_summary(focus)}",
            icon=":material/how_to_reg:",
        )
        st.button("Next decision", key="queue-next", on_click=next_decision, type="primary")
elif focus is not None:
    st.session_state[FOCUS] = focus.decision_id  # the card stays on this decision until the reviewer moves on
    run = runs.get(focus.run_id) or store.get_run(focus.run_id)
    decision_card(store, focus, run, timer, roster)
recently_decided(store)
timer.caption(f"{total:,} pending, by deadline (GOV-005): soonest due first, then the oldest")
