"""Evals: the evaluation harness's runs, their metrics, a breakdown per exception type, and two runs compared."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ai_missions.dashboard import evals_source, resources, ui

st.title("Evals")
runs = evals_source.eval_runs(resources.home())
if not runs:
    ui.empty_state(
        "No eval runs yet: run `missions eval run` to replay the recorded exceptions through the mission and score "
        "its verdicts against what people decided."
    )
    st.stop()

table = pd.DataFrame([{"run": r.run_id, "started": r.started_at, **r.labels, **r.metrics} for r in runs])
st.subheader("Runs")
st.dataframe(table, hide_index=True, width="stretch")

ids = [r.run_id for r in runs]
by_id = {r.run_id: r for r in runs}
chosen = st.selectbox("Run", ids, key="evals-run")
run = by_id[chosen]
columns = st.columns(max(1, min(len(run.metrics), 6)))
for column, (name, value) in zip(columns, list(run.metrics.items())[:6], strict=False):
    column.metric(name, evals_source.metric_text(name, value))
if run.per_type:
    st.subheader("Per exception type")
    frame = pd.DataFrame([{"type": t, **m} for t, m in run.per_type.items()])
    st.dataframe(frame, hide_index=True, width="stretch")

if len(runs) > 1:
    st.subheader("Compare two runs")
    left, right = st.columns(2)
    base = left.selectbox("Baseline", ids, index=1, key="evals-base")
    other = right.selectbox("Candidate", ids, index=0, key="evals-other")
    comparison = evals_source.compare(by_id[base], by_id[other])
    st.dataframe(
        pd.DataFrame(comparison),
        hide_index=True,
        width="stretch",
        column_config={"change": st.column_config.NumberColumn(format="%+.3f")},
    )
