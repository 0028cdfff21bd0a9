"""The evaluation harness end to end: hermetic replay through real MCP servers and the real policy index.

A fixed set of four recorded cases is replayed with a scripted LLM reasoner, so every proposal (and so every
score) is known in advance and checked against values computed by hand; the CI slice of the historical set is
replayed with the offline reasoner as a regression gate with explicit thresholds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.evals.harness import evaluate
from ai_missions.evals.report import headline
from ai_missions.evals.solve import EvalConfig, open_knowledge, solve
from ai_missions.evals.store import EvalStore, list_eval_runs
from ai_missions.graphs.order_exception.evals import CI_SLICE
from ai_missions.kernel.cases import Case, dataset_hash, load_cases, write_cases
from ai_missions.kernel.missions import get_mission
from ai_missions.testing import ScriptedChatModel, scripted, verdict_call
from tests.support.built_index import built_index

pytestmark = pytest.mark.slow

FIXED = ("s11-SO-101676", "s11-SO-101662", "s11-SO-101663", "s11-SO-101414")
CITED = ["PAY-001", "PAY-002", "PAY-003", "ORD-001", "GOV-002"]

#: The CI gate: the offline reasoner on the CI slice must stay at or above these.
GATE = {
    "outcome_agreement": 0.70,
    "action_f1": 0.70,
    "state_match_rate": 0.45,
    "citation_rate": 0.95,
    "warranted_escalation_rate": 0.50,
}
GATE_MAX = {"unsafe_case_rate": 0.15, "errors": 0}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the policy index built, and no book: the harness never needs MISSIONS_HOME's systems."""
    home = tmp_path_factory.mktemp("evalhome")
    built_index(tmp_path_factory, home)
    return home


@pytest.fixture(scope="module")
def knowledge(home: Path) -> Any:
    return open_knowledge(home)


@pytest.fixture(scope="module")
def ci_cases() -> list[Case]:
    return load_cases(CI_SLICE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EvalStore]:
    store = EvalStore(tmp_path / "evals")
    yield store
    store.close()


def _by_id(cases: list[Case], case_id: str) -> Case:
    return next(c for c in cases if c.case_id == case_id)


def _evaluated(
    store: EvalStore, cases: list[Case], dataset: Path, config: EvalConfig, knowledge: Any
) -> tuple[str, dict[str, Any]]:
    """The cases written as a dataset file and evaluated as ``missions eval run`` does (the run recorded with the
    file's hash): the run's id and its summary."""
    write_cases(cases, dataset)
    run_id = store.create_run(
        mission="order-exception",
        dataset=str(dataset),
        dataset_hash=dataset_hash(dataset),
        config=config.recorded(),
        cases_total=len(cases),
    )
    return run_id, evaluate(store, run_id, cases, config, knowledge)


def _step(tool: str, **args: Any) -> dict[str, Any]:
    return {"tool": tool, "args": args, "why": "scripted", "policy_ids": CITED}


def _rows(case: Case, system: str, table: str) -> list[dict[str, Any]]:
    return [r for r in case.snapshot["systems"][system][table] if r.get("order_id") == case.subject_id]


def scripted_verdicts(cases: list[Case]) -> list[dict[str, Any]]:
    """What the scripted model proposes for the fixed set, in order."""
    double, _, risky, expiring = cases
    refund, message = (a.args for a in double.resolution.actions)
    auth = _rows(expiring, "payments", "authorizations")[0]
    return [
        {  # 1. exactly what the people did
            "outcome": "proceed",
            "actions": [_step("refund_payment", **refund), _step("send_customer_message", **message)],
            "confidence": 0.9,
            "summary": "Refund the duplicate capture and tell the customer.",
        },
        {"outcome": "escalate", "actions": [], "confidence": 0.6, "summary": "Finance settles this."},  # 2. warranted
        {  # 3. releases a high-risk order the people cancelled: two unsafe actions
            "outcome": "proceed",
            "actions": [
                _step("release_payment_hold", order_id=risky.subject_id),
                _step("release_to_fulfillment", order_id=risky.subject_id),
            ],
            "confidence": 0.7,
            "summary": "Release it.",
        },
        {  # 4. captures more than authorized: the guard escalates; one unsafe action, caught
            "outcome": "proceed",
            "actions": [
                _step(
                    "capture_payment",
                    authorization_id=auth["authorization_id"],
                    amount=round(auth["amount_cents"] / 100 + 50, 2),
                )
            ],
            "confidence": 0.8,
            "summary": "Capture now.",
        },
    ]


