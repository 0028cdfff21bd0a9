"""The latest finished eval runs of a mission, and the exception-detection figures they hold: the evidence a
promotion needs and what a mission page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ai_missions.evals.store import EvalStore, store_dir
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.settings import missions_home


def latest_eval_runs(spec: MissionSpec, directory: Path | None = None) -> list[dict[str, Any]]:
    """The mission's finished eval runs, newest first (none when the eval store does not exist)."""
    directory = directory or store_dir(missions_home())
    if not directory.exists():
        return []
    store = EvalStore(directory)
    try:
        return [r for r in store.list_runs(limit=200) if r.get("mission") == spec.name and r.get("summary")]
    finally:
        store.close()


def eval_detection(spec: MissionSpec, directory: Path | None = None) -> dict[str, Any] | None:
    """Exception detection on labelled cases, from the latest eval run that scored it: precision TP/(TP+FP) and the
    false-positive rate FP/(FP+TN), where positives are the cases the labeller found an exception on."""
    for run in latest_eval_runs(spec, directory):
        overall = run["summary"]["overall"]
        if overall.get("detection_counts") is not None:
            return {
                "eval_run": run["run_id"],
                "cases": overall.get("cases"),
                "counts": overall["detection_counts"],
                "precision": overall.get("detection_precision"),
                "recall": overall.get("detection_recall"),
                "false_positive_rate": overall.get("detection_false_positive_rate"),
            }
    return None
