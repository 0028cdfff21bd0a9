"""Operating metrics of a mission, from its run store: per mission and per day.

The platform's own, for every mission: runs and how they ended, time to resolution, manual touches per case (the
decisions people took and the rollbacks they asked for), how many actions ran alone and how many of those were
rolled back, and the policy compliance of AI-assisted actions (executed actions that cite a policy and ran under
a reviewer's approval or an automation tier, of all actions executed). A mission adds its own
(``MissionSpec.metrics``) from the same run records: what each run saw (the facts its gather step put on the
Explain rail), what it decided and what executed.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.store import RunStore

FINISHED = ("closed", "closed_partially", "escalated", "failed", "abandoned")


@dataclass
class RunRecord:
    """One run as the metrics see it."""

    run_id: str
    subject_id: str
    status: str
    outcome: str | None
    case_types: list[str]
    flags: list[str]
    created_at: str
    closed_at: str | None
    facts: dict[str, Any] = field(default_factory=dict)
    proposed: list[dict[str, Any]] = field(default_factory=list)
    executed: list[dict[str, Any]] = field(default_factory=list)
    decisions: int = 0
    rollbacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def day(self) -> str:
        return self.created_at[:10]

    @property
    def hours_to_close(self) -> float | None:
        if not self.closed_at:
            return None
        delta = datetime.fromisoformat(self.closed_at) - datetime.fromisoformat(self.created_at)
        return round(delta.total_seconds() / 3600, 4)


def run_records(store: RunStore, mission: str, *, limit: int = 5000) -> list[RunRecord]:
    records = []
    for run in store.list_runs(mission=mission, limit=limit):
        record = RunRecord(
            run_id=run["run_id"],
            subject_id=run["subject_id"],
            status=run["status"],
            outcome=run.get("outcome"),
            case_types=list(run.get("case_types") or []),
            flags=[],
            created_at=run["created_at"],
            closed_at=None,
        )
        for event in store.events(run["run_id"]):
            kind, data = event["kind"], event.get("data") or {}
            if kind == "trigger":
                record.flags = list(data.get("case_types") or [])
            elif kind == "observation" and event.get("node") == "gather":
                record.facts.update(data)
            elif kind == "verdict":
                record.proposed = list(data.get("actions") or [])
            elif kind == "action_result" and data.get("status") == "done":
                record.executed.append({**data, "node": event.get("node")})
            elif kind == "decision":
                record.decisions += 1
            elif kind == "rollback":
                record.rollbacks.append(data)
            elif kind == "closed":
                record.closed_at = event["at"]
        records.append(record)
    return records


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def platform_metrics(records: Sequence[RunRecord]) -> dict[str, Any]:
    finished = [r for r in records if r.status in FINISHED]
    hours = [h for r in finished if (h := r.hours_to_close) is not None]
    executed = [a for r in records for a in r.executed]
    automated = [a for a in executed if a.get("node") == "execute_automatic"]
    cited = {(r.run_id, a["tool"]) for r in records for a in r.proposed if a.get("policy_ids")}
    compliant = [a for r in records for a in r.executed if (r.run_id, a["tool"]) in cited]
    return {
        "runs": len(records),
        "finished": len(finished),
        "by_status": {s: sum(1 for r in records if r.status == s) for s in sorted({r.status for r in records})},
        "time_to_resolution_hours": {
            "median": round(statistics.median(hours), 4) if hours else None,
            "mean": round(statistics.fmean(hours), 4) if hours else None,
        },
        "manual_touches_per_case": _share(sum(r.decisions + len(r.rollbacks) for r in records), len(records)),
        "actions_executed": len(executed),
        "actions_automated": len(automated),
        "automated_rolled_back": sum(len(r.rollbacks) for r in records),
        "policy_compliance": _share(len(compliant), len(executed)),
    }


MissionMetrics = Callable[[Sequence[RunRecord]], Mapping[str, Any]]


def mission_metrics(spec: MissionSpec, store: RunStore, *, by_day: bool = True) -> dict[str, Any]:
    """The platform's and the mission's metrics over every run, and per day (over time)."""
    records = run_records(store, spec.name)
    own: MissionMetrics | None = spec.metrics

    def measure(group: Iterable[RunRecord]) -> dict[str, Any]:
        group = list(group)
        return {**platform_metrics(group), **(dict(own(group)) if own else {})}

    out: dict[str, Any] = {"mission": spec.name, "overall": measure(records)}
    if by_day:
        days = sorted({r.day for r in records})
        out["by_day"] = {day: measure(r for r in records if r.day == day) for day in days}
    return out


# -- the figures in words, as the dashboard shows them ----------------------------------------------------------------
#: Key words that mark a figure as a share of something (shown as a percentage).
SHARE_WORDS = ("rate", "precision", "recall", "accuracy", "compliance", "share", "agreement")


def percent(value: Any) -> str:
    """``84%``; ``–`` for no value (a share of nothing)."""
    return "–" if value is None else f"{value:.0%}"


def figure_text(key: str, value: Any) -> str:
    """A mission's own figure for a person: a share as a percentage (its key says it is one), a count with
    thousands separators, an amount with two decimals, nothing as ``–``."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return percent(value) if any(word in key for word in SHARE_WORDS) else f"{value:,.2f}"
    return str(value)


