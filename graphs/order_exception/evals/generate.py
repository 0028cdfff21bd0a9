"""The generated historical set: seeded books, every exception exported as a case, labelled by the ops team's rules.

Deterministic: the same seeds give byte-identical files. Each book of :data:`BOOK_ORDERS` orders holds about 300
exceptions (every type alone and in combination); :data:`SEEDS` books make the set. Each exception order's
snapshot is what ``missions systems export --order ID`` writes, its label comes from :mod:`.labeller`.
The CI slice is a fixed, stratified subset: a few cases of every exception combination.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from ai_missions.evals.cases import Case, write_cases
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
        decided = label(snapshot, row.order_id, row.types, seed=seed, case_key=case_id)
        rng = random.Random(int(hashlib.sha256(case_id.encode()).hexdigest()[:12], 16))
        system, event = TRIGGERS[row.types[0]]
        cases.append(
            Case.model_validate(
                {
                    "case_id": case_id,
                    "mission": "order-exception",
                    "recorded_at": now + timedelta(minutes=rng.randint(20, 36 * 60)),
                    "trigger": {
                        "system": system,
                        "event": event,
                        "subject_id": row.order_id,
                        "case_types": row.types,
                    },
                    "snapshot": snapshot,
                    "resolution": decided.resolution(),
                    "tags": decided.tags,
                }
            )
        )
    return cases


def generate_cases(seeds: Sequence[int] = SEEDS, orders: int = BOOK_ORDERS) -> list[Case]:
    """Seed each book in a scratch home (never ``MISSIONS_HOME``) and export its exceptions as cases."""
    cases: list[Case] = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="missions-eval-book-") as scratch:
            home = Path(scratch)
            seed_book(orders, seed, home)
            cases.extend(cases_of_book(home, seed))
    return cases


def ci_slice(cases: Iterable[Case], per_kind: int = CI_PER_KIND) -> list[Case]:
    """A fixed stratified slice: the first ``per_kind`` cases (by id) of every exception combination."""
    by_kind: dict[str, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.case_id):
        by_kind.setdefault(case.kind, []).append(case)
    return [case for kind in sorted(by_kind) for case in by_kind[kind][:per_kind]]


def generate(
    out: Path | None = None,
    slice_out: Path | None = None,
    seeds: Sequence[int] | None = None,
    orders: int = BOOK_ORDERS,
) -> dict[str, int | str]:
    """Write the historical set and its CI slice (by default over the shipped ones); returns what was written."""
    out = out or HISTORICAL
    slice_out = slice_out or (CI_SLICE if out == HISTORICAL else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz"))
    cases = generate_cases(seeds or SEEDS, orders)
    written = write_cases(cases, out)
    sliced = write_cases(ci_slice(cases), slice_out)
    return {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}
