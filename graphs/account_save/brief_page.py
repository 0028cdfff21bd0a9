"""The morning brief (a dashboard page of the account mission): the latest batch's accounts in rank order, each
with its signals, its usage as a small chart, the draft and its decision; the signed-in owner sees what is theirs
first and decides here (through the same ``decide`` as the CLI: only the account's owner, or their manager when the
owner is away, may approve). Below, the save rate of past briefs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ai_missions.dashboard import resources, ui
from ai_missions.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError

MISSION = "account-save"
SHOWN = 25


def latest_batch() -> str | None:
    row = (
        resources.store()
        .read()
        .execute(
            "SELECT batch_id FROM runs WHERE mission = ? AND batch_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
            (MISSION,),
        )
        .fetchone()
    )
    return str(row[0]) if row else None


def save_rate() -> pd.DataFrame:
    """Per brief: accounts flagged, and the share whose outreach the owner approved and sent."""
    rows = (
        resources.store()
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
    state = resources.client().state(run["run_id"])
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
        pending = [d for d in resources.store().decisions_of(run["run_id"]) if d.status == "pending"]
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
        outcome = resources.client().decide(decision_id, me, **options)
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
        ui.empty_state("No brief yet: `missions batch account-save` or `missions scheduler`.")
        return
    from ai_missions.schedules import batch_report

    try:
        report = batch_report(resources.store(), batch)
    except NotFoundError:
        ui.empty_state(f"Batch {batch} is still running.")
        return
    runs = {r["subject_id"]: r for r in resources.store().batch_runs(batch)}
    me = ui.reviewer()
    st.caption(f"batch {batch}: {report['cases']} accounts flagged of the book, {report['awaiting']} awaiting owners")
    ranked = [(n, runs[s]) for n, s in enumerate(report["ranked"], start=1) if s in runs]
    offset = ui.pager(len(ranked), SHOWN, key="brief-page")
    for rank, run in ranked[offset : offset + SHOWN]:
        account_card(rank, run, me)
    st.subheader("Save rate")
    frame = save_rate()
    if not frame.empty:
        st.bar_chart(frame.set_index("day")["save rate"], height=160)


page()
