"""Close the mission: settle its status from the verdict and what executed."""

from __future__ import annotations

from typing import Any

from ai_missions.kernel.missions import ESCALATE
from ai_missions.nodes.observe import emit
from ai_missions.nodes.state import MissionState


def mission_status(state: MissionState) -> str:
    verdict = state["verdict"]
    results = state.get("results", [])
    if verdict["outcome"] == ESCALATE:
        return "escalated"
    if any(r["status"] == "failed" for r in results):
        return "failed"
    if any(r["status"] in ("rejected", "skipped") for r in results):
        return "closed_partially"
    return "closed"


def close(state: MissionState) -> dict[str, Any]:
    status = mission_status(state)
    done = [r for r in state.get("results", []) if r["status"] == "done"]
    emit(
        "closed",
        node="close",
        source="mission",
        summary=f"{status}: {state['verdict']['outcome']}, {len(done)} action(s) executed",
        data={"status": status, "outcome": state["verdict"]["outcome"], "executed": [r["tool"] for r in done]},
    )
    return {"status": status}
