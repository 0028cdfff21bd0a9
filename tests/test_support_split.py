"""A request about several orders in one ticket (``graphs/support/split.py``), decided offline on a small recorded
case with the real policies and guard (``evals.recorded.decide``). The wording was written by hand for these tests, not
taken from the benchmark messages the rules were developed on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.facts import line_names
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.resolve import source_references
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.guard import check_action
from ai_missions.nodes.parts import PARTS

NOW = "2026-03-10T12:00:00Z"


def _order(order_id: str, status: str, items: list[tuple[str, float]]) -> dict[str, Any]:
    total = round(sum(p for _, p in items), 2)
    delivered = status == "delivered"
    return {
        "order": {
            "order_id": order_id,
            "customer_id": "C9",
            "status": status,
            "total": total,
            "ship_to": {"name": "Ines Duarte", "line1": "4 Rua Nova", "city": "Porto", "region": "PT",
                        "postal_code": "4000", "country": "PT"},
            "lines": [{"line_no": n, "sku": f"{order_id}-{n}", "description": name, "quantity": 1,
                       "unit_price": price, "line_total": price} for n, (name, price) in enumerate(items, 1)],
        },
        "payment": {
            "authorizations": [{"authorization_id": f"AUTH-{order_id}", "status": "captured", "card_last4": "4242"}],
            "captures": [{"capture_id": f"CAP-{order_id}", "amount": total, "refundable_amount": total}],
            "captured_amount": total,
            "refunded_amount": 0.0,
        },
        "shipments": [{"carrier": "UPS", "tracking_number": "1Z", "status": "delivered",
                       "shipped_at": "2026-03-01T10:00:00Z", "delivered_at": "2026-03-03T10:00:00Z"}]
        if delivered else [],
        "returns": [],
        "variants": [],
    }  # fmt: skip


ORDERS = {
    "SO-300001": _order("SO-300001", "pending", [("Desk Lamp", 45.0), ("Coffee Mug", 15.0)]),
    "SO-300002": _order("SO-300002", "delivered", [("Wireless Headphones", 120.0)]),
    "SO-300003": _order("SO-300003", "pending", [("Electric Kettle", 400.0)]),
}


def _case(message: str, orders: dict[str, Any] | None = None) -> dict[str, Any]:
    orders = copy.deepcopy(orders or ORDERS)
    return {
        "case_id": "split",
        "ticket": {
            "ticket_id": "TKT-000900", "customer_id": "C9", "channel": "email", "order_id": None, "status": "new",
            "requester": {"customer_id": "C9", "name": "Ines Duarte", "email": "ines@example.com"},
            "updated_at": NOW, "messages": [{"direction": "inbound", "body": message, "sent_at": NOW}],
        },
        "customer": {"customer_id": "C9", "name": "Ines Duarte", "tier": "standard", "current_address": None},
        "orders": orders,
        "recent_orders": sorted(orders, reverse=True),
    }  # fmt: skip


def _opened(verdict: dict[str, Any]) -> dict[str, list[int]]:
    """The returns the plan opens: order -> its lines."""
    return {a["args"]["order_id"]: a["args"]["line_nos"] for a in verdict["actions"] if a["tool"] == "open_return"}


def _plan(verdict: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (a["tool"], a["args"].get("order_id") or a["args"].get("capture_id") or a["args"].get("ticket_id"))
        for a in verdict["actions"]
    ]


def test_two_orders_quoted_in_one_sentence_are_both_cancelled_with_one_reply() -> None:
    facts, verdict = decide(_case("Hi! Could you cancel SO-300001 and SO-300003? Bought both by accident."))
    assert [p["order.id"] for p in facts[PARTS]] == ["SO-300001", "SO-300003"]
    assert all(p["cancel.reason"] == "ordered by mistake" for p in facts[PARTS])
    assert verdict["outcome"] == "cancel"
    assert _plan(verdict) == [
        ("cancel_order", "SO-300001"),
        ("cancel_order", "SO-300003"),
        ("refund_payment", "CAP-SO-300001"),
        ("refund_payment", "CAP-SO-300003"),
        ("send_ticket_reply", "TKT-000900"),
        ("add_ticket_note", "TKT-000900"),
    ]
    refunds = {
        a["args"]["capture_id"]: a["args"]["amount"] for a in verdict["actions"] if a["tool"] == "refund_payment"
    }
    assert refunds == {"CAP-SO-300003": 400.0, "CAP-SO-300001": 60.0}  # each order's own figures
    body = verdict["actions"][4]["args"]["body"]
    assert body.count("Hello Ines") == 1
    assert "SO-300003" in body
    assert "400.00" in body
    assert "SO-300001" in body
    assert "60.00" in body


@pytest.mark.parametrize(
    "message",
    [
        "Two things: please cancel the kettle order since I don't need it anymore, and I'd like to return the "
        "headphones for a refund.",
        # an order told by what it holds beside one quoted is a part of its own
        "Two things. The headphones that came in my delivered order don't suit me, I'd like to send them back for a "
        "refund. And please cancel SO-300003, I ordered it by accident.",
    ],
)
def test_two_requests_in_one_message_go_each_to_the_order_they_fit(message: str) -> None:
    facts, verdict = decide(_case(message))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]}
    assert parts == {"SO-300003": ["cancel_order"], "SO-300002": ["return_refund"]}
    assert verdict["outcome"] == "cancel"
    tools = _plan(verdict)
    assert ("cancel_order", "SO-300003") in tools
    assert ("open_return", "SO-300002") in tools
    assert ("cancel_order", "SO-300002") not in tools  # a delivered order is never cancelled


def test_a_cancellation_and_a_return_on_two_orders_are_both_proposed_with_one_reply_naming_each() -> None:
    message = "Please cancel the kettle order, I ordered it by mistake. And I'd like to return the headphones."
    facts, verdict = decide(_case(message))
    assert verdict["outcome"] == "cancel"
    assert _plan(verdict) == [
        ("cancel_order", "SO-300003"),
        ("open_return", "SO-300002"),
        ("refund_payment", "CAP-SO-300003"),
        ("send_ticket_reply", "TKT-000900"),
        ("add_ticket_note", "TKT-000900"),
    ]
    reply = verdict["actions"][3]["args"]
    assert reply["status"] == "solved"
    assert sorted(reply["tags"]) == ["cancelled", "return"]
    body = reply["body"]
    assert "cancelled order SO-300003 and refunded 400.00" in body  # the kettle order's own figures
    assert "return on order SO-300002 for Wireless Headphones" in body
    assert "120.00" in body
    # each action checked against its own order's facts: the return's order is not cancellable, the cancelled
    # order has nothing to return
    cancel, opened = verdict["actions"][0], verdict["actions"][1]
    assert check_action(SPEC, cancel, facts) == []
    assert check_action(SPEC, opened, facts) == []
    swapped = {**cancel, "args": {**cancel["args"], "order_id": "SO-300002"}}
    assert check_action(SPEC, swapped, facts) != []


def test_a_part_that_goes_to_a_person_escalates_for_its_own_reason_only() -> None:
    # the exchange names no variant we sell: that order goes to a person; the cancellation could be answered
    message = "Please cancel the kettle order, I ordered it by mistake. And swap the headphones for another colour."
    facts, verdict = decide(_case(message))
    assert [p["order.id"] for p in facts[PARTS]] == ["SO-300003", "SO-300002"]
    assert facts[PARTS][0]["reply.text"]  # the cancellation keeps the reply it could write
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert verdict["summary"].startswith("1 of 2 parts escalate (order SO-300002: ")
    assert "SO-300003" not in verdict["summary"]


def test_a_number_of_orders_that_matches_the_orders_it_fits_is_those() -> None:
    facts, verdict = decide(_case("Please cancel both of my orders that have not shipped, I no longer need them."))
    assert sorted(p["order.id"] for p in facts[PARTS]) == ["SO-300001", "SO-300003"]
    assert [t for t, _ in _plan(verdict)].count("cancel_order") == 2


def test_an_item_of_another_order_no_request_read_fits_is_asked_about_not_dropped() -> None:
    # the return is read; what is asked of the kettle (on an order not shipped) is not: never the return alone
    message = "I'd like to return the headphones, and for my pending order please use my other place and the kettle."
    facts, verdict = decide(_case(message))
    assert facts["ticket.case_types"] == ["which_order"]
    assert verdict["outcome"] == "ask_customer"
    assert "open_return" not in [t for t, _ in _plan(verdict)]
    # the same item in two orders is told apart by the request: the lamp received is the delivered one
    orders = {**ORDERS, "SO-300002": _order("SO-300002", "delivered", [("Desk Lamp", 45.0)])}
    facts, verdict = decide(_case("The desk lamp I received is too dim, I want to return it.", orders))
    assert facts["order.id"] == "SO-300002"
    assert ("open_return", "SO-300002") in _plan(verdict)


def test_an_item_change_said_beside_a_request_about_the_whole_order_is_read_not_dropped() -> None:
    # the payment is read from its clause; "also change the kettle" names no order but an item of this one
    facts, verdict = decide(
        _case("I'd like to pay for SO-300003 with my gift card instead, also change the electric kettle.")
    )
    assert facts["ticket.case_types"] == ["change_payment", "exchange_variant"]
    assert verdict["outcome"] in ("ask_customer", "escalate")  # no variant said: never changed on a guess
    assert not {"modify_order_items", "exchange_order_items"} & {t for t, _ in _plan(verdict)}


def test_an_address_change_with_an_item_change_for_a_person_escalates_the_whole_case() -> None:
    # the kettle's new variant is not said: a person arranges it, and nothing of the case is done half
    message = (
        "Cancel SO-300001, I ordered it by mistake. Please send SO-300003 to 12 Oak Street, Porto 4000 instead, "
        "and swap the electric kettle for another colour."
    )
    facts, verdict = decide(_case(message))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]}
    assert parts == {"SO-300001": ["cancel_order"], "SO-300003": ["change_address", "exchange_variant"]}
    assert verdict["outcome"] == "escalate"
    assert verdict["actions"] == []
    assert verdict["summary"].startswith("1 of 2 parts escalate (order SO-300003: ")


def test_a_number_belongs_to_the_request_of_its_own_clause() -> None:
    # "two other orders" counts the returns, not the cancellation of the one order not shipped
    orders = {
        "SO-300002": ORDERS["SO-300002"],
        "SO-300003": ORDERS["SO-300003"],
        "SO-300004": _order("SO-300004", "delivered", [("Rain Jacket", 80.0)]),
    }
    message = "Cancel the order I placed by mistake, and I want to return everything from my two other orders."
    facts, _verdict = decide(_case(message, orders))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]}
    assert parts == {"SO-300004": ["return_refund"], "SO-300003": ["cancel_order"], "SO-300002": ["return_refund"]}
    # a number said in a clause asking nothing counts the request after it
    facts, verdict = decide(_case("Two of my orders were a mistake, cancel both."))
    assert sorted(p["order.id"] for p in facts[PARTS]) == ["SO-300001", "SO-300003"]
    assert [t for t, _ in _plan(verdict)].count("cancel_order") == 2


@pytest.mark.parametrize(
    "message",
    [
        "Please cancel one of my orders, I ordered it by mistake.",  # which one is theirs to say
        "Cancel three of my orders please, all ordered by mistake.",  # only two could be cancelled
        "Please cancel SO-300001 and SO-300003.",  # two orders, no reason: asked, never guessed
    ],
    ids=["one-of-two", "count-does-not-match", "no-reason"],
)
def test_what_cannot_be_told_apart_is_asked(message: str) -> None:
    _facts, verdict = decide(_case(message))
    assert verdict["outcome"] == "ask_customer"
    assert [t for t, _ in _plan(verdict)] == ["send_ticket_reply", "add_ticket_note"]
    assert verdict["actions"][0]["args"]["status"] == "pending"


def test_an_item_two_orders_hold_is_asked_about_not_guessed() -> None:
    orders = {**ORDERS, "SO-300004": _order("SO-300004", "delivered", [("Wireless Headphones", 90.0)])}
    facts, verdict = decide(_case("Cancel the kettle order, I don't need it, and return the headphones.", orders))
    assert PARTS not in facts
    assert facts["ticket.case_types"] == ["which_order"]
    assert verdict["outcome"] == "ask_customer"


def test_a_part_that_asks_holds_the_other_orders_in_the_same_reply() -> None:
    message = "Cancel SO-300001, I ordered it by mistake. Also cancel SO-300003."
    facts, verdict = decide(_case(message))
    reasons = {p["order.id"]: p["cancel.reason"] for p in facts[PARTS]}
    assert reasons == {"SO-300003": None, "SO-300001": "ordered by mistake"}  # each order's own sentences
    assert verdict["outcome"] == "ask_customer"
    assert "cancel_order" not in [t for t, _ in _plan(verdict)]
    body = verdict["actions"][0]["args"]["body"]
    assert "SO-300003" in body
    assert "order SO-300001 waits for your answer" in body


def test_the_guard_checks_each_action_against_its_own_orders_facts() -> None:
    facts, verdict = decide(_case("Hi! Could you cancel SO-300001 and SO-300003? Bought both by accident."))
    refund = next(a for a in verdict["actions"] if a["args"].get("capture_id") == "CAP-SO-300001")
    # a refund rests on its order's cancellation planned before it (the guard's refund basis)
    cancels = [a for a in verdict["actions"] if a["tool"] == "cancel_order"]
    assert check_action(SPEC, refund, facts, earlier=cancels) == []
    assert any("nothing backs it" in p for p in check_action(SPEC, refund, facts))
    # the other order's cancellation does not back this order's refund
    other = [a for a in cancels if a["args"]["order_id"] == "SO-300003"]
    assert any("nothing backs it" in p for p in check_action(SPEC, refund, facts, earlier=other))
    # 300 fits what SO-300003 could refund (400), not what SO-300001 can (60): refused on SO-300001's own facts
    too_much = {**refund, "args": {**refund["args"], "amount": 300.0}}
    assert check_action(SPEC, too_much, facts, earlier=cancels) == [
        "order SO-300001: refund_payment: 300.00 is more than can be refunded (60.00)"
    ]
    # an order of the customer that is no part of this plan (delivered, never asked about) is not touched
    delivered = {**refund, "tool": "cancel_order", "args": {"order_id": "SO-300002", "reason": "ordered by mistake"}}
    assert any("is not a record of this ticket" in p for p in check_action(SPEC, delivered, facts))
    # a second refund of the same order in one plan is refused; the other order's refund is not
    both = [a for a in verdict["actions"] if a["tool"] == "refund_payment"]
    assert check_action(SPEC, refund, facts, earlier=[*cancels, *both]) != []
    assert check_action(SPEC, both[0], facts, earlier=[*cancels, both[1]]) == []


def test_each_order_keeps_the_reason_given_in_its_own_sentence() -> None:
    message = (
        "Please cancel order SO-300001, I ordered it by mistake, it came to 60. Please cancel SO-300003 as well, "
        "I no longer need it."
    )
    facts, verdict = decide(_case(message))
    reasons = {p["order.id"]: p["cancel.reason"] for p in facts[PARTS]}
    assert reasons == {"SO-300001": "ordered by mistake", "SO-300003": "no longer needed"}
    cancels = {a["args"]["order_id"]: a["args"]["reason"] for a in verdict["actions"] if a["tool"] == "cancel_order"}
    assert cancels == reasons


@pytest.mark.parametrize(
    ("message", "reasons"),
    [
        ("Cancel SO-300001 (ordered by accident) and SO-300003 (don't need it any more), thanks.",
         {"SO-300001": "ordered by mistake", "SO-300003": "no longer needed"}),
        ("I want to cancel two orders: SO-300001, which I ordered by mistake, and SO-300003, no longer needed.",
         {"SO-300001": "ordered by mistake", "SO-300003": "no longer needed"}),
        ("please cancel both orders; SO-300003 was an accidental purchase; SO-300001 I no longer need",
         {"SO-300001": "no longer needed", "SO-300003": "ordered by mistake"}),
        # two reasons, neither beside a reference: which is which is asked, never guessed
        ("Cancel SO-300001 and SO-300003. One I no longer need, the other I ordered by mistake.",
         {"SO-300001": None, "SO-300003": None}),
    ],
)  # fmt: skip
def test_a_reason_beside_an_orders_reference_in_a_sentence_about_several_is_that_orders(
    message: str, reasons: dict[str, str | None]
) -> None:
    facts, _verdict = decide(_case(message))
    assert {p["order.id"]: p["cancel.reason"] for p in facts[PARTS]} == reasons


def test_sentences_end_at_a_stop_before_a_space_not_inside_a_number_or_an_address() -> None:
    text = "Swap it for the 1.5L one, card ending in 4171. Mail me at ines.d@example.com!\nThanks"
    assert SupportRequest(text, read_message(text), (text,)).parts.sentences == (
        "Swap it for the 1.5L one, card ending in 4171",
        "Mail me at ines.d@example.com",
        "Thanks",
    )


def test_an_order_quoted_as_where_the_address_comes_from_is_not_asked_about() -> None:
    from_other = source_references
    assert from_other("Please send #W1111111 to the same address as my other order #W2222222.") == ["#W2222222"]
    assert from_other("ship #W1111111 using the shipping address from order #W2222222") == ["#W2222222"]
    assert from_other("Same place as #W2222222 for this one, #W1111111") == ["#W2222222"]
    assert from_other("#W1111111 goes to the same address I had for #W2222222") == ["#W2222222"]
    assert from_other("Cancel #W1111111, and do the same for #W2222222") == []
    # the orders a request is about
    assert from_other("Change the address on #W2222222 to 3 Oak Road, and cancel #W1111111") == []
    assert from_other("where is #W2222222? also cancel #W1111111 as well as #W3333333") == []


def _lamp_and_mug_orders() -> dict[str, Any]:
    """SO-300001 not shipped: a desk lamp (Black; White costs 5.00 more) and a mug (Blue; Red the same), paid by card
    CARD-1; SO-300003 not shipped: a kettle."""
    orders = copy.deepcopy(ORDERS)
    record = orders["SO-300001"]
    record["payment"]["payment_method_id"] = "CARD-1"
    record["variants"] = [
        {"sku": "SO-300001-1", "product_id": "LAMP", "option": "Black", "unit_price": 45.0, "available": 5},
        {"sku": "LAMP-W", "product_id": "LAMP", "option": "White", "unit_price": 50.0, "available": 5},
        {"sku": "SO-300001-2", "product_id": "MUG", "option": "Blue", "unit_price": 15.0, "available": 5},
        {"sku": "MUG-R", "product_id": "MUG", "option": "Red", "unit_price": 15.0, "available": 5},
    ]
    return orders


@pytest.mark.parametrize(
    "paying",
    ["PayPal for any difference please.", "paypal for the extra", "Put the extra on my PayPal, thanks."],
)
def test_an_item_named_in_a_sentence_of_its_own_and_the_difference_said_apart_reach_their_order(paying: str) -> None:
    """A sentence going on about an item of an order quoted before ("and the mug to the red one") is read with
    that order, never dropped (the change would go ahead without it); a method named for the difference in a
    sentence of its own is the difference's in the part too."""
    message = ("cancel SO-300003, ordered it by mistake\n\nand on SO-300001 can you change the lamp to white. and "
               f"the mug to the red one instead of blue\n\n{paying}")  # fmt: skip
    case = _case(message, _lamp_and_mug_orders())
    case["payment_methods"] = {
        "customer_id": "C9",
        "methods": [
            {"payment_method_id": "CARD-1", "customer_id": "C9", "kind": "card", "brand": "visa", "last4": "4242",
             "balance": None},
            {"payment_method_id": "PAYPAL-1", "customer_id": "C9", "kind": "paypal", "brand": None, "last4": None,
             "balance": None},
        ],
    }  # fmt: skip
    _facts, verdict = decide(case)
    change = next(a for a in verdict["actions"] if a["tool"] == "modify_order_items")
    assert change["args"]["changes"] == [{"line_no": 1, "sku": "LAMP-W"}, {"line_no": 2, "sku": "MUG-R"}]
    charge = next(a for a in verdict["actions"] if a["tool"] == "charge_payment")
    assert charge["args"]["amount"] == 5.0
    assert charge["args"]["payment_method_id"] == "PAYPAL-1"
    assert ("cancel_order", "SO-300003") in _plan(verdict)


