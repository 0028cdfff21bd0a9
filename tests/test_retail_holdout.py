"""The retail holdout set (written from the policies alone, outside the generator and its labeller): its orders are
none of the generated sets' (the file itself is checked with the other missions' in ``test_holdout_sets.py``)."""

from __future__ import annotations

from ai_missions.graphs.retail_exceptions.evals import CI_SLICE, HISTORICAL, HOLDOUT
from ai_missions.graphs.retail_exceptions.evals.holdout import build, goodwill
from ai_missions.kernel.cases import load_cases


def test_the_holdout_orders_are_none_of_the_generated_sets() -> None:
    generated = {c.trigger.subject_id for path in (HISTORICAL, CI_SLICE) for c in load_cases(path)}
    assert not generated & {c.trigger.subject_id for c in load_cases(HOLDOUT)}


def test_every_holdout_case_states_its_detection_truth_and_a_note_on_every_decided_case() -> None:
    for case in build():
        assert ("labelled:exception" in case.tags) != ("labelled:clean" in case.tags), case.case_id
        tools = [a.tool for a in case.resolution.actions]
        assert case.resolution.outcome == "escalate" or tools[-1] == "add_order_note", case.case_id


def test_goodwill_follows_the_service_policy_bounds() -> None:
    assert goodwill(30.0) == 5.0
    assert goodwill(69.98) == 7.0
    assert goodwill(899.97) == 50.0
