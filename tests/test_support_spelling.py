"""A word a request turns on, mistyped by one letter, is read as the word (graphs/support/parse/spelling.py): "retrun
the lamp" asks for a return and is not answered as a question about a refund. Real words one letter from such a word,
and the word's own forms, stay as written. The wordings and orders are written here (none is a benchmark's)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.spelling import spelled
from tests.support.tau_db import HOME, LAMP, RUG, card, catalogue, customer, decide, order


def _db() -> dict:
    user = customer("Noor Haddad", HOME, ["#W5100001"], card("credit_card_1", "4242"))
    orders = {"#W5100001": order("#W5100001", "u1", "delivered", HOME, [LAMP, RUG], "credit_card_1")}
    return {"users": {"u1": user}, "products": catalogue([LAMP, RUG]), "orders": orders}


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("please retrun it", "please return it"),
        ("Cancle the order", "Cancel the order"),
        ("it was cancled", "it was canceled"),
        ("I'd like to EXCHNAGE it", "I'd like to EXCHANGE it"),
        ("blue insted of red", "blue instead of red"),
        ("my new adress", "my new address"),
    ],
)
def test_a_request_word_mistyped_by_one_letter_is_read_as_the_word(written: str, read: str) -> None:
    assert spelled(written) == read


@pytest.mark.parametrize(
    "written",
    [
        "returns, refunds and exchanges",
        "it was cancelled, then refunded",
        "I am exchanging it",
        "both addresses on file",
        "a refundable fare",
        "the cancer charity",
        "charge the difference, no change to the rest",
        "a quick retro look",
    ],
)
def test_the_words_own_forms_and_real_words_near_it_stay_as_written(written: str) -> None:
    assert spelled(written) == written


def test_a_return_asked_with_its_verb_mistyped_is_opened_not_answered_as_a_refund_question() -> None:
    facts, verdict = decide(
        _db(), "u1", "Noor Haddad, zip 83702. I want to retrun the desk lamp from #W5100001, refund to my card."
    )
    assert facts["return.requested"] is True
    assert verdict["outcome"] == "return"
    opened = [a["args"] for a in verdict["actions"] if a["tool"] == "open_return"]
    assert opened == [{"order_id": "#W5100001", "line_nos": [1], "refund_to": "original_payment"}]
