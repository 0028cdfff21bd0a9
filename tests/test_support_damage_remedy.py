"""Issue #38: a damaged or wrong item of an order holding several, for which the customer names the remedy (their
money back, or sending it back) goes back on a return refunded on receipt; a replacement asked for, or damage said
of an item that is not returned, still goes to a person. A small database written here (no benchmark data)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.evals.benchmarks.tau_retail import emulator as tau
from ai_missions.evals.benchmarks.tau_retail.cases import case_of
from ai_missions.kernel.eval_plugin import plugin_of

ORDER = "#W8300001"


def _db() -> dict[str, tau.Database]:
    """One delivered order of a stand mixer, a cutting board and a pair of oven mitts."""
    items = [
        {"name": "Stand Mixer", "product_id": "mixer", "item_id": "X1", "price": 210.0, "options": {"color": "red"}},
        {"name": "Cutting Board", "product_id": "board", "item_id": "B1", "price": 30.0, "options": {"wood": "oak"}},
        {"name": "Oven Mitts", "product_id": "mitts", "item_id": "O1", "price": 15.0, "options": {"color": "grey"}},
    ]
    products = {
        i["product_id"]: {"variants": {i["item_id"]: {"item_id": i["item_id"], "price": i["price"],
                                                      "options": i["options"], "available": True}}}
        for i in items
    }  # fmt: skip
    place = {
        "address1": "14 Dock Rd",
        "address2": "",
        "city": "Duluth",
        "state": "MN",
        "zip": "55802",
        "country": "USA",
    }
    paid = {"transaction_type": "payment", "amount": 255.0, "payment_method_id": "credit_card_8"}
    user = {
        "name": {"first_name": "Remy", "last_name": "Okafor"},
        "email": "remy.okafor@example.com",
        "address": place,
        "orders": [ORDER],
        "payment_methods": {"credit_card_8": {"id": "credit_card_8", "source": "credit_card", "last_four": "8008"}},
    }
    order = {"order_id": ORDER, "user_id": "u8", "status": "delivered", "address": place, "items": items,
             "fulfillments": [], "payment_history": [paid]}  # fmt: skip
    return {"users": {"u8": user}, "products": products, "orders": {ORDER: order}}


def _verdict(message: str, db: dict[str, tau.Database] | None = None) -> dict[str, Any]:
    task = tau.Task(index=0, user_id="u8", instruction="", actions=(), outputs=())
    _facts, verdict = plugin_of("support").decide(case_of(db or _db(), task, message))
    return verdict


def _decide(message: str) -> tuple[str, dict[str, dict[str, Any]]]:
    verdict = _verdict(message)
    writes = {
        a["tool"]: a["args"] for a in verdict["actions"] if a["tool"] not in ("send_ticket_reply", "add_ticket_note")
    }
    return str(verdict["outcome"]), writes


def _reply(verdict: dict[str, Any]) -> str:
    return " ".join(next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply").split())


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        ("The stand mixer showed up with a cracked bowl. No replacement please, I just want a refund.", [1]),
        ("The cutting board came with a deep crack. I do not need a replacement, please just reimburse me.", [2]),
        ("The oven mitts came torn. Please refund them.", [3]),
        ("The mixer arrived broken; I'd like to send it back for a refund.", [1]),
    ],
)  # fmt: skip
def test_the_damaged_item_goes_back_on_a_return_when_the_customer_names_the_refund(
    message: str, lines: list[int]
) -> None:
    outcome, writes = _decide(message)
    assert outcome == "return", message
    assert set(writes) == {"open_return"}, message
    assert writes["open_return"]["line_nos"] == lines, message


@pytest.mark.parametrize(
    "message",
    [
        # a replacement is wanted, or both remedies are said: a person decides
        "The stand mixer arrived with a cracked bowl. Please send a replacement.",
        "The cutting board came damaged, refund or replace it, whichever is easier.",
        # the damaged item is not the one refunded on the return
        "The stand mixer arrived dented. Also please return the oven mitts for a refund.",
        # no remedy named
        "The oven mitts arrived torn.",
    ],
)
def test_a_person_decides_when_the_remedy_is_not_named_for_the_damaged_item(message: str) -> None:
    outcome, writes = _decide(message)
    assert (outcome, writes) == ("escalate", {}), message


@pytest.mark.parametrize("single", [False, True])
def test_the_reply_tells_of_the_return_and_never_of_a_refund_not_made(single: bool) -> None:
    db = _db()
    if single:  # one item only: the return asked for is the remedy there too (SUP-005 return-asked)
        order = db["orders"][ORDER]
        order["items"] = order["items"][:1]
        order["payment_history"][0]["amount"] = 210.0
    verdict = _verdict("The stand mixer arrived broken; I'd like to send it back for a refund.", db)
    assert [a["tool"] for a in verdict["actions"] if a["tool"] in ("open_return", "refund_payment")] == ["open_return"]
    reply = _reply(verdict)
    assert "opened a return" in reply
    assert "We have refunded" not in reply
    assert "no need to send it back" not in reply
