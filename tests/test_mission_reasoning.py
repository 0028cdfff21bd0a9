"""The offline reasoner on the real policy corpus, and the guard that checks any reasoner."""

from __future__ import annotations

from functools import cache

import pytest

from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.knowledge_index.policies import Policy, load_corpus
from ai_missions.nodes.guard import check_actions, guard
from ai_missions.nodes.offline_reasoner import reason
from ai_missions.nodes.state import ProposedAction, Verdict
from tests.support.facts import story_facts


@cache
def corpus() -> tuple[Policy, ...]:
    loaded = load_corpus()
    assert not loaded.problems
    return tuple(loaded.policies)


def decide(facts: dict) -> Verdict:
    relevant = [p for p in corpus() if any(p.applies(t) for t in facts["exception.types"])]
    return reason(SPEC, relevant, facts)


def tools(verdict: Verdict) -> list[str]:
    return [a["tool"] for a in verdict["actions"]]


def test_flagship_story_proceeds_with_release_confirm_fulfil_in_that_order() -> None:
    verdict = decide(story_facts())
    assert verdict["outcome"] == "proceed"
    assert tools(verdict) == ["release_payment_hold", "confirm_reservation", "release_to_fulfillment"]
    assert verdict["actions"][1]["args"] == {"reservation_id": "RSV-1"}
    assert all(a["policy_ids"] and a["tier"] == "review" for a in verdict["actions"])
    assert any(p.startswith("PAY-001@") for p in verdict["policy_ids"])
    assert guard(SPEC, verdict, story_facts()) == (verdict, [])


def test_genuinely_risky_payment_is_held_not_released() -> None:
    facts = story_facts(
        payment__fraud_score=91,
        payment__fraud_reasons=["velocity", "risky_ip", "new_shipping_address"],
        payment__fraud_only_address_change=False,
        customer__tenure_years=0.1,
    )
    verdict = decide(facts)
    assert verdict["outcome"] == "hold"
    assert "release_payment_hold" not in tools(verdict)
    assert "release_to_fulfillment" not in tools(verdict)


def test_vip_exception_overrides_the_fraud_hold() -> None:
    facts = story_facts(
        customer__tier="vip",
        customer__is_vip=True,
        payment__fraud_score=85,
        payment__fraud_reasons=["velocity", "new_shipping_address"],
        payment__fraud_only_address_change=False,
    )
    verdict = decide(facts)
    assert verdict["outcome"] == "proceed"
    assert any(p.startswith("CUS-002@") for p in verdict["policy_ids"])


def test_vip_exception_never_overrides_card_or_device_signals() -> None:
    facts = story_facts(
        customer__tier="vip",
        customer__is_vip=True,
        payment__fraud_score=85,
        payment__fraud_reasons=["card_country_mismatch", "risky_ip"],
        payment__fraud_only_address_change=False,
        payment__fraud_card_or_device=True,
    )
    verdict = decide(facts)
    assert verdict["outcome"] == "hold"
    assert "release_payment_hold" not in tools(verdict)


