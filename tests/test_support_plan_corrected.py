"""A plan read back and corrected (issue 58: "a correction plans again"): a correction that says what is wanted
instead replaces the plan, one that goes on with it keeps it; a "not" of a whole clause ("that is not what I
meant") refuses no option of an item; and another item wanted otherwise, in words no request phrase holds, beside a
return, is read rather than dropped in silence. The wording was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.understanding import items_text, read_message
from ai_missions.graphs.support.read_back import read_back
from tests.support.tau_db import card, catalogue, customer, decide, decide_thread, item, order, place

HOME = place("9 Elm St", "Boise", "ID", "83702")


def _db() -> dict[str, Any]:
    mine = item("Wireless Earbuds", "earbuds", "EB-8-IPX4", 200.0, color="blue", battery="8 hours", water="IPX4")
    six = item("Wireless Earbuds", "earbuds", "EB-6-IPX4", 210.0, color="blue", battery="6 hours", water="IPX4")
    dry = item("Wireless Earbuds", "earbuds", "EB-8-NR", 190.0, color="blue", battery="8 hours", water="not resistant")
    blue = item("Bluetooth Speaker", "speaker", "SP-BLUE-10", 100.0, color="blue", battery="10 hours")
    red = item("Bluetooth Speaker", "speaker", "SP-RED-20", 120.0, color="red", battery="20 hours")
    kettle = item("Electric Kettle", "kettle", "KT-1L", 60.0, capacity="1L", material="glass")
    lamp = item("Desk Lamp", "lamp", "LP-BRASS", 45.0, color="brass")
    orders = {
        "#W300": order("#W300", "u1", "delivered", HOME, [mine, blue, kettle], "credit_card_1"),
        "#W400": order("#W400", "u1", "pending", HOME, [lamp], "credit_card_1"),
    }
    user = customer("Ana Perez", HOME, ["#W300", "#W400"], card("credit_card_1", "4242"))
    return {"users": {"u1": user}, "products": catalogue([mine, six, dry, blue, red, kettle, lamp]), "orders": orders}


def _reply(facts: dict[str, Any], verdict: dict[str, Any]) -> str:
    """The reply the customer gets, as the graph's reason step leaves the verdict (a plan is read back first)."""
    shown = read_back(facts, verdict)  # type: ignore[arg-type]
    return next(str(a["args"].get("body")) for a in shown["actions"] if a["tool"] == "send_ticket_reply")


FIRST = "Hi, on order #W300 I want to return the earbuds please."


def _read_back() -> str:
    facts, verdict = decide(_db(), "u1", FIRST)
    assert facts["ticket.case_types"] == ["return_refund"], facts["ticket.case_types"]
    assert "Before we change anything" in _reply(facts, verdict)  # the plan read back: nothing written yet
    return _reply(facts, verdict)


def test_a_clause_said_not_meant_refuses_no_option_of_the_item() -> None:
    # "not what I meant": the "not" is of the clause, not of a feature ("not resistant" is an option of the earbuds)
    message = "That is not what I meant. On #W300 please exchange the earbuds for the blue, 6 hours, IPX4 one."
    facts, _verdict = decide(_db(), "u1", message)
    assert [c["sku"] for c in facts["modify.changes"] or []] == ["EB-6-IPX4"], facts.get("modify.choices")


def test_a_correction_saying_what_is_wanted_instead_replaces_the_plan() -> None:
    said = "No, that is not what I want. On order #W300 I'd like to exchange the earbuds for the blue, 6 hours, IPX4."
    facts, verdict = decide_thread(_db(), "u1", FIRST, said, asked=_read_back())
    assert facts["ticket.case_types"] == ["exchange_variant"], facts["ticket.case_types"]
    assert [c["sku"] for c in facts["modify.changes"] or []] == ["EB-6-IPX4"]
    assert "Before we change anything" in _reply(facts, verdict)  # read back again before anything is written


def test_a_correction_that_goes_on_with_the_plan_keeps_it() -> None:
    said = "No, I also want the blue speaker changed to the red 20 hours one."
    facts, _verdict = decide_thread(_db(), "u1", FIRST, said, asked=_read_back())
    assert "return_refund" in facts["ticket.case_types"], facts["ticket.case_types"]


def test_another_item_wanted_otherwise_beside_a_return_is_read_not_dropped() -> None:
    message = "On #W300 I want to return the kettle. The blue speaker really should be the red 20 hours one though."
    facts, verdict = decide(_db(), "u1", message)
    assert "exchange_variant" in facts["ticket.case_types"], facts["ticket.case_types"]
    assert "Speaker" in _reply(facts, verdict)  # asked about or read back: the customer sees it was read


def test_a_correction_of_a_plan_about_two_orders_drops_what_it_leaves_out() -> None:
    first = "Please cancel #W400, I don't need it. Also return the earbuds from #W300."
    facts, verdict = decide(_db(), "u1", first)
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts["parts"]}
    assert parts == {"#W400": ["cancel_order"], "#W300": ["return_refund"]}
    said = (
        "No, that is not what I want. Please cancel order #W400, I no longer need it. On order #W300 I'd like to "
        "exchange the earbuds for the blue, 6 hours, IPX4."
    )
    facts, _verdict = decide_thread(_db(), "u1", first, said, asked=_reply(facts, verdict))
    parts = {p["order.id"]: p["ticket.case_types"] for p in facts["parts"]}
    assert parts == {"#W400": ["cancel_order"], "#W300": ["exchange_variant"]}


@pytest.mark.parametrize(
    "sentence",
    [
        "I was going to return one of the helmets too, but I've decided to keep it.",
        "I was thinking of returning the hiking boots too but I'll sort that out another day.",
        "I might want to send the speaker back later.",
        "Maybe I will return the boots next week.",
    ],
)
def test_an_intention_gone_by_or_put_off_asks_nothing_now(sentence: str) -> None:
    assert not {"return_refund", "cancel_order", "exchange_variant"} & set(read_message(sentence).intents)


@pytest.mark.parametrize(
    ("sentence", "intent"),
    [
        ("I think I'd like to return the boots.", "return_refund"),  # hedged, asked now
        ("Please return the boots, I'll print the label later.", "return_refund"),  # what is put off is the label
        ("I was going to return the boots, but they're too small: please exchange them for a 10.", "exchange_variant"),
    ],
)
def test_a_request_asked_now_stays_one(sentence: str, intent: str) -> None:
    assert intent in read_message(sentence).intents


def test_only_a_request_said_as_not_asked_now_takes_its_items_out_of_the_request() -> None:
    """The items of "I was going to return the helmet too, but I'll keep it" are asked about by no request; those of
    "The lamp came two weeks later than promised" (a "later" in a sentence that asks nothing) stay for "return it"."""
    put_off = items_text("I was going to return the helmet too but I will keep it. Return the lamp.")
    assert ("helmet" in put_off, "lamp" in put_off) == (False, True)
    late = items_text("The lamp came two weeks later than promised. Please return it.")
    assert "lamp" in late
