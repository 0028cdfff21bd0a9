"""Issue 42, item 9: look-alike names and links reaching customers. A name like ``evil.cоm`` (its ``о`` Cyrillic)
passed the ASCII link check and was greeted as "Hi evil.cоm,". Internationalised domains, words mixing scripts and
compatibility letters are caught wherever customer-facing text is checked: the greeting drops them, and the guard
refuses a reply or an e-mail carrying them."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.account_save.drafts import draft_email
from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.spec import SPEC as SUPPORT
from ai_missions.nodes.guard import check_actions
from ai_missions.nodes.plain_text import display_name, plain_text_problems
from tests.test_side_doors_inputs import account_email_problems
from tests.test_support_actions import case, received

#: Look-alike names, each with the plain words left of it.
LOOKALIKES = {
    "evil.c\u043em Smith": "Smith",  # a Cyrillic o in a domain
    "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444 Smith": "Smith",  # an internationalised domain
    "xn--e1afmkfd.xn--p1ai Smith": "Smith",  # the same, in punycode
    "g\u03bf\u03bfgle.com Smith": "Smith",  # Greek omicrons
    "\u0420a\u0443pal Smith": "Smith",  # a brand spelt with Cyrillic and Latin letters
    "\uff45\uff56\uff49\uff4c\uff0e\uff43\uff4f\uff4d Smith": "Smith",  # fullwidth, with a fullwidth dot
    "\U0001d41a\U0001d41c\U0001d41c\U0001d428\U0001d42e\U0001d427\U0001d42d Smith": "Smith",  # mathematical bold
    "micros\u043eft-support Smith": "Smith",
}
#: Names as people write them: kept.
PLAIN = (
    "José Núñez",
    "Владимир Петров",
    "Δημήτρης Παπαδόπουλος",
    "山田 太郎",
    "やまだ タロウ",
    "山田やまだ",
    "김민준",
    "Ana-María O'Brien",
    "Вера Иванова",  # Вера alone reads as the Latin Bepa: the name's other word says it is Russian
    "Сара Ахмедова",
)
#: Issue 59, item 9: what IDNA maps to a full stop, and a word of one script that reads as Latin.
LOOKALIKES_59 = {
    "evil\u3002com Smith": "Smith",  # an ideographic full stop
    "paypal-help\uff0eexample Smith": "Smith",  # a fullwidth full stop
    "secure\uff61bank\u3002com Smith": "Smith",  # a halfwidth ideographic one
    "\u13e2\u13aa\u13bd\u13e2\u13aa\u13de Smith": "Smith",  # Cherokee letters reading PAYPAL
    "\u13e2\u13aa\u13bd\u13e2\u13aa\u13de \u13e3 Smith": "\u13e3",  # with a lone Cherokee letter of its own
    "\u039a\u0391\u0399\u039d\u039f Smith": "Smith",  # Greek capitals reading KAINO
}


@pytest.mark.attack("42.9")
@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_42_9_a_lookalike_name_is_not_greeted_in_a_support_reply(name: str) -> None:
    """The support mission from the ticket (reading, facts, the offline reasoner, the guard)."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    ticket["ticket"]["requester"]["name"] = name
    _facts, verdict = decide(ticket)
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert body.splitlines()[0] == f"Hello {LOOKALIKES[name].split(' ')[0]},"
    assert plain_text_problems(body) == []


@pytest.mark.attack("42.9")
@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_42_9_a_lookalike_contact_name_never_reaches_an_account_email(name: str) -> None:
    facts = {"account.name": "Acme", "account.contact_name": name, "account.signals": ["silent_account"]}
    _subject, body = draft_email(facts)
    assert body.startswith(f"Hi {LOOKALIKES[name].split(' ')[0]},\n\n")


def _reply(body: str) -> dict[str, Any]:
    return {"tool": "send_ticket_reply", "args": {"ticket_id": "TKT-0001", "body": body, "status": "solved"}}


@pytest.mark.attack("42.9")
@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_42_9_a_reply_edited_to_carry_a_lookalike_is_refused(name: str) -> None:
    """As a reviewer's edit is checked (what ``decide`` runs on an edited plan)."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    facts, verdict = decide(ticket)
    plan = [dict(a) for a in verdict["actions"]]
    edited = [
        {**a, "args": {**a["args"], "body": f"Hello Ana,\n\nYour refund is ready at {name.split(' ')[0]}."}}
        if a["tool"] == "send_ticket_reply"
        else a
        for a in plan
    ]
    problems = check_actions(SUPPORT, edited, facts)
    assert any("reaches outside the company" in p for p in problems), problems


def test_42_9_an_account_email_subject_with_a_lookalike_is_refused() -> None:
    assert any("subject reaches outside" in p for p in account_email_problems("Renew at p\u0430ypal", "Hi Ana."))


def test_names_as_people_write_them_are_kept() -> None:
    for name in PLAIN:
        assert display_name(name) == name, name
        assert plain_text_problems(name) == [], name
    assert plain_text_problems("Your refund of 1,234.56 EUR is on its way, as agreed. Straße 5, 80331 München.") == []


@pytest.mark.attack("59.9")
@pytest.mark.parametrize("name", sorted(LOOKALIKES_59))
def test_59_9_idna_full_stops_and_one_script_lookalikes_are_not_greeted(name: str) -> None:
    """``evil。com`` and ``paypal-help．example`` passed the reply guard (IDNA reads their full stops as dots), and
    so did ``Hi ᏢᎪᎽᏢᎪᏞ,`` (one script, Cherokee, every letter reading as a Latin one)."""
    assert plain_text_problems(name.rsplit(" ", 1)[0]), name
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    ticket["ticket"]["requester"]["name"] = name
    _facts, verdict = decide(ticket)
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert body.splitlines()[0] == f"Hello {LOOKALIKES_59[name]},"
    facts = {"account.name": "Acme", "account.contact_name": name, "account.signals": ["silent_account"]}
    assert draft_email(facts)[1].startswith(f"Hi {LOOKALIKES_59[name]},\n\n")


@pytest.mark.attack("59.9")
@pytest.mark.parametrize(
    "text",
    [
        "Hi \u13e2\u13aa\u13bd\u13e2\u13aa\u13de,\n\nYour refund is on its way.",
        "Hello Ana,\n\nPlease confirm at evil\u3002com today.",
        "Hello Ana,\n\nSee paypal-help\uff0eexample for the refund.",
    ],
)
def test_59_9_a_reply_edited_to_carry_an_idna_link_or_a_one_script_lookalike_is_refused(text: str) -> None:
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    facts, verdict = decide(ticket)
    edited = [
        {**a, "args": {**a["args"], "body": text}} if a["tool"] == "send_ticket_reply" else dict(a)
        for a in verdict["actions"]
    ]
    problems = check_actions(SUPPORT, edited, facts)
    assert any("reaches outside the company" in p for p in problems), problems


def test_sentences_of_japanese_and_russian_replies_are_plain() -> None:
    """The ideographic full stop ends a Japanese sentence (no space after it); a Russian reply's words that read
    as Latin ones (``сор``) are Russian words in a Russian text."""
    for text in (
        "ご注文ありがとうございました。商品は明日発送します。",
        "주문해 주셔서 감사합니다。곧 배송됩니다。",
        "Спасибо за заказ, Вера. Мы вернём деньги в течение пяти дней; сор убран.",
        "Ευχαριστούμε για την παραγγελία σας, ΚΑΙ θα επιστρέψουμε τα χρήματα.",
    ):
        assert plain_text_problems(text) == [], text
