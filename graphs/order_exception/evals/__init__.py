"""The order mission's eval plugin: its datasets (the generated historical set, its CI slice), the tables its end
state is compared on, its regression thresholds, the generator and the importer of resolved-order exports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.mission_api import EvalPlugin, holds_row

DATA = Path(__file__).resolve().parent / "data"
HISTORICAL = DATA / "historical.jsonl.gz"
CI_SLICE = DATA / "ci_slice.jsonl.gz"
#: Written by hand outside the generator and its labeller (see :mod:`.handmade`); reported apart.
HANDMADE = DATA / "handmade.jsonl.gz"
#: New scenarios written from the policies alone, after the hand-made set agreed (see :mod:`.holdout`).
HOLDOUT = DATA / "holdout.jsonl.gz"

#: table -> (system, query); each query's rows are the table's relevant content, in a stable order.
PROJECTION: dict[str, tuple[str, str]] = {
    "erp.orders": ("erp", "SELECT order_id, status FROM orders ORDER BY order_id"),
    "erp.order_holds": (
        "erp",
        "SELECT order_id, status, count(*) FROM order_holds GROUP BY order_id, status ORDER BY order_id, status",
    ),
    "inventory.stock": ("inventory", "SELECT sku, location_id, on_hand FROM stock ORDER BY sku, location_id"),
    "inventory.reservations": (
        "inventory",
        "SELECT reservation_id, location_id, status FROM reservations ORDER BY reservation_id",
    ),
    "payments.authorizations": (
        "payments",
        "SELECT authorization_id, status FROM authorizations ORDER BY authorization_id",
    ),
    "payments.captures": (
        "payments",
        "SELECT authorization_id, amount_cents, count(*) FROM captures GROUP BY authorization_id, amount_cents "
        "ORDER BY authorization_id, amount_cents",
    ),
    "payments.refunds": (
        "payments",
        "SELECT capture_id, amount_cents, count(*) FROM refunds GROUP BY capture_id, amount_cents "
        "ORDER BY capture_id, amount_cents",
    ),
    "payments.payment_holds": ("payments", "SELECT hold_id, status FROM payment_holds ORDER BY hold_id"),
    "shipping.order_addresses": (
        "shipping",
        "SELECT order_id, line1, line2, city, region, postal_code, validation_status FROM order_addresses "
        "ORDER BY order_id",
    ),
    "crm.messages": (
        "crm",
        "SELECT customer_id, order_id, direction, count(*) FROM messages GROUP BY customer_id, order_id, direction "
        "ORDER BY customer_id, order_id, direction",
    ),
}


def _generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> Mapping[str, Any]:
    # deferred: start-up time (seeding books with the simulator, about 1 s)
    from ai_missions.graphs.order_exception.evals.generate import generate

    return generate(out=out, slice_out=slice_out, seeds=seeds)


def _import_cases(export: Path, mapping: Path, home: Path) -> list[Any]:
    # deferred: start-up time (pandas and the simulator's snapshots, about 1 s)
    from ai_missions.graphs.order_exception.evals.importer import import_cases

    return import_cases(export, mapping, home)


def _rulebook(snapshot: Mapping[str, Any], order_id: str, types: Sequence[str]) -> list[dict[str, Any]]:
    # deferred: start-up time (the labeller reads books with the simulator, about 0.5 s)
    from ai_missions.graphs.order_exception.evals.labeller import rulebook

    return rulebook(snapshot, order_id, types)


def _snapshot(order_id: str, home: Path) -> dict[str, Any]:
    # deferred: start-up time (the simulator's snapshots, about 0.4 s)
    from ai_missions.graphs.order_exception.evals.snapshots import snapshot_order

    return snapshot_order(order_id, home)


PLUGIN = EvalPlugin(
    mission="order-exception",
    datasets={"historical": HISTORICAL, "ci": CI_SLICE, "handmade": HANDMADE, "holdout": HOLDOUT},
    projection=PROJECTION,
    holds_subject=holds_row("erp", "orders", "order_id"),
    thresholds={
        "outcome_agreement": 0.70,
        "action_f1": 0.70,
        "state_match_rate": 0.45,
        "citation_rate": 0.95,
        "warranted_escalation_rate": 0.50,
        "unsafe_case_rate": 0.15,
        "errors": 0,
    },
    generator=_generate,
    importer=_import_cases,
    rulebook=_rulebook,
    snapshotter=_snapshot,
)
