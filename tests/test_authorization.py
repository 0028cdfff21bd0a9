"""The one authorization point's rules (``ai_missions.services.authorization``), on hand-made rules and the missions'
own write tools: roles, amount limits, the person an ``approver_fact`` names, escalation, co-approval's "say no",
hand-offs, and what a customer may see."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services.authorization import (
    DecisionResource,
    Person,
    RunResource,
    answer,
    customer_of,
    decide_answer,
    may_approve,
    mission_resource,
    require,
    target,
)

RULES = [
    ApprovalRule(tools=["add_note"], roles=["ops_agent", "ops_lead", "customer_care", "finance"]),
    ApprovalRule(tools=["refund_payment", "capture_payment"], roles=["finance"]),
    ApprovalRule(tools=["refund_payment", "capture_payment"], roles=["ops_lead"], max_amount=1000),
    ApprovalRule(tools=["refund_payment", "capture_payment"], roles=["ops_agent"], max_amount=200),
    ApprovalRule(tools=["send_customer_message"], roles=["customer_care", "ops_lead"]),
    ApprovalRule(
        tools=["send_account_email"], roles=["account_owner", "account_manager"], approver_fact="account.approver"
    ),
    ApprovalRule(tools=["quarantine_stock"], roles=["store_ops", "retail_manager"]),
    ApprovalRule(tools=["post_payment"], roles=["ap_clerk"], max_amount=5000),
]

ANA, OMAR, FIONA, COLE = (
    Person("ana", "ops_agent"),
    Person("omar", "ops_lead"),
    Person("fiona", "finance"),
    Person("cole", "customer_care"),
)
CUSTOMER = Person("c-10195", "customer")
PRIYA = Person("priya", "ap_clerk")


def capture(amount: float) -> dict[str, Any]:
    return {"tool": "capture_payment", "args": {"order_id": "SO-1", "amount": amount}}


def decision(
    mission: str, *actions: dict[str, Any], facts: dict[str, Any] | None = None, **more: Any
) -> DecisionResource:
    return DecisionResource(
        decision_id="D-1",
        mission=mission_resource(mission, RULES),
        status=more.pop("status", "pending"),
        actions=tuple(actions),
        facts=facts or {},
        **more,
    )


def test_a_role_approves_within_its_amount_limit() -> None:
    small, large = decision("order-exception", capture(150)), decision("order-exception", capture(1670.73))
    assert answer(ANA, "approve", small, action=0)
    assert not answer(ANA, "approve", large, action=0)
    refused = answer(OMAR, "approve", large, action=0)
    assert not refused
    assert "exceeds the ops_lead approval limit of 1000.00" in refused.reason
    assert answer(FIONA, "approve", large)  # the whole decision: its only action
    assert not answer(COLE, "approve", small, action=0)


def test_rejecting_takes_the_standing_to_approve() -> None:
    large = decision("order-exception", capture(1670.73))
    assert answer(FIONA, "reject", large, action=0)
    for who in (ANA, OMAR, COLE):
        refused = answer(who, "reject", large)
        assert not refused
        assert "rejecting capture_payment takes the standing to approve it" in refused.reason


def test_an_edit_is_approved_as_edited_and_keeps_its_tool() -> None:
    small = decision("order-exception", capture(150))
    assert answer(ANA, "edit", small, action=0, edited={"args": {"order_id": "SO-1", "amount": 100}})
    assert not answer(ANA, "edit", small, action=0, edited={"args": {"order_id": "SO-1", "amount": 900}})
    swapped = answer(ANA, "edit", small, action=0, edited={"tool": "refund_payment", "args": {"amount": 1}})
    assert not swapped
    assert "not the tool" in swapped.reason


@pytest.mark.attack("42.7")
def test_a_customer_answers_no_decision_and_sees_none() -> None:
    small = decision("order-exception", capture(10), {"tool": "add_note", "args": {"text": "x"}})
    for verb in ("see", "approve", "edit", "reject", "hand_off"):
        refused = answer(CUSTOMER, verb, small, action=0 if verb != "hand_off" else None, to=FIONA)
        assert not refused, verb
        assert "a customer answers no decision" in refused.reason, verb
    with pytest.raises(ForbiddenError, match="a customer answers no decision"):
        require(CUSTOMER, "reject", small)


def test_co_approval_lets_a_reviewer_of_the_decision_say_no_and_nobody_else() -> None:
    shared = decision("order-exception", capture(1670.73), {"tool": "send_customer_message", "args": {"text": "hello"}})
    assert shared.shared
    assert answer(FIONA, "approve", shared)
    assert answer(COLE, "approve", shared)
    assert not answer(ANA, "approve", shared)
    assert answer(COLE, "reject", shared, action=0)  # a reviewer of this decision may say no to the capture
    assert not answer(ANA, "reject", shared, action=0)  # ana may approve none of its actions
    signed = decision(
        "order-exception",
        capture(1670.73),
        {"tool": "send_customer_message", "args": {"text": "hello"}},
        answered={0: "fiona"},
    )
    assert not answer(COLE, "reject", signed, action=0)  # already answered
    assert answer(COLE, "approve", signed)


@pytest.mark.attack("59.1")
def test_an_edit_takes_the_standing_to_approve_the_action_as_proposed_and_as_edited() -> None:
    """Issue 59, item 1: ana (ops_agent, limit 200) refused a 338.03 capture edited it to 150; omar (ops_lead, limit
    1,000) edited a 1,670.73 capture to 900. An edit rejects the proposed action too: it needs that standing."""
    over_ana, over_omar = decision("order-exception", capture(338.03)), decision("order-exception", capture(1670.73))
    for who, case, to in ((ANA, over_ana, 150), (OMAR, over_omar, 900), (ANA, over_omar, 150)):
        refused = answer(who, "edit", case, action=0, edited={"args": {"order_id": "SO-1", "amount": to}})
        assert not refused, (who, to)
        assert refused.reason.startswith("an edit rejects the action as proposed"), refused.reason
        assert "exceeds the" in refused.reason
        edit = {"type": "edit", "args": {"action": "capture_payment", "args": {"order_id": "SO-1", "amount": to}}}
        assert not decide_answer(who, case, [edit])
    assert answer(FIONA, "edit", over_omar, action=0, edited={"args": {"order_id": "SO-1", "amount": 900}})
    assert answer(OMAR, "edit", over_ana, action=0, edited={"args": {"order_id": "SO-1", "amount": 150}})
    # in a shared plan, where any reviewer of the decision may say no, an edit still takes both standings
    shared = decision("order-exception", capture(1670.73), {"tool": "send_customer_message", "args": {"text": "x"}})
    assert shared.shared
    assert answer(COLE, "reject", shared, action=0)
    assert not answer(COLE, "edit", shared, action=0, edited={"args": {"order_id": "SO-1", "amount": 10}})
    assert not answer(OMAR, "edit", shared, action=0, edited={"args": {"order_id": "SO-1", "amount": 900}})


def test_the_person_an_approver_fact_names_decides_and_sees() -> None:
    email = {"tool": "send_account_email", "args": {"account_id": "A-1", "body": "hi"}}
    mine = decision("account-save", email, facts={"account.approver": "ava"})
    ava, ben = Person("ava", "account_owner"), Person("ben", "account_owner")
    assert answer(ava, "approve", mine)
    assert answer(ava, "see", mine)
    assert answer(ava, "reject", mine)
    for verb in ("approve", "reject", "see"):
        assert not answer(ben, verb, mine), verb
    assert not answer(ava, "approve", decision("account-save", email))  # the fact unknown: fails closed


def test_a_hand_off_needs_a_target_who_may_approve_an_open_action() -> None:
    large = decision("order-exception", capture(1670.73))
    roster = {"ana": "ops_agent", "omar": "ops_lead", "fiona": "finance", "c-1": "customer"}
    refused = answer(FIONA, "hand_off", large, to=target("omar", roster))
    assert not refused
    assert "may approve none of the open actions" in refused.reason
    assert answer(OMAR, "hand_off", large, to=target("fiona", roster))
    assert answer(OMAR, "hand_off", large, to=target("finance", roster))  # a role that may
    assert not answer(OMAR, "hand_off", large, to=target("c-1", roster))
    assert target("nobody", roster) is None
    assert not answer(Person("priya", "ap_clerk"), "hand_off", large, to=target("fiona", roster))  # sees it not


def test_an_escalated_action_takes_an_escalation_role() -> None:
    escalated = {"tool": "quarantine_stock", "args": {"sku": "S-1"}, "action_tier": "escalate"}
    plan = decision("retail-exceptions", escalated)
    assert not answer(Person("rhea", "store_ops"), "approve", plan)
    assert answer(Person("vik", "retail_manager"), "approve", plan)


def test_a_decided_decision_is_no_longer_answered() -> None:
    done = decision("order-exception", capture(10), status="decided")
    assert not answer(FIONA, "approve", done)
    assert not answer(FIONA, "reject", done)
    assert answer(FIONA, "see", done)


@pytest.mark.attack("42.8")
def test_missions_are_seen_and_started_by_their_reviewers_runs_by_their_customer() -> None:
    orders, invoices = mission_resource("order-exception", RULES), mission_resource("invoice-approval", RULES)
    assert answer(ANA, "start", orders)
    assert answer(COLE, "see", orders)
    assert not answer(COLE, "see", invoices)
    assert not answer(COLE, "start", invoices)
    assert answer(PRIYA, "start", invoices)
    assert not answer(CUSTOMER, "start", orders)
    assert not answer(CUSTOMER, "see", orders)
    assert customer_of(CUSTOMER) == "C-10195"
    assert customer_of(ANA) is None
    own, other, unknown = (RunResource("R-1", orders, c) for c in ("C-10195", "C-2", None))
    assert answer(CUSTOMER, "see", own)
    assert not answer(CUSTOMER, "see", other)
    assert not answer(CUSTOMER, "see", unknown)
    assert answer(ANA, "see", other)
    assert not answer(PRIYA, "see", other)


def test_may_approve_is_the_decide_answer() -> None:
    small = decision("order-exception", capture(150), {"tool": "send_customer_message", "args": {"text": "x"}})
    assert not small.shared  # ops_lead may approve it all
    assert may_approve(OMAR, small)
    assert not may_approve(ANA, small)  # the message is not hers: decide --approve would be refused
    assert not may_approve(COLE, small)
