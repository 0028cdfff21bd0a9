"""The warranty mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import MissionSpec, Subject
from warranty_claims.invariants import invariants
from warranty_claims.questions import question_for
from warranty_claims.tools import TOOLS
from warranty_claims.vocabulary import VOCABULARY

SPEC = MissionSpec.in_package(
    "warranty_claims",
    name="warranty-claims",
    title="Warranty claims",
    description="Check each open warranty claim against the warranty window and its serial's history; a covered "
    "claim is approved and credited once a warranty agent signs off.",
    subject=Subject(kind="claim", example="WC-1001", pattern=r"WC-[0-9]{4,8}", lookup=("get_claim", "claim_id")),
    systems=("warranty",),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    policies=Path(__file__).resolve().parent / "policies",
    reviewers={"wanda": "warranty_agent", "lars": "warranty_lead"},
)