def test_an_order_quoted_only_as_where_the_address_comes_from_is_no_part() -> None:
    orders = copy.deepcopy(ORDERS)
    orders["SO-300002"]["order"]["ship_to"] = {"name": "Ines Duarte", "line1": "9 Oak Ave", "city": "Austin",
                                               "region": "TX", "postal_code": "78702", "country": "US"}  # fmt: skip
    for message in (
        "Please ship SO-300001 and SO-300003 to the same address as my order SO-300002. Thanks!",
        "Could SO-300001 and SO-300003 both be sent to 9 Oak Ave, Austin TX 78702 instead? (same address as my "
        "order SO-300002)",
    ):
        facts, verdict = decide(_case(message, orders))
        assert [p["order.id"] for p in facts.get(PARTS) or []] == ["SO-300001", "SO-300003"], message
        assert all(p["ticket.case_types"] == ["change_address"] for p in facts[PARTS])
        assert not [a for a in verdict["actions"] if a["args"].get("order_id") == "SO-300002"]


def test_items_of_the_order_an_address_comes_from_are_still_read_as_its_own() -> None:
    """The order quoted as where the address comes from is no part by that quote, but a request naming its items
    ("return the headphones" of it) is that order's, never dropped nor given to the other."""
    orders = copy.deepcopy(ORDERS)
    orders["SO-300002"]["order"]["ship_to"] = {"name": "Ines Duarte", "line1": "9 Oak Ave", "city": "Austin",
                                               "region": "TX", "postal_code": "78702", "country": "US"}  # fmt: skip
    message = ("Please ship SO-300001 and SO-300003 to the same address as my order SO-300002.\n"
               "- also I want to return the wireless headphones, they don't fit.")  # fmt: skip
    facts, _verdict = decide(_case(message, orders))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get(PARTS) or []}
    assert parts == {"SO-300001": ["change_address"], "SO-300003": ["change_address"], "SO-300002": ["return_refund"]}