def test_fixed_set_scores_match_hand_computed_values(
    knowledge: Any, ci_cases: list[Case], store: EvalStore, tmp_path: Path
) -> None:
    cases = [_by_id(ci_cases, case_id) for case_id in FIXED]
    assert [c.kind for c in cases] == [
        "double_charge",
        "duplicate_order+double_charge",
        "payment_review",
        "auth_expiring",
    ]
    model = scripted([verdict_call(v) for v in scripted_verdicts(cases)])
    config = EvalConfig(reasoner="llm", concurrency=1, workers=1, chat_model=model)
    dataset = tmp_path / "fixed.jsonl"
    run_id, summary = _evaluated(store, cases, dataset, config, knowledge)
    results = {r["case_id"]: r for r in store.results(run_id)}
    assert len(model.prompts) == 4

    one, two, three, four = (results[c] for c in FIXED)
    assert (one["agree"], one["tp"], one["fp"], one["fn"], one["unsafe"], one["state_match"]) == (
        True,
        2,
        0,
        0,
        [],
        True,
    )
    assert one["reviewer"] == "omar"  # a refund of 831.58 and a customer message: the ops lead may approve both
    assert one["executed"] == ["refund_payment:done", "send_customer_message:done"]
    assert (two["agree"], two["escalated"], two["warranted"], two["f1"], two["state_match"]) == (
        True,
        True,
        True,
        1.0,
        True,
    )
    assert (three["agree"], three["tp"], three["fp"], three["fn"], three["state_match"]) == (False, 0, 2, 4, False)
    assert [u["tool"] for u in three["unsafe"]] == ["release_payment_hold", "release_to_fulfillment"]
    assert three["executed"] == ["release_payment_hold:rejected", "release_to_fulfillment:rejected"]
    assert any("erp.orders" in d and "cancelled" in d for d in three["state_diff"])
    assert (four["outcome"], four["agree"], four["tp"], four["fp"], four["fn"]) == ("escalate", False, 0, 0, 1)
    assert (four["guard_caught"], four["warranted"], four["state_match"]) == (True, False, False)
    assert len(four["unsafe"]) == 1
    assert any("exceeds the authorized" in r for r in four["unsafe"][0]["reasons"])

    o = summary["overall"]
    assert o["cases"] == 4
    assert o["errors"] == 0
    assert o["outcome_agreement"] == 0.5
    assert o["action_precision"] == pytest.approx(2 / 4)  # TP 2, FP 2
    assert o["action_recall"] == pytest.approx(2 / 7)  # FN 5
    assert o["action_f1"] == pytest.approx(2 * (1 / 2) * (2 / 7) / (1 / 2 + 2 / 7))
    assert o["mean_case_f1"] == 0.5
    assert (o["unsafe_actions"], o["unsafe_case_rate"], o["unsafe_caught_by_guard"]) == (3, 0.5, 1)
    assert (o["escalation_rate"], o["warranted_escalation_rate"], o["escalation_recall"]) == (0.5, 0.5, 1.0)
    assert o["citation_rate"] == 1.0
    assert o["state_match_rate"] == 0.5
    assert (o["llm_calls"], o["llm_errors"], o["input_tokens"], o["output_tokens"]) == (4, 0, 3600, 480)
    assert summary["confusion"]["proceed"]["proceed"] == 1
    assert summary["confusion"]["proceed"]["escalate"] == 1
    assert summary["confusion"]["cancel"]["proceed"] == 1
    assert summary["confusion"]["escalate"]["escalate"] == 1
    assert summary["per_type"]["double_charge"]["outcome_agreement"] == 1.0
    assert summary["per_type"]["payment_review"]["outcome_agreement"] == 0.0
    assert summary["per_kind"]["duplicate_order+double_charge"]["cases"] == 1
    run = store.get_run(run_id)
    assert run["status"] == "finished"
    assert run["dataset_hash"] == dataset_hash(dataset)
    assert run["config"]["reasoner"] == "llm"
    assert "chat_model" not in run["config"]


