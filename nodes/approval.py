"""The Decision Queue's side of the graph: pause with an agent-inbox style request, apply the reviewer's answer.

The interrupt value is a list of HumanInterrupt dicts (``action_request``, ``config``, ``description``), one per
action awaiting review, so LangGraph tools that read agent-inbox interrupts can show it; each also carries a
``metadata`` dict with the decision id. The resume value is::

    {"decision_id": ..., "reviewer": "omar", "role": "ops_lead",
     "responses": [{"type": "accept"} | {"type": "edit", "args": {"action": tool, "args": {...}}}
                   | {"type": "response", "args": "why it is rejected"}, ...]}   # one per interrupt, in order
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ai_missions.governance import approval_problems, approval_rules
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_action, review_actions
from ai_missions.nodes.observe import now_iso
from ai_missions.nodes.resources import knowledge_of
from ai_missions.nodes.state import MissionState, ProposedAction, Verdict


def decision_id_for(thread_id: str, verdict: Verdict) -> str:
    """Stable id: the same run pausing on the same proposal always names the same decision."""
    digest = hashlib.sha256(
        json.dumps([thread_id, verdict["actions"]], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"D-{digest[:12]}"


def human_interrupts(decision_id: str, order_id: str, verdict: Verdict) -> list[dict[str, Any]]:
    """The interrupt payload: one agent-inbox HumanInterrupt per action awaiting review."""
    return [
        {
            "action_request": {"action": action["tool"], "args": action["args"]},
            "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": False},
            "description": (
                f"{verdict['summary']}\n\nAction {index + 1}: {action['tool']} — {action['why']} "
                f"(policies: {', '.join(action['policy_ids'])})"
            ),
            "metadata": {
                "decision_id": decision_id,
                "order_id": order_id,
                "action_index": index,
                "outcome": verdict["outcome"],
                "confidence": verdict["confidence"],
                "policy_ids": action["policy_ids"],
            },
        }
        for index, action in review_actions(verdict["actions"])
    ]


def resolve_response(
    verdict: Verdict,
    response: Mapping[str, Any],
    facts: Mapping[str, Any],
    approval_rules: Sequence[Any],
    schemas: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Each reviewed action's disposition: ``approved`` (with final args) or ``rejected`` (with the reason).

    Fails closed: a response that is malformed, from a role without authority, or an edit the guard refuses
    rejects the action concerned.
    """
    pending = review_actions(verdict["actions"])
    answers = response.get("responses") if isinstance(response, Mapping) else None
    role = str(response.get("role", "")) if isinstance(response, Mapping) else ""
    plan: list[dict[str, Any]] = []
    for position, (index, action) in enumerate(pending):
        answer = answers[position] if isinstance(answers, list) and position < len(answers) else None
        plan.append(_disposition(index, action, answer, role, facts, approval_rules, schemas, plan))
    return plan


def _disposition(
    index: int,
    action: ProposedAction,
    answer: Any,
    role: str,
    facts: Mapping[str, Any],
    rules: Sequence[Any],
    schemas: Mapping[str, Mapping[str, Any]] | None,
    earlier: list[dict[str, Any]],
) -> dict[str, Any]:
    base = {"index": index, "tool": action["tool"], "args": action["args"], "policy_ids": action["policy_ids"]}
    kind = answer.get("type") if isinstance(answer, Mapping) else None
    if kind == "response":
        return {**base, "status": "rejected", "reason": str(answer.get("args") or "rejected")}
    if kind not in ("accept", "edit"):
        return {**base, "status": "rejected", "reason": f"no valid answer for this action ({kind!r})"}
    final = dict(action)
    if kind == "edit":
        edited = answer.get("args")
        new_args = edited.get("args") if isinstance(edited, Mapping) else None
        if not isinstance(new_args, Mapping) or edited.get("action", action["tool"]) != action["tool"]:
            return {**base, "status": "rejected", "reason": "an edit may change arguments, not the tool"}
        final["args"] = dict(new_args)
    approved_before = [e for e in earlier if e["status"] == "approved"]
    problems = approval_problems(role, [final], rules) + check_action(
        final, facts, earlier=approved_before, schemas=schemas
    )
    if problems:
        return {**base, "status": "rejected", "reason": "refused: " + "; ".join(problems)}
    return {**base, "args": final["args"], "status": "approved", "edited": kind == "edit"}


async def request_approval(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    """Pause for a reviewer; on resume, record who decided what."""
    verdict = state["verdict"]
    thread_id = str(get_config()["configurable"]["thread_id"])
    decision_id = decision_id_for(thread_id, verdict)
    response = interrupt(human_interrupts(decision_id, state["order_id"], verdict))
    knowledge = knowledge_of(runtime.context)
    systems = runtime.context.systems
    plan = resolve_response(
        verdict,
        response,
        state.get("facts", {}),
        approval_rules(knowledge),
        systems.schemas() if systems is not None else None,
    )
    decision = {
        "decision_id": decision_id,
        "reviewer": response.get("reviewer") if isinstance(response, Mapping) else None,
        "role": response.get("role") if isinstance(response, Mapping) else None,
        "resumed_at": now_iso(),
        "plan": plan,
    }
    return {"decision": decision, "status": "executing"}
