"""Returns said of a whole order, and items told apart across orders. "Send back everything from my order with the
lamp" returns every item of that order (less one said to be kept), not asked item by item; "the digital camera"
names the Digital Camera of one order, not the Action Camera of another, so the order holding every item named is
the one meant. The wordings and orders are written here (none is a benchmark's)."""

from __future__ import annotations

import pytest

from tests.support.tau_db import HOME, LAMP, RUG, card, catalogue, customer, decide, item, order, writes

PACK_RED = item("Backpack", "pack", "PACK-R", 60.0, color="red", size="small")
PACK_GREY = item("Backpack", "pack", "PACK-G", 65.0, color="grey", size="small")
STILL = item("Digital Camera", "dcam", "DCAM-1", 300.0, resolution="24MP")
ACTION = item("Action Camera", "acam", "ACAM-1", 200.0, resolution="4K")
SHELF = item("Bookshelf", "shelf", "SHELF-1", 90.0, material="pine")
TABLET = item("Tablet", "tab", "TAB-1", 250.0, storage="64GB")


def _db() -> dict:
    user = customer("Noor Haddad", HOME, ["#W5100001", "#W5100002", "#W5100003"], card("credit_card_1", "4242"))
    orders = {
        "#W5100001": order("#W5100001", "u1", "delivered", HOME, [LAMP, RUG, PACK_RED, PACK_GREY], "credit_card_1"),
        "#W5100002": order("#W5100002", "u1", "delivered", HOME, [STILL, SHELF], "credit_card_1"),
        "#W5100003": order("#W5100003", "u1", "delivered", HOME, [ACTION, SHELF, TABLET], "credit_card_1"),
    }
    products = catalogue([LAMP, RUG, PACK_RED, PACK_GREY, STILL, ACTION, SHELF, TABLET])
    return {"users": {"u1": user}, "products": products, "orders": orders}


@pytest.mark.parametrize(
    "message",
    [
        "Noor Haddad, zip 83702. Please send back everything from my order with the desk lamp and the rug, thanks.",
        "Noor Haddad, zip 83702 - I want to return all of it, the order with the two backpacks and the lamp.",
    ],
)
def test_everything_of_an_order_asked_back_is_every_item_of_it(message: str) -> None:
    _facts, verdict = decide(_db(), "u1", message)
    assert writes(verdict)["open_return"]["order_id"] == "#W5100001"
    assert writes(verdict)["open_return"]["line_nos"] == [1, 2, 3, 4]


def test_everything_less_what_is_said_kept() -> None:
    message = "Noor Haddad, zip 83702. Return everything from the order with the desk lamp, I'm keeping the rug."
    _facts, verdict = decide(_db(), "u1", message)
    assert writes(verdict)["open_return"]["line_nos"] == [1, 3, 4]


@pytest.mark.parametrize(
    "message",
    [
        "Noor Haddad, zip 83702. I want to return almost everything from the order with the desk lamp.",
        "Noor Haddad, zip 83702. From the order with the desk lamp, return everything else.",
        "Noor Haddad, zip 83702. Return the backpack from the order with the desk lamp.",
    ],
)
def test_not_every_item_when_not_said_so(message: str) -> None:
    _facts, verdict = decide(_db(), "u1", message)
    assert "open_return" not in writes(verdict)
    assert verdict["outcome"] in ("ask_customer", "escalate")


def test_an_item_named_in_full_is_not_another_orders_item_of_the_same_head_word() -> None:
    message = (
        "Noor Haddad, zip 83702. I'd like to return the digital camera and the bookshelf. "
        "And please return the tablet as well."
    )
    _facts, verdict = decide(_db(), "u1", message)
    returned = {a["args"]["order_id"]: a["args"]["line_nos"] for a in verdict["actions"] if a["tool"] == "open_return"}
    assert returned == {"#W5100002": [1, 2], "#W5100003": [3]}


def test_a_keep_said_of_another_order_keeps_no_item_of_this_one() -> None:
    """ "Not the other bookshelf order, I'm keeping that one": the bookshelf names the other order kept, so this
    order's bookshelf goes back with everything else asked."""
    message = (
        "Noor Haddad, zip 83702. I need to return everything from order #W5100003: the action camera, the bookshelf "
        "and the tablet. To be clear, not the other bookshelf order, I'm keeping that one."
    )
    _facts, verdict = decide(_db(), "u1", message)
    assert writes(verdict)["open_return"]["order_id"] == "#W5100003"
    assert writes(verdict)["open_return"]["line_nos"] == [1, 2, 3]
