"""Retrieve the policies that bear on the order from Enterprise Knowledge, within the mission's allowed domains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import observe
from ai_missions.nodes.resources import knowledge_of
from ai_missions.nodes.state import MissionState, Observation, PolicyRef

#: How a mission phrases its question to the policy index for each exception type.
QUESTIONS: dict[str, str] = {
    "payment_review": "order in payment review with an elevated fraud score: keep or release the payment hold",
    "auth_expiring": "payment authorization not captured and about to expire: capture before expiry",
    "oversell": "reservation pending but the location is short of stock: reallocate to another warehouse",
    "phantom_inventory": "cycle count found fewer units than the system shows: phantom inventory",
    "address_invalid": "shipping address failed validation: apply the corrected address or contact the customer",
    "duplicate_order": "same customer ordered the same items twice minutes apart: cancel the duplicate order",
    "double_charge": "customer charged twice, two captures on one order: refund the duplicate capture",
}


def question_for(exception_type: str, facts: Mapping[str, Any]) -> str:
    extra = []
    if facts.get("customer.is_vip"):
        extra.append("VIP customer")
    if exception_type == "payment_review" and facts.get("payment.fraud_reasons"):
        extra.append("fraud reasons " + ", ".join(facts["payment.fraud_reasons"]))
    return QUESTIONS[exception_type] + (f" ({'; '.join(extra)})" if extra else "")


async def retrieve_policies(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    context = runtime.context
    knowledge = knowledge_of(context).for_domains(context.allowed_domains)
    facts = state.get("facts", {})
    today = dt.datetime.now(dt.UTC).date()
    found: dict[str, PolicyRef] = {}
    for exception_type in facts.get("exception.types") or []:
        hits = knowledge.search(
            question_for(exception_type, facts),
            k=context.policies_per_type * 4,
            applies_to=exception_type,
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
