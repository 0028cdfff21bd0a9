"""The book that seeds the simulated warranty system (registered under ``ai_missions.books``): claims in and out of
warranty, accidental damage and repeat claims, deterministic, and the flagship story."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ai_missions.integrations.kit import Book, BookRows
from warranty_claims.service import SYSTEM

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PRODUCTS = (("KT-100", "Kettle", 12, 4900), ("BL-200", "Blender", 24, 12900), ("VC-300", "Vacuum", 24, 34900))
STORY = "WC-1001"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(size: int, seed: int) -> BookRows:
    """``size`` claims: the story (in warranty, a manufacturing defect) first, then a deterministic mix of claims
    in and out of warranty, accidental damage, and repeat claims on a serial already credited."""
    rng = random.Random(seed)
    claims: list[dict[str, Any]] = []
    credits: list[dict[str, Any]] = []
    for n in range(size):
        sku, _name, _months, price = PRODUCTS[n % len(PRODUCTS)] if n else PRODUCTS[1]
        owned = 200 if n == 0 else rng.choice((40, 150, 300, 500, 800))
        serial = f"SN-{n:05d}"
        defect = "manufacturing" if n == 0 or rng.random() < 0.7 else "accidental"
        if n and rng.random() < 0.2:  # an earlier claim on this serial, already approved and credited
            earlier = f"WC-{9000 + n}"
            claims.append(_claim(earlier, n, sku, serial, owned, 30, "manufacturing", "approved"))
            issued = _ts(NOW - timedelta(days=30))
            credits.append(
                {"credit_id": f"CR-{n:05d}", "claim_id": earlier, "amount_cents": price, "issued_at": issued}
            )
        claims.append(_claim(f"WC-{1001 + n}", n, sku, serial, owned, 2, defect, "open"))
    meta = {"book_now": _ts(NOW), "seed": str(seed), "system": "warranty", "story_claim_id": STORY}
    return {
        "warranty": {
            "meta": [{"key": k, "value": v} for k, v in sorted(meta.items())],
            "sequences": [{"prefix": "CR", "value": 0}],
            "products": [
                {"sku": s, "name": name, "warranty_months": m, "price_cents": p} for s, name, m, p in PRODUCTS
            ],
            "claims": claims,
            "credits": credits,
        }
    }


def _claim(
    claim_id: str, n: int, sku: str, serial: str, owned: int, ago: int, defect: str, status: str
) -> dict[str, Any]:
    what = "stopped working in normal use" if defect == "manufacturing" else "dropped; the housing cracked"
    return {
        "claim_id": claim_id,
        "customer": f"C-{20000 + n}",
        "sku": sku,
        "serial": serial,
        "purchased_at": _ts(NOW - timedelta(days=owned)),
        "filed_at": _ts(NOW - timedelta(days=ago)),
        "defect": defect,
        "description": f"The unit {what}.",
        "status": status,
    }


def story(home: Path) -> str | None:
    """The flagship claim of the seeded book."""
    conn = SYSTEM.database(home)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'story_claim_id'").fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


BOOK = Book("warranty", "claims", 40, generate, mission="warranty-claims", story=story)
