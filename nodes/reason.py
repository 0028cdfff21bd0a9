"""Reason over the gathered facts and retrieved policies, then let the guard check the proposal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import fail_closed, guard
from ai_missions.nodes.llm_reasoner import reason_with_llm
from ai_missions.nodes.observe import emit, observe
from ai_missions.nodes.offline_reasoner import evaluate_clauses
from ai_missions.nodes.offline_reasoner import reason as reason_offline
from ai_missions.nodes.parts import label_of, parts_of
from ai_missions.nodes.read_back import read_back
from ai_missions.nodes.resources import knowledge_of, off_loop, systems_of
from ai_missions.nodes.state import MissionState, Node, Verdict


def reason_node(spec: MissionSpec) -> Node:
    """Propose a verdict with the configured reasoner."""

    async def reason(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        context = runtime.context
        facts = state.get("facts", {})
        observations: list[Any] = []
        usage: dict[str, Any] = {}
        policies = await off_loop(_policies, context, state)  # reads the index
        if context.reasoner == "llm":
            proposal, usage = await reason_with_llm(
                spec, context, facts, state.get("policies", []), state.get("customer_text", [])
            )
        else:
            proposal = _reason_offline(spec, policies, facts, observations)
        proposal = read_back(spec, fail_closed(spec, proposal, facts, policies), facts, on=context.read_back)
        observations.append(
            observe(
                "reason",
                f"reasoner:{proposal['reasoner']}",
                f"Proposes {proposal['outcome']} ({proposal['confidence']:.0%}): {proposal['summary']}",
                {"actions": [a["tool"] for a in proposal["actions"]], **usage},
            )
        )
        return {"proposal": proposal, "observations": observations, "usage": usage}

    return reason


def _policies(context: MissionContext, state: MissionState) -> list[Any]:
    """The retrieved policies, as Enterprise Knowledge holds them (their clauses)."""
    knowledge = knowledge_of(context)
    return [knowledge.get_policy(p["policy_id"]) for p in state.get("policies", [])]


def _reason_offline(spec: MissionSpec, policies: list[Any], facts: Mapping[str, Any], observations: list[Any]) -> Any:
    """The offline reasoner's proposal, with an observation per clause that matched (appended)."""
    # a case in parts: each part's clauses, named by the part (the shared facts alone decide nothing)
    each: list[tuple[str, Mapping[str, Any]]] = [(f"{label_of(p, i)}: ", p) for i, p in enumerate(parts_of(facts))]
    each = each or [("", facts)]
    for part, part_facts in each:
        _observe_clauses(spec, policies, part_facts, part, observations)
    return reason_offline(spec, policies, facts)


def _observe_clauses(
    spec: MissionSpec, policies: list[Any], facts: Mapping[str, Any], part: str, observations: list[Any]
) -> None:
    """An observation per clause that matched, or could not be evaluated, on these facts."""
    for result in evaluate_clauses(policies, facts, spec.vocabulary.types_fact):
        if result.value is not False:
            state_word = "matches" if result.value else "cannot be evaluated (unknown facts)"
            meaning = result.clause.summary or result.clause.then.outcome
            observations.append(
                observe(
                    "reason",
                    f"policy:{result.policy}",
                    f"{part}Clause {result.clause.id} {state_word}: {meaning}",
                    {
                        "clause": result.clause.id,
                        "outcome": result.clause.then.outcome,
                        "matched": result.value,
                    },
                )
            )


def validate_node(spec: MissionSpec) -> Node:
    """The guard, independent of the reasoner: a proposal that breaks a rule becomes an escalation. The tools'
    argument schemas come from the systems' own listings, in every process that runs the graph."""

    async def validate(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        systems = await systems_of(runtime.context, spec.systems)
        verdict, problems = guard(
            spec,
            state["proposal"],
            state.get("facts", {}),
            schemas=systems.schemas(),
            untrusted=state.get("customer_text", []),
        )
        observation = observe(
            "validate",
            "guard",
            "Proposal passes the guard" if not problems else f"Guard escalates: {'; '.join(problems)}",
            {"problems": problems},
        )
        emit("verdict", node="validate", source="mission", summary=headline(verdict), data=dict(verdict))
        return {"verdict": verdict, "observations": [observation]}

    return validate


def headline(verdict: Verdict) -> str:
    tools = ", ".join(a["tool"] for a in verdict["actions"]) or "no actions"
    return f"{verdict['outcome']} ({verdict['confidence']:.0%}): {tools}"
