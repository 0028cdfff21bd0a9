"""The Evals page's view of the evaluation harness's runs (``ai_missions.evals``), as plain data.

The harness records its runs in SQLite under ``MISSIONS_HOME``; until it is installed and has recorded a run, there
is nothing to show and the page says how to make one.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class EvalRun:
    run_id: str
    started_at: str
    labels: dict[str, str] = field(default_factory=dict)  # dataset, reasoner, cases...
    metrics: dict[str, float] = field(default_factory=dict)
    per_type: dict[str, dict[str, float]] = field(default_factory=dict)


def _harness() -> Any | None:
    """The harness's eval-run store module, when it is installed."""
    try:
        return importlib.import_module("ai_missions.evals.store")
    except ModuleNotFoundError:
        return None


def eval_runs(home: Path) -> list[EvalRun]:
    """Recorded eval runs, newest first (empty until the harness has recorded one)."""
    harness = _harness()
    if harness is None or not hasattr(harness, "list_eval_runs"):
        return []
    return [_eval_run(r) for r in harness.list_eval_runs(home)]


def _eval_run(row: Mapping[str, Any]) -> EvalRun:
    return EvalRun(
        run_id=str(row["run_id"]),
        started_at=str(row.get("started_at", "")),
        labels={k: str(v) for k, v in (row.get("labels") or {}).items()},
        metrics={k: float(v) for k, v in (row.get("metrics") or {}).items() if isinstance(v, int | float)},
        per_type={
            t: {k: float(v) for k, v in m.items() if isinstance(v, int | float)}
            for t, m in (row.get("per_type") or {}).items()
        },
    )


#: The figures an eval run is judged by first, in this order (others are listed after them).
HEADLINE = (
    "outcome_agreement",
    "action_f1",
    "unsafe_case_rate",
    "warranted_escalation_rate",
    "state_match_rate",
    "latency_p50_ms",
)
_RATES = ("rate", "agreement", "precision", "recall", "f1", "labels", "accuracy")


def is_rate(name: str) -> bool:
    return any(word in name for word in _RATES)


def headline(metrics: Mapping[str, float], count: int = 6) -> list[str]:
    """The names of the metrics to show first: :data:`HEADLINE` when present, then the others."""
    first = [m for m in HEADLINE if m in metrics]
    return (first + [m for m in metrics if m not in first])[:count]


def metric_text(name: str, value: float | None) -> str:
    """Rates as percentages, milliseconds with their unit, counts as integers."""
    if value is None:
        return "—"
    if is_rate(name):
        return f"{value:.1%}"
    if name.endswith("_ms"):
        return f"{value:,.0f} ms"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}"


def compare(baseline: EvalRun, candidate: EvalRun) -> list[dict[str, Any]]:
    """Every metric of either run, overall and per case type, with the change from baseline to candidate."""
    rows = []
    scopes: list[tuple[str, Mapping[str, float], Mapping[str, float]]] = [("all", baseline.metrics, candidate.metrics)]
    for kind in sorted(set(baseline.per_type) | set(candidate.per_type)):
        scopes.append((kind, baseline.per_type.get(kind, {}), candidate.per_type.get(kind, {})))
    for scope, before, after in scopes:
        for name in sorted(set(before) | set(after)):
            old, new = before.get(name), after.get(name)
            rows.append(
                {
                    "scope": scope,
                    "metric": name,
                    "baseline": old,
                    "candidate": new,
                    "change": None if old is None or new is None else new - old,
                }
            )
    return rows
