"""The generated historical set: flagged retail orders, each in a snapshot of its own (the order, its customer,
its SKU's stock at every location, shipments, promotions and returns), labelled by the operations team's rules
(:mod:`.labeller`).

Deterministic: the same seeds give byte-identical files. Each case is built from the retail book's scenarios
(:mod:`ai_missions.integrations.retail_seed`): every exception alone and combined, false flags, orders that
name a store nobody knows, and clean orders nobody flagged (the audit sample: true negatives for detection).
The CI slice is a fixed, stratified subset: a few cases of every combination, and of every outcome.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from ai_missions.evals.cases import Case, write_cases
from ai_missions.graphs.retail_exceptions.evals import CI_SLICE, HISTORICAL
from ai_missions.graphs.retail_exceptions.evals.labeller import label
from ai_missions.integrations import retail_seed
from ai_missions.integrations.snapshot import FORMAT

SEEDS: tuple[int, ...] = (11, 23)
CASES_PER_SEED = 300
CI_PER_KIND = 2
#: Every so many cases, one names a pickup store nobody knows (bad input the mission must escalate).
UNKNOWN_STORE_EVERY = 40
#: Every so many cases (offset by CLEAN_AT), one is an order nobody flagged with nothing wrong, from the audit
#: sample (its trigger says ``no_exception``): with the false flags, the negatives detection is scored on.
CLEAN_EVERY, CLEAN_AT = 20, 7


def case_of(number: int, seed: int, rng: random.Random) -> Case:
    kinds = rng.choices(*zip(*retail_seed.MIXES, strict=True))[0]
    unknown = number % UNKNOWN_STORE_EVERY == 0
    clean = number % CLEAN_EVERY == CLEAN_AT
    if unknown:
        kinds = ("pickup_unfulfillable",)
    if clean:
        kinds = ()
    scenario = retail_seed.scenario(number, kinds, seed, unknown_store=unknown)
    if clean:
        scenario.flags = []
    rows = retail_seed.empty_rows()
    retail_seed.add_locations(rows)
    retail_seed.build_order(scenario, rows)
    meta = {"book_now": retail_seed.ts(retail_seed.BOOK_NOW), "seed": str(seed), "orders": "1"}
    systems = retail_seed.finish(rows, meta)
    snapshot = {
        "format": FORMAT,
        "book": {"book_now": meta["book_now"], "seed": str(seed)},
        "scope": {"orders": [scenario.order_id]},
        "systems": systems,
    }
    case_id = f"s{seed}-{scenario.order_id}"
    decided = label(snapshot, scenario.order_id, seed=seed, case_key=case_id)
    return Case.model_validate(
        {
            "case_id": case_id,
            "mission": "retail-exceptions",
            "recorded_at": retail_seed.BOOK_NOW + timedelta(minutes=rng.randint(10, 48 * 60)),
            "trigger": {
                "system": "oms",
                "event": "order_flagged",
                "subject_id": scenario.order_id,
                "case_types": sorted(scenario.flags) or ["no_exception"],
            },
            "snapshot": snapshot,
            "resolution": decided.resolution(),
            "tags": [*decided.tags, f"truth:{'+'.join(kinds) or ('clean' if clean else 'false_flag')}"],
        }
    )


def generate_cases(seeds: Sequence[int] = SEEDS, per_seed: int = CASES_PER_SEED) -> list[Case]:
    cases: list[Case] = []
    for seed in seeds:
        rng = random.Random(seed)
        cases.extend(case_of(number, seed, rng) for number in range(1, per_seed + 1))
    return cases


def ci_slice(cases: Iterable[Case], per_kind: int = CI_PER_KIND) -> list[Case]:
    by_kind: dict[str, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.case_id):
        by_kind.setdefault(case.kind, []).append(case)
    chosen = [case for kind in sorted(by_kind) for case in by_kind[kind][:per_kind]]
    # every outcome the labeller uses shows up too (a substitution is rare and belongs to no one trigger kind)
    for outcome in sorted({c.resolution.outcome for c in by_kind_cases(by_kind)}):
        have = sum(1 for c in chosen if c.resolution.outcome == outcome)
        more = [c for c in by_kind_cases(by_kind) if c.resolution.outcome == outcome and c not in chosen]
        chosen.extend(more[: max(per_kind - have, 0)])
    return chosen


def by_kind_cases(by_kind: dict[str, list[Case]]) -> list[Case]:
    return [case for kind in sorted(by_kind) for case in by_kind[kind]]


def generate(
    out: Path | None = None,
    slice_out: Path | None = None,
    seeds: Sequence[int] | None = None,
    orders: int = CASES_PER_SEED,
) -> dict[str, int | str]:
    """Write the historical set and its CI slice (by default over the shipped ones); ``orders`` is per seed."""
    out = out or HISTORICAL
    slice_out = slice_out or (CI_SLICE if out == HISTORICAL else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz"))
    cases = generate_cases(seeds or SEEDS, orders)
    written = write_cases(cases, out)
    sliced = write_cases(ci_slice(cases), slice_out)
    return {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}
