"""Retrieve the policies that bear on the case from Enterprise Knowledge, within the mission's allowed domains:
one question per case type found (the mission phrases it), filtered to the policies that apply to that type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import observe
from ai_missions.nodes.resources import knowledge_of, off_loop
from ai_missions.nodes.state import MissionState, Node, Observation, PolicyRef


def retrieve_node(spec: MissionSpec) -> Node:
    """The retrieve step of ``spec``'s graph."""

    async def retrieve_policies(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        return await off_loop(retrieve, spec, state, runtime.context)  # the index reads files

    return retrieve_policies


def retrieve(spec: MissionSpec, state: MissionState, context: MissionContext) -> dict[str, Any]:
    domains = context.allowed_domains if context.allowed_domains is not None else spec.vocabulary.domains
    knowledge = knowledge_of(context).for_domains(domains)
    facts = state.get("facts", {})
    today = dt.datetime.now(dt.UTC).date()
    found: dict[str, PolicyRef] = {}
    for case_type in facts.get(spec.vocabulary.types_fact) or []:
        hits = knowledge.search(
            spec.question(case_type, facts),
            k=context.policies_per_type * 4,
            applies_to=case_type,
            effective_on=today,
        )
        policies_seen: list[str] = []
        for hit in hits:
            if hit.policy_id not in found and len(policies_seen) >= context.policies_per_type:
                continue
            if hit.policy_id not in policies_seen:
                policies_seen.append(hit.policy_id)
            ref = found.setdefault(
                hit.policy_id,
                PolicyRef(
                    policy_id=hit.policy_id,
                    version=hit.version,
                    title=hit.title,
                    domain=hit.domain,
                    sections=[],
                    text="",
                ),
            )
            if hit.section not in ref["sections"]:
                ref["sections"].append(hit.section)
                ref["text"] += f"\n## {hit.section}\n{hit.text.strip()}\n"
    observations: list[Observation] = [
        observe(
            "retrieve_policies",
            f"policy:{ref['policy_id']}@{ref['version']}",
            f"{ref['policy_id']} v{ref['version']} '{ref['title']}' applies ({', '.join(ref['sections'][:3])})",
            {"domain": ref["domain"], "sections": ref["sections"]},
        )
        for ref in found.values()
    ]
    return {"policies": list(found.values()), "observations": observations}
