"""The morning brief (a dashboard page of the account mission): the latest batch's accounts in rank order, each
with its signals, its usage as a small chart, the draft and its decision; the signed-in owner sees what is theirs
first and decides here (through the same ``decide`` as the CLI: only the account's owner, or their manager when the
owner is away, may approve). A signed-in reviewer sees the accounts they decide ("mine") unless they ask for every
owner's. Below, the save rate of past briefs, as percentages."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ai_missions.dashboard import api as ui
from ai_missions.mission_api import ConflictError, ForbiddenError, NotFoundError, ValidationError

MISSION = "account-save"
SHOWN = 25


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


def loose_runs() -> int:
    """Account missions started one by one (``missions demo``, ``missions run``), outside any brief."""
    row = (
        ui.store()
        .read()
        .execute("SELECT COUNT(*) FROM runs WHERE mission = ? AND batch_id IS NULL", (MISSION,))
        .fetchone()
    )
    return int(row[0])


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


def account_card(rank: int, run: dict[str, Any], me: str | None) -> None:
    state = ui.client().state(run["run_id"])
    facts = state.get("facts", {})
    context = (state.get("gathered") or {}).get("accounts.get_account_context") or {}
    mine = me is not None and facts.get("account.approver") == me
    name, score = facts.get("account.name", ""), facts.get("risk.score")
    title = f"{rank}. {run['subject_id']} {name} · risk {score} · {run.get('outcome')}"
    with st.expander(title + (" · yours" if mine else ""), expanded=mine and rank <= 3):
        st.caption(
            f"owner {facts.get('account.owner')} ({facts.get('account.owner_status')}); "
            f"decides: {facts.get('account.approver')}"
        )
        st.text(str(facts.get("risk.reasons")))
        usage = [p for p in context.get("usage") or [] if p.get("active_users") is not None]
        if usage:
            st.line_chart(pd.DataFrame(usage).set_index("day")["active_users"], height=120)
        pending = [d for d in ui.store().decisions_of(run["run_id"]) if d.status == "pending"]
        if not pending:
            st.caption(f"no decision pending ({run['status']})")
            return
        decision = pending[0]
        interrupts = decision.request["interrupts"]
        edits: dict[int, dict[str, Any]] = {}
        for number, item in enumerate(interrupts, start=1):
            request = item["action_request"]
            st.markdown(f"**{number}. {ui.plain(request['action'])}**")
            if request["action"] == "send_account_email":
                body = st.text_area(
                    "draft", request["args"]["body"], key=f"{decision.decision_id}-{number}", height=200
                )
                if body != request["args"]["body"]:
                    edits[number] = {**request["args"], "body": body}
            else:
                st.text(ui.plain(request["args"]))
        if me is None:
            st.info("Sign in to decide.")
            return
        approve, reject = st.columns(2)
        if approve.button("Approve and send", key=f"{decision.decision_id}-ok", disabled=not mine):
            decide(decision.decision_id, me, approve=True, edits=edits or None)
        if reject.button("Reject", key=f"{decision.decision_id}-no", disabled=not mine):
            decide(decision.decision_id, me, reject_reason="not now (owner's call)")


def decide(decision_id: str, me: str, **options: Any) -> None:
    try:
        outcome = ui.client().decide(decision_id, me, **options)
    except ForbiddenError as exc:
        st.error(f"Refused: {ui.plain(exc)}. The decision stays pending.")
        return
    except (ValidationError, ConflictError, NotFoundError) as exc:
        st.warning(ui.plain(exc))
        return
    st.success(f"{outcome.status}: " + ", ".join(f"{r['tool']} {r['status']}" for r in outcome.results))


def page() -> None:
    st.title("Morning brief")
    batch = latest_batch()
    if batch is None:
        loose = loose_runs()
        these = "the 1 account mission here was" if loose == 1 else f"the {loose:,} account missions here were"
        why = (
            f"{these} started one by one (as `missions demo` starts them), not as a brief (see Runs and the Decision "
            "Queue). "
            if loose
            else ""
        )
        ui.empty_state(f"No brief yet: {why}A brief is `missions batch account-save`, or `missions scheduler`.")
        return
    try:
        report = ui.batch_report(batch)
    except NotFoundError:
        ui.empty_state(f"Batch {batch} is still running.")
        return
    runs = {r["subject_id"]: r for r in ui.store().batch_runs(batch)}
    me = ui.reviewer()
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
