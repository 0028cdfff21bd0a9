"""Place each action of the guarded verdict at its action tier (:mod:`ai_missions.kernel.tiers`), after the guard.

Automated actions get ``tier="auto"`` (the automatic node runs them with a grant minted from the tier policy);
recommended and escalated ones wait in the Decision Queue (escalated ones for an escalation role); observed ones
leave the plan and are recorded as what the mission would have done. Observe mode observes everything.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.kernel.tiers import TierTable, current, place
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import emit, observe
from ai_missions.nodes.resources import home_of, off_loop
from ai_missions.nodes.state import MissionState, Node, ProposedAction, Verdict

#: What placing an action at its tier adds to it.
TIER_KEYS = frozenset({"action_tier", "tier_reasons"})


def table_for(spec: MissionSpec, context: MissionContext | None) -> TierTable:
    """The tiers in force for the run's home (the policy's when the home has no run store yet)."""
    assert spec.tiers is not None
    path = runs_db(home_of(context))
    return current(spec.name, spec.tiers, RunStore(path) if path.exists() else None)


def placed(spec: MissionSpec, table: TierTable, verdict: Verdict) -> tuple[Verdict, list[ProposedAction]]:
    """The verdict with each action at its tier, and the actions observed instead of proposed. An action that
    already names a tier is refused: tiers are placed once, here, from the policy in force, never taken from a
    proposal (:func:`untiered` strips them to place a verdict again)."""
    assert spec.tiers is not None
    if tiered := [f"action {i + 1} {a.get('tool')}" for i, a in enumerate(verdict["actions"]) if TIER_KEYS & set(a)]:
        raise ForbiddenError(
            f"apply_tiers: {', '.join(tiered)} already names its tier: tiers come from the tier policy in force, "
            "not from the verdict; nothing more runs"
        )
    tools = [a["tool"] for a in verdict["actions"]]
    kept: list[ProposedAction] = []
    observed: list[ProposedAction] = []
    for action in verdict["actions"]:
        rule = spec.tools.get(action["tool"])
        placement = place(
            spec.tiers,
            table,
            action["tool"],
            amount=spec.tools.amount_of(action),
            confidence=verdict["confidence"],
            plan_tools=tools,
            automatable=rule is not None and rule.automatable,
        )
        moved = ProposedAction(
            **{**action, "tier": "auto" if placement.tier == "automate" else "review"},
            action_tier=placement.tier,
            tier_reasons=list(placement.reasons),
        )
        (observed if placement.tier == "observe" else kept).append(moved)
    return Verdict(**{**verdict, "actions": kept}), observed


def untiered(verdict: Verdict) -> Verdict:
    """The verdict as the guard passed it: each action without the tier placed on it."""
    actions = [{k: v for k, v in a.items() if k not in TIER_KEYS} for a in verdict["actions"]]
    return Verdict(**{**verdict, "actions": actions})  # type: ignore[typeddict-item]


def tiers_node(spec: MissionSpec) -> Node:
    async def apply_tiers(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        table = await off_loop(table_for, spec, runtime.context)  # reads the run store: off the event loop
        verdict, observed = placed(spec, table, state["verdict"])
        counts = {
            t: sum(1 for a in verdict["actions"] if a.get("action_tier") == t)
            for t in ("automate", "recommend", "escalate")
        }
        counts["observe"] = len(observed)
        moved = [
            f"{a['tool']} ({'; '.join(a.get('tier_reasons', []))})" for a in verdict["actions"] if a.get("tier_reasons")
        ]
        finding = (
            f"Tiers ({table.mode} mode): " + ", ".join(f"{n} {t}" for t, n in counts.items() if n)
            if verdict["actions"] or observed
            else f"Tiers ({table.mode} mode): no actions"
        ) + (f"; moved up: {', '.join(moved)}" if moved else "")
        observations = [
            observe(
                "apply_tiers",
                "tiers",
                finding,
                {"mode": table.mode, "counts": counts, "observed": [dict(a) for a in observed]},
            )
        ]
        if observed:
            emit(
                "observed_actions",
                node="apply_tiers",
                source="tiers",
                summary=f"{len(observed)} action(s) recorded, not proposed: {', '.join(a['tool'] for a in observed)}",
                data={"actions": [dict(a) for a in observed], "mode": table.mode},
            )
        return {"verdict": verdict, "observations": observations}

    return apply_tiers
