"""Items the customer describes found on their orders' lines, one item never cancelled as its whole order, and a
request made on a condition never acted on as if unconditional (fast: the mission's pure steps and its policies).
The wording is written by hand here, not taken from the messages the rules were developed on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail import proposals
from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.parse.resolve import lines_named
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.nodes.parts import PARTS
from tests.support.support_case import email_ticket

CHAIRS = [
    {"line_no": 1, "sku": "CH-BLK", "description": "Office Chair"},
    {"line_no": 2, "sku": "CH-GRY", "description": "Office Chair"},
    {"line_no": 3, "sku": "KT-1", "description": "Electric Kettle"},
    {"line_no": 4, "sku": "DB-1", "description": "Dumbbell Set"},
    {"line_no": 5, "sku": "WB-1", "description": "Water Bottle"},
]
OPTIONS = {"CH-BLK": "Black", "CH-GRY": "Grey", "KT-1": "1.5L", "DB-1": "20kg", "WB-1": "Blue"}


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        ("the kettle leaks", [3]),
        ("can I send the dumbells back? (2 of them)", []),  # misspelt beyond what a name match allows
        ("can I send the dumbbells back?", [4]),
        ("return the black one of the two office chairs", [1]),
        ("both chairs please", [1, 2]),
        ("there was water damage on the box", []),  # one word of an item's name is not the item
        ("my blue water bottle and the kettle", [3, 5]),
        ("nothing of that, just where is my parcel", []),
    ],
)
def test_items_are_found_on_the_lines_by_name_and_variant(message: str, lines: list[int]) -> None:
    assert lines_named(message, CHAIRS, OPTIONS) == lines


def _case(message: str, *, status: str = "pending", second: bool = True) -> dict[str, Any]:
    """Ana's two orders: SO-1 (air purifier and kettle, 100.00 captured) and SO-2 (a lamp, 30.00)."""

    def order(order_id: str, lines: list[tuple[str, str, float]], total: float) -> dict[str, Any]:
        return {
            "order": {
                "order_id": order_id,
                "customer_id": "C-1",
                "status": status,
                "total": total,
                "ship_to": {},
                "lines": [
                    {
                        "line_no": n,
                        "sku": sku,
                        "description": name,
                        "quantity": 1,
                        "unit_price": price,
                        "line_total": price,
                    }
                    for n, (sku, name, price) in enumerate(lines, start=1)
                ],
            },
            "payment": {
                "authorizations": [{"authorization_id": f"A-{order_id}", "status": "captured", "card_last4": "4321"}],
                "captures": [{"capture_id": f"CAP-{order_id}", "amount": total, "refundable_amount": total}],
                "captured_amount": total,
                "refunded_amount": 0.0,
            },
            "shipments": [],
            "returns": [],
            "variants": [],
        }

    orders = {"SO-1": order("SO-1", [("AP-1", "Air Purifier", 70.0), ("KT-1", "Electric Kettle", 30.0)], 100.0)}
    if second:
        orders["SO-2"] = order("SO-2", [("LP-1", "Desk Lamp", 30.0)], 30.0)
    return {
        "case_id": "scope",
        "ticket": email_ticket(message),
        "customer": {"customer_id": "C-1", "tier": "standard", "current_address": None},
        "orders": orders,
        "recent_orders": list(orders),
    }


def _tools(verdict: Any) -> list[str]:
    return [a["tool"] for a in verdict["actions"]]


def test_the_order_is_found_from_the_item_described() -> None:
    facts, verdict = decide(_case("pls cancel the lamp, ordered it by mistake"))
    assert facts["order.id"] == "SO-2"
    assert "cancel_order" in _tools(verdict)
    assert verdict["outcome"] == "cancel"


def test_one_item_is_never_cancelled_as_its_whole_order() -> None:
    for message in (
        "Can you cancel the air purifier in it? Keep the rest",
        "i dont want the kettle anymore, cancel it",
    ):
        facts, verdict = decide(_case(message, second=False))
        assert facts["ticket.case_types"] == ["cancel_item"], message
        assert verdict["outcome"] == "ask_customer"
        assert _tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
        assert facts["refund.amount"] is None
        assert "cannot be cancelled" in verdict["actions"][0]["args"]["body"]
    # the whole order named with all its items is cancelled as asked
    whole = "cancel the order with the air purifier and the kettle, I ordered it by mistake"
    facts, verdict = decide(_case(whole, second=False))
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert "cancel_order" in _tools(verdict)


