"""The generated historical set: seeded AP books, every invoice awaiting approval exported as a case, labelled by
the AP team's rules (:mod:`.labeller`).

Deterministic: the same seeds give byte-identical files. Each book of :data:`BOOK_INVOICES` invoices holds about
380 invoices awaiting approval (clean ones, and every exception alone and in combination); :data:`SEEDS` books
make the set. Each case's snapshot is what ``missions systems export --invoice ID`` writes. The CI slice is a
fixed, stratified subset: a few cases of every combination.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ai_missions.evals.api import Case, GeneratedSet, decided_after, from_scratch_books, recorded_case
from ai_missions.graphs.invoice_approval.evals import CI_SLICE, HISTORICAL
from ai_missions.graphs.invoice_approval.evals.labeller import label
from ai_missions.integrations.ap_seed import seed_ap_book
from ai_missions.integrations.snapshot import export_snapshot
from ai_missions.integrations.store import book_now
from ai_missions.integrations.systems import connect

SEEDS: tuple[int, ...] = (11, 23)
BOOK_INVOICES = 1500
CI_PER_KIND = 2


def awaiting(home: Path) -> list[tuple[str, list[str]]]:
    """The book's approval queue: invoice id -> the blocks AP's matching set (``clean_match`` for none)."""
    conn = connect("ap", home)
    try:
        rows = conn.execute(
            "SELECT invoice_id, block_reasons FROM invoices WHERE status = 'awaiting_approval' ORDER BY invoice_id"
        ).fetchall()
        return [(r["invoice_id"], json.loads(r["block_reasons"]) or ["clean_match"]) for r in rows]
    finally:
        conn.close()


def cases_of_book(home: Path, seed: int) -> list[Case]:
    """Every invoice awaiting approval in the book under ``home`` as a labelled case."""
    conn = connect("ap", home)
    try:
        now = book_now(conn)
    finally:
        conn.close()
    cases = []
    for invoice_id, types in awaiting(home):
        case_id = f"s{seed}-{invoice_id}"
        snapshot = export_snapshot(home=home, invoice_ids=[invoice_id])
        trigger = {"system": "ap", "event": "invoice_awaiting_approval", "subject_id": invoice_id, "case_types": types}
        cases.append(
            recorded_case(
                case_id=case_id,
                mission="invoice-approval",
                recorded_at=decided_after(now, case_id, most_minutes=72 * 60),
                trigger=trigger,
                snapshot=snapshot,
                labelled=label(snapshot, invoice_id, seed=seed, case_key=case_id),
            )
        )
    return cases


def generate_cases(seeds: Sequence[int] = SEEDS, size: int = BOOK_INVOICES) -> list[Case]:
    """Seed each book in a scratch home and export its cases."""
    return from_scratch_books(
        seeds, size, seed_book=seed_ap_book, cases_of_book=cases_of_book, prefix="missions-eval-ap-book-"
    )


SET = GeneratedSet((HISTORICAL, CI_SLICE), SEEDS, BOOK_INVOICES, generate_cases, CI_PER_KIND)
generate = SET.generate
ci_slice = SET.ci_slice
