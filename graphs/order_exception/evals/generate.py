"""The generated historical set: seeded books, every exception exported as a case, labelled by the ops team's rules.

Deterministic: the same seeds give byte-identical files. Each book of :data:`BOOK_ORDERS` orders holds about 300
exceptions (every type alone and in combination); :data:`SEEDS` books make the set. Each exception order's
snapshot is what ``missions systems export --order ID`` writes, its label comes from :mod:`.labeller`.
The CI slice is a fixed, stratified subset: a few cases of every exception combination.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ai_missions.evals.api import Case, GeneratedSet, decided_after, from_scratch_books, recorded_case
from ai_missions.graphs.order_exception.evals import CI_SLICE, HISTORICAL
from ai_missions.graphs.order_exception.evals.labeller import label
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.snapshot import export_snapshot
from ai_missions.integrations.store import book_now
from ai_missions.integrations.systems import connect

SEEDS: tuple[int, ...] = (11, 23, 37, 41)
BOOK_ORDERS = 2000
CI_PER_KIND = 2

#: The system and event that raise each exception type (the first type of a combination names the trigger).
TRIGGERS: dict[str, tuple[str, str]] = {
    "payment_review": ("payments", "fraud_review_hold"),
    "auth_expiring": ("payments", "authorization_expiring"),
    "oversell": ("inventory", "reservation_short"),
    "phantom_inventory": ("inventory", "cycle_count_mismatch"),
    "address_invalid": ("shipping", "address_validation_failed"),
    "duplicate_order": ("erp", "possible_duplicate_order"),
    "double_charge": ("payments", "duplicate_capture"),
}


def cases_of_book(home: Path, seed: int) -> list[Case]:
    """Every exception in the book under ``home`` as a labelled case."""
    conn = connect("erp", home)
    try:
        now = book_now(conn)
    finally:
        conn.close()
    cases = []
    for row in scan_exceptions(home):
        case_id = f"s{seed}-{row.order_id}"
        snapshot = export_snapshot([row.order_id], home)
        system, event = TRIGGERS[row.types[0]]
        trigger = {"system": system, "event": event, "subject_id": row.order_id, "case_types": row.types}
        cases.append(
            recorded_case(
                case_id=case_id,
                mission="order-exception",
                recorded_at=decided_after(now, case_id, most_minutes=36 * 60),
                trigger=trigger,
                snapshot=snapshot,
                labelled=label(snapshot, row.order_id, row.types, seed=seed, case_key=case_id),
            )
        )
    return cases


def generate_cases(seeds: Sequence[int] = SEEDS, size: int = BOOK_ORDERS) -> list[Case]:
    """Seed each book in a scratch home and export its cases."""
    return from_scratch_books(
        seeds, size, seed_book=seed_book, cases_of_book=cases_of_book, prefix="missions-eval-book-"
    )


SET = GeneratedSet((HISTORICAL, CI_SLICE), SEEDS, BOOK_ORDERS, generate_cases, CI_PER_KIND)
generate = SET.generate
ci_slice = SET.ci_slice
