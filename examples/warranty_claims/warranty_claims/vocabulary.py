"""The warranty mission's words: what a claim can be, what a verdict can say, the facts WAR-001 is written on."""

from __future__ import annotations

from ai_missions.mission_api import Vocabulary

TYPES_FACT = "claim.types"
CASE_TYPES = ("in_warranty", "out_of_warranty", "repeat_claim")
OUTCOMES = ("approve", "escalate")

VOCABULARY = Vocabulary(
    case_types=CASE_TYPES,
    outcomes=OUTCOMES,
    facts={
        TYPES_FACT: ("list", "what the claim is: in_warranty, out_of_warranty or repeat_claim"),
        "claim.id": ("str", "the claim id"),
        "claim.status": ("str", "open or approved"),
        "claim.defect": ("str", "manufacturing or accidental"),
        "claim.covered": ("bool", "the defect is one the warranty covers (manufacturing)"),
        "claim.in_warranty": ("bool", "filed before the product's warranty ended"),
        "claim.warranty_ends": ("str", "when the warranty of the unit ends"),
        "claim.approved_before": ("int", "earlier approved claims on the same serial number"),
        "claim.credit": ("number", "the credit a covered claim earns: the product's price"),
    },
    domains=("warranty",),
    types_fact=TYPES_FACT,
    advancing_outcomes=("approve",),
)
