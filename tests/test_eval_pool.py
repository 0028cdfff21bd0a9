"""The local worker pool: processes forked from a warm server, each case replayed once, what the workers cost.

The pool's end-to-end use (``missions eval run --workers 2``) is tested in ``test_eval_harness``; here, what makes
it scale: the server's preload names modules that exist (a moved module would only make every worker slower, so
nothing else would notice) and each worker reports the CPU it spent on its set-up apart from its cases.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from ai_missions.evals.pool import preload_modules, run_in_workers
from ai_missions.evals.solve import EvalConfig
from ai_missions.graphs.order_exception.evals import CI_SLICE
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.missions import registry
from tests.support.built_index import built_index


@pytest.mark.parametrize("mission", sorted(registry()))
def test_every_module_the_fork_server_preloads_exists(mission: str) -> None:
    missing = [name for name in preload_modules(registry()[mission]) if importlib.util.find_spec(name) is None]
    assert missing == []


@pytest.mark.slow
def test_two_workers_replay_each_case_once_and_report_their_costs(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    home = tmp_path_factory.mktemp("poolhome")
    built_index(tmp_path_factory, home)
    cases = load_cases(CI_SLICE)[:5]
    results: list[dict[str, Any]] = []
    share = EvalConfig(mission="order-exception", workers=1, concurrency=1).recorded()
    costs = run_in_workers(cases, share, 2, Path(home), on_result=results.append)
    assert sorted(r["case_id"] for r in results) == sorted(c.case_id for c in cases)
    assert all(r.get("error") is None for r in results)
    # both workers report, and the cases they took from the one queue add up: each case replayed once (which worker
    # takes how many depends on which is free first)
    assert len(costs) == 2
    assert sum(c.cases for c in costs) == len(cases)
    assert all(c.setup > 0 for c in costs)
    assert all(c.per_case > 0 for c in costs if c.cases > 1)