def test_a_change_of_items_of_an_order_quoted_for_something_else_is_read_with_it_not_dropped() -> None:
    """A sentence naming items of one order only, asking something more of an order the customer quoted for
    another request ("On that same order, switch the lamp to white" after its address change), is read with that
    order: it had been dropped while the other order's change went ahead, and nothing said so."""
    orders = _lamp_and_mug_orders()
    orders["SO-300002"]["variants"] = [
        {"sku": "SO-300002-1", "product_id": "PHONES", "option": "Black", "unit_price": 120.0, "available": 5},
        {"sku": "PHONES-W", "product_id": "PHONES", "option": "White", "unit_price": 120.0, "available": 5},
    ]
    message = (
        "Hello. For SO-300001, please have it delivered to 9 Oak Ave, Austin TX 78702. On that same order, switch "
        "the desk lamp to the white one. And for SO-300002 I want to exchange the wireless headphones for white ones."
    )
    facts, verdict = decide(_case(message, orders))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get(PARTS) or []}
    assert parts == {"SO-300001": ["change_address", "exchange_variant"], "SO-300002": ["exchange_variant"]}
    lamp = next(p for p in facts[PARTS] if p["order.id"] == "SO-300001")
    assert lamp["modify.changes"] == [{"line_no": 1, "sku": "LAMP-W"}]
    # twin: a request of the order as a whole beside an item is not the item's order's ("the lamp on one order,
    # cancel another"): SO-300001 is never cancelled for naming the lamp
    message = (
        "Switch the desk lamp on one order to white and cancel another one I placed by mistake. On SO-300001 please "
        "change the desk lamp to white. Please cancel SO-300003, I ordered it by mistake."
    )
    _facts, verdict = decide(_case(message, orders))
    assert ("cancel_order", "SO-300001") not in _plan(verdict)
    assert {("cancel_order", "SO-300003"), ("modify_order_items", "SO-300001")} <= set(_plan(verdict))


