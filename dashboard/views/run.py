"""One run, the Explain rail: what the mission observed, the policies it relied on, its verdict, its actions and
the audit trail. A run still in progress refreshes itself (``st.fragment(run_every=...)``).

A run is shown to those the authorization point lets see it, as ``missions show`` asks (issue 59 item 7: an account
owner read an order's whole Explain rail by link); everything is written as a person reads it: a message with its
line breaks, arguments and data as words and numbers, never a repr or a JSON escape (issue 60 item 4)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ai_missions.dashboard import model, resources, sight, ui
from ai_missions.dashboard.rollbacks import rollback_card
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.store import ACTIVE_STATUSES

#: Seconds between refreshes: a mission working (seconds), one waiting for a reviewer (someone may decide).
LIVE_EVERY = {"running": 2.0, "executing": 2.0, "awaiting_decision": 10.0, "outcome_unknown": 10.0}


def graph_state(run_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """The run's graph state through the mission client, or why it is unavailable (the audit trail still is)."""
    try:
        return resources.client().state(run_id), None
    except Exception as exc:  # the rail still shows the audit trail
        return None, f"{type(exc).__name__}: {exc}"


def pick_run(seen: list[str]) -> None:
    st.title("Run")
    recent = resources.queries(seen).list_runs(limit=10)
    if not recent:
        ui.empty_state("No runs yet: run `missions demo`, or `missions run MISSION --subject ID`.")
        return
    typed = st.text_input("Run id", placeholder="R-…").strip()
    if typed:
        st.switch_page(ui.RUN, query_params={"run": typed})
    st.caption("Or open a recent run:")
    for r in recent:
        st.page_link(
            ui.RUN,
            label=f"{r['run_id']} · {ui.plain(r['subject_id'])} · {model.status_label(r['status'])} · "
            f"{model.when(r['created_at'])}",
            query_params={"run": r["run_id"]},
        )


def header(run: dict[str, Any]) -> None:
    st.page_link(ui.RUNS, label="All runs", icon=":material/arrow_back:")
    st.title(f"Run {run['run_id']}")
    types = " ".join(f":gray-badge[{t}]" for t in run["case_types"]) or ":gray-badge[no case type]"
    st.markdown(
        f"{ui.status_badge(run['status'])} {ui.outcome_badge(run['outcome'], run['confidence'])} &nbsp; "
        f"{run['mission']} · **{ui.plain(run['subject_id'])}** &nbsp; {types}"
    )
    st.caption(
        f"{run['mission']} mission · {run['reasoner']} reasoner · started {model.when(run['created_at'])} UTC · "
        f"updated {model.age_text(run['updated_at'])} ago"
    )
    if run["status"] == "failed":
        retry_failed(run)


def retry_failed(run: dict[str, Any]) -> None:
    """Why the run failed, and a retry from its last checkpoint for a signed-in reviewer."""
    st.error(f"Failed: {ui.plain(run['summary'] or 'no reason recorded')}", icon=":material/error:")
    reviewer = ui.reviewer()
    if st.button(
        "Retry from the last checkpoint" if reviewer else "Sign in to retry",
        key=f"retry-{run['run_id']}",
        disabled=reviewer is None,
    ):
        try:
            with st.spinner("Retrying…"):
                outcome = resources.client().retry(run["run_id"], by=reviewer)
        except Exception as exc:  # the retry failed again: recorded on the run, said here
            st.error(f"The retry failed too: {exc}", icon=":material/error:")
        else:
            st.success(f"Retried: the run is {model.status_label(outcome.status)}", icon=":material/replay:")


def explain_rail(observations: list[model.Observation]) -> None:
    st.subheader("Explain rail")
    if not observations:
        st.caption("No observation yet.")
        return
    node = None
    for o in observations:
        if o.node != node:
            node = o.node
            st.markdown(f"**{node.replace('_', ' ')}**")
        with st.expander(f"`{model.clock(o.at)}` &nbsp; **{ui.plain(o.source)}** — {ui.plain(o.finding)}"):
            if o.data:
                st.markdown(data_text(o.data))
            else:
                st.caption("no data")


