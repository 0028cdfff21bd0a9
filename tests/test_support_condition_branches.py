"""A condition whose other way is said as a second condition ("if it hasn't shipped cancel it, if it already has never
mind"), the order the condition names by its items ("if the rug order hasn't shipped"), and a status said the other
way ("if it can still be cancelled", "if it's too late"): settled against the order's status, the branch the status
chooses carried out. On a small database written here; the wording was written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.parse.conditions import branches
from tests.support.tau_db import card, catalogue, customer, decide, item, order, place

RUGS = "#W8500001"


def _decide(message: str, status: str) -> tuple[dict[str, Any], list[str]]:
    """The facts and the tools writing the order, for one order (a bath rug and a floor lamp) in ``status``."""
    rug, lamp = item("Bath Rug", "rug", "R1", 30.0, color="sand"), item("Floor Lamp", "lamp", "L1", 90.0, color="brass")
    home = place("3 Mill St", "Akron", "OH", "44308")
    orders = {RUGS: order(RUGS, "u7", status, home, [rug, lamp], "credit_card_7")}
    user = customer("Lea Brandt", home, [RUGS], card("credit_card_7", "7171"))
    db = {"users": {"u7": user}, "products": catalogue([rug, lamp]), "orders": orders}
    facts, verdict = decide(db, "u7", message)
    return facts, [a["tool"] for a in verdict["actions"] if a["args"].get("order_id") == RUGS]


TWO_WAYS = [
    "If the rug order hasn't shipped yet please cancel it, if it already shipped never mind. I don't need it.",
    "If the rug order can still be cancelled, cancel it, I don't need it anymore. If it's too late, I'll just keep it.",
]


@pytest.mark.parametrize("message", TWO_WAYS)
def test_a_pending_order_takes_the_first_way(message: str) -> None:
    facts, tools = _decide(message, "pending")
    assert (facts["condition.branch"], facts["message.condition_holds"]) == ("then", True)
    assert tools == ["cancel_order"]


@pytest.mark.parametrize("message", TWO_WAYS)
def test_a_delivered_order_takes_the_other_way_and_nothing_is_cancelled(message: str) -> None:
    facts, tools = _decide(message, "delivered")
    assert (facts["condition.branch"], facts["message.condition_holds"]) == ("else", False)
    assert tools == []


def test_a_second_condition_that_is_not_the_first_ones_other_way_is_no_branch() -> None:
    text = "if it hasn't shipped cancel the rug order, and if it is over $50 return the lamp"
    assert branches(text, "if it hasn't shipped cancel the rug order") is None
    # the same state asked again is no other way either
    assert branches("if it hasn't shipped cancel it, if it hasn't shipped by friday tell me", "if it hasn't") is None


TWO_WAYS_QUOTED = (
    f"Hi. If {RUGS} hasn't shipped yet, please cancel it, I don't need it anymore; if it has I guess I'll have to "
    "return it. My other order should still go through."
)


def test_an_order_quoted_in_its_condition_and_the_other_way_said_in_the_speakers_words_are_read() -> None:
    """The order's own number in its condition names no other thing ("if #W85... hasn't shipped"), and "if it has I
    guess I'll ..." is the other way: the condition's words end where the customer speaks of themselves."""
    facts, tools = _decide(TWO_WAYS_QUOTED, "pending")
    assert (facts["condition.branch"], facts["message.condition_holds"]) == ("then", True)
    assert tools == ["cancel_order"]
    assert _decide(TWO_WAYS_QUOTED, "delivered")[1] == []  # delivered: the other way, asked of nobody here
