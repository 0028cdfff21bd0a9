"""Roll back an automated action: the documented inverse write of its tool (``TierPolicy.rollbacks``), run once.

Only an action that ran without a reviewer (the automatic node, under the action tiers) and succeeded can be
rolled back here; a reviewed action is a person's decision and is undone by another decision. The inverse write
carries an approval grant minted by the platform for the person who asked (their role of record must own the
mission's tiers), and an idempotency key derived from the run and the action, so asking twice (or two people at
once) undoes once: the second answer is the first one replayed. The rollback is written to the run's audit trail.
"""

from __future__ import annotations

from typing import Any

from ai_missions.contracts import tool_spec
from ai_missions.kernel.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.grants import META_KEY, idempotency_key, mint
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.store import RunStore


def automated_result(store: RunStore, run_id: str, number: int) -> dict[str, Any]:
    """The recorded result of action ``number`` (1-based, as the run page shows it) that ran without a reviewer."""
    for event in store.events(run_id, kind="action_result"):
        data = event["data"]
        if event["node"] == "execute_automatic" and data.get("index") == number - 1:
            return dict(data)
    raise NotFoundError(f"run {run_id} has no automated action {number} (only automated actions are rolled back)")


def rollbacks_of(store: RunStore, run_id: str) -> dict[int, dict[str, Any]]:
    """Action number -> the rollback recorded for it."""
    return {int(e["data"]["number"]): e for e in store.events(run_id, kind="rollback")}


async def roll_back(
    spec: MissionSpec, store: RunStore, systems: Any, home: Any, run_id: str, number: int, *, by: str, role: str | None
) -> dict[str, Any]:
    """Undo automated action ``number`` of ``run_id``; returns what happened (``already`` when it was undone)."""
    # deferred: start-up time (loads langgraph and jsonschema_rs)
    from ai_missions.nodes.execute import call_write

    if spec.tiers is None:
        raise ValidationError(f"the {spec.name} mission has no action tiers: nothing of it runs alone")
    if role not in spec.tiers.owner_roles:
        raise ForbiddenError(f"{by} ({role}) may not roll back {spec.name} actions; it takes one of: "
                             f"{', '.join(spec.tiers.owner_roles)}")  # fmt: skip
    run = store.get_run(run_id)
    if run["mission"] != spec.name:
        raise ValidationError(f"run {run_id} is a {run['mission']} run, not {spec.name}")
    if (done := rollbacks_of(store, run_id).get(number)) is not None:
        return {**done["data"], "already": True}
    action = automated_result(store, run_id, number)
    if action.get("status") != "done":
        raise ValidationError(
            f"action {number} ({action['tool']}) did not run ({action.get('status')}): nothing to undo"
        )
    rollback = spec.tiers.rollbacks.get(action["tool"])
    if rollback is None:
        raise ValidationError(f"{action['tool']} has no documented rollback")
    if not rollback.tool:
        raise ValidationError(f"{action['tool']}: {rollback.doc or 'nothing to undo'}")
    args = rollback.arguments(action.get("args") or {}, action.get("result"))
    scope = f"{run_id}:rollback"
    key = idempotency_key(scope, number - 1, rollback.tool)
    grant = mint(home, decision_id=scope, index=number - 1, tool=rollback.tool, args=args, key=key, by=by)
    system = _system_of(rollback.tool)
    status, answer, detail = await call_write(
        systems, system, rollback.tool, {**args, "idempotency_key": key}, meta={META_KEY: grant}
    )
    record = {
        "number": number,
        "tool": action["tool"],
        "rollback_tool": rollback.tool,
        "args": args,
        "status": status,
        "detail": detail,
        "result": answer,
        "idempotency_key": key,
        "by": by,
        "role": role,
    }
    if status == "done":
        store.append_events(
            run_id,
            [{
                "kind": "rollback", "node": "rollback", "source": rollback.tool, "actor": f"{by} ({role})",
                "summary": f"Rolled back action {number} {action['tool']}: {rollback.doc or rollback.tool}",
                "data": record,
            }],
        )  # fmt: skip
    elif status == "failed":
        raise ValidationError(f"the rollback of action {number} ({action['tool']}) was refused: {detail}")
    return {**record, "already": False}


def _system_of(tool: str) -> str:

    return tool_spec(tool).system
