"""Recorded exceptions: the case format and its errors, the labelling rules, the generated set, in-place loading."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.graphs.order_exception.evals import CI_SLICE, HISTORICAL
from ai_missions.graphs.order_exception.evals.labeller import NOISE_RATE, label
from ai_missions.integrations.scan import EXCEPTION_TYPES
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.snapshot import export_snapshot, load_snapshot_in_place
from ai_missions.integrations.systems import connect
from ai_missions.kernel.cases import Case, dataset_hash, load_cases, write_cases
from ai_missions.kernel.errors import ValidationError


@pytest.fixture(scope="module")
def historical() -> list[Case]:
    return load_cases(HISTORICAL)


def _line(case: Case, **changes: Any) -> str:
    data = json.loads(case.to_line())
    for dotted, value in changes.items():
        target = data
        *path, last = dotted.split("__")
        for part in path:
            target = target[part]
        target[last] = value
    return json.dumps(data)


def test_bad_lines_are_named_with_the_field_and_the_problem(historical: list[Case], tmp_path: Path) -> None:
    good = historical[0]
    path = tmp_path / "cases.jsonl"
    for bad, message in [
        (_line(good, resolution__outcome="approve"), "line 2: resolution.outcome: 'approve' is not one of proceed"),
        (
            _line(good, resolution__actions=[{"tool": "get_order", "args": {}}]),
            "line 2: resolution.actions.0.tool: 'get_order' is not an action of order-exception",
        ),
        (_line(good, trigger__subject_id="SO-999999"), "line 2: trigger.subject_id SO-999999 is not in the snapshot"),
        (_line(good, snapshot={"format": "x"}), "line 2: snapshot: not a snapshot"),
        (_line(good, mission="returns"), "line 2: mission: unknown mission 'returns'; expected one of"),
        ('{"case_id": "x",', "line 2: not JSON"),
        (good.to_line(), "line 2: case_id 's11-SO-100001' repeats line 1".replace("s11-SO-100001", good.case_id)),
    ]:
        path.write_text(good.to_line() + "\n" + bad + "\n")
        with pytest.raises(ValidationError, match="^cases.jsonl: " + re.escape(message)):
            load_cases(path)


def test_escalations_record_no_actions(historical: list[Case]) -> None:
    case = next(c for c in historical if c.resolution.actions)
    with pytest.raises(Exception, match="an escalated case records no actions"):
        Case.model_validate_json(_line(case, resolution__outcome="escalate"))


def test_write_and_read_back_gzip_and_plain_hash_alike(historical: list[Case], tmp_path: Path) -> None:
    some = historical[:5]
    assert write_cases(some, tmp_path / "a.jsonl.gz") == 5
    assert write_cases(some, tmp_path / "a.jsonl") == 5
    assert [c.case_id for c in load_cases(tmp_path / "a.jsonl.gz")] == [c.case_id for c in some]
    assert dataset_hash(tmp_path / "a.jsonl.gz") == dataset_hash(tmp_path / "a.jsonl")
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (
        write_cases(some, tmp_path / "b.jsonl.gz") and (tmp_path / "b.jsonl.gz").read_bytes()
    )


def test_historical_set_covers_every_type_combinations_noise_and_escalations(historical: list[Case]) -> None:
    assert len(historical) >= 1000
    types = Counter(t for c in historical for t in c.trigger.case_types)
    assert set(types) == set(EXCEPTION_TYPES)
    kinds = Counter(c.kind for c in historical)
    assert sum(1 for k in kinds if "+" in k) >= 10
    tags = Counter(t.split(":")[0] for c in historical for t in c.tags)
    noise = tags["noise"] / len(historical)
    assert abs(noise - NOISE_RATE) < 0.02, noise
    assert tags["warranted-escalation"] >= 50
    assert tags["judgment"] >= 50
    outcomes = Counter(c.resolution.outcome for c in historical)
    assert set(outcomes) == {"proceed", "hold", "cancel", "escalate"}
    ci = load_cases(CI_SLICE)
    assert {c.kind for c in ci} == set(kinds)
    assert {c.case_id for c in ci} <= {c.case_id for c in historical}


def test_generation_is_deterministic_and_the_stored_set_is_current(historical: list[Case], tmp_path: Path) -> None:
    out = tmp_path / "seed11.jsonl.gz"
    assert main(["eval", "generate", "--seeds", "11", "--out", str(out), "--json"]) == 0
    fresh = [c.to_line() for c in load_cases(out)]
    stored = [c.to_line() for c in historical if c.case_id.startswith("s11-")]
    assert fresh == stored, "evals/data is stale: run `missions eval generate`"
    assert (tmp_path / "seed11-ci.jsonl.gz").exists()


def _case(historical: list[Case], kind: str, where: Any = lambda c: True) -> Case:
    return next(c for c in historical if c.kind == kind and not any(t.startswith("noise") for t in c.tags) and where(c))


def test_labeller_duplicate_cancels_the_newer_order_and_releases_every_line(historical: list[Case]) -> None:
    case = _case(historical, "duplicate_order", lambda c: len(c.resolution.actions) > 4)
    tools = [a.tool for a in case.resolution.actions]
    assert tools[0] == "cancel_order"
    assert tools[-1] == "send_customer_message"
    reservations = [
        r["reservation_id"]
        for r in case.snapshot["systems"]["inventory"]["reservations"]
        if r["order_id"] == case.subject_id and r["status"] in ("pending", "confirmed")
    ]
    assert [
        a.args["reservation_id"] for a in case.resolution.actions if a.tool == "release_reservation"
    ] == reservations
    assert len(reservations) >= 2


def test_labeller_refunds_the_later_capture_of_a_double_charge(historical: list[Case]) -> None:
    case = _case(historical, "double_charge")
    captures = [c for c in case.snapshot["systems"]["payments"]["captures"] if c["order_id"] == case.subject_id]
    later = max(captures, key=lambda c: (c["captured_at"], c["capture_id"]))
    refund = case.resolution.actions[0]
    assert refund.tool == "refund_payment"
    assert refund.args["capture_id"] == later["capture_id"]
    assert refund.args["amount"] == later["amount_cents"] / 100


def test_labeller_judgment_calls_and_warranted_escalations(historical: list[Case]) -> None:
    risky = _case(historical, "payment_review", lambda c: "judgment:high-risk-cancel" in c.tags)
    assert risky.resolution.outcome == "cancel"
    assert [a.tool for a in risky.resolution.actions][:2] == ["cancel_order", "void_authorization"]
    both = _case(historical, "duplicate_order+double_charge")
    assert both.resolution.outcome == "escalate"
    assert "warranted-escalation" in both.tags
    large = _case(historical, "payment_review", lambda c: "judgment:large-order-recent-move" in c.tags)
    assert large.resolution.outcome == "hold"
    assert [a.tool for a in large.resolution.actions] == ["send_customer_message"]


def test_noise_is_seeded_per_case(historical: list[Case]) -> None:
    case = next(c for c in historical if any(t.startswith("noise") for t in c.tags))
    seed = int(case.case_id.split("-")[0][1:])
    again = label(case.snapshot, case.subject_id, case.trigger.case_types, seed=seed, case_key=case.case_id)
    assert again.resolution() == case.resolution.model_dump(mode="json")
    assert again.tags == case.tags


def test_in_place_load_resets_open_databases(missions_home: Path, historical: list[Case]) -> None:
    seed_book(60, 3, missions_home)
    before = export_snapshot(None, missions_home)
    held = connect("erp", missions_home)  # a server holding the file open
    case = historical[0]
    load_snapshot_in_place(case.snapshot, missions_home)
    orders = [r["order_id"] for r in held.execute("SELECT order_id FROM orders ORDER BY rowid")]
    assert orders == [o["order_id"] for o in case.snapshot["systems"]["erp"]["orders"]]
    assert export_snapshot([case.subject_id], missions_home)["systems"] == case.snapshot["systems"]
    load_snapshot_in_place(before, missions_home)
    assert held.execute("SELECT count(*) FROM orders").fetchone()[0] == 60
    held.close()
