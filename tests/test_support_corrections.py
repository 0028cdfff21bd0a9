"""A customer who takes back or corrects what they ask in the same message. A correction naming a thing puts it in
place of the thing it corrects ("cancel the lamp order - actually no, the kettle order"); a take-back followed by what
stands ("scratch that, my brother wants the lamp") leaves out the clause it takes back; one that names nothing in its
place ("wait, no, not that one") is not guessed: a person reads which request stands and nothing is written. An
order said again by what it holds ("my order (the one with the lamp)") names no item to change. The orders and
wordings are written here (none is a benchmark's)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.corrections import applied
from tests.support.tau_db import HOME, LAMP, RUG, card, catalogue, customer, decide, item, order, writes

KETTLE = item("Tea Kettle", "kettle", "KET-S", 30.0, color="silver")
KETTLE_RED = item("Tea Kettle", "kettle", "KET-R", 32.0, color="red")


def _db(status: str = "pending") -> dict:
    user = customer("Noor Haddad", HOME, ["#W5100001", "#W5100002"], card("credit_card_1", "4242"))
    orders = {
        "#W5100001": order("#W5100001", "u1", status, HOME, [LAMP, RUG], "credit_card_1"),
        "#W5100002": order("#W5100002", "u1", status, HOME, [KETTLE], "credit_card_1"),
    }
    return {"users": {"u1": user}, "products": catalogue([LAMP, RUG, KETTLE, KETTLE_RED]), "orders": orders}


@pytest.mark.parametrize(
    "message",
    [
        "Noor Haddad here. Cancel my order with the desk lamp... wait, no, not that one. I mean the kettle order.",
        "Noor Haddad. Cancel the lamp order, no wait, not that one",
    ],
)
def test_a_request_taken_back_in_the_message_goes_to_a_person_and_nothing_is_written(message: str) -> None:
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["corrected_request"], message
    assert verdict["outcome"] == "escalate", message
    assert not writes(verdict), message


@pytest.mark.parametrize(
    "message",
    [
        "noor haddad - please cancel #W5100001. no wait, scratch that, cancel #W5100002 instead, bought by mistake",
        "Noor Haddad. Cancel #W5100002, I don't need it. Oh, and cancel the lamp order too - wait, no, scratch that, "
        "my brother wants the lamp.",
        "Noor Haddad. Cancel #W5100002 please, not needed anymore. I was going to cancel the lamp order as well but "
        "actually forget that, keep it.",
        "Noor Haddad. Please cancel #W5100002, I don't need it. I wrote last week about cancelling the lamp order; "
        "please disregard that, I've decided to keep the lamp.",
        "Noor Haddad. I was going to cancel the lamp one too, but actually no, I'll keep that one. Cancel #W5100002 "
        "though, bought it by mistake.",
    ],
)
def test_a_take_back_followed_by_what_stands_leaves_out_only_what_it_takes_back(message: str) -> None:
    """ "scratch that, my brother wants the lamp", "forget that, keep it": the clause before the marks is taken back
    and nothing is put in its place; the rest is read as it is."""
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["cancel_order"], message
    cancelled = [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"]
    assert cancelled == ["#W5100002"], message


def test_a_take_back_of_the_clause_that_named_the_order_asks_which_one() -> None:
    """The order named only in the clause taken back: "please just cancel it" names none, so the customer is asked,
    never a guess written; and a keep of "it" whose order was named only there is asked about too."""
    message = (
        "Hi, Noor Haddad. I was going to ask you to send #W5100002 to my sister, but forget that, please just cancel "
        "it, I don't need it."
    )
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["which_order"]
    assert not writes(verdict)
    message = (
        "Noor Haddad. Please cancel #W5100002. I wrote last week about cancelling the lamp order; please disregard "
        "that, I've decided to keep it."
    )
    facts, verdict = decide(_db(), "u1", message)
    assert verdict["outcome"] == "ask_customer"
    assert not writes(verdict)


@pytest.mark.parametrize(
    "message",
    [
        # twins: "don't forget that" takes nothing back; a plain request is read as before
        "Noor Haddad. Please cancel order #W5100002, I no longer need it, and don't forget that I paid by card.",
        "Noor Haddad. Please cancel order #W5100002, I no longer need it.",
    ],
)
def test_words_that_take_nothing_back_leave_the_request_as_it_is(message: str) -> None:
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["cancel_order"], message
    assert writes(verdict)["cancel_order"]["order_id"] == "#W5100002", message


def test_an_order_said_again_by_what_it_holds_names_no_item_to_change() -> None:
    """ "my order (the one with the area rug)" tells the order apart; only the kettle-less order's lamp is asked of,
    never the rug changed."""
    db = _db()
    db["products"]["rug"]["variants"]["RUG-R"] = {"item_id": "RUG-R", "price": 120.0, "options": {"color": "red"},
                                                  "available": True}  # fmt: skip
    db["products"]["lamp"]["variants"]["LAMP-R"] = {"item_id": "LAMP-R", "price": 40.0, "options": {"color": "red"},
                                                    "available": True}  # fmt: skip
    message = "Noor Haddad. On my pending order (the one with the area rug), please change the desk lamp to red."
    _facts, verdict = decide(db, "u1", message)
    assert writes(verdict)["modify_order_items"]["changes"] == [{"line_no": 1, "sku": "LAMP-R"}]


@pytest.mark.parametrize(
    ("message", "cancelled"),
    [
        ("Noor Haddad. Please cancel the lamp order - actually no, the kettle order, sorry. I don't need it.",
         "#W5100002"),
        ("noor haddad: cancel my kettle order, wait, no, I mean the rug order. I no longer need it", "#W5100001"),
    ],
)  # fmt: skip
def test_a_correction_naming_a_thing_puts_it_in_place_of_the_one_it_corrects(message: str, cancelled: str) -> None:
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["cancel_order"], message
    assert writes(verdict)["cancel_order"]["order_id"] == cancelled, message
    assert [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"] == [cancelled]


@pytest.mark.parametrize(
    "message",
    [
        "Noor Haddad. Please cancel the order with the rug - oops, sorry, not the rug one, I meant the one with the "
        "kettle. Don't need it.",
        "noor haddad... cancel the order with the lamp and the rug... no wait sorry, not the lamp one, i mean the one "
        "with the kettle, don't need it anymore. the lamp/rug one stays",
    ],
)
def test_a_correction_denying_the_old_thing_by_its_words_puts_the_new_one_in_its_place(message: str) -> None:
    facts, verdict = decide(_db(), "u1", message)
    assert facts["ticket.case_types"] == ["cancel_order"], message
    assert [a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"] == ["#W5100002"]


def test_a_corrected_variant_is_the_one_changed_to() -> None:
    message = "Noor Haddad. Please change the tea kettle to the blue one, wait no, I mean the red one."
    _facts, verdict = decide(_db(), "u1", message)
    assert writes(verdict)["modify_order_items"]["changes"] == [{"line_no": 1, "sku": "KET-R"}]


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("Return the lamp, wait, no, the rug. It is torn.", "Return the rug. It is torn."),
        ("Exchange the boots for a size 9, or rather a size 10.", "Exchange the boots for a size 10."),
        ("Send it to my office address, sorry I mean my home address", "Send it to my home address"),
        # nothing put in place: left as written (the request stays corrected)
        ("cancel my order, wait no, not that one", "cancel my order, wait no, not that one"),
        ("cancel #W1, scratch that - #W2", "cancel #W1, scratch that - #W2"),
        # taken back, with what stands said after it: the clause before the marks is left out
        ("cancel #W1. no wait, scratch that, cancel #W2", " " * 33 + ", cancel #W2"),
        ("I was going to return the lamp but forget that, keep it.", " " * 46 + ", keep it."),
        ("I mean, it is broken. Return the lamp.", "I mean, it is broken. Return the lamp."),
        # the old thing named by a denial among the marks, wherever it is said
        (
            "return the kettle and the desk lamp - oops, sorry, not the lamp, I meant the rug. Refund to my card.",
            "return the kettle and the rug. Refund to my card.",
        ),
        ("return the mug and the lamp, wait, no, not the mug, the kettle.", "return the kettle and the lamp."),
        (
            "cancel the one with the rug and the lamp, and the one going to Boise - no wait, not Boise, I mean the one "
            "with the kettle, the mug and the tray. Thanks",
            "cancel the one with the rug and the lamp, and the one with the kettle, the mug and the tray. Thanks",
        ),
        # a denial naming nothing said before places nothing
        (
            "return the mug and the lamp - wait no, not the cup, the kettle.",
            "return the mug and the lamp - wait no, not the cup, the kettle.",
        ),
        # the old thing opening as the new one does, however long either is
        (
            "cancel the one going to Austin too... no wait sorry, i mean the one with the kettle and the tray, thanks",
            "cancel the one with the kettle and the tray, thanks",
        ),
        (
            "First the one with the rug in it - oh sorry, no, I mean the one going to Boise with the lamp and the mug. "
            "Second, the kettle.",
            "First the one going to Boise with the lamp and the mug. Second, the kettle.",
        ),
        (
            "Cancel the order with the lamp - no wait, I mean the one with the kettle and the tray, I don't need it.",
            "Cancel the one with the kettle and the tray, I don't need it.",
        ),
        # a word put in place of a word, between dashes
        ("I want a large - no wait, small - red one", "I want a small red one"),
    ],
)
def test_the_words_a_correction_puts_in_place(said: str, read: str) -> None:
    assert applied(said) == read
