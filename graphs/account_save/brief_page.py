"""The morning brief (a dashboard page of the account mission): the latest batch's accounts in rank order, each
with its signals, its usage as a chart, the draft and its decision; the signed-in owner sees what is theirs first and
decides here (through the same ``decide`` as the CLI: only the account's owner, or their manager when the owner is
away, may approve). A signed-in reviewer sees the accounts they decide ("mine") unless they ask for every owner's.
The account decisions still open outside the brief (``missions demo`` and ``missions run`` start account missions
one by one) are listed with it, so an owner's open decision is never missing from her morning. Below, the save rate
of past briefs, as percentages.

Issue 60 item 6: a decision's buttons follow its state (a decided account shows who decided and what ran, never an
enabled Approve whose second click reran silently); the usage chart is a readable chart of dates; and the page says
which clock each date is on: runs and briefs on this machine's (UTC), the accounts' usage, renewals and contacts on
the accounts book's own (the simulated book keeps the dates it was written with)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ai_missions.dashboard import api as ui
from ai_missions.mission_api import ConflictError, ForbiddenError, NotFoundError, ValidationError

MISSION = "account-save"
SHOWN = 25
#: Session key prefix: the outcome of a decision taken on this page, by run (shown once the page reruns).
OUTCOME = "brief-outcome-"


def latest_batch() -> str | None:
    row = (
        ui.store()
        .read()
        .execute(
            "SELECT batch_id FROM runs WHERE mission = ? AND batch_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
            (MISSION,),
        )
        .fetchone()
    )
    return str(row[0]) if row else None


def loose_runs() -> list[dict[str, Any]]:
    """Account missions started one by one (``missions demo``, ``missions run``), outside any brief, newest first."""
    rows = (
        ui.store()
        .read()
        .execute(
            "SELECT run_id, subject_id, status, outcome, created_at FROM runs WHERE mission = ? AND batch_id IS NULL"
            " ORDER BY created_at DESC",
            (MISSION,),
        )
        .fetchall()
    )
    return [dict(r) for r in rows]


def decider(run_id: str) -> str | None:
    """Who decides the account's outreach (its owner, or their manager when the owner is away), as the mission's
    gather step recorded it on the audit trail (no checkpoint read: a brief holds hundreds of accounts)."""
    value = ui.run_facts(run_id).get("account.approver")
    return str(value) if value else None


def save_rate() -> pd.DataFrame:
    """Per brief: accounts flagged, and the share whose outreach the owner approved and sent."""
    rows = (
        ui.store()
        .read()
        .execute(
            "SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS flagged, "
            "SUM(status = 'closed' AND outcome IN ('save_play', 'check_in', 'reassign')) AS acted "
            "FROM runs WHERE mission = ? AND batch_id IS NOT NULL GROUP BY day ORDER BY day",
            (MISSION,),
        )
        .fetchall()
    )
    frame = pd.DataFrame([dict(r) for r in rows], columns=["day", "flagged", "acted"])
    if not frame.empty:
        frame["save rate"] = frame["acted"] / frame["flagged"]
    return frame


def usage_chart(usage: list[dict[str, Any]]) -> None:
    """Active users a day, as a line over dates (a few labelled, the book's clock), tall enough to read."""
    frame = pd.DataFrame(usage)[["day", "active_users"]]
    frame["day"] = pd.to_datetime(frame["day"])
    chart = (
        alt.Chart(frame)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %d", tickCount=6, labelAngle=0)),
            y=alt.Y("active_users:Q", title="active users a day", axis=alt.Axis(tickCount=4, format="d")),
            tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), alt.Tooltip("active_users:Q", title="active users")],
        )
    )
    st.altair_chart(chart.properties(height=170), width="stretch")


