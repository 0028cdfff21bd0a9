"""A reply states only what is true when it is sent: the outcome of a write that runs before it, never one still
waiting for a decision or for the customer's answer (SUP-010). Decided offline on small recorded cases with the real
policies and guard; orders and wording invented for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.replies import said_of_order, stated_outcomes
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.guard import check_action, check_actions
from ai_missions.nodes.parts import PARTS, part_indexes, parts_of
from tests.test_support_split import _case as _split_case
from tests.test_support_split import _order

ORDERS = {
    "SO-520011": _order("SO-520011", "pending", [("Camping Stove", 64.0)]),
    "SO-520012": _order("SO-520012", "pending", [("Bookshelf", 180.0), ("Reading Lamp", 42.0)]),
    "SO-520013": _order("SO-520013", "pending", [("Yoga Mat", 30.0)]),
}


def _case(message: str) -> dict[str, Any]:
    return _split_case(message, ORDERS)


def _reply(verdict: dict[str, Any]) -> str:
    return str(next(a for a in verdict["actions"] if a["tool"] == "send_ticket_reply")["args"]["body"])


def _unbacked(facts: dict[str, Any], verdict: dict[str, Any]) -> dict[str, set[str]]:
    """Per order of the case: the outcomes its reply states that no action of the plan on that order does."""
    body = _reply(verdict)
    orders = [str(p["order.id"]) for p in facts[PARTS]]
    out = {}
    for index, part in enumerate(parts_of(facts)):
        mine = {
            str(a["tool"])
            for a in verdict["actions"]
            if index in part_indexes(SPEC.tools, str(a["tool"]), a["args"], facts)
        }
        out[str(part["order.id"])] = stated_outcomes(body, str(part["order.id"]), orders) - mine
    return out


@pytest.mark.parametrize(
    "message",
    [
        # one order cancelled with its reason, one item asked to be cancelled out of another order
        "Please cancel SO-520011, it was a mistake to order it. On SO-520012 I want to cancel only the bookshelf.",
        "I no longer need SO-520013, please cancel it. For SO-520012, cancel just the reading lamp.",
        # one order cancelled with its reason, the other without one (asked)
        "Cancel SO-520011, ordered it by mistake. Please cancel SO-520013 as well.",
    ],
)
def test_a_reply_that_asks_states_no_outcome_of_an_order_left_waiting(message: str) -> None:
    facts, verdict = decide(_case(message))
    assert verdict["outcome"] == "ask_customer"
    assert "cancel_order" not in {a["tool"] for a in verdict["actions"]}
    assert "refund_payment" not in {a["tool"] for a in verdict["actions"]}
    assert all(not unbacked for unbacked in _unbacked(facts, verdict).values())
    body = _reply(verdict)
    assert "have cancelled" not in body
    assert "refunded" not in body
    assert "waits for your answer" in body  # the order that could go ahead is named as waiting, not as done
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_reply_that_acts_on_every_order_states_each_outcome_behind_its_own_write() -> None:
    facts, verdict = decide(_case("Please cancel SO-520011 and SO-520013, I ordered both by mistake."))
    assert verdict["outcome"] == "cancel"
    assert all(not unbacked for unbacked in _unbacked(facts, verdict).values())
    body = _reply(verdict)
    orders = ["SO-520011", "SO-520013"]
    assert stated_outcomes(body, "SO-520011", orders) == {"cancel_order", "refund_payment"}
    assert stated_outcomes(body, "SO-520013", orders) == {"cancel_order", "refund_payment"}


def test_the_guard_refuses_a_reply_stating_an_outcome_no_earlier_action_brings_about() -> None:
    facts, verdict = decide(_case("Please cancel SO-520011 and SO-520013, I ordered both by mistake."))
    # the plan left without one order's cancellation and refund: the reply still says that order is cancelled
    kept = [a for a in verdict["actions"] if a["args"].get("order_id") != "SO-520013"]
    kept = [a for a in kept if a["args"].get("capture_id") != "CAP-SO-520013"]
    problems = check_actions(SPEC, kept, facts)
    assert problems, "a reply announcing a cancellation nobody does must be refused"
    assert all("send_ticket_reply" in p and "SO-520013" in p for p in problems)
    assert any("cancel_order" in p for p in problems)
    assert any("refund_payment" in p for p in problems)
    # the same reply after the writes it reports on passes
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_the_guard_refuses_an_edited_reply_announcing_what_waits_for_the_customer() -> None:
    facts, verdict = decide(_case("Cancel SO-520011, ordered it by mistake. Please cancel SO-520013 as well."))
    reply = next(a for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    edited = {**reply, "args": {**reply["args"], "body": "We have cancelled order SO-520011 and refunded 64.00."}}
    assert any("cancel_order" in p for p in check_action(SPEC, edited, facts))
    plain = {**reply, "args": {**reply["args"], "body": "We will cancel order SO-520011 once you answer."}}
    assert check_action(SPEC, plain, facts) == []


def test_what_a_reply_says_of_an_order_runs_from_its_mention_to_the_next_orders() -> None:
    body = "Thank you. We have cancelled order A-1. It is refunded. About order B-22: which one? Then A-1 again."
    assert said_of_order(body, "A-1", ["A-1", "B-22"]) == (
        "Thank you. We have cancelled order A-1. It is refunded. Then A-1 again."
    )
    assert "have cancelled" not in said_of_order(body, "B-22", ["A-1", "B-22"])
    assert said_of_order(body, "A-1", ["A-1"]) == body  # one order: the whole reply is about it
    assert stated_outcomes(body, "B-22", ["A-1", "B-22"]) == set()
    assert stated_outcomes(body, "A-1", ["A-1", "B-22"]) == {"cancel_order"}
