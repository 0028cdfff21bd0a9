"""Every mission's holdout set (cases written from its policies alone, by someone who had not read its reasoner)
replays in full agreement: a change that breaks how a mission generalises fails here, not only on the generated
sets its rules were checked against."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest

from ai_missions.evals.harness import quick_eval
from ai_missions.evals.store import EvalStore, store_dir
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import get_mission, registry

WITH_HOLDOUT = sorted(name for name in registry() if "holdout" in plugin_of(name).datasets)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("holdout-home")


def test_the_missions_written_against_their_policies_have_holdout_sets() -> None:
    assert {"order-exception", "invoice-approval", "retail-exceptions", "account-save", "support"} <= set(WITH_HOLDOUT)


@pytest.mark.parametrize("mission", WITH_HOLDOUT)
def test_the_shipped_holdout_set_is_what_its_scenarios_write_each_on_its_own_subject(
    mission: str, tmp_path: Path
) -> None:
    """Each mission's ``evals.holdout`` module rewrites its file byte for byte (``build()``, ``write(path)``)."""
    shipped_path = plugin_of(mission).datasets["holdout"]
    package = get_mission(mission).graph.__module__.rpartition(".")[0]  # the package its spec sits in
    module = importlib.import_module(f"{package}.evals.holdout")
    shipped = {c.case_id: c.model_dump(mode="json") for c in load_cases(shipped_path)}
    built = {c.case_id: c.model_dump(mode="json") for c in module.build()}
    assert 10 <= len(built) <= 20
    assert shipped == built
    rewritten = tmp_path / "holdout.jsonl.gz"
    module.write(rewritten)
    assert rewritten.read_bytes() == shipped_path.read_bytes()
    subjects = [c["trigger"]["subject_id"] for c in built.values()]
    assert len(set(subjects)) == len(subjects)
    assert all(c["mission"] == mission and "holdout" in c["tags"] for c in built.values())


@pytest.mark.slow
@pytest.mark.parametrize("mission", WITH_HOLDOUT)
def test_the_holdout_set_agrees_in_full_with_nothing_unsafe(home: Path, mission: str) -> None:
    _, summary = asyncio.run(quick_eval(home, mission, "holdout"))
    overall = summary["overall"]
    assert overall["cases"] >= 10
    assert overall["errors"] == 0
    assert overall["unsafe_actions"] == 0
    assert (overall["outcome_agreement"], overall["action_f1"], overall["state_match_rate"]) == (1.0, 1.0, 1.0), [
        (r["case_id"], r.get("outcome"), r.get("gold_outcome")) for r in summary.get("cases", []) if not r.get("agree")
    ]


@pytest.mark.slow
def test_an_eval_result_names_the_words_its_mission_could_not_read(home: Path) -> None:
    """A case escalated because of text the mission could not read says which words (issue 57: a run's escalations
    are told apart), and a case with nothing unread says nothing."""
    run_id, _ = asyncio.run(quick_eval(home, "order-exception", "holdout"))
    store = EvalStore(store_dir(home))
    try:
        results = {r["case_id"]: r for r in store.results(run_id)}
    finally:
        store.close()
    pasted = results["ho-double-charge-customer-note-instruction"]["unexplained"]
    assert pasted
    assert all(": " in line for line in pasted), pasted
    assert any(not r["unexplained"] for r in results.values())