@pytest.mark.parametrize(
    "message",
    [
        "My other order (a kettle, another lamp and a mug) was placed in error.",
        "The second order, with the headphones and another charger, was a gift.",
    ],
)
def test_another_item_listed_in_an_order_asks_no_exchange(message: str) -> None:
    """ "another" before an item lists one more of it; it asks for no other variant ("another order" is no change)."""
    assert "exchange_variant" not in read_message(message).intents
    assert "exchange_variant" in read_message("I would like another colour for the lamp in my order").intents


@pytest.mark.parametrize(
    "message",
    [
        "Could SO-300001 be shipped to the same address as my other order SO-300003?",
        "I'd like SO-300001 shipped to the address on my account, please.",
    ],
)
def test_an_address_asked_in_the_past_participle_is_a_change_of_address(message: str) -> None:
    """ "shipped" is "ship" with its last letter doubled before "ed": an address change asked; "it shipped" is not
    a request, and "my shipping address is" gives an address (read by the address reader, not by this pair)."""
    assert "change_address" in read_message(message).intents
    assert "change_address" not in read_message("The lamp was shipped last week and the box was fine.").intents


def test_a_sentence_asking_nothing_read_that_names_items_of_one_quoted_order_is_read_with_it() -> None:
    """ "SO-300001: switch the payment ... And change the desk lamp to the halogen version.": the last sentence reads
    as no request (no phrase holds "halogen version"), names an item of SO-300001 only, and had been dropped while
    the payment moved; it is that order's words now, so the change is asked about, never left out in silence."""
    orders = _lamp_and_mug_orders()
    orders["SO-300001"]["variants"][0]["option"] = "LED 40W"
    orders["SO-300001"]["variants"][1]["option"] = "halogen 60W"
    message = (
        "SO-300003: please cancel it, I ordered it by mistake. SO-300001: switch the payment to my PayPal. And change "
        "the desk lamp to the halogen version."
    )
    case = _case(message, orders)
    case["payment_methods"] = {"customer_id": "C9", "methods": [
        {"payment_method_id": "CARD-1", "customer_id": "C9", "kind": "card", "brand": "visa", "last4": "4242",
         "balance": None},
        {"payment_method_id": "PAYPAL-1", "customer_id": "C9", "kind": "paypal", "brand": None, "last4": None,
         "balance": None},
    ]}  # fmt: skip
    facts, verdict = decide(case)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts.get(PARTS) or []}
    assert parts == {"SO-300003": ["cancel_order"], "SO-300001": ["change_payment", "exchange_variant"]}
    assert verdict["outcome"] == "ask_customer"  # the change confirmed with the customer before anything changes


