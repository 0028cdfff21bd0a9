"""The Decision Queue's filter bar: case type, the money a plan moves, and "I can approve" (the signed-in
reviewer, as the authorization point answers ``decide``; :mod:`ai_missions.services.queue_filters` applies them, as
``missions queue`` does). The filters open in a popover, over the page: an expander in the title row pushed the
title down 110 px (issue 60 item 12)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from ai_missions.services.authorization import Identity
from ai_missions.services.queue_filters import QueueFilter

#: The session keys of the queue's filters: the mission (in the title row), then the popover's.
FILTER_KEYS = ("queue-filter-mission", "queue-filter-type", "queue-filter-min", "queue-filter-max", "queue-filter-mine")


def filter_bar(
    case_types: Iterable[str], reviewer: Identity | None, *, on_change: Callable[[], None] | None = None
) -> QueueFilter:
    """The filters as chosen; ``on_change`` runs when one changes (the card follows the filters)."""
    active = sum(bool(st.session_state.get(k)) and st.session_state.get(k) != "any type" for k in FILTER_KEYS[1:])
    with st.popover(f"Filters · {active}" if active else "Filters", icon=":material/filter_list:", width="stretch"):
        types = ["any type", *sorted(set(case_types))]
        chosen = st.selectbox("Type", types, key=FILTER_KEYS[1], on_change=on_change)
        low, high = st.columns(2)
        least = low.number_input(
            "Min amount", min_value=0.0, value=None, step=100.0, key=FILTER_KEYS[2], on_change=on_change
        )
        most = high.number_input(
            "Max amount", min_value=0.0, value=None, step=100.0, key=FILTER_KEYS[3], on_change=on_change
        )
        mine = st.toggle("I can approve", key=FILTER_KEYS[4], disabled=reviewer is None, on_change=on_change)
    return QueueFilter(
        case_type=None if chosen == "any type" else str(chosen),
        min_amount=least,
        max_amount=most,
        approver=reviewer if mine else None,
    )