@pytest.mark.parametrize(
    ("message", "types"),
    [
        # checked against the ERP's total of the one order (100.00): not over it, nothing is done and the reply says so
        ("if it's over $300, cancel it", ["condition_not_met"]),
        ("If it's over $1,000 please cancel it.", ["condition_not_met"]),
        ("cancel my order, I don't need it, but only if it's more than 50 dollars", ["cancel_order"]),
        ("Falls die Bestellung mehr als 50 Euro kostet, bitte stornieren. Ich brauche sie nicht mehr.",
         ["cancel_order"]),
        # about something the total cannot tell: a person checks it
        ("if the kettle is over $20, cancel the order", ["conditional_request"]),
        ("Cancel the order only if the refund can go to my gift card.", ["conditional_request"]),
        ("Return the kettle unless you can send me a new one by friday please - I want to return it.",
         ["conditional_request"]),
        # an apology before the sentence does not make its condition courtesy
        ("Sorry, but if the kettle is over $20, cancel the order.", ["conditional_request"]),
        ("if we can't get it by friday, cancel the order", ["conditional_request"]),
    ],
)  # fmt: skip
def test_a_condition_is_checked_against_the_order_or_goes_to_a_person(message: str, types: list[str]) -> None:
    case = _case(message, second=False)
    before = copy.deepcopy(case)
    facts, verdict = decide(case)
    assert facts["ticket.case_types"] == types, message
    if types == ["condition_not_met"]:
        assert verdict["outcome"] == "answer"
        assert _tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
        assert facts["message.condition_holds"] is False
        assert "our systems show: 100.00" in facts["reply.text"]
    elif types == ["conditional_request"]:
        assert verdict["outcome"] == "escalate"
        assert set(_tools(verdict)) <= {"add_ticket_note"}
        assert facts["message.condition_holds"] is not True
    else:
        assert facts["message.condition_holds"] is True
        assert verdict["outcome"] == "cancel"  # proposed; a reviewer still approves it
    assert case == before


@pytest.mark.parametrize(
    "message",
    [
        "Please cancel the lamp order if possible, I ordered it by mistake",
        "cancel the lamp if it hasn't shipped yet",
        "let me know if you need anything else - cancel the lamp order please",
        # whether it can be done is what the policies decide; an apology is no condition
        "I'd like to cancel the lamp order if I can, I ordered it by mistake.",
        "Sorry if this is a silly question, but can you cancel the lamp order? I ordered it by mistake.",
        "Apologies if I'm writing to the wrong address: please cancel the lamp order, I don't need it.",
        "Please cancel the lamp order, I don't need it. I'd appreciate it if this could be done quickly.",
        "It would be great if you could cancel the lamp order, I ordered it by mistake.",
    ],
)
def test_courtesy_and_what_policy_checks_anyway_are_no_condition(message: str) -> None:
    assert read_message(message).condition is None
    facts, _verdict = decide(_case(message))
    assert facts["ticket.case_types"] != ["conditional_request"]


def test_cancelling_and_changing_are_not_both_meant_of_one_order() -> None:
    message = "I need to cancel an order. Also on the other one please swap the kettle for the blue one"
    facts, verdict = decide(_case(message))
    # the swap is of the order holding the kettle, so the cancellation is of the other (the lamp's), never of both
    assert {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]} == {
        "SO-1": ["exchange_variant"],
        "SO-2": ["cancel_order"],
    }
    assert "cancel_order" not in _tools(verdict)  # no variant of the kettle is named: a person, and nothing done


def test_items_in_another_request_do_not_choose_the_order_to_cancel() -> None:
    # the lamp is named where nothing is asked of it: the cancellation names no item, so the customer is asked
    facts, verdict = decide(_case("Please cancel my order, I ordered it by mistake. The lamp looks lovely by the way."))
    assert facts["ticket.case_types"] == ["which_order"]
    assert "cancel_order" not in _tools(verdict)


@pytest.mark.extended
@pytest.mark.skipif(not (tau.DEFAULT_PATH / "users.json").exists(), reason="the benchmark is not beside the project")
def test_on_the_benchmark_first_messages_nothing_unsafe_is_proposed() -> None:
    figures = proposals.mission_figures(tau.DEFAULT_PATH)
    assert figures["unsafe_proposals"] == 0
    assert figures["writes.as_ground_truth"] == figures["writes.proposed"] > 0


def test_an_order_listed_whole_by_its_items_variants_is_cancelled_whole() -> None:
    """An item described by its variant instead of its name ("the big white HEPA thing") is still one of the items
    listed: the order listed whole is cancelled; an item kept out of the list, or one option word, is no such
    description."""

    def with_variants(message: str) -> dict[str, Any]:
        built = _case(message, second=False)
        built["orders"]["SO-1"]["variants"] = [
            {"sku": "AP-1", "product_id": "P-AP", "option": "large HEPA white", "unit_price": 70.0, "available": 3},
            {"sku": "KT-1", "product_id": "P-KT", "option": "1.5L stainless steel", "unit_price": 30.0, "available": 3},
        ]
        return built

    whole = "Cancel SO-1 please - the big white HEPA thing and the kettle. I ordered it by mistake."
    facts, verdict = decide(with_variants(whole))
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert "cancel_order" in _tools(verdict)
    for scoped in (
        "Cancel the kettle in SO-1, not the white HEPA one. I ordered it by mistake.",
        "Cancel the kettle and the white thing from SO-1, I ordered them by mistake.",
    ):
        facts, _verdict = decide(with_variants(scoped))
        assert facts["ticket.case_types"] == ["cancel_item"], scoped
