"""The learning loop's foot in the graph: a reviewer's decision is kept as an eval case where it is applied.

The approval step is the one place every decision passes (the CLI, the dashboard, and LangGraph's own server
resuming an exported graph), before anything executes, so the systems snapshot is the state the reviewer decided
on. Keeping the case never fails the decision: a case that could not be kept is said so on the audit trail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.kernel.decisions import DecisionAnswer
from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.observe import emit, now_iso


async def keep_review(
    spec: MissionSpec,
    state: Mapping[str, Any],
    answer: DecisionAnswer,
    interrupts: Sequence[Mapping[str, Any]],
    home: Path,
    run_id: str,
) -> None:
    """Keep one authenticated decision as a ``reviewed`` case (see :mod:`ai_missions.services.reviewed`)."""
    decision_id = answer["decision_id"]
    try:
        # deferred: start-up time (loads pydantic)
        from ai_missions.services.reviewed import record_review, reviewed_path

        facts = state.get("facts") or {}
        case = await asyncio.to_thread(
            record_review,
            home,
            spec,
            decision_id=decision_id,
            run_id=run_id,
            subject_id=str(state["subject_id"]),
            case_types=list(facts.get(spec.vocabulary.types_fact) or []),
            trigger=dict(state.get("trigger") or {}),
            verdict=state["verdict"],
            interrupts=interrupts,
            answers=answer["responses"],
            reviewer=str(answer["reviewer"]),
            role=answer["role"],
            decided_at=now_iso(),
            observations=list(state.get("observations") or []),
        )
    except Exception as exc:  # the decision stands whatever happens to its record
        emit(
            "review_not_recorded",
            node="request_approval",
            source="learning",
            summary=f"decision {decision_id} was not kept as an eval case: {type(exc).__name__}: {exc}",
        )
        return
    if case is not None:
        emit(
            "review_recorded",
            node="request_approval",
            source="learning",
            summary=f"decision {decision_id} kept as eval case {case.case_id} "
            f"({reviewed_path(home, spec.name).name}, dataset `reviewed`)",
            data={"case_id": case.case_id, "tags": case.tags},
        )
