"""Evals: the evaluation harness's runs, their metrics, a breakdown per case type, and two runs compared: of the
missions the signed-in account may see (the authorization point's answer; an eval run's cases are the mission's)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ai_missions.dashboard import evals_source, resources, sight, ui
from ai_missions.dashboard.evals_source import EvalRun, headline, metric_text

#: Headline figures per row: at 1280 px three fit without cutting a value ("100..." at six to a row).
METRICS_PER_ROW = 3
#: The metric charted per case type.
PER_TYPE_METRIC = "outcome_agreement"


def runs_table(runs: list[EvalRun]) -> None:
    shown = headline(runs[0].metrics, 4)
    frame = pd.DataFrame(
        [
            {
                "run": r.run_id,
                "started": r.started_at[:16].replace("T", " "),
                **{k: r.labels.get(k, "") for k in ("mission", "dataset", "reasoner", "cases", "status")},
                **{m: metric_text(m, r.metrics.get(m)) for m in shown},
            }
            for r in runs
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def per_type(run: EvalRun) -> None:
    if not run.per_type:
        return
    st.subheader("Per case type")
    metric = PER_TYPE_METRIC if any(PER_TYPE_METRIC in m for m in run.per_type.values()) else None
    if metric:
        frame = pd.DataFrame([{"type": t, metric: m.get(metric)} for t, m in run.per_type.items()])
        chart = (
            alt.Chart(frame)
            .mark_bar(cornerRadiusTopRight=3, cornerRadiusBottomRight=3, color="#2457c5")
            .encode(
                y=alt.Y("type:N", title=None, sort="x", axis=alt.Axis(labelLimit=200)),
                x=alt.X(
                    f"{metric}:Q",
                    title=metric.replace("_", " "),
                    axis=alt.Axis(format="%", tickCount=5),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                tooltip=["type", alt.Tooltip(f"{metric}:Q", format=".1%")],
            )
        )
        st.altair_chart(chart.properties(height=30 * len(frame) + 40), width="stretch")
    names = headline(next(iter(run.per_type.values())), 6)
    table = pd.DataFrame([{"type": t, **{n: metric_text(n, m.get(n)) for n in names}} for t, m in run.per_type.items()])
    st.dataframe(table, hide_index=True, width="stretch")


def comparison(base: EvalRun, other: EvalRun) -> None:
    rows = evals_source.compare(base, other)
    frame = pd.DataFrame(rows)
    overall = frame[frame["scope"] == "all"].copy()
    order = {name: i for i, name in enumerate(headline(other.metrics or base.metrics, 100))}
    overall["order"] = overall["metric"].map(order).fillna(len(order))
    overall = overall.sort_values("order")
    st.dataframe(
        pd.DataFrame(
            {
                "metric": overall["metric"],
                "baseline": [metric_text(m, v) for m, v in zip(overall["metric"], overall["baseline"], strict=True)],
                "candidate": [metric_text(m, v) for m, v in zip(overall["metric"], overall["candidate"], strict=True)],
                "change": overall["change"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"change": st.column_config.NumberColumn(format="%+.3f")},
    )
    by_type = frame[(frame["scope"] != "all") & (frame["metric"] == PER_TYPE_METRIC)]
    if not by_type.empty:
        st.markdown(f"**{PER_TYPE_METRIC.replace('_', ' ')} per case type**")
        st.dataframe(
            by_type[["scope", "baseline", "candidate", "change"]].rename(columns={"scope": "type"}),
            hide_index=True,
            width="stretch",
            column_config={
                "baseline": st.column_config.NumberColumn(format="percent"),
                "candidate": st.column_config.NumberColumn(format="percent"),
                "change": st.column_config.NumberColumn(format="%+.3f"),
            },
        )


st.title("Evals")
seen = set(sight.missions(sight.viewer(), sight.rules()))
runs = [r for r in evals_source.eval_runs(resources.home()) if r.labels.get("mission") in seen]
if not runs:
    ui.empty_state(
        "No eval runs yet: run `missions eval run` to replay recorded cases through a mission and score "
        "its verdicts against what people decided."
    )
    st.stop()

st.subheader("Runs")
missions = sorted({r.labels.get("mission", "") for r in runs} - {""})
mission = st.selectbox("Mission", ["every mission", *missions], key="evals-mission")
if mission != "every mission":
    runs = [r for r in runs if r.labels.get("mission") == mission]
runs_table(runs)
by_id = {r.run_id: r for r in runs}
ids = list(by_id)
chosen = by_id[
    st.selectbox("Run", ids, key="evals-run", format_func=lambda i: f"{i} · {by_id[i].labels.get('mission', '')}")
]
names = headline(chosen.metrics)
for start in range(0, len(names), METRICS_PER_ROW):  # three to a row: a figure is never cut at 1280 px
    row = names[start : start + METRICS_PER_ROW]
    for column, name in zip(st.columns(METRICS_PER_ROW), row, strict=False):
        with column.container(border=True):
            st.metric(name.replace("_", " "), metric_text(name, chosen.metrics[name]))
labels = " · ".join(f"{k} {v}" for k, v in chosen.labels.items() if v)
st.caption(labels)
with st.expander(f"All metrics ({len(chosen.metrics)})"):
    st.dataframe(
        pd.DataFrame([{"metric": k, "value": metric_text(k, v)} for k, v in chosen.metrics.items()]),
        hide_index=True,
        width="stretch",
    )
per_type(chosen)

st.subheader("Compare two runs")
same = [i for i in ids if by_id[i].labels.get("mission") == chosen.labels.get("mission")]
if len(same) < 2:
    st.caption(
        f"One run of {chosen.labels.get('mission') or 'this mission'} so far: run `missions eval run` again "
        "(another reasoner, another commit) to compare."
    )
else:
    left, right = st.columns(2)
    other = right.selectbox("Candidate", same, index=same.index(chosen.run_id), key="evals-other")
    rest = [i for i in same if i != other]
    base = left.selectbox("Baseline (the same mission's run before it)", rest, index=0, key="evals-base")
    comparison(by_id[base], by_id[other])