def test_a_cancelled_duplicate_releases_every_reservation_of_it() -> None:
    facts = story_facts(
        exception__types=["duplicate_order"],
        order__status="pending",
        payment__hold_active=False,
        payment__fraud_score=5,
        payment__fraud_reasons=[],
        payment__fraud_only_address_change=False,
        duplicate__original_order_id="SO-0",
        duplicate__minutes_apart=4,
        duplicate__original_status="pending",
        inventory__reservation_ids=["RSV-1", "RSV-2", "RSV-3"],
        # a plain pair: no other copies in its cluster to settle
        duplicate__other_copy_ids=[],
        duplicate__other_authorization_ids=[],
        duplicate__other_capture_ids=[],
        duplicate__other_refund_amounts=[],
        duplicate__other_reservation_ids=[],
        duplicate__other_copy_records={},
        duplicate__cancelled_copies="SO-1",
    )
    verdict = decide(facts)
    assert verdict["outcome"] == "cancel"
    released = [a["args"]["reservation_id"] for a in verdict["actions"] if a["tool"] == "release_reservation"]
    assert released == ["RSV-1", "RSV-2", "RSV-3"]
    cancelled = [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"]
    assert cancelled == ["SO-1"]  # the duplicate, never the original
    assert guard(SPEC, verdict, facts)[1] == []


def test_missing_customer_facts_escalate_instead_of_guessing() -> None:
    facts = story_facts(customer__tenure_years=None, customer__fraud_flags=None, customer__tier=None)
    verdict = decide(facts)
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert "customer.tenure_years" in verdict["summary"]


def test_double_charge_refunds_exactly_the_duplicate_capture() -> None:
    facts = story_facts(
        exception__types=["double_charge"],
        order__status="ready_to_fulfill",
        payment__hold_active=False,
        payment__fraud_score=5,
        payment__fraud_reasons=[],
        payment__fraud_only_address_change=False,
        payment__auth_status="captured",
        payment__captured_amount=258.0,
        payment__capture_count=2,
        payment__capture_ids=["CAP-1", "CAP-2"],
        payment__duplicate_capture_id="CAP-2",
        payment__duplicate_capture_amount=129.0,
    )
    verdict = decide(facts)
    refund = next(a for a in verdict["actions"] if a["tool"] == "refund_payment")
    assert refund["args"]["capture_id"] == "CAP-2"
    assert refund["args"]["amount"] == 129.0
    assert guard(SPEC, verdict, facts)[1] == []


def test_combined_exception_weighs_every_facet() -> None:
    facts = story_facts(
        exception__types=["oversell", "phantom_inventory"],
        order__status="pending",
        payment__hold_active=False,
        payment__fraud_score=5,
        payment__fraud_reasons=[],
        payment__fraud_only_address_change=False,
        inventory__units_short=2,
        inventory__counted_short=2,
        inventory__phantom=True,
        inventory__counted_available=0,
        inventory__counted_on_hand=0,
        inventory__alternate_location="DC-WEST",
    )
    verdict = decide(facts)
    assert verdict["outcome"] == "proceed"
    assert {"reallocate_reservation", "adjust_stock"} <= set(tools(verdict))
    order = tools(verdict)
    assert order.index("reallocate_reservation") < order.index("confirm_reservation")
    assert guard(SPEC, verdict, facts)[1] == []


def action(tool: str, policy: str = "PAY-001@3", tier: str = "review", **args: object) -> ProposedAction:
    return ProposedAction(tool=tool, args=dict(args), why="test", policy_ids=[policy] if policy else [], tier=tier)  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    ("actions", "problem"),
    [
        ([action("drop_table", order_id="SO-1")], "unknown tool"),
        ([action("get_order", order_id="SO-1")], "not one of this mission's actions"),
        ([action("release_payment_hold", policy="", order_id="SO-1")], "cites no policy"),
        ([action("release_payment_hold", order_id="SO-999")], "not a record of this order"),
        ([action("refund_payment", capture_id="CAP-9", amount=10, reason="x")], "not a record of this order"),
        ([action("capture_payment", authorization_id="AUTH-1", amount=500.0)], "exceeds the authorized"),
        ([action("capture_payment", authorization_id="AUTH-1", amount=-5)], "positive number"),
        ([action("release_to_fulfillment", order_id="SO-1")], "payment hold is active"),
        ([action("release_payment_hold", tier="auto", order_id="SO-1")], "needs a reviewer"),
        (
            [action("cancel_order", order_id="SO-1", reason="x"), action("release_to_fulfillment", order_id="SO-1")],
            "also cancels",
        ),
    ],
)
def test_guard_refuses_unsafe_actions(actions: list[ProposedAction], problem: str) -> None:
    assert any(problem in p for p in check_actions(SPEC, actions, story_facts())), check_actions(
        SPEC, actions, story_facts()
    )


def test_guard_turns_an_unsafe_verdict_into_an_escalation_with_the_reason() -> None:
    unsafe = Verdict(
        outcome="proceed",
        actions=[action("refund_payment", capture_id="CAP-1", amount=5000, reason="customer asked")],
        confidence=0.99,
        summary="refund",
        policy_ids=["PAY-003@1"],
        reasoner="llm",
    )
    facts = story_facts(payment__capture_ids=["CAP-1"], payment__captured_amount=129.0)
    verdict, problems = guard(SPEC, unsafe, facts)
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert "exceeds what is captured" in verdict["summary"]
    assert problems


def test_guard_refuses_shipping_after_cancel_and_cancelling_shipped_orders() -> None:
    facts = story_facts(order__shipped=True)
    assert any(
        "has shipped" in p for p in check_actions(SPEC, [action("cancel_order", order_id="SO-1", reason="x")], facts)
    )


def test_execution_order_fixes_data_then_money_then_fulfilment_then_people() -> None:
    shuffled = [
        action("send_customer_message", customer_id="CU-1"),
        action("release_to_fulfillment", order_id="SO-1"),
        action("release_payment_hold", order_id="SO-1"),
        action("apply_address_correction", order_id="SO-1"),
    ]
    assert [a["tool"] for a in SPEC.tools.in_execution_order(shuffled)] == [
        "apply_address_correction",
        "release_payment_hold",
        "release_to_fulfillment",
        "send_customer_message",
    ]


#: release_payment_hold's arguments as its MCP server lists them (no ``additionalProperties``, as FastMCP emits).
RELEASE_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "payment_authorization_id": {"type": "string"},
        "idempotency_key": {"type": "string"},
    },
    "required": ["order_id", "idempotency_key"],
}


def test_guard_refuses_an_argument_the_tool_does_not_declare() -> None:
    # seen from the small live model: a misnamed id the server would drop, leaving a release on the order alone
    misnamed = action("release_payment_hold", order_id="SO-1", payment_authority_id="AUTH-1")
    problems = check_actions(SPEC, [misnamed], story_facts(), schemas={"release_payment_hold": RELEASE_SCHEMA})
    assert any("payment_authority_id" in p for p in problems), problems
    named = action("release_payment_hold", order_id="SO-1", payment_authorization_id="AUTH-1")
    assert check_actions(SPEC, [named], story_facts(), schemas={"release_payment_hold": RELEASE_SCHEMA}) == []
