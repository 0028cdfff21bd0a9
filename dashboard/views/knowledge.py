"""Policies: search Enterprise Knowledge, read a policy as indexed, and see which runs cited it (of the missions the
signed-in account may see: the authorization point's answer, as on the Runs page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ai_missions.dashboard import model, resources, sight, ui
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import all_case_types, all_domains
from ai_missions.knowledge_index.policies import Policy
from ai_missions.services.queries import RunQueries

POLICY_KEY = "kb-policy"
CITING_PAGE = 10


def citing() -> RunQueries:
    """The citations of the runs this account may see (those of the missions it reviews)."""
    return resources.queries(sight.missions(sight.viewer(), sight.rules()))


def read(policy_id: str) -> None:
    st.session_state[POLICY_KEY] = policy_id
    st.session_state["kb-citing-page"] = 1


def search_panel(policies: dict[str, Policy]) -> None:
    query = st.text_input("Search the policies", key="kb-query", placeholder="e.g. release a fraud hold after a move")
    columns = st.columns([3, 3, 2])
    domains = columns[0].multiselect("Domains", all_domains(), key="kb-domains", placeholder="all domains")
    applies = columns[1].selectbox("Applies to", all_case_types(), index=None, key="kb-applies", placeholder="any type")
    k = columns[2].number_input("Sections", min_value=1, max_value=20, value=5, key="kb-k")
    if not query.strip():
        st.caption(f"{len(policies)} policies indexed. Search by meaning: the question, not the keywords.")
        return
    try:
        with st.spinner("Searching…"):
            hits = resources.knowledge().search(query, int(k), domains=domains or None, applies_to=applies)
    except MissionsError as exc:
        st.error(str(exc))
        return
    if not hits:
        st.caption("No section matches within these filters.")
    for index, hit in enumerate(hits):
        with st.container(border=True):
            st.markdown(f"**{hit.policy_id} v{hit.version}** · {hit.title} &nbsp; :gray-badge[{hit.domain}]")
            st.caption(f"§ {hit.section} · similarity {hit.score:.2f}")
            st.markdown(hit.text[:400] + ("…" if len(hit.text) > 400 else ""))
            st.button(
                f"Read {hit.policy_id}", key=f"kb-read-{index}-{hit.chunk_id}", on_click=read, args=(hit.policy_id,)
            )


def citing_runs(policy: Policy, counts: dict[int, int], timer: ui.QueryTimer) -> None:
    total = sum(counts.values())
    if not total:
        st.caption("No verdict has cited this policy yet.")
        return
    st.caption("Cited by version: " + " · ".join(f"v{version}: {n:,} run(s)" for version, n in counts.items()))
    offset = ui.pager(total, CITING_PAGE, "kb-citing-page")
    with timer.measure():
        rows = citing().citing_runs(policy.id, limit=CITING_PAGE, offset=offset)
    frame = pd.DataFrame(
        [
            {
                "run": r["run_id"],
                "cited": model.when(r["cited_at"]),
                "version": f"v{r['cited_version']}",
                "mission": r["mission"],
                "subject": r["subject_id"],
                "status": model.status_label(r["status"]),
                "outcome": r["outcome"] or "",
            }
            for r in rows
        ]
    )
    selection = st.dataframe(
        frame.style.map(model.label_color, subset=["status"]),
        key=f"kb-citing-{policy.id}",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        width="stretch",
    )
    chosen = selection.selection.rows if selection is not None else []
    if chosen:
        st.switch_page(ui.RUN, query_params={"run": rows[chosen[0]]["run_id"]})
    st.caption("Select a run to open its Explain rail.")


def rules_tab(policy: Policy) -> None:
    if not policy.clauses and not policy.approval_rules:
        st.caption("This policy has no machine-checkable clause and no approval rule: people and the LLM read it.")
    if policy.approval_rules:
        st.markdown("**Approval rules**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "tools": ", ".join(r.tools),
                        "roles": ", ".join(r.roles),
                        "max amount": "no limit" if r.max_amount is None else f"{r.max_amount:,.2f}",
                    }
                    for r in policy.approval_rules
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    for clause in policy.clauses:
        with st.expander(f"**{clause.id}** · priority {clause.priority}"):
            if clause.summary:
                st.caption(clause.summary)
            st.json(clause.model_dump(mode="json", exclude={"summary"}))


def reader(policies: dict[str, Policy]) -> None:
    ids = list(policies)
    policy_id = st.selectbox(
        "Policy",
        ids,
        key=POLICY_KEY,
        format_func=lambda p: f"{p} · {policies[p].title}",
        on_change=lambda: st.session_state.update({"kb-citing-page": 1}),
    )
    policy = policies[policy_id]
    timer = ui.QueryTimer()
    with timer.measure():
        counts = citing().citation_counts(policy.id)
    st.subheader(f"{policy.id} v{policy.version} · {policy.title}")
    applies = " ".join(f":gray-badge[{t}]" for t in policy.applies_to)
    st.markdown(f":blue-badge[{policy.domain}] &nbsp; effective {policy.effective_from.isoformat()} &nbsp; {applies}")
    rules = len(policy.clauses) + len(policy.approval_rules)
    text, runs, checks = st.tabs(
        ["Policy", f"Runs that cited it · {sum(counts.values()):,}", f"Clauses and approval rules · {rules}"]
    )
    with text, st.container(border=True, height=640):
        st.markdown(model.policy_markdown(policy.body))
    with runs:
        citing_runs(policy, counts, timer)
    with checks:
        rules_tab(policy)
    timer.caption()


st.title("Policies")
try:
    indexed = {p.id: p for p in resources.knowledge().policies()}
except MissionsError as exc:
    ui.empty_state(f"{exc}. `missions demo` builds it too.")
    st.stop()
if not indexed:
    ui.empty_state("The policy index holds no policy: run `missions knowledge build`.")
    st.stop()
wanted = str(st.query_params.get("policy") or "").upper()
if wanted in indexed and st.session_state.get("kb-wanted") != wanted:
    st.session_state["kb-wanted"] = wanted
    read(wanted)
if st.session_state.get(POLICY_KEY) not in indexed:
    st.session_state[POLICY_KEY] = next(iter(indexed))
left, right = st.columns([2, 3], gap="large")
with left:
    search_panel(indexed)
with right:
    reader(indexed)
