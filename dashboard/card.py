"""The Decision Queue's card: one pending decision on one screen, answered by the signed-in reviewer.

At 1280x800 the card's header (the decision, subject, amount, mission, who is needed, the due time) and its button
lie in the first 800 px however many actions the plan has (issue 60 item 1): a plan too tall to show open folds
its routine actions into one line each, with the plan's totals shown (money, stock moves, messages), and keeps a
message to a customer open, beside its action, as its reader will read it. Editing a message is editing text
(issue 60 item 2): a text area per message field, the other arguments as form fields, JSON only for an engineer
who asks; an edit is checked as ``missions decide --edit`` checks it (only arguments the action has, each keeping
its kind, valid for the tool's schema), and the runtime's ``decide`` answers it, refusals included.

Whether the reviewer may approve each action is the authorization point's answer, shown beside it; the button stays
off while it may not, and the runtime asks again when the decision is submitted. After a decision the card moves to
the next decision this reviewer may decide, and the result is shown at the top of the page, scrolled into view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import streamlit as st

from ai_missions.dashboard import cosign, model, resources, ui
from ai_missions.kernel.decisions import edited
from ai_missions.kernel.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.missions import MissionSpec, ToolRule, get_mission
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services import authorization
from ai_missions.services.authorization import DecisionResource, Person
from ai_missions.services.review import automatic_actions, case_facts, marked, not_understood, review_sheet

CHOICES = {"approve": "Approve", "reject": "Reject", "edit": "Edit"}
#: Session keys: the last decision's result (shown at the top of the page); the decision id on the card; the last
#: ``?decision=`` link followed (a new link moves the card, the same one does not undo a later pick); the table's
#: generation (a new table, with a fresh selection, after each move); and that the next run scrolls to the top.
LAST = "queue-last"
FOCUS = "queue-focus"
LINKED = "queue-linked"
GENERATION = "queue-generation"
SCROLL_UP = "queue-scroll-up"
#: The room a card's actions have on a 1280x800 screen, in px: under the page's title row, the table and the card's
#: header, above the button; a confirmation of money or stock takes its lines from it (measured in Chromium by
#: ``tests/test_demo_cards_browser.py``, which opens every pending decision of the demo), with the table's three rows
#: and no result shown above it (the page gives the room those leave, or takes what a result takes: ``more_room``).
#: A plan taller than the room folds actions.
ACTIONS_ROOM = 420
#: About how many characters fit a line of the card's actions' column (its confirmation indents a few more).
LINE_CHARS = model.LINE_CHARS
#: A reason for rejecting, as the record will keep it.
REJECT_PLACEHOLDER = "Why not, in a sentence (kept in the record)"


def due_badge(due_at: str | None) -> str:
    text, color = model.due_text(due_at)
    return f":{color}-badge[{text}]" if text else ":gray-badge[no deadline]"


def show_decision(decision_id: str) -> None:
    """Put ``decision_id`` on the card, and in the address (a link to the card as it stands)."""
    st.session_state[FOCUS] = decision_id
    st.session_state[LINKED] = decision_id
    st.query_params["decision"] = decision_id


def next_decision() -> None:
    """Leave the card: the next one offered is the next this reviewer may decide."""
    st.session_state.pop(FOCUS, None)
    st.session_state.pop(LINKED, None)
    st.session_state[GENERATION] = int(st.session_state.get(GENERATION, 0)) + 1
    st.query_params.pop("decision", None)


def row_facts(
    store: RunStore, decision: Decision, run: dict[str, Any] | None, known: Sequence[Any], roster: dict[str, str]
) -> Any:
    """What the table and the card say beyond the decision (:func:`ai_missions.services.review.review_sheet`): who is
    needed, each action's money, and the case's facts; read from the store, as ``missions queue`` reads them."""
    events = store.events(decision.run_id)
    sheet = review_sheet(store, decision, list(known), events=events, run=run, roster=roster)
    return sheet, case_facts(events), events


def decide(
    card: model.QueueCard,
    reviewer: str,
    role: str,
    responses: list[dict[str, Any]],
    shown_hash: str,
) -> None:
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
    st.session_state[SCROLL_UP] = True
    if outcome["status"] == "awaiting_decision":  # a part of a shared plan: the card stays, showing who signed
        st.rerun()
    next_decision()  # the next card offered is the next one this reviewer may decide
    st.rerun()


def message_fields(rule: ToolRule | None, args: Mapping[str, Any], schema: Mapping[str, Any] | None) -> list[str]:
    """The arguments of an action that are a message its recipient outside reads (a reply's body, an e-mail's
    subject): the tool's free text of a tool that reaches outside, each a string with no fixed choices (a channel
    named from a list is a choice, not a message)."""
    if rule is None or not rule.spec.reaches_outside:
        return []
    properties = (schema or {}).get("properties") or {}
    return [
        name
        for name in args
        if name in rule.free_text
        and name != "idempotency_key"
        and isinstance(args[name], str)
        and "enum" not in (properties.get(name) or {})
    ]


def form_field(key: str, name: str, value: Any, prop: Mapping[str, Any], message: bool) -> Any:
    """One argument as a form field of its kind: a message as a text area (its line breaks as its reader sees
    them), a number as a number, a choice from the schema's list as a list, yes/no as a box, a list of words as
    words separated by commas; anything else as JSON."""
    label = str(prop.get("title") or name.replace("_", " "))
    field_key = f"{key}-arg-{name}"
    if message or (isinstance(value, str) and ("\n" in value or len(value) > 70)):
        lines = value.count("\n") + 1 + len(value) // 70
        return st.text_area(label, value=value, key=field_key, height=min(320, max(90, 24 * lines + 20)))
    if isinstance(value, bool):
        return st.checkbox(label, value=value, key=field_key)
    if isinstance(value, int | float):
        whole = prop.get("type") == "integer" or (isinstance(value, int) and prop.get("multipleOf") is None)
        if whole and isinstance(value, int):
            return int(st.number_input(label, value=value, step=1, key=field_key))
        return float(st.number_input(label, value=float(value), step=0.01, format="%.2f", key=field_key))
    if isinstance(value, str) and isinstance(prop.get("enum"), list) and value in prop["enum"]:
        return st.selectbox(label, prop["enum"], index=prop["enum"].index(value), key=field_key)
    if isinstance(value, str):
        return st.text_input(label, value=value, key=field_key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        typed = st.text_input(f"{label} (separated by commas)", value=", ".join(value), key=field_key)
        return [word.strip() for word in typed.split(",") if word.strip()]
    typed = st.text_input(f"{label} (JSON)", value=json.dumps(value), key=field_key)
    try:
        return json.loads(typed)
    except json.JSONDecodeError:
        return typed  # a kind of its own: `edited` names the argument and its kind


def edit_form(
    key: str,
    action: model.ReviewAction,
    interrupt: Mapping[str, Any],
    schemas: Mapping[str, Any] | None,
    messages: Sequence[str],
    problems: list[str],
) -> dict[str, Any]:
    """The action's arguments to change, as a form (JSON only when the engineer asks for it); the arguments as
    edited, checked as ``missions decide --edit`` checks them (a problem is added to ``problems``)."""
    schema = (schemas or {}).get(action.tool) or {}
    properties = schema.get("properties") or {}
    if st.toggle("Edit as JSON (for engineers)", key=f"{key}-as-json"):
        text = st.text_area(
            "New arguments (JSON)",
            value=json.dumps(model.key_args(action.args, ()), indent=2),
            key=f"{key}-args",
            height=68 + 22 * len(action.args),
        )
        try:
            changes = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(f"action {action.number}: the arguments are not valid JSON ({exc.msg})")
            return action.args
        if not isinstance(changes, dict):
            problems.append(f"action {action.number}: the arguments must be a JSON object")
            return action.args
    else:
        changes = {}
        for name, value in action.args.items():
            if name == "idempotency_key":
                continue
            new = form_field(key, name, value, properties.get(name) or {}, name in messages)
            if new != value:
                changes[name] = new
    try:  # as `missions decide --edit` checks it, before anything runs
        return edited(action.number, interrupt, changes, schemas)
    except ValidationError as exc:
        problems.append(str(exc))
        return action.args


def action_body(
    key: str,
    position: int,
    action: model.ReviewAction,
    messages: Mapping[str, str],
    signed: Mapping[int, tuple[str, str]],
    who: Person | None,
    case: DecisionResource | None,
    interrupt: Mapping[str, Any],
    schemas: Mapping[str, Any] | None,
    problems: list[str],
    *,
    folded: bool,
) -> dict[str, Any]:
    """One action: what it does (its arguments as a person reads them, why, the policies it cites), each message
    as its recipient will read it, and the reviewer's answer (approve, reject with a reason, or edit); returns the
    agent-inbox response."""
    short = model.args_text(model.key_args(action.args, messages), limit=60)
    whole = model.args_text(model.key_args(action.args, messages))
    cites = ui.plain(", ".join(action.policy_ids) or "no policy")
    why = f"  \n:gray[{ui.plain(action.why)} · cites {cites}]" if action.why and position not in signed else ""
    title = "" if folded else f"**{action.number}. {action.tool}** &nbsp; "
    st.markdown(f"{title}{ui.plain(short)}{why}")
    if short != whole:
        with st.popover("All arguments", icon=":material/data_object:"):
            st.markdown(ui.plain(whole))
    choice_key = f"{key}-{action.number}-choice"
    editing = st.session_state.get(choice_key) == "edit"
    for name, text in messages.items():  # what reaches a customer, as they will read it
        if editing:
            continue  # the edit form below shows it, to change
        if "\n" not in text and len(text) <= 70:
            st.markdown(f":gray[{ui.plain(name)}:] {ui.plain(text)}")
        else:
            st.markdown(f":gray[{ui.plain(name)}, as its recipient will read it:]\n\n{ui.quoted(text)}")
    if position in signed:  # a co-signer's part: settled, not the next reviewer's to answer
        who_signed, role_signed = signed[position]
        st.markdown(f":green[:material/verified: signed by {ui.plain(who_signed)} ({role_signed})]")
        return model.response_for("approve", tool=action.tool, args=action.args)
    left, right = st.columns([5, 4], vertical_alignment="center")
    choice = left.radio(
        f"Action {action.number}",
        list(CHOICES),
        key=choice_key,
        format_func=CHOICES.__getitem__,
        horizontal=True,
        label_visibility="collapsed",
    )
    args = action.args
    if choice == "edit":
        args = edit_form(f"{key}-{action.number}", action, interrupt, schemas, list(messages), problems)
    reason = ""
    if choice == "reject":
        reason = st.text_input(
            f"Why is action {action.number} rejected? (required)",
            key=f"{key}-{action.number}-reason",
            placeholder=REJECT_PLACEHOLDER,
        )
        if not reason.strip():
            problems.append(f"say why action {action.number} is rejected")
    if choice != "reject":
        right.markdown(model.may_approve_line(who, case, position, args))
    return model.response_for(choice, reason=reason, tool=action.tool, args=args)


def fold_label(
    action: model.ReviewAction,
    key: str,
    signed: Mapping[int, tuple[str, str]],
    position: int,
    who: Person | None,
    case: DecisionResource,
) -> str:
    """A folded action's one line: its number, tool, first arguments and the answer it has now; an action the
    reviewer may not approve says so (another role's part of a shared plan, or a refusal to open and read)."""
    if position in signed:
        answer = f":green[signed by {ui.plain(signed[position][0])}]"
    elif who is not None and not authorization.answer(who, "approve", case, action=position):
        answer = ":orange[another role signs it]" if case.shared else ":red[you may not approve it]"
    else:
        chosen = st.session_state.get(f"{key}-{action.number}-choice", "approve")
        answer = {"approve": ":green[Approve]", "reject": ":red[Reject]", "edit": ":blue[Edit]"}[chosen]
    shown = model.args_text(model.key_args(action.args, ()), limit=24)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return f"**{action.number}. {action.tool}** · {ui.plain(shown)} · {answer}"


def facts_column(
    store: RunStore,
    decision: Decision,
    card: model.QueueCard,
    events: list[dict[str, Any]],
    known: Sequence[Any],
    spec: MissionSpec,
) -> dict[int, tuple[str, str]]:
    """The card's left side: a shared plan's banner, the summary, the deciding facts, the Explain rail's link and
    what ran without a reviewer; returns who signed which action so far."""
    plan = [{"tool": a.tool, "args": a.args} for a in card.actions]
    shared = cosign.banner(store, decision, plan, list(known), spec.tools)  # who signs what; a hand-off
    st.text(card.summary)
    # the deciding facts in full, never in a box that scrolls by itself (issue 39: it hid the deciding fact)
    st.markdown(
        "  \n".join(
            f"**{ui.plain(o.source)}** — {ui.plain(o.finding)}"
            for o in model.shown_evidence(model.evidence(events), card.summary)
        )
    )
    if unread := not_understood(events):  # issue 57: the words the mission could not read, set off
        st.warning(
            "**Not understood** (the mission does nothing of its own while any is):  \n"
            + "  \n".join(
                f"{ui.plain(u['record'])} {ui.plain(u['field'])}: {_highlighted(u)} — {ui.plain(u['why'])}"
                for u in unread
            ),
            icon=":material/help:",
        )
    st.page_link(
        ui.RUN,
        label=f"Explain rail of run {decision.run_id}",
        icon=":material/timeline:",
        query_params={"run": decision.run_id},
    )
    if ran := automatic_actions(events):  # what ran without a reviewer, with its status, as `show` lists it
        with st.expander(f"Ran without a reviewer ({len(ran)})", icon=":material/bolt:"):
            st.markdown("  \n".join(model.automatic_line(a) for a in ran))
    return cosign.signed_parts(store, decision.decision_id) if shared else {}


def _highlighted(unread: Mapping[str, Any]) -> str:
    """An unexplained statement as Markdown: its words literal, those that made it unexplained highlighted."""
    text = marked(str(unread.get("words") or "").strip(), list(unread.get("terms") or []))
    pieces = text.replace("»", "«").split("«")  # even pieces are plain, odd ones were set off
    return "".join(f":orange-background[{ui.plain(p)}]" if i % 2 else ui.plain(p) for i, p in enumerate(pieces))


def decision_card(
    store: RunStore,
    decision: Decision,
    run: dict[str, Any] | None,
    timer: ui.QueryTimer,
    roster: dict[str, str],
    who: Person | None,
    known: Sequence[ApprovalRule],
    more_room: int = 0,
) -> None:
    spec = get_mission(decision.mission)
    with timer.measure():
        sheet, facts, events = row_facts(store, decision, run, known, roster)
    card = model.queue_card(decision, run, model.verdict_of(events))
    case = authorization.decision_resource(store, decision, known, events=events)
    key = f"q-{decision.decision_id}"
    shown_hash = str(st.session_state.get(f"{key}-shown", card.actions_hash))  # on screen when clicked
    st.session_state[f"{key}-shown"] = card.actions_hash
    interrupts, schemas = decision.request["interrupts"], decision.request.get("schemas")
    with st.container(border=True, key="decision-card"):
        kind = spec.subject.kind
        at_stake = model.money_text([a.amount for a in sheet.actions], facts, kind)
        with st.container(key="card-header"):  # what the decision is, whole, on one screen
            st.markdown(f"#### {decision.decision_id} · {kind} {ui.plain(decision.subject_id)} · {at_stake}")
            types = " ".join(f":gray-badge[{t}]" for t in card.case_types)
            st.markdown(
                f":blue-badge[{decision.mission}] needs **{ui.plain(sheet.waiting_for)}** &nbsp; "
                f"{due_badge(decision.due_at)} {ui.outcome_badge(card.outcome, card.confidence)} {types} &nbsp; "
                f":gray[waiting {model.age_text(decision.created_at)}]"
            )
        facts_side, actions_side = st.columns([9, 11], gap="medium")
        with facts_side:
            signed = facts_column(store, decision, card, events, known, spec)
        with actions_side:
            messages = {
                a.number: {
                    name: a.args[name]
                    for name in message_fields(spec.tools.get(a.tool), a.args, (schemas or {}).get(a.tool))
                }
                for a in card.actions
            }
            heights = [
                model.action_height(
                    f"{a.number}. {a.tool} {model.args_text(model.key_args(a.args, messages[a.number]), limit=60)}",
                    f"{a.why} · cites {', '.join(a.policy_ids)}" if a.why else "",
                    messages[a.number],
                    cut=model.args_text(model.key_args(a.args, messages[a.number]), limit=60)
                    != model.args_text(model.key_args(a.args, messages[a.number])),
                )
                for a in card.actions
            ]
            currency = str(facts.get(f"{kind}.currency") or facts.get("order.currency") or "")
            totals = model.plan_totals(
                card.actions, spec.tools, currency, sum(1 for written in messages.values() if written)
            )
            totals = f"{totals} · folded ones open on a click"
            plan = [{"tool": a.tool, "args": a.args} for a in card.actions]
            moving = {p["tool"] for p in plan if spec.tools.amount_of(p) is not None or spec.tools.stock_of(p)}
            confirm = model.confirm_text(plan, spec.tools)  # its box, when the plan moves money or stock
            room = ACTIONS_ROOM + more_room - (19 + 21 * model.text_lines(confirm, LINE_CHARS - 6) if confirm else 0)
            with_message = [bool(messages[a.number]) for a in card.actions]
            mine = [
                who is not None and p not in signed and bool(authorization.answer(who, "approve", case, action=p))
                for p in range(len(card.actions))
            ]
            shut = model.folded(heights, with_message, room, mine)
            # a fold that hides money, stock or more than a couple of actions shows the plan's totals (in its room)
            if len(shut) > 2 or any(plan[p]["tool"] in moving for p in shut):
                shut = model.folded(heights, with_message, room - 24 * model.text_lines(totals), mine)
                st.markdown(f":gray[{totals}]")
            responses: list[dict[str, Any]] = []
            problems: list[str] = []
            for position, action in enumerate(card.actions):
                body = partial(
                    action_body,
                    key,
                    position,
                    action,
                    messages[action.number],
                    signed,
                    who,
                    case,
                    interrupts[position],
                    schemas,
                    problems,
                )
                if position in shut:
                    chosen = st.session_state.get(f"{key}-{action.number}-choice", "approve")
                    label = fold_label(action, key, signed, position, who, case)
                    with st.expander(label, expanded=chosen != "approve"):  # opened by an answer to write
                        responses.append(body(folded=True))
                else:
                    with st.container(border=True, gap="xxsmall", key=f"act-{decision.decision_id}-{action.number}"):
                        responses.append(body(folded=False))
            submit_area(store, decision, card, spec, responses, problems, who, case, sheet, shown_hash)
            if who is not None:
                cosign.hand_off_form(store, decision, who, case, roster)


def submit_area(
    store: RunStore,
    decision: Decision,
    card: model.QueueCard,
    spec: MissionSpec,
    responses: list[dict[str, Any]],
    problems: list[str],
    who: Person | None,
    case: DecisionResource,
    sheet: Any,
    shown_hash: str,
) -> None:
    """Under the actions: what is wrong (if anything), the confirmation of the money and stock the plan moves, the
    button, and the actions hash."""
    key = f"q-{decision.decision_id}"
    reviewer = who.name if who is not None else None
    approved = [  # what this reviewer's answer approves: in a shared plan, their own part, not the others' signing
        {"tool": a.tool, "args": r["args"]["args"] if r.get("type") == "edit" else a.args}
        for p, (a, r) in enumerate(zip(card.actions, responses, strict=True))
        if r.get("type") in ("accept", "edit")
        and p not in case.answered
        and (not case.shared or (who is not None and authorization.answer(who, "approve", case, action=p)))
    ]
    if who is not None and (problem := model.plan_problem(who, case, responses, sheet.still_needed)):
        problems.append(problem)
    for problem in dict.fromkeys(problems):
        if problem.startswith("Your part is signed"):
            st.info(problem, icon=":material/verified:")
        else:
            st.error(problem)
    confirmed = True
    if (moves := model.confirm_text(approved, spec.tools)) and reviewer is not None and not problems:
        confirmed = st.checkbox(moves, key=f"{key}-confirm")  # say what moves before the click
    if reviewer is None:
        st.info("Sign in to decide.", icon=":material/person:")
    choices = [
        {"accept": "approve", "edit": "edit", "response": "reject"}.get(str(r.get("type")), "approve")
        for r in responses
    ]
    label = "Sign your part" if case.shared else model.plan_text(choices)
    clicked = st.button(
        f"{label} as {reviewer}" if reviewer else label,
        key=f"{key}-submit",
        type="primary",
        disabled=reviewer is None or bool(problems) or not confirmed,
        width="stretch",
    )
    st.caption(f"Actions hash {card.actions_hash}: what you approve is exactly what executes")
    if clicked and reviewer is not None:
        decide(card, reviewer, who.role if who is not None else "", responses, shown_hash)
