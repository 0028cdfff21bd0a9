"""The eval store on both backends: results written by several processes land in one run, a re-run case
replaces its result, ``latest`` is the run started last."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.evals.store import EvalStore, list_eval_runs


@pytest.mark.usefixtures("store_backend")
def test_eval_runs_and_results_on_each_backend(tmp_path: Path) -> None:
    store = EvalStore(tmp_path / "evals")
    first = store.create_run(mission="order-exception", dataset="ci", dataset_hash="h", config={}, cases_total=2)
    second = store.create_run(mission="order-exception", dataset="ci", dataset_hash="h", config={}, cases_total=2)
    assert store.resolve("latest") == second
    other = EvalStore(tmp_path / "evals")  # another process's connection to the same store
    other.add_result(first, {"case_id": "C-1", "kind": "oversell", "agree": True})
    store.add_result(first, {"case_id": "C-2", "kind": "oversell", "agree": False})
    other.add_result(first, {"case_id": "C-2", "kind": "oversell", "agree": True})  # a retried case
    assert store.finished_case_ids(first) == {"C-1", "C-2"}
    assert store.has_result(first, "C-1")  # what a worker asks per job
    assert not store.has_result(second, "C-1")
    assert not store.has_result(first, "C-3")
    assert [r["agree"] for r in store.results(first)] == [True, True]
    assert store.get_run(first)["cases_done"] == 2
    assert [r["run_id"] for r in list_eval_runs(tmp_path)] == [second, first]
    store.close()
    other.close()
