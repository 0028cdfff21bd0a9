"""The warranty mission's eval plugin: a CI set of claims (generated from the book by :mod:`.generate`, labelled
from WAR-001's rule), the tables its end state is compared on, and its thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.mission_api import EvalPlugin, ValidationError, holds_row
from warranty_claims.evals.generate import generate

CI = Path(__file__).resolve().parent / "data" / "ci.jsonl"


def _generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> Mapping[str, Any]:
    if slice_out is not None or seeds:
        raise ValidationError("the warranty-claims CI set is one file from one book: it takes no slice nor seeds")
    return generate(out or CI)


PLUGIN = EvalPlugin(
    mission="warranty-claims",
    datasets={"ci": CI},
    projection={
        "warranty.claims": ("warranty", "SELECT claim_id, status FROM claims ORDER BY claim_id"),
        "warranty.credits": ("warranty", "SELECT claim_id, amount_cents FROM credits ORDER BY claim_id"),
    },
    holds_subject=holds_row("warranty", "claims", "claim_id"),
    thresholds={"outcome_agreement": 0.95, "state_match_rate": 0.95, "errors": 0},
    generator=_generate,
)
