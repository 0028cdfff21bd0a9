"""The warranty mission's eval plugin: a CI set of claims (generated from the book by :mod:`.generate`, labelled
from WAR-001's rule), the tables its end state is compared on, and its thresholds."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import EvalPlugin, holds_row

CI = Path(__file__).resolve().parent / "data" / "ci.jsonl"


PLUGIN = EvalPlugin(
    mission="warranty-claims",
    datasets={"ci": CI},
    projection={
        "warranty.claims": ("warranty", "SELECT claim_id, status FROM claims ORDER BY claim_id"),
        "warranty.credits": ("warranty", "SELECT claim_id, amount_cents FROM credits ORDER BY claim_id"),
    },
    holds_subject=holds_row("warranty", "claims", "claim_id"),
    thresholds={"outcome_agreement": 0.95, "state_match_rate": 0.95, "errors": 0},
    generator="warranty_claims.evals.generate:generate",
)
