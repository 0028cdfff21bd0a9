"""Reason over the gathered facts and retrieved policies, then let the guard check the proposal."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import guard
from ai_missions.nodes.llm_reasoner import reason_with_llm
from ai_missions.nodes.observe import emit, observe
from ai_missions.nodes.offline_reasoner import evaluate_clauses
from ai_missions.nodes.offline_reasoner import reason as reason_offline
from ai_missions.nodes.resources import knowledge_of
from ai_missions.nodes.state import MissionState, Verdict


async def reason(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    """Propose a verdict with the configured reasoner."""
    context = runtime.context
    facts = state.get("facts", {})
    observations = []
    usage: dict[str, Any] = {}
    if context.reasoner == "llm":
        proposal, usage = await reason_with_llm(
            context, facts, state.get("policies", []), state.get("customer_text", [])
        )
    else:
        knowledge = knowledge_of(context)
        policies = [knowledge.get_policy(p["policy_id"]) for p in state.get("policies", [])]
        for result in evaluate_clauses(policies, facts):
            if result.value is not False:
                state_word = "matches" if result.value else "cannot be evaluated (unknown facts)"
                meaning = result.clause.summary or result.clause.then.outcome
                observations.append(
                    observe(
                        "reason",
                        f"policy:{result.policy}",
                        f"Clause {result.clause.id} {state_word}: {meaning}",
                        {"clause": result.clause.id, "outcome": result.clause.then.outcome, "matched": result.value},
                    )
                )
        proposal = reason_offline(policies, facts)
    observations.append(
        observe(
            "reason",
            f"reasoner:{proposal['reasoner']}",
            f"Proposes {proposal['outcome']} ({proposal['confidence']:.0%}): {proposal['summary']}",
            {"actions": [a["tool"] for a in proposal["actions"]], **usage},
        )
    )
    return {"proposal": proposal, "observations": observations, "usage": usage}


async def validate(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    """The guard, independent of the reasoner: a proposal that breaks a rule becomes an escalation."""
    systems = runtime.context.systems
    schemas = systems.schemas() if systems is not None else None
    verdict, problems = guard(state["proposal"], state.get("facts", {}), schemas=schemas)
    observation = observe(
        "validate",
        "guard",
        "Proposal passes the guard" if not problems else f"Guard escalates: {'; '.join(problems)}",
        {"problems": problems},
    )
    emit("verdict", node="validate", source="mission", summary=_headline(verdict), data=dict(verdict))
    return {"verdict": verdict, "observations": [observation]}


def _headline(verdict: Verdict) -> str:
    tools = ", ".join(a["tool"] for a in verdict["actions"]) or "no actions"
    return f"{verdict['outcome']} ({verdict['confidence']:.0%}): {tools}"
