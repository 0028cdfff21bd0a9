"""What of a message the customer says now (the platform's statements layer, read by support): quoted earlier mail and
a form's unticked boxes are nobody's request today, and a want said with irony is not taken at its word; it is asked
about plainly, named on the rail, and never acted on. A message with irony that asks only a
question is still answered. On a small database written here; the wording was written for these tests."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.parse.current import current
from tests.support.tau_db import HOME, LAMP, RUG, card, catalogue, customer, decide_thread, order

KEPT, DROPPED = "#W9000001", "#W9000002"


def _decided(*messages: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts and verdict after the customer's messages (each answer after a reply of ours)."""
    orders = {KEPT: order(KEPT, "u9", "pending", HOME, [LAMP], "credit_card_9"),
              DROPPED: order(DROPPED, "u9", "pending", HOME, [RUG], "credit_card_9")}  # fmt: skip
    user = customer("Eva Moll", HOME, list(orders), card("credit_card_9", "9191"))
    db = {"users": {"u9": user}, "products": catalogue([LAMP, RUG]), "orders": orders}
    return decide_thread(db, "u9", *messages, asked="Could you tell us plainly what you would like?")


def _cancelled(verdict: dict[str, Any]) -> list[str]:
    return sorted(a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order")


def test_quoted_mail_and_unticked_boxes_are_not_read_as_requests() -> None:
    quoted = (
        f"Eva Moll here, following up.\n\n> On Monday you wrote: shall we cancel order {DROPPED}?\n> Yes cancel it\n\n"
        f"I need the rug after all. Please cancel {KEPT} instead, I no longer need it."
    )
    assert _cancelled(_decided(quoted)[1]) == [KEPT]
    form = f"Order: {KEPT}\n[ ] Cancel this order\n[x] Where is my order?\nName: Eva Moll"
    facts, verdict = _decided(form)
    assert facts["ticket.case_types"] == ["where_is_order"]
    assert _cancelled(verdict) == []
    assert current(form).text.count("\n") == form.count("\n")  # the lines are kept, their words blanked


def test_a_want_said_with_irony_is_asked_about_plainly_and_named() -> None:
    for message in (
        f"Oh sure, just cancel {KEPT}, I no longer need it, that would be the icing on the cake.",
        f"Where is {KEPT}? Yeah right, cancel {DROPPED} too while you're at it, that will fix everything.",
    ):
        facts, verdict = _decided(message)
        assert verdict["outcome"] == "ask_customer", message
        assert _cancelled(verdict) == [], message
        assert facts["ticket.case_types"] == ["unclear_request"], message
        assert facts["message.untaken"], message
        assert all(w in message for w in facts["message.untaken"]), message
        assert "could not take at its word" in facts["reply.text"]
        assert "cancel" not in facts["reply.text"].lower().split("take at its word")[1]  # no outcome promised


def test_the_answer_to_that_question_is_read_and_irony_asking_nothing_is_answered() -> None:
    facts, verdict = _decided(
        f"Oh sure, just cancel {KEPT}, that would be the icing on the cake.",
        f"Sorry. Please cancel order {KEPT}, I no longer need it.",
    )
    assert not facts.get("message.untaken")
    assert _cancelled(verdict) == [KEPT]
    facts, verdict = _decided(f"Oh great, another delay. Where is my order {KEPT}?")
    assert facts["ticket.case_types"] == ["where_is_order"]
    assert verdict["outcome"] == "answer"


def test_words_in_a_language_not_read_are_asked_about_and_named_never_misread() -> None:
    for message in (
        f"Please cancel {KEPT}, I no longer need it. Por favor, não cancele o pedido {DROPPED}.",  # "cancele": Spanish
        f"Cancel {KEPT} and {DROPPED} please, not needed. Anzi no, il {DROPPED} non cancellatelo.",
    ):
        facts, verdict = _decided(message)
        assert verdict["outcome"] == "ask_customer", message
        assert _cancelled(verdict) == [], message
        assert facts["ticket.case_types"] == ["unclear_request"], message
        assert [DROPPED in w and w in message for w in facts["message.unread"]] == [True], message
        assert "in a language we do not read" in facts["reply.text"]
        assert "cancelled" not in facts["reply.text"].lower()  # no outcome promised
    # a thank-you in another language names no order and asks nothing: the request goes ahead
    facts, verdict = _decided(f"Please cancel {KEPT}, I no longer need it. Obrigada!")
    assert not facts.get("message.unread")
    assert _cancelled(verdict) == [KEPT]


def test_an_order_said_not_to_be_cancelled_in_a_language_read_is_spared() -> None:
    _facts, verdict = _decided(f"Please cancel {KEPT}, I no longer need it. Bitte {DROPPED} nicht stornieren.")
    assert _cancelled(verdict) == [KEPT]


def test_a_want_for_later_said_with_a_hedge_is_a_plan_and_a_hedge_alone_is_not() -> None:
    for plan in ("I might cancel the rug order too at some point, but not today.",
                 "I was thinking of cancelling the rug one as well, maybe next month."):  # fmt: skip
        _facts, verdict = _decided(f"Please cancel {KEPT}, I no longer need it. {plan}")
        assert _cancelled(verdict) == [KEPT], plan
    _facts, verdict = _decided(
        f"Please cancel {KEPT}, I no longer need it. I suppose I'll cancel {DROPPED} too then, not needed."
    )
    assert _cancelled(verdict) == [KEPT, DROPPED]


def test_a_change_asked_in_words_no_request_is_read_from_is_asked_about_never_answered_past() -> None:
    message = (
        f"My order {KEPT} hasn't shipped yet, right? I picked the wrong colour of lamp, I should have gone for "
        "another one. Could you please change it for me?"
    )
    facts, verdict = _decided(message)
    assert verdict["outcome"] == "ask_customer"
    assert facts["ticket.case_types"] == ["unclear_request"]
    assert facts["message.unplaced"] == ["Could you please change it for me?"]
    # a question alone is still answered
    facts, verdict = _decided(f"My order {KEPT} hasn't shipped yet, right?")
    assert verdict["outcome"] == "answer"
