"""The warranty mission's eval plugin: a CI set of claims (generated from the book by :mod:`.generate`, labelled
from WAR-001's rule), the tables its end state is compared on, and its thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_missions.mission_api import EvalPlugin

CI = Path(__file__).resolve().parent / "data" / "ci.jsonl"


def holds_claim(snapshot: Mapping[str, Any], claim_id: str) -> bool:
    claims = (snapshot.get("systems", {}).get("warranty") or {}).get("claims", [])
    return any(row.get("claim_id") == claim_id for row in claims)


PLUGIN = EvalPlugin(
    mission="warranty-claims",
    datasets={"ci": CI},
    projection={
        "warranty.claims": ("warranty", "SELECT claim_id, status FROM claims ORDER BY claim_id"),
        "warranty.credits": ("warranty", "SELECT claim_id, amount_cents FROM credits ORDER BY claim_id"),
    },
    holds_subject=holds_claim,
    thresholds={"outcome_agreement": ("min", 0.95), "state_match_rate": ("min", 0.95), "errors": ("max", 0)},
    generator="warranty_claims.evals.generate:generate",
)