def test_whether_an_order_has_shipped_said_beside_a_request_is_what_it_stands_on_not_a_question() -> None:
    message = (
        "The kettle order hasn't shipped yet, so please cancel it, I ordered it by mistake. "
        "And I'd like to return the headphones."
    )
    facts, verdict = decide(_case(message))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]}
    assert parts == {"SO-300003": ["cancel_order"], "SO-300002": ["return_refund"]}
    assert verdict["outcome"] == "cancel"
    assert read_message("Has my order shipped yet?").intents == ("where_is_order",)  # asked alone, it is the question


#: Two delivered orders that both hold a mug, and a pending one.
SHARED_ITEM = {
    "SO-300004": _order("SO-300004", "delivered", [("Wireless Headphones", 120.0), ("Coffee Mug", 15.0)]),
    "SO-300005": _order("SO-300005", "delivered", [("Coffee Mug", 15.0), ("Paper Notebook", 8.0)]),
    "SO-300003": _order("SO-300003", "pending", [("Electric Kettle", 400.0)]),
}


@pytest.mark.parametrize(
    ("message", "returned"),
    [
        ("I'd like to return the headphones and the mug that came with them. Also cancel the kettle order, I ordered "
         "it by mistake.", {"SO-300004": [1, 2]}),
        # the mug alone is in both: which one is the customer's to say
        ("I'd like to return the mug. Also cancel the kettle order, I ordered it by mistake.", None),
    ],
)  # fmt: skip
def test_an_item_two_orders_hold_is_of_the_order_holding_every_item_named_with_it(
    message: str, returned: dict[str, list[int]] | None
) -> None:
    facts, verdict = decide(_case(message, SHARED_ITEM))
    opened = _opened(verdict)
    if returned is None:
        assert PARTS not in facts
        assert not opened
    else:
        assert opened == returned
        assert ("cancel_order", "SO-300003") in _plan(verdict)


