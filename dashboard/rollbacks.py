"""The run page's rollback card: each automated action with a documented rollback, undone by a signed-in owner of
the mission's tiers (the same audited, idempotent path as ``missions rollback``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ai_missions.dashboard import model, resources, ui
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import get_mission
from ai_missions.rollback import rollbacks_of


def rollback_card(run: Mapping[str, Any], rows: Sequence[model.ActionRow]) -> None:
    spec = get_mission(str(run["mission"]))
    if spec.tiers is None:
        return
    undoable = [
        (row, rollback)
        for row in rows
        if row.tier == "auto" and row.status == "done"
        if (rollback := spec.tiers.rollbacks.get(row.tool)) is not None and rollback.tool
    ]
    if not undoable:
        return
    done = rollbacks_of(resources.store(), str(run["run_id"]))
    reviewer = ui.reviewer()
    with st.container(border=True):
        st.markdown("**Automated actions** · can be rolled back")
        for row, rollback in undoable:
            if row.number in done:
                st.caption(f"{row.number}. {row.tool}: rolled back by {ui.plain(done[row.number]['actor'] or '')}")
                continue
            label = f"Roll back {row.number}. {row.tool}" if reviewer else "Sign in to roll back"
            if st.button(label, key=f"rollback-{run['run_id']}-{row.number}", disabled=reviewer is None,
                         help=rollback.doc):  # fmt: skip
                try:
                    result = resources.client().rollback(str(run["run_id"]), row.number, str(reviewer))
                except MissionsError as exc:
                    st.error(f"Not rolled back: {exc}", icon=":material/error:")
                else:
                    st.success(f"Rolled back with {result['rollback_tool']}", icon=":material/undo:")
