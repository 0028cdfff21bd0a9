"""A case in several parts (``nodes/parts.py``) on a toy mission: each part decided on its own facts, the plan
their union with one shared reply, an escalating or asking part deciding for the whole case, and the guard
checking each action against the facts of the part whose record it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ai_missions.contracts import contract
from ai_missions.graphs.support import prompts
from ai_missions.kernel.missions import MissionSpec, Subject, ToolPolicy, ToolRule, Vocabulary
from ai_missions.knowledge_index.clauses import Clause
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_action, check_actions, guard
from ai_missions.nodes.llm_reasoner import reason_with_llm
from ai_missions.nodes.offline_reasoner import decide, reason
from ai_missions.nodes.parts import PARTS, part_owner
from ai_missions.nodes.pipeline import mission_graph
from ai_missions.nodes.state import PolicyRef
from ai_missions.testing import scripted, verdict_call

_IDS = {"order_id": ("order.id",)}


def _rule(system: str, tool: str, phase: int, **options: Any) -> ToolRule:
    return ToolRule(contract(system).tool(tool), phase, **options)


def _tools() -> ToolPolicy:
    return TOOLS


TOOLS = ToolPolicy(
    [
        _rule("erp", "cancel_order", 0, ids=_IDS, free_text=frozenset({"reason"})),
        _rule("payments", "refund_payment", 1, ids={"capture_id": ("payment.capture_ids",)}),
        _rule(
            "helpdesk", "send_ticket_reply", 2, ids={"ticket_id": ("ticket.id",)}, free_text=frozenset({"body", "tags"})
        ),
    ],
    owner=part_owner(_tools),
)


def _invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    problems = []
    if tool == "refund_payment" and float(args.get("amount") or 0) > float(facts.get("payment.refundable") or 0):
        problems.append("refund_payment: more than can be refunded")
    if tool == "refund_payment" and "refund_payment" in earlier:
        problems.append("refund_payment: one refund per order")
    if tool == "cancel_order" and facts.get("order.cancellable") is not True:
        problems.append("cancel_order: shipped")
    if tool == "send_ticket_reply" and "send_ticket_reply" in earlier:
        problems.append("send_ticket_reply: one reply")
    return problems


SPEC = MissionSpec(
    name="toy-parts",
    title="Toy",
    subject=Subject(kind="ticket", example="T-1", pattern=r"T-\d+", lookup=None),
    systems=("erp", "payments", "helpdesk"),
    vocabulary=Vocabulary(
        case_types=("cancel_order", "where_is_order"),
        outcomes=("cancel", "answer", "ask_customer", "escalate"),
        facts={"ticket.case_types": ("list", "")},
        domains=("customer_support",),
        types_fact="ticket.case_types",
        advancing_outcomes=("cancel", "answer", "ask_customer"),
        asking_outcomes=("ask_customer",),
    ),
    tools=TOOLS,
    invariants=_invariants,
    question=lambda case_type, facts: case_type,
    graph=lambda mission: mission_graph(mission, lambda state: {}),
    prompt=prompts,
)


def _reply(tag: str) -> dict[str, Any]:
    args = {"ticket_id": "{ticket.id}", "body": "{reply.text}", "status": "{reply.status}", "tags": [tag]}
    return {"tool": "send_ticket_reply", "args": args}


CLAUSES = [
    {
        "id": "cancel",
        "when": {
            "all": [
                {"fact": "ticket.case_types", "op": "contains", "value": "cancel_order"},
                {"fact": "order.cancellable", "op": "eq", "value": True},
                {"fact": "cancel.reason", "op": "exists"},
            ]
        },
        "then": {
            "outcome": "cancel",
            "actions": [
                {"tool": "cancel_order", "args": {"order_id": "{order.id}", "reason": "{cancel.reason}"}},
                {
                    "tool": "refund_payment",
                    "args": {"capture_id": "{refund.capture_id}", "amount": "{refund.amount}", "reason": "cancelled"},
                },
                _reply("cancelled"),
            ],
        },
        "priority": 90,
    },
    {
        "id": "why",
        "when": {
            "all": [
                {"fact": "ticket.case_types", "op": "contains", "value": "cancel_order"},
                {"fact": "order.cancellable", "op": "eq", "value": True},
                {"fact": "cancel.reason", "op": "missing"},
            ]
        },
        "then": {"outcome": "ask_customer", "actions": [_reply("needs_info")]},
        "priority": 95,
    },
    {
        "id": "shipped",
        "when": {
            "all": [
                {"fact": "ticket.case_types", "op": "contains", "value": "cancel_order"},
                {"fact": "order.cancellable", "op": "eq", "value": False},
            ]
        },
        "then": {"outcome": "escalate"},
        "priority": 80,
    },
    {
        "id": "where",
        "when": {"fact": "ticket.case_types", "op": "contains", "value": "where_is_order"},
        "then": {"outcome": "answer", "actions": [_reply("where")]},
        "priority": 50,
    },
]


@dataclass(frozen=True)
class ToyPolicy:
    id: str = "TOY-001"
    version: int = 1
    applies_to: tuple[str, ...] = ("cancel_order", "where_is_order")
    clauses: tuple[Clause, ...] = tuple(Clause.model_validate(c) for c in CLAUSES)


POLICIES = [ToyPolicy()]


def _part(order: str, types: list[str], **facts: Any) -> dict[str, Any]:
    part = {
        "part.label": f"order {order}",
        "ticket.case_types": types,
        "order.id": order,
        "order.cancellable": True,
        "cancel.reason": "ordered by mistake",
        "payment.capture_ids": [f"CAP-{order}"],
        "payment.refundable": 100.0,
        "refund.capture_id": f"CAP-{order}",
        "refund.amount": 100.0,
    }
    return {**part, **{k.replace("__", "."): v for k, v in facts.items()}}


def _case(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket.id": "T-1",
        "ticket.case_types": ["cancel_order"],
        "reply.text": "One reply for the whole request.",
        "reply.status": "solved",
        PARTS: list(parts),
    }


def _tools_of(verdict: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(a["tool"], a["args"].get("order_id") or a["args"].get("capture_id")) for a in verdict["actions"]]


def test_two_orders_are_decided_apart_and_planned_together_with_one_reply() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["cancel_order"], refund__amount=40.0))
    verdict, clauses = decide(SPEC, POLICIES, facts)
    assert verdict["outcome"] == "cancel"
    assert _tools_of(verdict) == [
        ("cancel_order", "A"),
        ("cancel_order", "B"),
        ("refund_payment", "CAP-A"),
        ("refund_payment", "CAP-B"),
        ("send_ticket_reply", None),
    ]
    amounts = [a["args"]["amount"] for a in verdict["actions"] if a["tool"] == "refund_payment"]
    assert amounts == [100.0, 40.0]  # each part's own figures
    reply = verdict["actions"][-1]["args"]
    assert reply["body"] == "One reply for the whole request."
    assert reply["tags"] == ["cancelled"]
    assert all(a["policy_ids"] == ["TOY-001@1"] for a in verdict["actions"])
    assert clauses == ["TOY-001/cancel"]
    assert guard(SPEC, verdict, facts) == (verdict, [])


def test_a_part_that_asks_makes_the_plan_its_question_and_the_other_part_waits() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["cancel_order"], cancel__reason=None))
    verdict = reason(SPEC, POLICIES, facts)
    assert verdict["outcome"] == "ask_customer"
    assert _tools_of(verdict) == [("send_ticket_reply", None)]  # nothing cancelled until the answer comes
    assert "order B" in verdict["summary"]
    assert "waiting with it: order A" in verdict["summary"]


def test_a_part_that_escalates_escalates_the_case_naming_it() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["cancel_order"], order__cancellable=False))
    verdict = reason(SPEC, POLICIES, facts)
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert "1 of 2 parts escalate (order B:" in verdict["summary"]


def test_different_requests_on_two_orders_lead_with_the_part_that_acts() -> None:
    facts = _case(_part("A", ["where_is_order"]), _part("B", ["cancel_order"]))
    verdict = reason(SPEC, POLICIES, facts)
    assert verdict["outcome"] == "cancel"
    assert [t for t, _ in _tools_of(verdict)] == ["cancel_order", "refund_payment", "send_ticket_reply"]
    assert verdict["actions"][-1]["args"]["tags"] == ["where", "cancelled"]  # one reply, both parts' tags


def test_two_parts_replying_differently_on_the_one_ticket_escalate_rather_than_drop_a_reply() -> None:
    # each part carries its own reply (no plan reply could be written): keeping one would drop the other unread
    facts = _case(_part("A", ["cancel_order"], reply__text="A's words"), _part("B", ["where_is_order"]))
    facts[PARTS][1]["reply.status"] = "open"
    verdict = reason(SPEC, POLICIES, facts)
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert "send_ticket_reply body" in verdict["summary"]
    assert "send_ticket_reply status" in verdict["summary"]


def test_the_guard_checks_an_action_against_the_part_whose_order_it_names() -> None:
    # A is refundable up to 30, B up to 500: a refund of 200 on A's capture is refused though B could carry it
    facts = _case(_part("A", ["cancel_order"], payment__refundable=30.0), _part("B", ["cancel_order"]))
    refund_a = {"tool": "refund_payment", "args": {"capture_id": "CAP-A", "amount": 200.0}, "policy_ids": ["T"]}
    facts[PARTS][1]["payment.refundable"] = 500.0
    assert check_action(SPEC, refund_a, facts) == ["order A: refund_payment: more than can be refunded"]
    assert check_action(SPEC, {**refund_a, "args": {"capture_id": "CAP-B", "amount": 200.0}}, facts) == []
    # an order that is no part's is refused, as one of another customer would be
    stranger = {"tool": "cancel_order", "args": {"order_id": "Z", "reason": "x"}, "policy_ids": ["T"]}
    assert any("order_id='Z' is not a record" in p for p in check_action(SPEC, stranger, facts))
    # a shipped order's cancellation is judged on its own part's facts, not on the other's
    facts[PARTS][0]["order.cancellable"] = False
    cancel_a = {"tool": "cancel_order", "args": {"order_id": "A", "reason": "x"}, "policy_ids": ["T"]}
    assert check_action(SPEC, cancel_a, facts) == ["order A: cancel_order: shipped"]


def test_the_guard_counts_refunds_per_order_and_replies_per_case() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["cancel_order"]))

    def refund(capture: str) -> dict[str, Any]:
        return {"tool": "refund_payment", "args": {"capture_id": capture, "amount": 10.0}, "policy_ids": ["T"]}

    reply = {"tool": "send_ticket_reply", "args": {"ticket_id": "T-1", "body": "b"}, "policy_ids": ["T"]}
    assert check_actions(SPEC, [refund("CAP-A"), refund("CAP-B"), reply], facts) == []
    twice = check_actions(SPEC, [refund("CAP-A"), refund("CAP-A"), reply, reply], facts)
    assert "action 2: order A: refund_payment: one refund per order" in twice
    assert any(p.startswith("action 4:") and "one reply" in p for p in twice)


def test_execution_dependencies_stay_within_a_part() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["cancel_order"]))
    cancel_a, cancel_b = {"order_id": "A", "reason": "x"}, {"order_id": "B", "reason": "x"}
    refund_b = {"capture_id": "CAP-B", "amount": 1.0}
    assert not TOOLS.depends("refund_payment", "cancel_order", refund_b, cancel_a, facts)
    assert TOOLS.depends("refund_payment", "cancel_order", refund_b, cancel_b, facts)
    # the reply (the shared ticket) depends on every part's writes
    assert TOOLS.depends("send_ticket_reply", "cancel_order", {"ticket_id": "T-1"}, cancel_a, facts)
    # without parts, as before: an action depends on the earlier reviewed ones
    assert TOOLS.depends("refund_payment", "cancel_order", refund_b, cancel_a, {"order.id": "A"})


async def test_the_llm_reasoner_decides_each_part_in_its_own_call() -> None:
    facts = _case(_part("A", ["cancel_order"]), _part("B", ["where_is_order"]))
    cited = [PolicyRef(policy_id="TOY-001", version=1, title="Toy", domain="customer_support", sections=[], text="")]
    reply = {"tool": "send_ticket_reply", "why": "tell", "policy_ids": ["TOY-001"]}
    reply["args"] = {"ticket_id": "T-1", "body": "b", "status": "solved", "tags": []}
    cancel = {"tool": "cancel_order", "args": {"order_id": "A", "reason": "x"}, "why": "c", "policy_ids": ["TOY-001"]}
    answers = [
        {"outcome": "cancel", "actions": [cancel, reply], "confidence": 0.9, "summary": "cancel A"},
        {"outcome": "answer", "actions": [reply], "confidence": 0.8, "summary": "answer B"},
    ]
    model = scripted([verdict_call(a) for a in answers])
    verdict, usage = await reason_with_llm(SPEC, MissionContext(chat_model=model), facts, cited, [])
    assert len(model.prompts) == 2
    assert '"order.id": "A"' in str(model.prompts[0])
    assert '"order.id": "B"' not in str(model.prompts[0])
    assert usage["llm_calls"] == 2
    assert verdict["outcome"] == "cancel"
    assert [a["tool"] for a in verdict["actions"]] == ["cancel_order", "send_ticket_reply"]
    assert verdict["confidence"] == 0.8
