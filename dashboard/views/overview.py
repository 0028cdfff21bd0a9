"""Overview: what is broken, what waits for a person, and how fast people decide: over the missions the signed-in
account may see (the authorization point's answer), its figures of the decisions it may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ai_missions.dashboard import model, resources, sight, ui
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import registry

#: The window of the decision figures (median time to decision, approvals vs rejections).
WINDOW_DAYS = 14
CHART_HEIGHT = 260
#: Categories a chart names one by one; the rest are summed into one "other" bar (31 bars left room for 4 labels).
TOP_N = 10


@st.cache_data(ttl=15, show_spinner=False)
def open_cases(home: str, missions: tuple[str, ...]) -> dict[tuple[str, str], list[str]] | None:
    """(mission, subject) -> case types, from these missions' triggers over MCP (the systems' current state); a
    mission whose systems cannot be read (its book is not seeded) adds nothing; None when no mission's can."""

    found: dict[tuple[str, str], list[str]] = {}
    read = False
    for spec in registry().values():
        if spec.trigger is None or spec.name not in missions:
            continue
        try:
            cases = resources.client().cases_now(spec.name)
        except MissionsError:
            continue
        read = True
        found.update({(spec.name, subject): types for subject, types in cases.items()})
    return found if read else None


def bar(frame: pd.DataFrame, x: str, y: str, color: str | None = None, *, sort: list[str] | None = None) -> None:
    """A bar chart: categories ``x`` (sorted by value unless ``sort`` is given), values ``y``."""
    encoding: dict[str, Any] = {
        "x": alt.X(x, title=None, sort=sort or "-y", axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(y, title=None, axis=alt.Axis(tickMinStep=1, format="d")),  # counts: no "0.5" decision
        "tooltip": [x, y] + ([color] if color else []),
    }
    if color:
        encoding["color"] = alt.Color(color, title=None, legend=alt.Legend(orient="bottom"))
    chart = alt.Chart(frame).mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(**encoding)
    st.altair_chart(chart.properties(height=CHART_HEIGHT), width="stretch")


def top_and_other(frame: pd.DataFrame, category: str, value: str, top: int = TOP_N) -> pd.DataFrame:
    """The ``top`` categories by total ``value``; the others summed into one ``other (N types)`` category."""
    totals = frame.groupby(category)[value].sum().sort_values(ascending=False)
    if len(totals) <= top + 1:
        return frame
    rest = set(totals.index[top:])
    folded = frame.copy()
    folded.loc[folded[category].isin(rest), category] = f"other ({len(rest)} types)"
    return folded.groupby([c for c in folded.columns if c != value], as_index=False)[value].sum()


def hbar(frame: pd.DataFrame, category: str, value: str, color: str) -> None:
    """Horizontal stacked bars, longest first, one label per bar: the top :data:`TOP_N` categories and "other"."""
    name = category.split(":")[0]
    frame = top_and_other(frame, name, value)
    height = max(CHART_HEIGHT, 28 * frame[name].nunique() + 110)  # a row per bar (with the axis and legend)
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopRight=3, cornerRadiusBottomRight=3)
        .encode(
            y=alt.Y(category, title=None, sort="-x", axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            x=alt.X(f"sum({value})", title=None),
            color=alt.Color(
                color,
                title=None,
                legend=alt.Legend(orient="bottom", labelLimit=0),
                scale=alt.Scale(domain=["mission running", "no mission yet"], range=["#2457c5", "#9db7e8"]),
            ),
            tooltip=[category, color, value],
        )
    )
    st.altair_chart(chart.properties(height=height), width="stretch")


def figure(column: Any, label: str, value: str, note: str = "", help: str | None = None) -> None:
    """One headline figure in a card, with its context under it, whole (a fixed height cut "1,080 with no")."""
    with column.container(border=True):
        st.metric(label, value, help=help)
        st.caption(note or "\u00a0")


st.title("Overview")
who, known = sight.viewer(), sight.rules()
seen = sight.missions(who, known)
queries = resources.queries(seen)
timer = ui.QueryTimer()
now = model.now_utc()
since = model.iso(now - timedelta(days=WINDOW_DAYS))
with timer.measure():
    statuses = queries.status_counts()
    pending_created = sorted(d.created_at for d in sight.pending(resources.store(), who, known))
    resolved = queries.resolved_since(model.iso(model.start_of_day(now)))
    latencies = queries.decision_latencies(since)
    tally = queries.decision_tally(since)
    active_by_mission = queries.active_subjects()
active = {(mission, subject) for mission, subjects in active_by_mission.items() for subject in subjects}
exceptions = open_cases(str(resources.home()), tuple(seen))