def figures(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The overall figures of :func:`mission_metrics` (with ``detection_eval``, the latest eval run's detection) as
    rows of (figure, value, what it is): the platform's in the words and formats of the dashboard's operations page
    (``Time to resolve`` in minutes, ``Policy compliance`` as a percentage), then the mission's own, flattened
    (``inventory accuracy · by location · DC-01``)."""
    overall = data["overall"]
    hours = overall["time_to_resolution_hours"]
    touches = overall["manual_touches_per_case"]
    labelled = data.get("detection_eval") or {}

    def minutes(value: float | None) -> str:
        return "–" if value is None else f"{value * 60:.1f} min"

    rows = [
        ("Runs", f"{overall['runs']:,}", ", ".join(f"{status} {n:,}" for status, n in overall["by_status"].items())),
        ("Finished", f"{overall['finished']:,}", "closed, escalated, failed or abandoned"),
        (
            "Time to resolve",
            minutes(hours["median"]),
            f"median, trigger to final status (mean {minutes(hours['mean'])})",
        ),
        ("Manual touches", "–" if touches is None else f"{touches:.2f}", "reviewer decisions and rollbacks per case"),
        ("Policy compliance", percent(overall["policy_compliance"]), "executed actions that cite a policy clause"),
        (
            "Actions executed",
            f"{overall['actions_executed']:,}",
            f"{overall['actions_automated']:,} without a reviewer",
        ),
        ("Automated rolled back", f"{overall['automated_rolled_back']:,}", "automated actions undone"),
    ]
    source = (
        f"over {labelled.get('cases')} labelled cases, eval run {labelled.get('eval_run')}"
        if labelled
        else "over labelled cases: no eval run scored detection yet"
    )
    rows += [
        ("Detection precision", percent(labelled.get("precision")), f"TP/(TP+FP) {source}"),
        ("False positives", percent(labelled.get("false_positive_rate")), "FP/(FP+TN) over labelled cases"),
    ]
    platform = set(platform_metrics([]))

    def flatten(prefix: str, key: str, value: Any) -> Iterable[tuple[str, str, str]]:
        label = f"{prefix}{key.replace('_', ' ')}"
        if isinstance(value, Mapping):
            for inner, item in value.items():
                yield from flatten(f"{label} · ", str(inner), item)
        else:
            yield (label[0].upper() + label[1:], figure_text(key if not prefix else prefix + key, value), "")

    for key, value in overall.items():
        if key not in platform:
            rows += flatten("", key, value)
    return rows
