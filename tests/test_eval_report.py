"""Eval reports, run comparisons and importing outside exports (no servers: synthetic results, a seeded book)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ai_missions.cli import main
from ai_missions.evals.replay import plan_responses
from ai_missions.evals.report import compare_runs, render_html, render_markdown
from ai_missions.evals.store import EvalStore
from ai_missions.graphs.order_exception.evals.importer import import_cases, parse_steps
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.knowledge_index.clauses import ApprovalRule

SAMPLES = Path(__file__).resolve().parent.parent / "graphs" / "order_exception" / "evals" / "samples"


def result(case_id: str, kind: str, gold: str, outcome: str | None, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "case_id": case_id,
        "kind": kind,
        "types": kind.split("+"),
        "tags": [],
        "gold_outcome": gold,
        "outcome": outcome,
        "agree": gold == outcome,
        "gold_actions": ["cancel_order(order_id=SO-1)"],
        "proposed_actions": ["cancel_order(order_id=SO-1)"]
        if gold == outcome
        else ["release_to_fulfillment(order_id=SO-1)"],
        "tp": 1 if gold == outcome else 0,
        "fp": 0 if gold == outcome else 1,
        "fn": 0 if gold == outcome else 1,
        "f1": 1.0 if gold == outcome else 0.0,
        "unsafe": [],
        "escalated": outcome == "escalate",
        "warranted": (gold == "escalate") if outcome == "escalate" else None,
        "policies": ["ORD-001@3"],
        "state_match": gold == outcome,
        "latency_ms": 40.0,
        "total_ms": 60.0,
    }
    return {**base, **extra}


def make_run(store: EvalStore, results: list[dict[str, Any]], reasoner: str = "offline") -> str:
    run_id = store.create_run(
        mission="order-exception",
        dataset="cases.jsonl",
        dataset_hash="abc",
        config={"reasoner": reasoner},
        cases_total=len(results),
    )
    for r in results:
        store.add_result(run_id, r)
    store.finish(run_id)
    return run_id


@pytest.fixture
def store(tmp_path: Path) -> EvalStore:
    return EvalStore(tmp_path / "evals")


UNSAFE = [
    {"tool": "release_to_fulfillment", "key": "release_to_fulfillment(order_id=SO-1)", "reasons": ["irreversible"]}
]
A = [
    result("c1", "duplicate_order", "cancel", "cancel"),
    result("c2", "payment_review", "cancel", "proceed", unsafe=UNSAFE),
    result("c3", "payment_review+auth_expiring", "escalate", "hold"),
    result("c4", "oversell", "proceed", "proceed"),
]
B = [
    result("c1", "duplicate_order", "cancel", "proceed"),  # regressed
    result("c2", "payment_review", "cancel", "cancel"),  # better
    result("c3", "payment_review+auth_expiring", "escalate", "escalate"),  # better
    result("c4", "oversell", "proceed", "proceed"),  # the same
]


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)


def test_markdown_and_html_reports(store: EvalStore) -> None:
    run_id = make_run(store, A)
    run, results = store.get_run(run_id), store.results(run_id)
    markdown = render_markdown(run, results)
    assert f"# Eval run {run_id}" in markdown
    assert "| outcome agreement | 50.0% |" in markdown
    assert "| payment_review | 2 | 0.0% |" in markdown
    assert "| cancel | 1 | 0 | 1 | 0 | 0 |" in markdown  # recorded cancel: 1 proceed, 1 cancel
    assert "c2 | payment_review | cancel | proceed" in markdown
    page = render_html(run, results)
    checker = _Checker()
    checker.feed(page)
    assert checker.tags.count("svg") == 2
    assert "rect" in checker.tags
    assert "<title>outcome agreement: 0.0%</title>" in page


def test_compare_finds_what_got_better_and_what_regressed(store: EvalStore) -> None:
    a, b = make_run(store, A), make_run(store, B)
    diff = compare_runs(store.get_run(a), store.results(a), store.get_run(b), store.results(b))
    assert diff["cases_compared"] == 4
    assert [e["case_id"] for e in diff["better"]] == ["c2", "c3"]
    assert [e["case_id"] for e in diff["worse"]] == ["c1"]
    agreement = next(d for d in diff["overall"] if d["metric"] == "outcome_agreement")
    assert (agreement["a"], agreement["b"], agreement["better"]) == (0.5, 0.75, True)
    unsafe = next(d for d in diff["overall"] if d["metric"] == "unsafe_actions")
    assert (unsafe["change"], unsafe["better"]) == (-1, True)


def test_cli_runs_report_and_compare(store: EvalStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = make_run(store, A), make_run(store, B)
    where = ["--store", str(tmp_path / "evals")]
    assert main(["eval", "runs", *where]) == 0
    assert a in capsys.readouterr().out
    assert main(["eval", "report", a[:20], *where, "--out", str(tmp_path / "out")]) == 0
    assert "## Disagreements" in capsys.readouterr().out
    assert (tmp_path / "out" / f"{a}.html").exists()
    assert main(["eval", "compare", a, "latest", *where]) == 0
    text = capsys.readouterr().out
    assert "Better (2):" in text
    assert "Regressed (1):" in text
    assert main(["eval", "compare", a, b, *where, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["b"] == b
    assert main(["eval", "report", "E-nope", *where]) == 2


def test_steps_are_parsed_with_quotes_and_numbers() -> None:
    assert parse_steps('refund_payment capture_id=CAP-1 amount=76.02 reason="duplicate capture"; add_note n=3') == [
        {"tool": "refund_payment", "args": {"capture_id": "CAP-1", "amount": 76.02, "reason": "duplicate capture"}},
        {"tool": "add_note", "args": {"n": 3}},
    ]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("book")
    seed_book(2000, 7, home)  # the demo book the sample export was recorded against
    return home


def test_import_the_sample_csv_export(book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = import_cases(SAMPLES / "oms_export.csv", SAMPLES / "oms_mapping.json", book)
    assert len(cases) == 10
    first = cases[0]
    assert first.case_id == "T-5001"
    assert first.resolution.outcome == "proceed"
    assert [a.tool for a in first.resolution.actions] == [
        "release_payment_hold",
        "confirm_reservation",
        "release_to_fulfillment",
    ]
    assert first.trigger.case_types == ["payment_review"]
    assert first.snapshot["scope"]["orders"] == ["SO-101851"]
    assert {c.kind for c in cases} >= {"oversell+phantom_inventory", "duplicate_order+double_charge"}
    assert cases[-1].resolution.outcome == "escalate"
    refund = cases[7].resolution.actions[0]
    assert (refund.tool, refund.args["amount"]) == ("refund_payment", 76.02)

    monkeypatch.setenv("MISSIONS_HOME", str(book))
    out = tmp_path / "imported.jsonl.gz"
    assert (
        main(
            [
                "eval",
                "import",
                str(SAMPLES / "oms_export.csv"),
                "--mapping",
                str(SAMPLES / "oms_mapping.json"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert [c.case_id for c in load_cases(out)] == [c.case_id for c in cases]


def test_a_mission_hands_over_its_importer_or_is_refused_in_one_line(tmp_path: Path) -> None:
    assert callable(plugin_of("order-exception").importer)
    with pytest.raises(NotFoundError, match=r"^the invoice-approval mission has no importer$"):
        plugin_of("invoice-approval").import_cases(tmp_path / "export.csv", tmp_path / "mapping.yaml", tmp_path)


def test_import_json_with_snapshot_files_and_json_actions(book: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(SAMPLES / "oms_export.csv", dtype=str, keep_default_na=False).head(3)
    cases = import_cases(SAMPLES / "oms_export.csv", SAMPLES / "oms_mapping.json", book)[:3]
    for i, case in enumerate(cases):
        (tmp_path / f"snap-{i}.json").write_text(json.dumps(case.snapshot))
    frame["snapshot_file"] = [f"snap-{i}.json" for i in range(3)]
    frame["actions"] = [json.dumps([a.model_dump() for a in c.resolution.actions]) for c in cases]
    export = tmp_path / "export.json"
    frame.to_json(export, orient="records")
    mapping = json.loads((SAMPLES / "oms_mapping.json").read_text())
    mapping["columns"]["snapshot"] = "snapshot_file"
    mapping["actions_format"] = "json"
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    again = import_cases(export, tmp_path / "mapping.json", home=tmp_path / "no-book-here")
    assert [c.resolution for c in again] == [c.resolution for c in cases]
    assert [c.snapshot for c in again] == [c.snapshot for c in cases]


def test_import_errors_name_the_row(book: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(SAMPLES / "oms_export.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[1, "resolution"] = "Maybe later"
    export = tmp_path / "bad.csv"
    frame.to_csv(export, index=False)
    with pytest.raises(
        ValidationError, match=r"^bad.csv: row 2 \(T-5002\): resolution.outcome: 'Maybe later' is not one of"
    ):
        import_cases(export, SAMPLES / "oms_mapping.json", book)
    frame.loc[1, "resolution"] = "On hold"
    frame.loc[2, "exception"] = "Alien invasion"
    frame.to_csv(export, index=False)
    with pytest.raises(ValidationError, match=r"row 3 \(T-5003\): exception type 'Alien invasion' is not mapped"):
        import_cases(export, SAMPLES / "oms_mapping.json", book)
    (tmp_path / "mapping.json").write_text(json.dumps({"columns": {"order_id": "order_number"}}))
    with pytest.raises(ValidationError, match="columns must map order_id, recorded_at, outcome"):
        import_cases(export, tmp_path / "mapping.json", book)


def _interrupt(index: int, tool: str, **args: Any) -> dict[str, Any]:
    return {
        "action_request": {"action": tool, "args": args},
        "metadata": {"action_index": index, "policy_ids": ["X@1"]},
    }


RULES = [
    ApprovalRule(
        tools=["reallocate_reservation", "confirm_reservation", "release_to_fulfillment"],
        roles=["ops_agent", "ops_lead"],
    ),
    ApprovalRule(tools=["capture_payment"], roles=["finance"]),
    ApprovalRule(tools=["capture_payment"], roles=["ops_lead"], max_amount=1000),
    ApprovalRule(tools=["adjust_stock"], roles=["ops_lead"]),
]


def test_recorded_decisions_accept_what_people_did_with_an_entitled_reviewer() -> None:
    interrupts = [
        _interrupt(0, "reallocate_reservation", reservation_id="R-1", to_location_id="DC-EAST"),
        _interrupt(1, "capture_payment", authorization_id="A-1", amount=120.0),
        _interrupt(2, "release_to_fulfillment", order_id="SO-1"),
    ]
    gold = [
        {"tool": "capture_payment", "args": {"authorization_id": "A-1", "amount": 120.0}},
        {"tool": "reallocate_reservation", "args": {"reservation_id": "R-1", "to_location_id": "DC-EAST"}},
    ]
    reviewer, responses = plan_responses(SPEC, interrupts, gold, RULES, preferred="ana")
    assert reviewer == "omar"  # ana may not approve captures; the ops lead may approve both
    assert [r["type"] for r in responses] == ["accept", "accept", "response"]
    big = [{**gold[0], "args": {"authorization_id": "A-1", "amount": 4300.0}}, gold[1]]
    interrupts[1]["action_request"]["args"]["amount"] = 4300.0
    reviewer, responses = plan_responses(SPEC, interrupts, big, RULES, preferred="fiona")
    assert reviewer == "fiona"  # nobody may approve both: the recorded decider approves what finance may
    assert [r["type"] for r in responses] == ["response", "accept", "response"]
    assert "fiona may not approve it" in responses[0]["args"]


def test_an_action_the_guard_refuses_without_a_rejected_one_is_rejected_too() -> None:
    facts = {"inventory.reservation_id": "R-1", "inventory.units_short": 2, "order.id": "SO-1"}
    interrupts = [
        _interrupt(0, "reallocate_reservation", reservation_id="R-1", to_location_id="DC-WEST"),
        _interrupt(1, "confirm_reservation", reservation_id="R-1"),
    ]
    gold = [
        {"tool": "reallocate_reservation", "args": {"reservation_id": "R-1", "to_location_id": "DC-EAST"}},
        {"tool": "confirm_reservation", "args": {"reservation_id": "R-1"}},
    ]
    _, responses = plan_responses(SPEC, interrupts, gold, RULES, facts=facts)
    assert responses[0]["type"] == "response"
    assert responses[1]["type"] == "response"
    assert "the reserved location is short" in responses[1]["args"]


def test_the_headline_of_a_mission_with_detection_and_automation_scorers_prints_them_once() -> None:
    from ai_missions.evals.report import headline

    overall = {
        "cases": 3,
        "errors": 0,
        "unsafe_actions": 0,
        "unsafe_caught_by_guard": 0,
        "detection_counts": {"tp": 2, "fp": 0, "tn": 1, "fn": 0},  # a table, not a rate: it has a line of its own
        "detection_precision": 1.0,
        "detection_false_positive_rate": 0.0,
        "detection_recall": 1.0,
        "automated_actions": 2,
        "automated_agreement": 1.0,
        "automated_unexpected": 0,
        "automated_unexpected_stock_or_money": 0,
    }
    text = headline({"overall": overall, "mission": "retail-exceptions", "per_type": {}}, "E-1")
    assert text.count("TP 2, FP 0, TN 1, FN 0") == 1
    assert text.count("automated actions 2") == 1


def test_a_decider_named_by_role_is_a_user_of_that_role_and_never_the_first_account() -> None:
    from ai_missions.evals.replay import deciders

    roster = {"ana": "ops_agent", "omar": "ops_lead", "fiona": "finance"}
    assert deciders("omar", roster) == ["omar", "ana", "fiona"]
    assert deciders("ops_lead", roster) == ["omar"]
    assert deciders("support team", roster) == ["ana", "omar", "fiona"]
    interrupts = [_interrupt(0, "capture_payment", authorization_id="A-1", amount=120.0)]
    gold = [{"tool": "capture_payment", "args": {"authorization_id": "A-1", "amount": 120.0}}]
    reviewer, responses = plan_responses(SPEC, interrupts, gold, RULES, roster=roster, preferred="finance")
    assert (reviewer, [r["type"] for r in responses]) == ("fiona", ["accept"])
    with pytest.raises(ValidationError, match=r"^the case names the role ops_agent as its decider, and no roster user"):
        plan_responses(SPEC, interrupts, gold, RULES, roster=roster, preferred="ops_agent")
