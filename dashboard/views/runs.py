"""Runs: the runs of the missions the signed-in account may see (the authorization point's answer, as ``missions
runs`` lists them), filtered and paginated in the store; selecting a row opens its Explain rail."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from ai_missions.dashboard import model, resources, sight, ui
from ai_missions.kernel.missions import all_case_types, get_mission

PAGE_SIZES = (25, 50, 100)
PERIODS: dict[str, timedelta | None] = {
    "Any time": None,
    "Last hour": timedelta(hours=1),
    "Last 24 hours": timedelta(days=1),
    "Last 7 days": timedelta(days=7),
    "Last 30 days": timedelta(days=30),
}
ANY = "All"


def _reset_page() -> None:
    st.session_state["runs-page"] = 1


st.title("Runs")
queries = resources.queries(sight.missions(sight.viewer(), sight.rules()))  # the missions this account may see
timer = ui.QueryTimer()
with timer.measure():
    facets = queries.run_facets()
if not facets["status"]:
    ui.empty_state("No runs yet: run `missions demo`, or `missions run MISSION --subject ID`.")
    st.stop()

columns = st.columns([2, 2, 2, 2, 2, 2])
mission = columns[0].selectbox("Mission", [ANY, *facets["mission"]], key="runs-mission", on_change=_reset_page)
status = columns[1].selectbox(
    "Status",
    [ANY, *facets["status"]],
    key="runs-status",
    format_func=lambda s: s if s == ANY else model.status_label(s),
    on_change=_reset_page,
)
outcome = columns[2].selectbox("Outcome", [ANY, *facets["outcome"]], key="runs-outcome", on_change=_reset_page)
types = get_mission(mission).vocabulary.case_types if mission != ANY else all_case_types()
case_type = columns[3].selectbox("Case type", [ANY, *types], key="runs-type", on_change=_reset_page)
period = columns[4].selectbox("Started", list(PERIODS), key="runs-period", on_change=_reset_page)
subject_id = columns[5].text_input("Subject", key="runs-subject", placeholder="SO-…, INV-…", on_change=_reset_page)

window = PERIODS[period]
filters = {
    "mission": None if mission == ANY else mission,
    "status": None if status == ANY else status,
    "outcome": None if outcome == ANY else outcome,
    "case_type": None if case_type == ANY else case_type,
    "subject_id": subject_id.strip().upper() or None,
    "since": model.iso(model.now_utc() - window) if window else None,
}
with timer.measure():
    total = queries.count_runs(**filters)
if not total:
    ui.empty_state("No run matches these filters: widen them (mission, status, outcome, type, time or subject).")
    timer.caption()
    st.stop()

page_size = int(st.session_state.get("runs-page-size", PAGE_SIZES[0]))
offset = ui.pager(total, page_size, "runs-page")
with timer.measure():
    rows = queries.list_runs(**filters, limit=page_size, offset=offset)

table = pd.DataFrame(
    [
        {
            "run": r["run_id"],
            "started": model.parse_time(r["created_at"]).replace(tzinfo=None),
            "subject": r["subject_id"],
            "case types": ", ".join(r["case_types"]),
            "status": model.status_label(r["status"]),
            "outcome": r["outcome"] or "",
            "confidence": r["confidence"],
            "mission": r["mission"],
            "summary": r["summary"] or "",
        }
        for r in rows
    ]
)
selection = st.dataframe(
    table.style.map(model.label_color, subset=["status"]),
    key="runs-table",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    width="stretch",
    height=min(38 + 35 * len(table), 38 + 35 * 25),
    column_config={
        "run": st.column_config.TextColumn("run", width=120),
        "started": st.column_config.DatetimeColumn("started (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0, format="percent"),
        "summary": st.column_config.TextColumn("summary", width="large"),
    },
)
chosen = selection.selection.rows if selection is not None else []
if chosen:
    st.switch_page(ui.RUN, query_params={"run": rows[chosen[0]]["run_id"]})

left, right = st.columns([4, 1], vertical_alignment="center")
left.caption("Select a row to open its Explain rail.")
right.selectbox("Rows per page", PAGE_SIZES, key="runs-page-size", on_change=_reset_page, label_visibility="collapsed")
timer.caption(f"{total:,} run matches" if total == 1 else f"{total:,} runs match")
