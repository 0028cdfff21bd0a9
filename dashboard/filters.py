"""The Decision Queue's filter bar: case type, the money a plan moves, and "I can approve" (the signed-in
reviewer, as the authorization point answers ``decide``; :mod:`ai_missions.services.queue_filters` applies them, as
``missions queue`` does)."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from ai_missions.services.authorization import Identity
from ai_missions.services.queue_filters import QueueFilter


def filter_bar(case_types: Iterable[str], reviewer: Identity | None) -> QueueFilter:
    with st.expander("Filters", icon=":material/filter_list:"):
        types = ["any type", *sorted(set(case_types))]
        chosen = st.selectbox("Type", types, key="queue-filter-type")
        low, high = st.columns(2)
        least = low.number_input("Min amount", min_value=0.0, value=None, step=100.0, key="queue-filter-min")
        most = high.number_input("Max amount", min_value=0.0, value=None, step=100.0, key="queue-filter-max")
        mine = st.toggle("I can approve", key="queue-filter-mine", disabled=reviewer is None)
    return QueueFilter(
        case_type=None if chosen == "any type" else str(chosen),
        min_amount=least,
        max_amount=most,
        approver=reviewer if mine else None,
    )
