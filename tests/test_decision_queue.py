"""The Decision Queue's store and the approval rules: indexed listing, one winner, roles and limits."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ai_missions.graphs.order_exception.tools import TOOLS as ORDER_TOOLS
from ai_missions.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.services.authorization import DecisionResource, Person, mission_resource, require
from ai_missions.services.governance import approval_problems, default_roster, load_roster, role_of


def rules() -> list[ApprovalRule]:
    return [rule for policy in load_corpus().policies for rule in policy.approval_rules]


def test_approval_policy_limits_refunds_by_role() -> None:
    refund = {"tool": "refund_payment", "args": {"capture_id": "CAP-1", "amount": 750.0}}
    assert approval_problems("finance", [refund], rules(), ORDER_TOOLS) == []
    assert any("limit" in p for p in approval_problems("ops_agent", [refund], rules(), ORDER_TOOLS))
    small = {"tool": "refund_payment", "args": {"capture_id": "CAP-1", "amount": 20.0}}
    assert approval_problems("ops_agent", [small], rules(), ORDER_TOOLS) == []


def test_customer_messages_need_a_customer_facing_role() -> None:
    message = {"tool": "send_customer_message", "args": {"customer_id": "CU-1"}}
    plan = DecisionResource("D-1", mission_resource("order-exception", rules()), "pending", (message,), facts={})
    with pytest.raises(ForbiddenError, match="send_customer_message"):
        require(Person("ana", "ops_agent"), "approve", plan)
    require(Person("cole", "customer_care"), "approve", plan)


def test_every_write_tool_is_covered_by_an_approval_rule() -> None:
    from ai_missions.graphs.order_exception.tools import TOOLS as ORDER_TOOLS

    covered = {tool for rule in rules() for tool in rule.tools}
    assert covered | {"*"} >= set(ORDER_TOOLS) or "*" in covered, set(ORDER_TOOLS) - covered


def test_roster_defaults_and_overrides(tmp_path: Path) -> None:
    assert load_roster(tmp_path) == default_roster()
    (tmp_path / "reviewers.json").write_text('{"zoe": "finance"}')
    assert role_of("zoe", load_roster(tmp_path)) == "finance"
    with pytest.raises(NotFoundError, match="unknown reviewer"):
        role_of("mallory", load_roster(tmp_path))


def queued(store: RunStore, decision_id: str = "D-1") -> None:
    store.create_run("R-1", mission="order-exception", subject_id="SO-1", reasoner="offline", case_types=[])
    assert store.open_decision(
        decision_id, run_id="R-1", mission="order-exception", subject_id="SO-1", request={"interrupts": []}
    )


@pytest.mark.usefixtures("store_backend")
def test_opening_the_same_decision_twice_queues_it_once(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    queued(store)
    assert not store.open_decision(
        "D-1", run_id="R-1", mission="order-exception", subject_id="SO-1", request={"interrupts": []}
    )
    assert [d.decision_id for d in store.pending_decisions()] == ["D-1"]


@pytest.mark.usefixtures("store_backend")
def test_concurrent_claims_have_exactly_one_winner(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    queued(store)
    winners, losers = [], []
    barrier = threading.Barrier(8)

    def claim(name: str) -> None:
        barrier.wait()
        try:
            store.claim_decision("D-1", reviewer=name, role="ops_lead", response={"by": name})
            winners.append(name)
        except ConflictError as exc:
            losers.append(str(exc))

    threads = [threading.Thread(target=claim, args=(f"r{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert len(losers) == 7
    assert all(f"already decided by {winners[0]}" in message for message in losers)
    assert store.get_decision("D-1").response == {"by": winners[0]}
    assert store.count_pending() == 0


def test_pending_listing_uses_the_status_index(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    queued(store)
    plan = (
        store._db()
        .execute("EXPLAIN QUERY PLAN SELECT * FROM decisions WHERE status = 'pending' ORDER BY created_at LIMIT 50")
        .fetchall()
    )
    detail = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX decisions_by_status" in detail
    assert "TEMP B-TREE" not in detail  # served in index order, no sort of every pending row


@pytest.mark.usefixtures("store_backend")
def test_audit_trail_keeps_order_and_gap_free_sequence(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    queued(store)
    store.append_events("R-1", [{"kind": "observation", "finding": "a"}, {"kind": "verdict", "summary": "b"}])
    store.append_events("R-1", [{"kind": "decision", "summary": "c", "actor": "omar (ops_lead)"}])
    trail = store.events("R-1")
    assert [e["seq"] for e in trail] == [1, 2, 3]
    assert [e["summary"] for e in trail] == ["a", "b", "c"]
    assert trail[2]["actor"] == "omar (ops_lead)"
