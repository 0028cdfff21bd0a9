"""Execution: approved (and automatable) actions run in declared order, each exactly once.

Every write carries an idempotency key derived from the decision (or run) and the action, so a node re-run
after a crash, or a retried call, replays the systems' first answer instead of repeating the side effect. An
action that fails or is rejected stops the actions after it that depend on it (all later actions except the
ones the mission may run without a reviewer, internal notes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime

from ai_missions.errors import MissionsError
from ai_missions.grants import META_KEY, idempotency_key, mint
from ai_missions.missions import MissionSpec
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import emit
from ai_missions.nodes.resources import home_of, systems_of
from ai_missions.nodes.state import ActionResult, MissionState, Node


async def run_actions(
    spec: MissionSpec, runtime: Runtime[MissionContext], scope: str, steps: Sequence[dict[str, Any]], node: str
) -> list[ActionResult]:
    """Run steps in order. Each step: index, tool, args, status (approved|rejected), reason?, grant (the approval
    grant the systems check; sent as MCP ``_meta``)."""
    systems = await systems_of(runtime.context, spec.systems)
    independent = spec.tools.automatable
    results: list[ActionResult] = []
    blocked_by: int | None = None
    for step in steps:
        index, tool, args = step["index"], step["tool"], step["args"]
        key = idempotency_key(scope, index, tool)
        result: ActionResult
        if step["status"] != "approved":
            result = ActionResult(index=index, tool=tool, args=args, status="rejected", detail=step.get("reason", ""))
            blocked_by = index if blocked_by is None and tool not in independent else blocked_by
        elif blocked_by is not None and tool not in independent:
            detail = f"not run: depends on action {blocked_by + 1}, which did not happen"
            result = ActionResult(index=index, tool=tool, args=args, status="skipped", detail=detail)
        else:
            try:
                grant = step.get("grant")
                answer = await systems.call(tool, {**args, "idempotency_key": key}, meta={META_KEY: grant})
            except MissionsError as exc:
                result = ActionResult(
                    index=index, tool=tool, args=args, status="failed", detail=str(exc), idempotency_key=key
                )
                blocked_by = index if blocked_by is None else blocked_by
            else:
                result = ActionResult(
                    index=index, tool=tool, args=args, status="done", detail="ok", result=answer, idempotency_key=key
                )
        emit("action_result", node=node, source=tool, summary=f"{tool}: {result['status']}", data=dict(result))
        results.append(result)
    return results


def automatic_node(spec: MissionSpec) -> Node:
    """Run the actions policy lets run without a reviewer (recorded like any other)."""

    async def execute_automatic(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        scope = f"{get_config()['configurable']['thread_id']}:auto"
        home = home_of(runtime.context)
        steps = [
            {
                "index": i,
                "tool": a["tool"],
                "args": a["args"],
                "status": "approved",
                # policy lets these run without a reviewer: the platform grants them itself, for those args only
                "grant": mint(
                    home,
                    decision_id=scope,
                    index=i,
                    tool=a["tool"],
                    args=a["args"],
                    key=idempotency_key(scope, i, a["tool"]),
                    by="policy",
                ),
            }
            for i, a in enumerate(state["verdict"]["actions"])
            if a["tier"] == "auto" and a["tool"] in spec.tools.automatable
        ]
        if not steps:
            return {}
        return {"results": await run_actions(spec, runtime, scope, steps, "execute_automatic")}

    return execute_automatic


def execute_node(spec: MissionSpec) -> Node:
    """Run the reviewed plan in declared order."""

    async def execute(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        decision = state["decision"]
        return {"results": await run_actions(spec, runtime, decision["decision_id"], decision["plan"], "execute")}

    return execute
