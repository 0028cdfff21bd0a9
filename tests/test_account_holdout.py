"""The account mission's holdout set: the shipped file is exactly what its scenarios write."""

from __future__ import annotations

from pathlib import Path


def test_the_account_holdout_set_is_what_its_scenarios_write_each_on_its_own_account(tmp_path: Path) -> None:
    from ai_missions.evals.cases import load_cases
    from ai_missions.graphs.account_save.evals import HOLDOUT
    from ai_missions.graphs.account_save.evals.holdout import build, write

    shipped = {c.case_id: c.model_dump(mode="json") for c in load_cases(HOLDOUT)}
    built = {c.case_id: c.model_dump(mode="json") for c in build()}
    assert 10 <= len(built) <= 20
    assert shipped == built
    rewritten = tmp_path / "holdout.jsonl.gz"
    write(rewritten)
    assert rewritten.read_bytes() == HOLDOUT.read_bytes()
    subjects = [c["trigger"]["subject_id"] for c in built.values()]
    assert len(set(subjects)) == len(subjects)
    assert all(c["mission"] == "account-save" and "holdout" in c["tags"] for c in built.values())
