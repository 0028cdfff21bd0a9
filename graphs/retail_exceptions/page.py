"""Retail operations: the mission's operating metrics over time and its action tiers (a page the mission brings
to the dashboard, ``MissionSpec.pages``). Read-only: tiers change through ``missions tiers``, audited."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ai_missions.dashboard import api as ui

MISSION = "retail-exceptions"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


spec = ui.get_mission(MISSION)
data = ui.operating_metrics(MISSION)
overall = data["overall"]
labelled = data["detection_eval"] or {}
st.title("Retail operations")
st.caption(
    f"{overall['runs']} run{'' if overall['runs'] == 1 else 's'} of {spec.title}; from the run store, per day below. "
    "Detection precision TP/(TP+FP) and "
    f"false-positive rate FP/(FP+TN) are over labelled cases, from eval run {labelled.get('eval_run', '–')}; the "
    f"monitors' flags were confirmed on {_pct(overall['detection']['flag_precision'])} of flagged orders"
)
#: The financial-impact figures, in the words an operations lead uses.
IMPACT_LABELS = {
    "reallocated_order_value": "Order value kept by reallocation",
    "goodwill_credited": "Goodwill credited",
    "returns_posted": "Returns posted",
    "substitutions": "Substitutions",
    "substituted_order_value": "Order value kept by substitution",
    "substitution_price_absorbed": "Price difference absorbed",
    "substitution_customer_savings": "Customers' savings on substitutes",
}


def _figure(column: Any, label: str, value: str, help: str, note: str = "") -> None:
    with column.container(border=True):
        st.metric(label, value, help=help)
        st.caption(note or help)  # every card a line under its figure, so a row's cards stand the same height


median = overall["time_to_resolution_hours"]["median"]
touches = overall["manual_touches_per_case"]
figures = [
    ("Detection precision", _pct(labelled.get("precision")), "TP/(TP+FP) over labelled cases"),
    ("False positives", _pct(labelled.get("false_positive_rate")), "FP/(FP+TN) over labelled cases"),
    (
        "Orders saved",
        _pct(overall["order_save_rate"]),
        "Of the disrupted orders settled (went out, or cancelled), the share that went out",
        f"{overall['orders_saved']:,} of {overall['orders_saved'] + overall['orders_cancelled']:,} settled; "
        f"{overall['orders_disrupted']:,} disrupted in all",
    ),
    ("Time to resolve", "–" if median is None else f"{median * 60:.1f} min", "Median, trigger to final status"),
    ("Manual touches", "–" if touches is None else f"{touches:.2f}", "Reviewer decisions per exception"),
    ("Policy compliance", _pct(overall["policy_compliance"]), "Runs whose every action cited a clause"),
]
for row in (figures[:3], figures[3:]):
    for column, (label, value, help, *note) in zip(st.columns(3), row, strict=True):
        _figure(column, label, value, help, *note)

left, right = st.columns(2)
with left:
    st.subheader("Inventory accuracy")
    accuracy = overall["inventory_accuracy"]
    st.caption(f"Overall {_pct(accuracy['overall'])}: system on hand against what the last count supports")
    for key, title in (("by_channel", "Channel / fulfilment"), ("by_location", "Location")):
        if accuracy[key]:
            rows = [{title: name, "Accuracy": _pct(value)} for name, value in accuracy[key].items()]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
with right:
    st.subheader("Financial impact")
    impact = overall["financial_impact"]
    rows = [
        {"": IMPACT_LABELS.get(k, k.replace("_", " ")), "Amount": f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"}
        for k, v in impact.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(
        f"{overall['actions_automated']} action{'' if overall['actions_automated'] == 1 else 's'} ran without a "
        f"reviewer; {overall['automated_rolled_back']} rolled back"
    )

st.subheader("Over time")
by_day = data.get("by_day", {})
series = {
    "flag precision": {d: m["detection"]["flag_precision"] for d, m in by_day.items()},
    "save rate": {d: m["order_save_rate"] for d, m in by_day.items()},
    "compliance": {d: m["policy_compliance"] for d, m in by_day.items()},
}
points = pd.DataFrame(
    [
        {"day": d, "figure": name, "share": v}
        for name, values in series.items()
        for d, v in values.items()
        if v is not None
    ]
)
if len(by_day) < 2 or points.empty:  # one point draws no line, and a line of no value has no scale: say why instead
    days = ", ".join(by_day) or "none"
    st.caption(
        f"Nothing to draw yet: runs on {len(by_day)} day(s) ({days}); a line needs two days with a measured share"
        + ("" if not points.empty else ", and no share was measurable (no flagged, settled or cited run)")
        + "."
    )
else:
    chart = (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:N", title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["day", "figure", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    st.altair_chart(chart.properties(height=240), width="stretch")

st.subheader("Action tiers")
view = ui.action_tiers(MISSION)
st.caption(f"Mode: {view['mode']} · change with `missions tiers promote|demote --mission {MISSION}` (audited)")
st.dataframe(
    pd.DataFrame(
        [{"action": tool, **row} for tool, row in view["tiers"].items()],
        columns=["action", "tier", "policy", "rollback"],
    ),
    hide_index=True,
    width="stretch",
)
if view["history"]:
    st.dataframe(
        pd.DataFrame(view["history"])[["at", "by", "change", "what", "before", "after"]],
        hide_index=True,
        width="stretch",
    )