def decide(run_id: str, decision_id: str, me: str, options: dict[str, Any]) -> None:
    """The button's callback: decide before the page is drawn again, so the page shows the decision's new state
    (no button to click twice) and says what happened."""
    body_key = options.pop("body_key", None)
    if body_key is not None:  # the draft as the owner left it
        number, args = options.pop("email")
        body = st.session_state.get(body_key, args["body"])
        if body != args["body"]:
            options["edits"] = {number: {**args, "body": body}}
    try:
        outcome = ui.client().decide(decision_id, me, **options)
    except ForbiddenError as exc:
        st.session_state[OUTCOME + run_id] = ("error", f"Refused: {ui.plain(exc)}. The decision stays pending.")
        return
    except (ValidationError, ConflictError, NotFoundError) as exc:
        st.session_state[OUTCOME + run_id] = ("warning", ui.plain(exc))
        return
    done = ", ".join(f"{r['tool']} {r['status']}" for r in outcome.results) or "nothing ran"
    st.session_state[OUTCOME + run_id] = ("success", f"{ui.plain(outcome.status)}: {done}")


def decided_line(run: dict[str, Any]) -> None:
    """An account whose decision is no longer open: who decided it, when, and what it answered."""
    decided = [d for d in ui.store().decisions_of(run["run_id"]) if d.status != "pending"]
    if not decided:
        st.caption(f"no decision pending ({run['status'].replace('_', ' ')})")
        return
    last = decided[-1]
    answers = [r.get("type") for r in (last.response or {}).get("responses", [])]
    tools = [i["action_request"]["action"] for i in last.request["interrupts"]]
    words = {"accept": "approved", "edit": "edited and approved"}
    said = ", ".join(f"{tool} {words.get(str(a), 'rejected')}" for tool, a in zip(tools, answers, strict=False))
    st.caption(
        f"no decision pending: decided by {ui.plain(last.decided_by or '')} ({last.reviewer_role}) at "
        f"{(last.decided_at or '')[:16].replace('T', ' ')} UTC; {ui.plain(said)} (run {run['status']})"
    )


def account_card(rank: int | None, run: dict[str, Any], me: str | None) -> None:
    state = ui.client().state(run["run_id"])
    facts = state.get("facts", {})
    context = (state.get("gathered") or {}).get("accounts.get_account_context") or {}
    mine = me is not None and facts.get("account.approver") == me
    name, score = facts.get("account.name", ""), facts.get("risk.score")
    place = f"{rank}. " if rank is not None else "· "
    title = f"{place}{run['subject_id']} {name} · risk {score} · {run.get('outcome')}"
    pending = [d for d in ui.store().decisions_of(run["run_id"]) if d.status == "pending"]
    with st.expander(title + (" · yours" if mine else ""), expanded=mine and (rank or 0) <= 3 and bool(pending)):
        st.caption(
            f"owner {facts.get('account.owner')} ({facts.get('account.owner_status')}); "
            f"decides: {facts.get('account.approver')}"
        )
        st.text(str(facts.get("risk.reasons")))
        usage = [p for p in context.get("usage") or [] if p.get("active_users") is not None]
        if usage:
            usage_chart(usage)
        if (outcome := st.session_state.get(OUTCOME + run["run_id"])) is not None:
            getattr(st, outcome[0])(outcome[1])
        if not pending:
            decided_line(run)
            return
        decision = pending[0]
        email: tuple[int, dict[str, Any]] | None = None
        for number, item in enumerate(decision.request["interrupts"], start=1):
            request = item["action_request"]
            st.markdown(f"**{number}. {ui.plain(request['action'])}**")
            if request["action"] == "send_account_email":
                st.text_area("draft", request["args"]["body"], key=f"{decision.decision_id}-{number}", height=200)
                email = (number, dict(request["args"]))
            else:
                st.markdown(ui.plain(ui.args_text(request["args"])))  # as words, never a repr
        if me is None:
            st.info("Sign in to decide.")
            return
        approve, reject = st.columns(2)
        options: dict[str, Any] = {"approve": True}
        if email is not None:
            options.update(body_key=f"{decision.decision_id}-{email[0]}", email=email)
        approve.button(
            "Approve and send",
            key=f"{decision.decision_id}-ok",
            disabled=not mine,
            on_click=decide,
            args=(run["run_id"], decision.decision_id, me, options),
        )
        reject.button(
            "Reject",
            key=f"{decision.decision_id}-no",
            disabled=not mine,
            on_click=decide,
            args=(run["run_id"], decision.decision_id, me, {"reject_reason": "not now (owner's call)"}),
        )


