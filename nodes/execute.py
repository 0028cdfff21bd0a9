"""Execution: approved (and automatable) actions run in declared order, each exactly once.

Every write carries an idempotency key derived from the decision (or run) and the action, so a node re-run
after a crash, or a retried call, replays the systems' first answer instead of repeating the side effect. An
action that fails or is rejected stops the actions after it that depend on it, as the mission's tool policy
declares (``ToolRule.depends_on``; by default every later action except the ones the mission may run without a
reviewer, internal notes); an action that depends on a skipped one is skipped too.

Every write has a known outcome before anything is reported. A call that times out, drops, or fails inside the
system is reconciled: the system is read by the call's idempotency key (it records a write atomically with its
effect), and a write it has not recorded is retried with the same key, which is safe. Only a system's refusal is a
failure. A write whose outcome still cannot be learned is reported ``unknown`` and the step stops without
completing (:class:`OutcomeUnknownError`), so ``missions resume`` runs it again with the same keys.

Grants are minted here, one per write just before its call, and kept nowhere (not in the state, not in a checkpoint,
not in an event): a reviewed plan gets them only when its decision carries the approval step's seal for this run,
automatic actions only for what the guard and the tier policy allow again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime

from ai_missions.kernel.errors import ForbiddenError, MissionsError, OutcomeUnknownError
from ai_missions.kernel.grants import META_KEY, args_digest, idempotency_key, mint
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.tools import write_lookup_name
from ai_missions.nodes.approval import sealed
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_actions, guard, review_actions
from ai_missions.nodes.notes import all_done, interim_text, latest, note_arg, observed_actions, update_text
from ai_missions.nodes.observe import emit
from ai_missions.nodes.resources import home_of, off_loop, systems_of
from ai_missions.nodes.state import ActionResult, MissionState, Node, ProposedAction
from ai_missions.nodes.tiers import placed, table_for, untiered
from ai_missions.nodes.trust import VERDICT_STEPS, verdict_maker
from ai_missions.services.gateway import SystemError_
from ai_missions.services.governance import load_roster

WriteStatus = Literal["done", "failed", "unknown"]


async def call_write(
    systems: Any, system: str, tool: str, args: dict[str, Any], *, meta: dict[str, Any] | None = None
) -> tuple[WriteStatus, dict[str, Any] | None, str]:
    """Call a write and learn its outcome: (``done`` | ``failed`` | ``unknown``, result, detail).

    ``args`` carries the idempotency key, ``meta`` the approval grant (both calls of the write send it). A
    refusal is ``failed``; a lost answer is reconciled (read by key, then a retry with the same key); what still
    cannot be learned is ``unknown``.
    """
    key = args["idempotency_key"]
    try:
        return "done", await systems.call(tool, args, meta=meta), "ok"
    except SystemError_ as exc:
        if exc.refused:
            return "failed", None, str(exc)
        lost = str(exc)
    except MissionsError as exc:
        lost = str(exc)
    patience = getattr(systems, "reconcile_timeout_s", None)
    try:
        record = await systems.call(write_lookup_name(system), {"idempotency_key": key}, timeout_s=patience)
        if record.get("found"):
            if record.get("tool") != tool:
                return "failed", None, f"idempotency key {key} is recorded for {record.get('tool')}, not {tool}"
            return "done", record.get("response"), f"reconciled: the system did it ({lost})"
        answer = await systems.call(tool, args, timeout_s=patience, meta=meta)  # not done (yet): the same key is safe
    except SystemError_ as exc:
        if exc.refused:
            return "failed", None, f"{exc} (after: {lost})"
        return "unknown", None, f"outcome unknown: {lost}; then {exc}"
    except MissionsError as exc:
        return "unknown", None, f"outcome unknown: {lost}; then {exc}"
    return "done", answer, f"retried safely with the same key ({lost})"


async def run_actions(
    spec: MissionSpec,
    runtime: Runtime[MissionContext],
    scope: str,
    steps: Sequence[dict[str, Any]],
    node: str,
    facts: Mapping[str, Any] | None = None,
    *,
    run: str | None = None,
) -> list[ActionResult]:
    """Run steps in order. Each step: index, tool, args, status (approved|rejected), reason?, by (whose approval
    its grant names). Each approved step that runs gets its grant here, for ``run`` (which abandoning revokes),
    sent as MCP ``_meta`` and then forgotten. ``facts`` tell which record each action settles, when the tool policy
    tells them apart (``ToolPolicy.owner``)."""
    systems = await systems_of(runtime.context, spec.systems)
    home = await off_loop(home_of, runtime.context)
    results: list[ActionResult] = []
    unknown: list[str] = []
    missed: list[tuple[int, str, Mapping[str, Any]]] = []  # (index, tool, args) of the actions that did not happen
    for step in steps:
        index, tool, args = step["index"], step["tool"], step["args"]
        key = idempotency_key(scope, index, tool)
        result: ActionResult
        blocked_by = next((i for i, t, a in missed if spec.tools.depends(tool, t, args, a, facts)), None)
        if step["status"] != "approved":
            result = ActionResult(index=index, tool=tool, args=args, status="rejected", detail=step.get("reason", ""))
            missed.append((index, tool, args))
        elif blocked_by is not None:
            detail = f"not run: depends on action {blocked_by + 1}, which did not happen"
            result = ActionResult(index=index, tool=tool, args=args, status="skipped", detail=detail)
            missed.append((index, tool, args))
        else:
            system = spec.tools[tool].spec.system
            by = str(step.get("by") or "")
            grant = await off_loop(  # reads the platform key
                mint, home, decision_id=scope, index=index, tool=tool, args=args, key=key, by=by, run=run
            )
            emit(
                "grant",
                node=node,
                source="execute",
                summary=f"approval grant for action {index + 1} {tool} of {scope}, by {by}",
                data={"decision_id": scope, "run": run, "by": by, "index": index, "tool": tool,
                      "args_sha256": args_digest(args)},
            )  # fmt: skip
            status, answer, detail = await call_write(
                systems, system, tool, {**args, "idempotency_key": key}, meta={META_KEY: grant}
            )
            result = ActionResult(
                index=index, tool=tool, args=args, status=status, detail=detail, result=answer, idempotency_key=key
            )
            if status != "done":
                missed.append((index, tool, args))
            if status == "unknown":
                unknown.append(f"action {index + 1} {tool}: {detail}")
        if "automatic" in step:  # an automatic note: how its text was written (ai_missions.nodes.notes)
            result["automatic"] = step["automatic"]
        replayed = isinstance(result.get("result"), dict) and bool(result["result"].get("replayed"))  # type: ignore[union-attr]
        summary = f"{tool}: {result['status']}" + (" (replay: done before, not repeated)" if replayed else "")
        kind = "action_outcome_unknown" if result["status"] == "unknown" else "action_result"
        emit(kind, node=node, source=tool, summary=summary, data={**result, "replayed": replayed})
        results.append(result)
    if unknown:
        raise OutcomeUnknownError(
            f"{'; '.join(unknown)}. Nothing is reported failed: `missions resume` retries with the same keys"
        )
    return results


def automatable_now(
    spec: MissionSpec, state: MissionState, context: MissionContext, schemas: Any
) -> tuple[list[tuple[int, ProposedAction]], list[str]]:
    """The actions of the state's verdict that may run with no reviewer, by the platform's own verdict on them, and
    why the others may not. The state is not trusted (LangGraph's API lets a client write it ``as_node``): the guard
    runs again on the verdict, and each action's tier is placed again from the tier policy in force; only an action
    the guard passes and the policy places at ``automate`` runs."""
    verdict = state["verdict"]
    _, problems = guard(
        spec, verdict, state.get("facts", {}), schemas=schemas, untrusted=state.get("customer_text", [])
    )
    if problems:
        return [], [f"the guard refuses the verdict: {'; '.join(problems)}"]
    placed_again = placed(spec, table_for(spec, context), untiered(verdict))[0]["actions"] if spec.tiers else None
    allowed: list[tuple[int, ProposedAction]] = []
    refused: list[str] = []
    for i, action in enumerate(verdict["actions"]):
        if action.get("tier") != "auto":
            continue
        again = next((a for a in placed_again or () if a is not None and _same(a, action)), None)
        if action["tool"] not in spec.tools.automatable or (placed_again is not None and again is None):
            refused.append(f"action {i + 1} {action['tool']}: not automatable by policy")
        elif again is not None and again["tier"] != "auto":
            refused.append(f"action {i + 1} {action['tool']}: policy places it at {again.get('action_tier')}")
        else:
            allowed.append((i, action))
    return allowed, refused


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(a["tool"] == b["tool"] and a["args"] == b["args"])


def _automatic_steps(allowed: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The actions the platform lets run without a reviewer: policy grants them, for those args only."""
    return [
        {
            "index": i,
            "tool": a["tool"],
            "args": a["args"],
            "status": "approved",
            "by": f"policy:tier {a['action_tier']}" if a.get("action_tier") else "policy",
        }
        for i, a in allowed
    ]


def automatic_node(spec: MissionSpec) -> Node:
    """Run the actions policy lets run without a reviewer (recorded like any other)."""

    async def execute_automatic(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        run = str(get_config()["configurable"]["thread_id"])
        scope = f"{run}:auto"
        home = await off_loop(home_of, runtime.context)
        if verdict_maker(home, run, state) not in VERDICT_STEPS:
            raise ForbiddenError(f"execute_automatic: {UNSEALED_VERDICT}; nothing runs")
        if not any(a.get("tier") == "auto" for a in state["verdict"]["actions"]):
            return {}
        schemas = (await systems_of(runtime.context, spec.systems)).schemas()
        allowed, refused = await off_loop(automatable_now, spec, state, runtime.context, schemas)
        if refused:
            emit("automation_refused", node="execute_automatic", source="guard", summary="; ".join(refused))
        steps = _automatic_steps(allowed)
        if not steps:
            return {}
        notes = [s for s in steps if note_arg(spec, s["tool"])]
        acts = [s for s in steps if not note_arg(spec, s["tool"])]
        results = await run_actions(spec, runtime, scope, acts, "execute_automatic", run=run) if acts else []
        if notes:  # written once the other automatic actions ran: said as what is true now
            notes = _notes_now(spec, state, notes, results)
            results += await run_actions(spec, runtime, scope, notes, "execute_automatic", run=run)
        return {"results": results}

    return execute_automatic


def _notes_now(
    spec: MissionSpec, state: MissionState, notes: list[dict[str, Any]], results: list[ActionResult]
) -> list[dict[str, Any]]:
    """The automatic notes as they may be written now: as proposed when every other action of the plan is done,
    else with a text composed from what is true now (the proposed note then waits for the decision, if one comes)."""
    actions, observed = state["verdict"]["actions"], observed_actions(state)
    done = latest(results)
    if all_done(spec, actions, done, observed):
        return [{**n, "automatic": "proposed"} for n in notes]
    to_come = any(a.get("tier") != "auto" for a in actions)
    text = interim_text(spec, actions, done, observed, decision_to_come=to_come)
    written = "interim" if to_come else "update"
    return [{**n, "args": {**n["args"], note_arg(spec, n["tool"]): text}, "automatic": written} for n in notes]


async def _notes_after(
    spec: MissionSpec,
    state: MissionState,
    runtime: Runtime[MissionContext],
    decision: Mapping[str, Any],
    results: list[ActionResult],
    run: str,
) -> list[ActionResult]:
    """The notes that waited for the decision: as proposed when every action of the plan is now done, else an
    update saying what the decision did. Still only those policy lets run alone now (the tiers may have changed)."""
    waiting = [r for r in state.get("results", []) if r.get("automatic") == "interim"]
    if not waiting:
        return []
    schemas = (await systems_of(runtime.context, spec.systems)).schemas()
    allowed, refused = await off_loop(automatable_now, spec, state, runtime.context, schemas)
    still = {i for i, _ in allowed}
    if gone := [r for r in waiting if r["index"] not in still]:
        summary = "; ".join(f"action {r['index'] + 1} {r['tool']}: not written after the decision" for r in gone)
        emit("automation_refused", node="execute", source="guard", summary="; ".join([summary, *refused]))
    actions, observed = state["verdict"]["actions"], observed_actions(state)
    now = latest([*state.get("results", []), *results])
    proposed = {i: a for i, a in allowed}
    steps = []
    for note in (r for r in waiting if r["index"] in still):
        action = proposed[note["index"]]
        step = _automatic_steps([(note["index"], action)])[0]
        if all_done(spec, actions, now, observed):
            steps.append({**step, "automatic": "after_decision"})
        else:
            text = update_text(spec, actions, now, observed, decision)
            steps.append({**step, "args": {**step["args"], note_arg(spec, note["tool"]): text}, "automatic": "update"})
    scope = f"{decision['decision_id']}:notes"
    return await run_actions(spec, runtime, scope, steps, "execute", run=run) if steps else []


#: Why every action of a decision without the approval step's seal is refused.
UNSEALED = "refused: the decision was not made by the platform's approval step for this run (no valid seal)"


def sealed_plan(home: Any, run: str, decision: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The decision's plan, each approved step naming who approved it; every step rejected when the decision does
    not carry the approval step's seal for this run (LangGraph's API lets a client write ``decision`` itself)."""
    plan = [dict(step) for step in decision.get("plan") or []]
    if not sealed(home, run, decision):
        return [{**step, "status": "rejected", "reason": UNSEALED} for step in plan]
    return [{**step, "by": str(step.get("signed_by") or decision.get("reviewer") or "")} for step in plan]


def reviewed_now(
    spec: MissionSpec, state: MissionState, context: MissionContext, plan: Sequence[dict[str, Any]], schemas: Any
) -> list[dict[str, Any]]:
    """The reviewed plan as the sealed verdict and the policy in force allow it now. The approval step checked each
    action when the reviewer answered; execution checks again, from the verdict alone: each approved step must be
    an action of the verdict that waited for a reviewer (same position, same tool), an action the tier policy in
    force escalates must have been approved by an escalation role, and the approved plan, as edited, must pass the
    guard on the run's facts. An approved step that fails is rejected with the reason (and, the guard failing, all
    of them)."""
    verdict, facts = state["verdict"], state.get("facts", {})
    waiting = dict(review_actions(verdict["actions"]))
    again = placed(spec, table_for(spec, context), untiered(verdict))[0]["actions"] if spec.tiers else []
    roster = _roster(context) if any(a.get("action_tier") == "escalate" for a in again) else {}
    checked: list[dict[str, Any]] = []
    for step in plan:
        action = waiting.get(step["index"])
        if step["status"] != "approved":
            checked.append(step)
        elif action is None or action["tool"] != step["tool"]:
            reason = f"refused: action {step['index'] + 1} {step['tool']} is not one the verdict put to a reviewer"
            checked.append({**step, "status": "rejected", "reason": reason})
        elif (
            spec.tiers is not None
            and any(_same(a, action) and a.get("action_tier") == "escalate" for a in again)
            and not set(_roles(roster, step.get("by"))) & set(spec.tiers.escalation_roles)
        ):
            needed = ", ".join(spec.tiers.escalation_roles)
            reason = f"refused: an escalated action takes one of: {needed}"
            checked.append({**step, "status": "rejected", "reason": reason})
        else:
            checked.append(step)
    approved = [s for s in checked if s["status"] == "approved"]
    problems = check_actions(spec, approved, facts, schemas=schemas)
    if problems:
        reason = f"refused: the guard refuses the approved plan now: {'; '.join(problems)}"
        return [{**s, "status": "rejected", "reason": reason} if s["status"] == "approved" else s for s in checked]
    return checked


def _roster(context: MissionContext) -> dict[str, str]:
    """Reviewer -> role on the roster of the run's home (empty when it cannot be read: escalated steps fail closed)."""
    try:
        return load_roster(home_of(context))
    except MissionsError:
        return {}


def _roles(roster: Mapping[str, str], by: Any) -> list[str]:
    """The roles of record of who approved a step (co-approved: each signer named)."""
    return [roster[name] for name in str(by or "").split(" + ") if name in roster]


#: Why execution refuses a verdict.
UNSEALED_VERDICT = "the run's verdict does not carry the seal of the step that made it (validate or apply_tiers)"


def execute_node(spec: MissionSpec) -> Node:
    """Run the reviewed plan in declared order."""

    async def execute(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        run = str(get_config()["configurable"]["thread_id"])
        decision, facts = state["decision"], state.get("facts")
        home = await off_loop(home_of, runtime.context)
        if verdict_maker(home, run, state) is None:
            raise ForbiddenError(f"execute: {UNSEALED_VERDICT}; nothing runs")
        plan = await off_loop(sealed_plan, home, run, decision)  # reads the platform key
        if any(step.get("reason") == UNSEALED for step in plan):
            emit("decision_refused", node="execute", source="execute", summary=UNSEALED)
        else:
            schemas = (await systems_of(runtime.context, spec.systems)).schemas()
            checked = await off_loop(reviewed_now, spec, state, runtime.context, plan, schemas)  # reads the tiers
            if refused := [c["reason"] for s, c in zip(plan, checked, strict=True) if c["status"] != s["status"]]:
                emit("decision_refused", node="execute", source="execute", summary="; ".join(dict.fromkeys(refused)))
            plan = checked
        results = await run_actions(spec, runtime, decision["decision_id"], plan, "execute", facts, run=run)
        results += await _notes_after(spec, state, runtime, decision, results, run)
        return {"results": results}

    return execute