def test_an_order_described_by_its_items_ends_where_a_request_opens() -> None:
    message = (
        "From the delivery with the headphones, return the mug, I'm keeping the headphones. "
        "And cancel the kettle order please, I ordered it by mistake."
    )
    _, verdict = decide(_case(message, SHARED_ITEM))
    opened = _opened(verdict)
    assert opened == {"SO-300004": [2]}
    assert ("cancel_order", "SO-300003") in _plan(verdict)


@pytest.mark.parametrize(
    "message",
    [
        "Please return the mug I got with the headphones. Also cancel the kettle order, I bought it by mistake.",
        "i'd like to send back the mug (same box as the headphones) please. also cancel the kettle order, bought it "
        "by mistake",
    ],
)
def test_what_an_item_was_bought_with_tells_its_order_and_is_not_asked_about(message: str) -> None:
    _, verdict = decide(_case(message, SHARED_ITEM))
    opened = _opened(verdict)
    assert opened == {"SO-300004": [2]}  # the mug alone: the headphones stay
    assert ("cancel_order", "SO-300003") in _plan(verdict)


def test_an_item_change_is_of_the_one_order_whose_items_it_names_before_shipping_too() -> None:
    message = "On my pending order please swap the kettle for the blue one. And I'd like to return the headphones."
    facts, _verdict = decide(_case(message))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]}
    assert parts == {"SO-300003": ["exchange_variant"], "SO-300002": ["return_refund"]}


