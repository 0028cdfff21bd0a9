"""Gather: one read of the claim over MCP (its product and the serial's earlier claims), then its facts, and an
observation per kind of evidence for the Explain rail."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import MissionContext, MissionState, observe, read_subject
from warranty_claims.facts import derive_facts


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    claim_id = state["subject_id"]
    _systems, context = await read_subject(runtime.context, mission, claim_id)
    facts = derive_facts(context)
    claim, product = context["claim"], context["product"]
    window = "within" if facts["claim.in_warranty"] else "after"
    observations = [
        observe(
            "gather",
            "warranty",
            f"Claim {claim_id} on a {product['name']} ({claim['sku']}, serial {claim['serial']}): "
            f"{claim['defect']} defect, filed {window} the warranty ending {facts['claim.warranty_ends']}",
            {k: facts[k] for k in ("claim.in_warranty", "claim.covered", "claim.warranty_ends")},
        ),
        observe(
            "gather",
            "claims history",
            f"{facts['claim.approved_before']} earlier approved claim(s) on serial {claim['serial']}; "
            f"the product's price is {product['price']:.2f}",
            {k: facts[k] for k in ("claim.approved_before", "claim.credit")},
        ),
    ]
    return {
        "gathered": {"warranty.get_claim": context},
        "facts": facts,
        "customer_text": [f"claim description: {claim['description']}"],
        "observations": observations,
    }