if not statuses and not exceptions:
    ui.empty_state("No runs yet: run `missions demo` to seed a book, index the policies and run missions.")
    st.stop()

answers = {kind: sum(t["count"] for t in tally if t["answer"] == kind) for kind in model.ANSWER_LABELS}
answered = sum(answers.values())
waiting = [o for o in (exceptions or {}) if o not in active]
columns = st.columns(5)
figure(
    columns[0],
    "Open cases",
    f"{len(exceptions):,}" if exceptions is not None else "—",
    f"{len(waiting):,} with no mission in progress" if waiting else "",
    "What the missions' triggers find in the systems right now; `missions scan` starts a mission for each new one.",
)
figure(
    columns[1],
    "Pending decisions",
    f"{len(pending_created):,}",
    f"oldest waited {model.age_text(pending_created[0], now)}" if pending_created else "",
)
figure(
    columns[2],
    "Resolved today",
    f"{sum(resolved.values()):,}",
    ", ".join(f"{n} {model.status_label(s)}" for s, n in sorted(resolved.items())),
    "Runs that reached a final status today (UTC).",
)
figure(
    columns[3],
    "Time to decide",
    model.duration_text(model.median(latencies)),
    f"median of {len(latencies):,} decisions, {WINDOW_DAYS} days" if latencies else "",
    f"Trigger to decision: median time from a run's trigger to its reviewer's decision, last {WINDOW_DAYS} days.",
)
figure(
    columns[4],
    "Approved",
    f"{(answers['accept'] + answers['edit']) / answered:.0%}" if answered else "—",
    f"{answers['accept'] + answers['edit']:,} of {answered:,} actions" if answered else "",
    f"Actions approved: the share of reviewed actions approved (as proposed or edited), last {WINDOW_DAYS} days.",
)

left, right = (column.container(border=True) for column in st.columns(2))
with left:
    st.subheader("Open cases by type")
    if exceptions is None:
        ui.empty_state("No book of business yet: run `missions demo` (or `missions systems seed`).")
    elif not exceptions:
        st.success("Nothing is broken in the systems right now.")
    else:
        rows = [
            {"type": t, "handling": "mission running" if o in active else "no mission yet"}
            for o, types in exceptions.items()
            for t in types
        ]
        frame = pd.DataFrame(rows).value_counts().rename("cases").reset_index()
        hbar(frame, "type:N", "cases", "handling:N")
with right:
    st.subheader("Pending decisions by age")
    if not pending_created:
        ui.empty_state("No decision waits for a reviewer. New ones arrive with `missions scan` or `missions demo`.")
    else:
        buckets = pd.DataFrame(model.age_buckets(pending_created, now), columns=["waiting", "decisions"])
        bar(buckets, "waiting:N", "decisions:Q", sort=[label for label, _ in model.AGE_BUCKETS])

left, right = (column.container(border=True) for column in st.columns(2))
with left:
    st.subheader(f"Approvals vs rejections · {WINDOW_DAYS} days")
    if not tally:
        ui.empty_state("No decisions yet: approve or reject one in the Decision Queue.")
    else:
        frame = pd.DataFrame(tally)
        frame["answer"] = frame["answer"].map(model.ANSWER_LABELS).fillna(frame["answer"])
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-45)),  # 14 dates, each shown
                y=alt.Y("count:Q", title="actions", axis=alt.Axis(tickMinStep=1, format="d")),
                color=alt.Color(
                    "answer:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(
                        domain=["approved", "edited and approved", "rejected"], range=["#2e9e5b", "#4c78a8", "#d9534f"]
                    ),
                ),
                tooltip=["day", "answer", "count"],
            )
        )
        st.altair_chart(chart.properties(height=CHART_HEIGHT), width="stretch")
with right:
    st.subheader("Runs by status")
    frame = pd.DataFrame(
        [{"status": model.status_label(s), "runs": n, "color": model.status_color(s)} for s, n in statuses.items()],
        columns=["status", "runs", "color"],
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopRight=3, cornerRadiusBottomRight=3)
        .encode(
            y=alt.Y("status:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240, labelOverlap=False)),
            x=alt.X("runs:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("color:N", scale=None, legend=None),
            tooltip=["status", "runs"],
        )
    )
    height = max(CHART_HEIGHT, 28 * len(frame) + 60)  # horizontal: every status named beside its bar
    st.altair_chart(chart.properties(height=height), width="stretch")

timer.caption(f"{sum(statuses.values()):,} runs · {len(pending_created):,} pending decisions")