def test_an_order_named_by_an_item_and_any_word_for_an_order_tells_the_order_not_the_item() -> None:
    message = (
        "I'm returning the mug from my headphones delivery. Also cancel the kettle order, I ordered it by mistake."
    )
    _, verdict = decide(_case(message, SHARED_ITEM))
    opened = _opened(verdict)
    assert opened == {"SO-300004": [2]}


def test_a_request_pointing_back_to_the_order_said_before_never_goes_to_another() -> None:
    """ "... the kettle to the wrong address. Please cancel that order.": that order is the kettle's; the lamp
    order, which the cancellation would also fit, is not cancelled for it."""
    message = "Oops, I sent the electric kettle to the wrong address by mistake. Please cancel that order."
    facts, verdict = decide(_case(message))
    assert ("cancel_order", "SO-300001") not in _plan(verdict)
    assert {p["order.id"] for p in facts.get(PARTS) or []} <= {"SO-300003"}


def _answered(case: dict[str, Any]) -> dict[str, Any]:
    """The case after "which order?" and the customer's answer saying again a cancellation and a return, each of its
    order."""
    said = (
        "Please cancel order SO-300001, I no longer need it. I want to return the Wireless Headphones from SO-300002."
    )
    case["ticket"]["messages"] += [
        {"direction": "outbound", "body": "Which order is your message about?", "sent_at": NOW},
        {"direction": "inbound", "body": said, "sent_at": NOW},
    ]
    return case


def test_an_answer_saying_again_all_the_customer_wants_order_by_order_stands_for_the_thread() -> None:
    """The thread cannot be split with the first message in it ("I want to return both" after items of two orders);
    the customer's answer says again every request, quoting each order: it is read as the request, one part each."""
    case = _case("I don't need the lamp and mug any more. And the headphones, I want to return both.")
    facts, _verdict = decide(_answered(case))
    assert [(p["order.id"], p["ticket.case_types"]) for p in facts[PARTS]] == [
        ("SO-300001", ["cancel_order"]),
        ("SO-300002", ["return_refund"]),
    ]


def test_an_answer_that_leaves_out_a_request_of_the_thread_does_not_stand_for_it() -> None:
    """An answer placing the cancellation and the return, after a first message that also asked an address change,
    drops nothing in silence: the thread is not read as the answer alone."""
    case = _case(
        "I don't need the lamp and mug any more. And the headphones, I want to return both. Also change the address "
        "of the lamp order to 5 Elm St, Porto 4000."
    )
    facts, _verdict = decide(_answered(case))
    assert facts["ticket.case_types"] == ["which_order"]
    assert not facts.get(PARTS)


def test_the_one_order_quoted_and_told_by_what_it_holds_is_one_order() -> None:
    message = "Please cancel my order with the desk lamp and the coffee mug. It is SO-300001; I no longer need it."
    facts, verdict = decide(_case(message))
    assert PARTS not in facts
    assert {o for t, o in _plan(verdict) if t == "cancel_order"} == {"SO-300001"}


def _with_options(order: dict[str, Any], options: dict[int, str]) -> dict[str, Any]:
    """The order with each numbered line's variant option (what tells two lines of one item apart)."""
    order_id, lines = order["order"]["order_id"], order["order"]["lines"]
    order["variants"] = [
        {"sku": f"{order_id}-{n}", "product_id": lines[n - 1]["description"], "option": option, "available": 1,
         "unit_price": lines[n - 1]["unit_price"]}
        for n, option in options.items()
    ]  # fmt: skip
    return order


