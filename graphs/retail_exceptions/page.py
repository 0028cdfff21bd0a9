"""Retail operations: the mission's operating metrics over time and its action tiers (a page the mission brings
to the dashboard, ``MissionSpec.pages``). Read-only: tiers change through ``missions tiers``, audited."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ai_missions.dashboard import resources
from ai_missions.metrics import mission_metrics
from ai_missions.missions import get_mission
from ai_missions.tier_commands import eval_detection, tier_view

MISSION = "retail-exceptions"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.0%}"


spec = get_mission(MISSION)
store = resources.store()
data = mission_metrics(spec, store)
overall = data["overall"]
labelled = eval_detection(spec) or {}
st.title("Retail operations")
st.caption(
    f"{overall['runs']} runs of {spec.title}; from the run store, per day below. Detection precision TP/(TP+FP) and "
    f"false-positive rate FP/(FP+TN) are over labelled cases, from eval run {labelled.get('eval_run', '–')}; the "
    f"monitors' flags were confirmed on {_pct(overall['detection']['flag_precision'])} of flagged orders"
)
cols = st.columns(6)
cols[0].metric("Detection precision", _pct(labelled.get("precision")))
cols[1].metric("False-positive rate", _pct(labelled.get("false_positive_rate")))
cols[2].metric("Order save rate", _pct(overall["order_save_rate"]))
median = overall["time_to_resolution_hours"]["median"]
cols[3].metric("Time to resolution (median)", "–" if median is None else f"{median * 60:.1f} min")
touches = overall["manual_touches_per_case"]
cols[4].metric("Manual touches / exception", "–" if touches is None else f"{touches:.2f}")
cols[5].metric("Policy compliance", _pct(overall["policy_compliance"]))

left, right = st.columns(2)
with left:
    st.subheader("Inventory accuracy")
    accuracy = overall["inventory_accuracy"]
    st.caption(f"Overall {_pct(accuracy['overall'])}: system on hand against what the last count supports")
    st.dataframe(pd.DataFrame(accuracy["by_channel"].items(), columns=["channel / fulfilment", "accuracy"]))
    st.dataframe(pd.DataFrame(accuracy["by_location"].items(), columns=["location", "accuracy"]))
with right:
    st.subheader("Financial impact")
    st.dataframe(pd.DataFrame(overall["financial_impact"].items(), columns=["what", "amount"]))
    st.caption(
        f"{overall['actions_automated']} actions ran without a reviewer; {overall['automated_rolled_back']} rolled back"
    )

by_day = data.get("by_day", {})
if by_day:
    st.subheader("Over time")
    frame = pd.DataFrame(
        {
            "flag precision": {d: m["detection"]["flag_precision"] for d, m in by_day.items()},
            "save rate": {d: m["order_save_rate"] for d, m in by_day.items()},
            "compliance": {d: m["policy_compliance"] for d, m in by_day.items()},
        }
    )
    st.line_chart(frame)

st.subheader("Action tiers")
view = tier_view(spec, store)
st.caption(f"Mode: {view['mode']} · change with `missions tiers promote|demote --mission {MISSION}` (audited)")
st.dataframe(
    pd.DataFrame(
        [{"action": tool, **row} for tool, row in view["tiers"].items()],
        columns=["action", "tier", "policy", "rollback"],
    )
)
if view["history"]:
    st.dataframe(pd.DataFrame(view["history"])[["at", "by", "change", "what", "before", "after"]])
