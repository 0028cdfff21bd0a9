"""The CI set: each open claim of a seeded book as a case (its own records as the snapshot), labelled from WAR-001
by the calendar (a warranty of N months ends on the same day N months after purchase), not by the mission's
facts: approve at the product's price, or escalate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from warranty_claims.book import generate as generate_book


def _ends(purchased: date, months: int) -> date:
    month = purchased.month - 1 + months
    year, month = purchased.year + month // 12, month % 12 + 1
    return purchased.replace(year=year, month=month, day=min(purchased.day, 28))


def label(claim: dict[str, Any], product: dict[str, Any], earlier: list[dict[str, Any]]) -> dict[str, Any]:
    filed, purchased = date.fromisoformat(claim["filed_at"][:10]), date.fromisoformat(claim["purchased_at"][:10])
    covered = claim["defect"] == "manufacturing" and filed <= _ends(purchased, product["warranty_months"])
    if covered and not any(c["status"] == "approved" for c in earlier):
        action = {
            "tool": "approve_claim",
            "args": {"claim_id": claim["claim_id"], "amount": product["price_cents"] / 100},
        }
        return {"outcome": "approve", "actions": [action], "decided_by": "wanda"}
    return {"outcome": "escalate", "actions": [], "decided_by": "lars"}


def cases(size: int = 24, seed: int = 11) -> list[dict[str, Any]]:
    book = generate_book(size, seed)["warranty"]
    out = []
    for claim in (c for c in book["claims"] if c["status"] == "open"):
        product = next(p for p in book["products"] if p["sku"] == claim["sku"])
        serial = [c for c in book["claims"] if c["serial"] == claim["serial"]]
        earlier = [c for c in serial if c["claim_id"] != claim["claim_id"]]
        ids = {c["claim_id"] for c in serial}
        tables = {
            "meta": book["meta"],
            "sequences": book["sequences"],
            "products": [product],
            "claims": serial,
            "credits": [c for c in book["credits"] if c["claim_id"] in ids],
        }
        out.append(
            {
                "case_id": f"w{seed}-{claim['claim_id']}",
                "mission": "warranty-claims",
                "recorded_at": claim["filed_at"],
                "trigger": {"system": "warranty", "event": "claim_filed", "subject_id": claim["claim_id"]},
                "snapshot": {"format": "ai-missions/snapshot@1", "systems": {"warranty": tables}},
                "resolution": label(claim, product, earlier),
            }
        )
    return out


def generate(out: Path) -> dict[str, int | str]:
    """Write the CI set to ``out`` (the plugin's generator writes over the shipped one by default)."""
    lines = [json.dumps(case, sort_keys=True) for case in cases()]
    out.write_text("\n".join(lines) + "\n")
    return {"cases": len(lines), "path": str(out)}
