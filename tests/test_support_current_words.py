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