def data_text(data: dict[str, Any]) -> str:
    """An observation's data as a person reads it: one line per fact, ``**name** value`` (its text literal)."""
    return "  \n".join(f"**{ui.plain(k)}** {ui.plain(model.value_text(v))}" for k, v in data.items())


def verdict_card(verdict: dict[str, Any] | None) -> None:
    with st.container(border=True):
        st.markdown("**Verdict**")
        if not verdict:
            st.caption("No verdict yet.")
            return
        confidence = float(verdict.get("confidence") or 0.0)
        st.markdown(
            f"{ui.outcome_badge(verdict['outcome'])} &nbsp; by the {ui.plain(verdict.get('reasoner', '?'))} reasoner"
        )
        st.progress(confidence, text=f"confidence {confidence:.0%}")
        st.text(str(verdict.get("summary", "")))
        if verdict.get("policy_ids"):
            st.caption("cites " + ", ".join(verdict["policy_ids"]))


def actions_card(rows: list[model.ActionRow], decisions: list[Any]) -> None:
    with st.container(border=True):
        st.markdown("**Actions**")
        if not rows:
            st.caption("The verdict proposes no action.")
        for row in rows:
            icon, label = model.ACTION_STATUS[row.status]
            tier = " · :gray[automatic]" if row.tier == "auto" else ""
            st.markdown(f"{icon} **{row.number}. {row.tool}** · {label}{tier}")
            texts = {k: v for k, v in row.args.items() if isinstance(v, str) and ("\n" in v or len(v) > 80)}
            short = model.args_text(model.key_args(row.args, texts))
            st.caption(ui.plain(short) + (f" — {ui.plain(row.why)}" if row.why else ""))
            for name, text in texts.items():  # a message (a reply's body) as its reader reads it, line breaks kept
                st.markdown(f":gray[{ui.plain(name)}:]\n\n{ui.quoted(text)}")
            if row.detail and row.status != "done":
                st.caption(f"{label}: {ui.plain(row.detail)}")
        for decision in decisions:
            if decision.status == "pending":
                st.warning(f"Decision {decision.decision_id} awaits a reviewer.", icon=":material/hourglass_top:")
                st.page_link(
                    ui.QUEUE,
                    label="Decide in the Decision Queue",
                    icon=":material/inbox:",
                    query_params={"decision": decision.decision_id},
                )
            else:
                st.caption(
                    f"Decision {decision.decision_id}: decided by {ui.plain(decision.decided_by)} "
                    f"({decision.reviewer_role}) at {model.when(decision.decided_at)} UTC — "
                    f"{ui.plain(model.decision_summary(decision))}"
                )


def policies_card(policies: list[model.CitedPolicy]) -> None:
    """The policies the verdict cites, with the text the run relied on."""
    cited = [p for p in policies if p.cited]
    with st.container(border=True):
        st.markdown("**Policies cited**")
        if not cited:
            st.caption("The verdict cites no policy.")
        for p in cited:
            title = f" · {p.title}" if p.title else ""
            st.markdown(f"**{p.policy_id} v{p.version}**{title} &nbsp; :gray-badge[{p.domain}]")
            if p.sections:
                st.caption("Sections relied on: " + " · ".join(p.sections))
            if p.text:
                with st.container(height=300):
                    st.markdown(model.policy_markdown(p.text))
            st.page_link(
                ui.KNOWLEDGE, label="Open the policy", icon=":material/menu_book:", query_params={"policy": p.policy_id}
            )