def clocks(runs: list[dict[str, Any]]) -> None:
    """Which clock each date on the page is on (issue 60 item 6: a March book under November runs read as one)."""
    book_day = None
    for run in runs[:5]:
        context = (ui.client().state(run["run_id"]).get("gathered") or {}).get("accounts.get_account_context") or {}
        if context.get("book_now"):
            book_day = str(context["book_now"])[:10]
            break
    book = (
        f"usage, renewals and contacts are on the accounts book's clock (its today: {book_day})"
        if book_day
        else "usage, renewals and contacts are on the accounts book's clock"
    )
    today = datetime.now(UTC).date().isoformat()
    st.caption(f"Dates: briefs and runs on this machine's clock (UTC, today {today}); {book}.")


def page() -> None:
    st.title("Morning brief")
    me = ui.reviewer()
    batch = latest_batch()
    loose = loose_runs()
    # open ones, and those decided on this page just now (their card stays, saying what happened)
    open_loose = [r for r in loose if r["status"] == "awaiting_decision" or OUTCOME + r["run_id"] in st.session_state]
    mine_loose = [r for r in open_loose if decider(r["run_id"]) == me] if me is not None else []
    report = None
    if batch is not None:
        try:
            report = ui.batch_report(batch)
        except NotFoundError:
            ui.empty_state(f"Batch {batch} is still running.")
    runs = {r["subject_id"]: r for r in ui.store().batch_runs(batch)} if report is not None and batch else {}
    clocks([*runs.values(), *loose])
    if report is None and batch is None:
        these = (
            "the 1 account mission here was" if len(loose) == 1 else f"the {len(loose):,} account missions here were"
        )
        why = f"{these} started one by one (as `missions demo` starts them), not as a brief. " if loose else ""
        ui.empty_state(f"No brief yet: {why}A brief is `missions batch account-save`, or `missions scheduler`.")
    if open_loose:
        shown = mine_loose or open_loose
        whose = "yours" if mine_loose else "every owner's"
        st.subheader(f"Open decisions outside the brief · {len(shown):,} ({whose})")
        for run in shown[:SHOWN]:
            account_card(None, run, me)
    if report is None:
        save_rate_section()
        return
    st.subheader("The brief")
    st.caption(f"batch {batch}: {report['cases']} accounts flagged of the book, {report['awaiting']} awaiting owners")
    ranked = [(n, runs[s]) for n, s in enumerate(report["ranked"], start=1) if s in runs]
    if me is not None:
        mine = [(n, r) for n, r in ranked if decider(r["run_id"]) == me]
        if mine:
            if st.toggle(f"Mine only: the {len(mine):,} accounts {me} decides", value=True, key="brief-mine"):
                ranked = mine
        else:
            st.info(f"{me} decides none of this brief's {len(ranked):,} accounts: every owner's are shown.")
    offset = ui.pager(len(ranked), SHOWN, key="brief-page")
    for rank, run in ranked[offset : offset + SHOWN]:
        account_card(rank, run, me)
    save_rate_section()


def save_rate_section() -> None:
    st.subheader("Save rate")
    frame = save_rate()
    if frame.empty:
        st.caption("No brief has finished yet.")
        return
    last = frame.iloc[-1]
    st.metric(
        f"Save rate · brief of {last['day']}",
        f"{last['save rate']:.1%}",
        help="Accounts whose outreach the owner approved and sent, of the accounts the brief flagged",
    )
    st.caption(f"{int(last['acted']):,} of {int(last['flagged']):,} flagged accounts acted on")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("day:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("save rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=["day", "flagged", "acted", alt.Tooltip("save rate:Q", format=".1%")],
        )
    )
    st.altair_chart(chart.properties(height=160), width="stretch")


page()