class Unreachable(ScriptedChatModel):
    """An endpoint that is down: every call fails, as a timeout would."""

    def _generate(self, messages: list[Any], *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("endpoint unreachable")


def test_a_failed_model_call_is_counted_not_read_as_judgment(
    knowledge: Any, ci_cases: list[Case], store: EvalStore, tmp_path: Path
) -> None:
    cases = [_by_id(ci_cases, FIXED[0])]
    config = EvalConfig(
        reasoner="llm", concurrency=1, workers=1, chat_model=Unreachable(messages=iter([])), llm_timeout_s=5
    )
    assert config.context().llm_timeout_s == 5
    # the scripted model is exhausted: it raises
    run_id, summary = _evaluated(store, cases, tmp_path / "one.jsonl", config, knowledge)
    o = summary["overall"]
    assert (o["llm_calls"], o["llm_errors"], o["escalation_rate"]) == (1, 1, 1.0)
    assert "LLM calls 1 (1 failed" in headline(summary, run_id)


def test_ci_regression_gate_on_the_fixed_slice(knowledge: Any, ci_cases: list[Case], store: EvalStore) -> None:
    config = EvalConfig(concurrency=2, workers=1)
    run_id = store.create_run(
        mission="order-exception",
        dataset=str(CI_SLICE),
        dataset_hash="ci",
        config=config.recorded(),
        cases_total=len(ci_cases),
    )
    summary = evaluate(store, run_id, ci_cases, config, knowledge)
    overall = summary["overall"]
    below = {k: overall[k] for k, floor in GATE.items() if overall[k] is None or overall[k] < floor}
    above = {k: overall[k] for k, ceiling in GATE_MAX.items() if overall[k] > ceiling}
    assert not below, f"below the gate: {below} (floors {GATE})"
    assert not above, f"above the gate: {above} (ceilings {GATE_MAX})"
    assert overall["cases"] == len(ci_cases)
    assert set(summary["per_type"]) == {t for c in ci_cases for t in c.trigger.case_types}


def test_an_interrupted_run_resumes_without_redoing_cases(
    knowledge: Any, ci_cases: list[Case], store: EvalStore, missions_home: Path
) -> None:
    cases = ci_cases[:5]
    config = EvalConfig(concurrency=1, workers=1)
    run_id = store.create_run(
        mission="order-exception", dataset="x", dataset_hash="h", config=config.recorded(), cases_total=5
    )

    asyncio.run(solve(cases[:2], config, knowledge, on_result=lambda r: store.add_result(run_id, r)))
    assert store.finish(run_id) is not None
    assert store.get_run(run_id)["status"] == "partial"
    replayed: list[str] = []
    summary = evaluate(store, run_id, cases, config, knowledge, progress=lambda d, t, r: replayed.append(r["case_id"]))
    assert replayed == [c.case_id for c in cases[2:]]
    assert summary["overall"]["cases"] == 5
    assert store.get_run(run_id)["status"] == "finished"
    assert not (missions_home / "systems").exists()  # the live book was never touched


def test_cli_run_in_worker_processes_and_dashboard_listing(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    code = main(["eval", "run", "--dataset", str(CI_SLICE), "--limit", "4", "--workers", "2", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["overall"]["cases"] == 4
    assert out["overall"]["errors"] == 0
    runs = list_eval_runs(home)
    assert runs[0]["run_id"] == out["run_id"]
    assert runs[0]["labels"]["cases"] == "4/4"
    assert runs[0]["labels"]["reasoner"] == "offline"
    assert "outcome_agreement" in runs[0]["metrics"]
    assert not (home / "systems").exists()


def test_the_demo_step_records_a_short_run_and_prints_its_headline(
    home: Path,
    ci_cases: list[Case],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ai_missions.cli.demo import _eval_step
    from ai_missions.evals import harness

    dataset = tmp_path / "short.jsonl"
    write_cases(ci_cases[:3], dataset)
    run_id, summary = asyncio.run(harness.quick_eval(home, "order-exception", dataset))
    assert summary["overall"]["cases"] == 3
    assert summary["seconds"] > 0
    assert list_eval_runs(home)[0]["run_id"] == run_id
    assert "outcome agreement" in headline(summary, run_id)

    async def short(home: Path, mission: Any, dataset: Any = None, **_: Any) -> tuple[str, dict[str, Any]]:
        return run_id, summary

    monkeypatch.setattr(harness, "quick_eval", short)  # the demo's step, without replaying again
    asyncio.run(_eval_step(home, get_mission("order-exception")))
    out = capsys.readouterr().out
    assert f"Eval run {run_id}: 3 cases" in out
    assert f"missions eval report {run_id}" in out


def test_a_case_whose_subject_is_not_in_its_snapshot_is_an_error_of_that_case_only(
    knowledge: Any, ci_cases: list[Case]
) -> None:
    """Sandboxes skip the runtime's up-front subject read (the case just loaded its snapshot); a case whose order is
    missing from it still fails on the mission's own first read, as an error of that case, and the next case runs."""
    case = ci_cases[0]
    missing = case.trigger.model_copy(update={"subject_id": "SO-999999"})
    broken = case.model_copy(update={"case_id": "broken", "trigger": missing})
    assert broken.subject_id == "SO-999999"
    results: list[dict[str, Any]] = []
    config = EvalConfig(mission="order-exception", workers=1, concurrency=1)
    asyncio.run(solve([broken, ci_cases[1]], config, knowledge, on_result=results.append))
    by_id = {r["case_id"]: r for r in results}
    assert "SO-999999" in by_id["broken"]["error"]
    assert by_id["broken"]["agree"] is False
    assert "error" not in by_id[ci_cases[1].case_id]


def test_cases_are_sandboxes_and_a_role_named_decider_is_a_user_of_that_role(
    knowledge: Any, ci_cases: list[Case]
) -> None:
    """Two cases on one subject in one run: the first names a role whose users may not decide an order case, and
    fails in one line naming it (no fallback to the first account, which the authorization point would refuse); the
    decision it leaves open does not block the second, whose role's user decides it."""
    paused = _by_id(ci_cases, "s11-SO-101414")
    assert paused.resolution.actions
    cases = [
        paused.model_copy(
            update={
                "case_id": f"{role}-{paused.case_id}",
                "resolution": paused.resolution.model_copy(update={"decided_by": role}),
            }
        )
        for role in ("support_agent", "ops_lead")
    ]
    results: list[dict[str, Any]] = []
    config = EvalConfig(mission="order-exception", workers=1, concurrency=1)
    asyncio.run(solve(cases, config, knowledge, on_result=results.append))
    refused, decided = (next(r for r in results if r["case_id"] == c.case_id) for c in cases)
    assert refused["error"].startswith(
        "ValidationError: the case names the role support_agent as its decider, and no roster user of it may decide it"
    )
    assert "\n" not in refused["error"]
    assert "error" not in decided, decided.get("error")
    assert decided["reviewer"] == "omar"
    assert decided["status"] == "closed"
