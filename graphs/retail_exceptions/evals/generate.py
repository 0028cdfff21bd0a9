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
from collections.abc import Sequence
from datetime import timedelta

from ai_missions.evals.api import Case, GeneratedSet, recorded_case
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
    trigger = {
        "system": "oms",
        "event": "order_flagged",
        "subject_id": scenario.order_id,
        "case_types": sorted(scenario.flags) or ["no_exception"],
    }
    return recorded_case(
        case_id=case_id,
        mission="retail-exceptions",
        recorded_at=retail_seed.BOOK_NOW + timedelta(minutes=rng.randint(10, 48 * 60)),
        trigger=trigger,
        snapshot=snapshot,
        labelled=label(snapshot, scenario.order_id, seed=seed, case_key=case_id),
        tags=[f"truth:{'+'.join(kinds) or ('clean' if clean else 'false_flag')}"],
    )


def generate_cases(seeds: Sequence[int] = SEEDS, per_seed: int = CASES_PER_SEED) -> list[Case]:
    cases: list[Case] = []
    for seed in seeds:
        rng = random.Random(seed)
        cases.extend(case_of(number, seed, rng) for number in range(1, per_seed + 1))
    return cases


SET = GeneratedSet((HISTORICAL, CI_SLICE), SEEDS, CASES_PER_SEED, generate_cases, CI_PER_KIND, every_outcome=True)
generate = SET.generate
ci_slice = SET.ci_slice
