"""The generated historical set: seeded AP books, every invoice awaiting approval exported as a case, labelled by
the AP team's rules (:mod:`.labeller`).

Deterministic: the same seeds give byte-identical files. Each book of :data:`BOOK_INVOICES` invoices holds about
380 invoices awaiting approval (clean ones, and every exception alone and in combination); :data:`SEEDS` books
make the set. Each case's snapshot is what ``missions systems export --invoice ID`` writes. The CI slice is a
fixed, stratified subset: a few cases of every combination.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from ai_missions.evals.cases import Case, write_cases
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
        decided = label(snapshot, invoice_id, seed=seed, case_key=case_id)
        rng = random.Random(int(hashlib.sha256(case_id.encode()).hexdigest()[:12], 16))
        cases.append(
            Case.model_validate(
                {
                    "case_id": case_id,
                    "mission": "invoice-approval",
                    "recorded_at": now + timedelta(minutes=rng.randint(20, 72 * 60)),
                    "trigger": {
                        "system": "ap",
                        "event": "invoice_awaiting_approval",
                        "subject_id": invoice_id,
                        "case_types": types,
                    },
                    "snapshot": snapshot,
                    "resolution": decided.resolution(),
                    "tags": decided.tags,
                }
            )
        )
    return cases


def generate_cases(seeds: Sequence[int] = SEEDS, invoices: int = BOOK_INVOICES) -> list[Case]:
    """Seed each book in a scratch home (never ``MISSIONS_HOME``) and export its approval queue as cases."""
    cases: list[Case] = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="missions-eval-ap-book-") as scratch:
            home = Path(scratch)
            seed_ap_book(invoices, seed, home)
            cases.extend(cases_of_book(home, seed))
    return cases


def ci_slice(cases: Iterable[Case], per_kind: int = CI_PER_KIND) -> list[Case]:
    """A fixed stratified slice: the first ``per_kind`` cases (by id) of every combination."""
    by_kind: dict[str, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.case_id):
        by_kind.setdefault(case.kind, []).append(case)
    return [case for kind in sorted(by_kind) for case in by_kind[kind][:per_kind]]


def generate(
    out: Path | None = None,
    slice_out: Path | None = None,
    seeds: Sequence[int] | None = None,
    orders: int = BOOK_INVOICES,
) -> dict[str, int | str]:
    """Write the historical set and its CI slice (by default over the shipped ones); returns what was written.

    ``orders`` is the book size (invoices here; the name is the eval command's)."""
    out = out or HISTORICAL
    slice_out = slice_out or (CI_SLICE if out == HISTORICAL else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz"))
    cases = generate_cases(seeds or SEEDS, orders)
    written = write_cases(cases, out)
    sliced = write_cases(ci_slice(cases), slice_out)
    return {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}
