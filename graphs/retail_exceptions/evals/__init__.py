"""The retail mission's eval plugin: the generated historical set and its CI slice (and a holdout written by hand
from the policies alone, :mod:`.holdout`), the tables its end state is
compared on, its regression thresholds and the generator (an independent labeller in :mod:`.labeller`).

Its automation tier runs actions that move stock and money (quarantines, return postings), so they are scored
like any other (``actions_all`` and ``automated`` instead of ``actions``), and exception detection is scored
against the labeller's own finding on every case, clean ones included (``detection``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.mission_api import DEFAULT_SCORERS, EvalPlugin, holds_row

DATA = Path(__file__).resolve().parent / "data"
HISTORICAL = DATA / "historical.jsonl.gz"
CI_SLICE = DATA / "ci_slice.jsonl.gz"
#: Written from the policies alone, outside the generator and its labeller (see :mod:`.holdout`); reported apart.
HOLDOUT = DATA / "holdout.jsonl.gz"

PROJECTION: dict[str, tuple[str, str]] = {
    "oms.orders": ("oms", "SELECT order_id, status, pickup_store FROM orders ORDER BY order_id"),
    "oms.allocations": ("oms", "SELECT order_id, location_id FROM allocations ORDER BY order_id"),
    "oms.returns": ("oms", "SELECT return_id, posted FROM returns ORDER BY return_id"),
    "oms.notices": (
        "oms",
        "SELECT order_id, topic, count(*) FROM notices GROUP BY order_id, topic ORDER BY order_id, topic",
    ),
    "oms.substitutions": (
        "oms",
        "SELECT order_id, substitute_sku, location_id, charged_unit_cents, status FROM substitutions ORDER BY order_id",
    ),
    "oms.credits": (
        "oms",
        "SELECT order_id, amount_cents, count(*) FROM credits GROUP BY order_id, amount_cents ORDER BY order_id",
    ),
    "stores.stock": ("stores", "SELECT location_id, sku, quarantined FROM stock ORDER BY location_id, sku"),
    "stores.recount_tasks": (
        "stores",
        "SELECT location_id, sku, status, count(*) FROM recount_tasks GROUP BY location_id, sku, status "
        "ORDER BY location_id, sku",
    ),
    "stores.merch_notices": (
        "stores",
        "SELECT promo_id, count(*) FROM merch_notices GROUP BY promo_id ORDER BY promo_id",
    ),
}


def _generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> Mapping[str, Any]:
    # deferred: start-up time (the simulator's retail book, about 1 s)
    from ai_missions.graphs.retail_exceptions.evals.generate import generate

    return generate(out=out, slice_out=slice_out, seeds=seeds)


PLUGIN = EvalPlugin(
    mission="retail-exceptions",
    datasets={"historical": HISTORICAL, "ci": CI_SLICE, "holdout": HOLDOUT},
    projection=PROJECTION,
    holds_subject=holds_row("oms", "orders", "order_id"),
    scorers=(*("actions_all" if s == "actions" else s for s in DEFAULT_SCORERS), "automated", "detection"),
    thresholds={
        "outcome_agreement": 0.80,
        "action_f1": 0.80,
        "state_match_rate": 0.75,
        "citation_rate": 0.95,
        "warranted_escalation_rate": 0.80,
        "unsafe_case_rate": 0.10,
        "detection_precision": 0.90,
        "detection_false_positive_rate": 0.10,
        "errors": 0,
    },
    generator=_generate,
)
