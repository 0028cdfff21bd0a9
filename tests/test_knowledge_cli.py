"""``missions knowledge build|search|show|eval`` through the real command-line entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ai_missions.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES / "good", target)
    shutil.copy(FIXTURES / "bad" / "unknown-domain.md", target)
    return target


def test_build_search_show_eval(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    code, out, _ = run(capsys, "knowledge", "build", "--source", str(corpus))
    assert code == 0
    assert "added      6  CUS-001, FUL-001, GOV-001, INV-001, PAY-001, PAY-002" in out
    assert f"{corpus / 'unknown-domain.md'}:4: domain: 'marketing'" in out

    code, out, _ = run(capsys, "knowledge", "build", "--source", str(corpus), "--json")
    report = json.loads(out)
    assert (report["added"], report["updated"], report["removed"], report["chunks_embedded"]) == ([], [], [], 0)
    assert len(report["skipped"]) == 6
    assert report["problems"][0]["line"] == 4

    code, out, _ = run(capsys, "knowledge", "search", "release the fraud hold after an address change", "--k", "2")
    assert code == 0
    assert out.startswith("1. PAY-001 v3 §When a hold is released")

    code, out, _ = run(capsys, "knowledge", "search", "what to do", "--domain", "inventory", "--json")
    hits = json.loads(out)
    assert {h["policy_id"] for h in hits} == {"INV-001"}
    assert {"policy_id", "version", "title", "domain", "section", "text", "score"} <= set(hits[0])

    code, out, _ = run(capsys, "knowledge", "search", "anything", "--applies-to", "oversell", "--k", "10", "--json")
    assert {h["policy_id"] for h in json.loads(out)} == {"INV-001", "CUS-001", "GOV-001"}

    code, out, _ = run(capsys, "knowledge", "search", "expiry", "--effective-on", "2026-01-01", "--k", "20", "--json")
    assert "PAY-002" not in {h["policy_id"] for h in json.loads(out)}

    code, out, _ = run(capsys, "knowledge", "show", "PAY-001")
    assert out.startswith("PAY-001 v3: Payment review and fraud holds")
    assert "release-benign-address-change -> proceed" in out
    assert "## When a hold is released" in out

    code, out, _ = run(capsys, "knowledge", "show", "GOV-001", "--json")
    policy = json.loads(out)
    assert policy["approval_rules"][0] == {
        "tools": ["refund_payment", "capture_payment"],
        "roles": ["payments_lead"],
        "max_amount": 5000.0,
    }

    code, out, _ = run(capsys, "knowledge", "eval", "--questions", str(FIXTURES / "questions.jsonl"))
    assert code == 0
    assert "recall@3   1.000" in out
    assert "MRR" in out

    code, out, _ = run(capsys, "knowledge", "eval", "--questions", str(FIXTURES / "questions.jsonl"), "--json")
    assert json.loads(out)["questions"] == 5

    hard = corpus.parent / "hard.jsonl"
    hard.write_text('{"question": "who approves refunds", "expected": ["ORD-999"]}\n')
    code, out, _ = run(capsys, "knowledge", "eval", "--questions", str(hard), "--fail-under", "0.9")
    assert code == 1
    assert "recall@3   0.000" in out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], corpus: Path) -> None:
    code, _, err = run(capsys, "knowledge", "search", "refund")
    assert code == 2
    assert err.strip().startswith("missions: error: the knowledge index in ")
    run(capsys, "knowledge", "build", "--source", str(corpus))
    code, _, err = run(capsys, "knowledge", "show", "NOPE-404")
    assert (code, err.strip()) == (2, "missions: error: unknown policy 'NOPE-404'")
    code, _, err = run(capsys, "knowledge", "search", "x", "--effective-on", "soon")
    assert code == 2
    assert "not a date" in err
    assert len(err.strip().splitlines()) == 1


def test_build_of_a_missing_directory_reports_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "knowledge", "build", "--source", str(tmp_path / "nowhere"))
    assert code == 1
    assert "not a directory" in out