def policy_list(policies: list[model.CitedPolicy]) -> None:
    for p in policies:
        mark = ":blue-badge[cited by the verdict]" if p.cited else ":gray-badge[retrieved]"
        title = f" · {p.title}" if p.title else ""
        with st.expander(f"**{p.policy_id} v{p.version}**{title} · {p.domain} &nbsp; {mark}"):
            if p.sections:
                st.caption("Sections relied on: " + " · ".join(p.sections))
            if p.text:
                st.markdown(model.policy_markdown(p.text))
            else:
                st.caption("The text the run relied on is not in its state any more.")
            st.page_link(
                ui.KNOWLEDGE, label="Open the policy", icon=":material/menu_book:", query_params={"policy": p.policy_id}
            )


def audit_tab(events: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(
        [
            {
                "at": model.clock(e["at"]),
                "kind": e["kind"],
                "node": e["node"] or "",
                "source": e["source"] or "",
                "summary": e["summary"] or "",
                "actor": e["actor"] or "",
                "data": model.args_text(e["data"] or {}, limit=120)[:400],
            }
            for e in events
        ]
    )
    st.dataframe(
        frame, hide_index=True, width="stretch", column_config={"summary": st.column_config.TextColumn(width="large")}
    )


def facts_tab(state: dict[str, Any] | None) -> None:
    facts = (state or {}).get("facts") or {}
    if not facts:
        st.caption("No facts (the graph state is unavailable or the mission did not gather yet).")
        return
    frame = pd.DataFrame([{"fact": k, "value": model.value_text(v)} for k, v in sorted(facts.items())])
    st.dataframe(frame, hide_index=True, width="stretch")


def render(run_id: str, shown_status: str) -> None:
    store = resources.store()
    timer = ui.QueryTimer()
    with timer.measure():
        run = store.get_run(run_id)
        events = store.events(run_id)
        decisions = store.decisions_of(run_id)
    if run["status"] != shown_status and LIVE_EVERY.get(run["status"]) != LIVE_EVERY.get(shown_status):
        st.rerun(scope="app")  # the refresh rate changes (e.g. the run ended): draw the page again
    state, unavailable = graph_state(run_id)
    verdict = model.verdict_of(events, state)
    policies = model.policies_of(state, verdict)
    results = list((state or {}).get("results") or [e["data"] for e in events if e["kind"] == "action_result"])

    header(run)
    if unavailable:
        st.caption(f"Graph state unavailable ({unavailable}); showing the audit trail.")
    left, right = st.columns([3, 2], gap="large")
    with left:
        explain_rail(model.observations(events))
    with right:
        verdict_card(verdict)
        rows = model.action_rows(verdict, results, run["status"], decisions)
        actions_card(rows, decisions)
        rollback_card(run, rows)
        policies_card(policies)
    retrieved, audit, facts = st.tabs(
        [f"Policies retrieved · {len(policies)}", f"Audit trail · {len(events)}", "Facts"]
    )
    with retrieved:
        if not policies:
            st.caption("No policy was retrieved.")
        policy_list(policies)
    with audit:
        audit_tab(events)
    with facts:
        facts_tab(state)
    every = LIVE_EVERY.get(run["status"])
    live = f"live: refreshes every {every:.0f} s · " if every else ""
    timer.caption(f"{live}{len(events)} events")


store = resources.store()
who = sight.viewer()
known = sight.rules()
run_id = str(st.query_params.get("run") or "").strip()
if not run_id:
    pick_run(sight.missions(who, known))
    st.stop()
try:
    shown = store.get_run(run_id)
except NotFoundError:
    st.error(f"Unknown run {ui.plain(run_id)}.")
    st.page_link(ui.RUNS, label="All runs", icon=":material/arrow_back:")
    st.stop()
if not (said := sight.run_answer(store, who, shown, known)):
    st.title("Run")
    sight.refuse(said)
status = str(shown["status"])
st.fragment(run_every=LIVE_EVERY.get(status) if status in ACTIVE_STATUSES else None)(render)(run_id, status)
