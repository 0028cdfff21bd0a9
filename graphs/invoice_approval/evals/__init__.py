"""The invoice mission's eval plugin: its datasets (the generated historical set and its CI slice), the tables its
end state is compared on, its regression thresholds and the generator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.mission_api import EvalPlugin, holds_row

DATA = Path(__file__).resolve().parent / "data"
HISTORICAL = DATA / "historical.jsonl.gz"
CI_SLICE = DATA / "ci_slice.jsonl.gz"
#: Invoice cases written from the AP policies alone, outside the generator and its labeller (see :mod:`.holdout`).
HOLDOUT = DATA / "holdout.jsonl.gz"

#: table -> (system, query); each query's rows are the table's relevant content, in a stable order (generated ids,
#: timestamps, free text and internal notes left out).
PROJECTION: dict[str, tuple[str, str]] = {
    "ap.invoices": ("ap", "SELECT invoice_id, status FROM invoices ORDER BY invoice_id"),
    "ap.invoice_holds": (
        "ap",
        "SELECT invoice_id, status, count(*) FROM invoice_holds GROUP BY invoice_id, status "
        "ORDER BY invoice_id, status",
    ),
    "ap.payments": (
        "ap",
        "SELECT invoice_id, amount_cents, discount_cents, status, count(*) FROM payments "
        "GROUP BY invoice_id, amount_cents, discount_cents, status ORDER BY invoice_id, amount_cents",
    ),
    "ap.vendor_messages": (
        "ap",
        "SELECT invoice_id, topic, count(*) FROM vendor_messages WHERE direction = 'outbound' "
        "GROUP BY invoice_id, topic ORDER BY invoice_id, topic",
    ),
    "ap.bank_verifications": (
        "ap",
        "SELECT account_id, status, count(*) FROM bank_verifications GROUP BY account_id, status "
        "ORDER BY account_id, status",
    ),
    "purchasing.buyer_requests": (
        "purchasing",
        "SELECT invoice_id, topic, count(*) FROM buyer_requests GROUP BY invoice_id, topic ORDER BY invoice_id, topic",
    ),
    "budget.budget_commitments": (
        "budget",
        "SELECT cost_centre, invoice_id, amount_cents, count(*) FROM budget_commitments "
        "GROUP BY cost_centre, invoice_id, amount_cents ORDER BY cost_centre, invoice_id",
    ),
}


def _generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> Mapping[str, Any]:
    # deferred: start-up time (seeding books with the simulator, about 1 s)
    from ai_missions.graphs.invoice_approval.evals.generate import generate

    return generate(out=out, slice_out=slice_out, seeds=seeds)


def _snapshot(invoice_id: str, home: Path) -> dict[str, Any]:
    # deferred: start-up time (the simulator's snapshots, about 0.2 s)
    from ai_missions.graphs.invoice_approval.evals.snapshots import snapshot_invoice

    return snapshot_invoice(invoice_id, home)


PLUGIN = EvalPlugin(
    mission="invoice-approval",
    datasets={"historical": HISTORICAL, "ci": CI_SLICE, "holdout": HOLDOUT},
    projection=PROJECTION,
    holds_subject=holds_row("ap", "invoices", "invoice_id"),
    thresholds={
        "outcome_agreement": 0.80,
        "action_f1": 0.80,
        "state_match_rate": 0.85,
        "citation_rate": 0.95,
        "warranted_escalation_rate": 0.90,
        "unsafe_case_rate": 0.10,
        "errors": 0,
    },
    generator=_generate,
    snapshotter=_snapshot,
)