DELIVERED = {
    "SO-300011": _order("SO-300011", "delivered", [("Desk Lamp", 45.0), ("Coffee Mug", 15.0)]),
    "SO-300012": _order("SO-300012", "delivered", [("Wireless Headphones", 120.0)]),
    "SO-300013": _order("SO-300013", "delivered", [("Desk Lamp", 50.0)]),
    "SO-300014": _order("SO-300014", "pending", [("Electric Kettle", 400.0)]),
}


def test_a_request_whose_items_are_said_apart_from_it_is_of_the_orders_holding_them() -> None:
    message = "I'd like to send a few things back. The coffee mug, and also the wireless headphones."
    _facts, verdict = decide(_case(message, DELIVERED))
    assert _opened(verdict) == {"SO-300011": [2], "SO-300012": [1]}
    # said of one order's items alone, the request is of that order, never asked which
    _facts, verdict = decide(_case("I need to return a few things. The desk lamp and the coffee mug.", DELIVERED))
    assert _opened(verdict) == {"SO-300011": [1, 2]}
    # items said apart only to call their order are no items of the request: which ones is asked
    _facts, verdict = decide(_case("My order with the coffee mug arrived. I want to return some things.", DELIVERED))
    assert verdict["outcome"] == "ask_customer"
    assert _opened(verdict) == {}


def test_an_item_two_orders_hold_goes_with_the_order_holding_the_other_items_said_beside_it() -> None:
    message = "Please return the desk lamp and the coffee mug, and the wireless headphones too."
    _facts, verdict = decide(_case(message, DELIVERED))
    assert _opened(verdict) == {"SO-300011": [1, 2], "SO-300012": [1]}  # not the lamp of SO-300013
    # the lamp alone, which both hold: asked, never guessed
    _facts, verdict = decide(_case("Please return the desk lamp and the wireless headphones.", DELIVERED))
    assert verdict["outcome"] == "ask_customer"
    assert _opened(verdict) == {}


def test_an_item_two_orders_hold_is_told_apart_across_them_by_its_variant() -> None:
    orders = copy.deepcopy(DELIVERED)
    _with_options(orders["SO-300011"], {1: "brass 40W", 2: "white"})
    _with_options(orders["SO-300013"], {1: "black 60W"})
    message = "I'd like to return the brass desk lamp and the wireless headphones, please."
    _facts, verdict = decide(_case(message, orders))
    assert _opened(verdict) == {"SO-300011": [1], "SO-300012": [1]}


def test_items_of_one_name_are_read_back_with_their_variant() -> None:
    order = _with_options(_order("SO-300015", "delivered", [("Backpack", 60.0), ("Backpack", 60.0), ("Mug", 9.0)]),
                          {1: "black nylon", 2: "navy nylon", 3: "white"})  # fmt: skip
    names = line_names(order["order"]["lines"], order["variants"])
    assert names == {"1": "Backpack (black nylon)", "2": "Backpack (navy nylon)", "3": "Mug"}


def test_an_order_said_to_be_not_shipped_yet_in_a_relative_clause_is_described_not_asked_about() -> None:
    """ "The one with the kettle that hasn't shipped yet" tells which order; it asks nothing about where it is, so
    "Could you cancel it?" is that order's, never the other pending order's; said as a sentence of its own, it is
    still a question of where the order is."""
    message = (
        "I placed an order by mistake, the one with the kettle that hasn't shipped yet. Could you cancel it? Also I'd "
        "like to send back the headphones for a refund."
    )
    facts, verdict = decide(_case(message))
    assert {p["order.id"]: p["ticket.case_types"] for p in facts[PARTS]} == {
        "SO-300003": ["cancel_order"],
        "SO-300002": ["return_refund"],
    }
    assert ("cancel_order", "SO-300001") not in _plan(verdict)
    assert read_message("My order hasn't shipped yet.").intents == ("where_is_order",)
    # where another order goes, beside an address written out to ship to, is no question either
    for said in (
        "My pending order with the lamp: can it go to 12 Elm Street, Suite 4, Akron, OH 44308 (where my order with the "
        "mug is going)? And the kettle should be the black one.",
        "Please send the kettle order to 12 Elm Street, Akron, OH 44308, same as where my mug order went, and change "
        "the kettle to black.",
    ):
        assert "where_is_order" not in read_message(said).intents, said


def test_cancel_it_is_the_order_said_just_before_never_another_one_it_fits() -> None:
    """ "Please cancel it" after a sentence about the kettle order (which asks where it is) is that order's, not the
    other pending order's, which alone was left for a cancellation to fit."""
    message = "I'd like to return the headphones. My kettle order still hasn't shipped, where is it? Please cancel it."
    facts, _verdict = decide(_case(message))
    cancelled = [p["order.id"] for p in facts[PARTS] if "cancel_order" in p["ticket.case_types"]]
    assert cancelled == ["SO-300003"], facts[PARTS]
