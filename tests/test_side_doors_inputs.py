"""The side-door campaign (issue 26), items 9 and 10: untrusted names reaching customers, and faults and input
the CLI met with an internal error or a silent exit 0. Each attack is tried as an attacker would and shown refused
(or the honest outcome), counted in the campaign's tally (``tests/test_side_doors.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.account_save.drafts import draft_email
from ai_missions.graphs.account_save.spec import SPEC as ACCOUNT_SAVE
from ai_missions.graphs.support.evals.run import decide
from ai_missions.graphs.support.spec import SPEC as SUPPORT
from ai_missions.nodes.guard import check_actions, guard
from ai_missions.nodes.plain_text import display_name, plain_text_problems
from tests.test_side_doors import attack, tally
from tests.test_support_actions import case, received

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

pytestmark = pytest.mark.slow

#: Names a sign-up form, a CRM import or an e-mail header let through, and the plain name left of each.
HOSTILE_NAMES = {
    "http://evil.example/x Smith": "Smith",
    "<b>x</b> Smith": "Smith",
    "evil.example Smith": "Smith",
    "www.evil.example/login Smith": "Smith",
    "[pay here](https://evil.example) Smith": "Smith",
    "bob@evil.example Smith": "Smith",
    "Smith\u202egnp.exe": "",  # shown as "Smithexe.png": the override is removed, and the file name dropped
    "Ana\u202e Smith\u2066": "Ana Smith",
    "\x00Smith\x07": "Smith",
    "<script>alert(1)</script>": "",
    "&lt;b&gt; Smith": "Smith",
}


# -- 9. text that reaches a customer is plain ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_9_a_hostile_name_is_greeted_by_its_plain_words_in_a_support_reply(name: str) -> None:
    """The support mission end to end from the ticket (gather's reading, facts, the offline reasoner, the guard):
    the reply greets the plain name, carries nothing the name smuggled in, and still goes to the reviewer."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    ticket["ticket"]["requester"]["name"] = name
    _facts, verdict = decide(ticket)
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    greeting = body.splitlines()[0]
    expected = HOSTILE_NAMES[name].split(" ")[0] or "there"
    assert greeting == f"Hello {expected},"
    assert attack("9 untrusted names reach customers", plain_text_problems(body) == [])
    assert "refund_payment" in [a["tool"] for a in verdict["actions"]]  # the case is still answered


@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_9_a_hostile_contact_name_never_reaches_an_account_email(name: str) -> None:
    facts = {
        "account.name": "<a href='https://evil.example'>Acme</a>",
        "account.contact_name": name,
        "account.sender_name": "Dana\u202e Whitfield http://evil.example",
        "account.signals": ["silent_account"],
    }
    subject, body = draft_email(facts)
    assert body.startswith(f"Hi {HOSTILE_NAMES[name].split(' ')[0] or 'there'},\n\n")
    assert body.endswith("Best regards,\nDana Whitfield")
    assert subject == "Checking in"  # the account's name was markup: left out, not sent
    assert attack("9 untrusted names reach customers", plain_text_problems(subject + body) == [])


def test_9_plain_names_are_kept_as_written() -> None:
    for name in ("Ana Silva", "María José Pérez", "Jean-Luc O'Brien", "J. R. Tolkien", "Zoë Ødegaard"):
        assert display_name(name) == name
    assert display_name("Ana Silva", first=True) == "Ana"
    assert display_name(None, fallback="") == ""


#: What a reviewer's edit, a model's draft or a forged verdict may try to send a customer.
HOSTILE_BODIES = (
    "Hello Ana,\n\nPlease confirm your card at http://evil.example/x.",
    "Hello Ana,\n\nPlease confirm your card at evil.example/verify.",
    "Hello Ana,\n\n<a href='x'>Your refund</a> is ready.",
    "Hello Ana,\n\n![](https://evil.example/pixel.png) Your refund is ready.",
    "Hello Ana,\n\nYour refund\u202e is ready.",
    "Hello Ana,\x00\x07\n\nYour refund is ready.",
    "Hello Ana,\n\nWrite to refunds@evil.example to get it faster.",
)


def _reply(body: Any) -> dict[str, Any]:
    return {
        "tool": "send_ticket_reply",
        "args": {"ticket_id": "TKT-0001", "body": body, "status": "solved"},
        "tier": "review",
        "policy_ids": ["SUP-001"],
    }


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_9_a_reply_carrying_a_link_markup_or_controls_is_refused_by_the_guard(body: str) -> None:
    """As a reviewer's edit is checked (``check_actions``, what ``decide`` runs on the edited plan) and as a
    model's verdict is (``guard``): refused, naming why; the same reply in plain words passes."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    facts, verdict = decide(ticket)
    plan = [dict(a) for a in verdict["actions"]]
    reply = next(a for a in plan if a["tool"] == "send_ticket_reply")
    assert check_actions(SUPPORT, plan, facts) == []  # the plan as drafted is sound
    edited = [{**a, "args": {**a["args"], "body": body}} if a is reply else a for a in plan]
    problems = check_actions(SUPPORT, edited, facts)
    assert attack("9 untrusted names reach customers", any("reaches outside the company" in p for p in problems))
    forged = {**verdict, "actions": edited}
    guarded, found = guard(SUPPORT, forged, facts)  # type: ignore[arg-type]
    assert attack("9 untrusted names reach customers", guarded["outcome"] == "escalate" and guarded["actions"] == [])
    assert found


def test_9_an_account_email_edited_to_carry_a_link_is_refused() -> None:
    facts = {"account.id": "ACC-1", "account.contact_id": "CT-1"}
    email = {
        "tool": "send_account_email",
        "args": {"account_id": "ACC-1", "contact_id": "CT-1", "subject": "Checking in", "body": "Hi Ana, see you."},
        "tier": "review",
        "policy_ids": ["ACC-002"],
    }
    assert check_actions(ACCOUNT_SAVE, [email], facts) == []
    for field, text in (("body", "Hi Ana, renew at https://evil.example now."), ("subject", "<b>Urgent</b>")):
        edited = {**email, "args": {**email["args"], field: text}}
        problems = check_actions(ACCOUNT_SAVE, [edited], facts)
        assert attack("9 untrusted names reach customers", any(f"{field} reaches outside" in p for p in problems))


def test_9_internal_notes_may_quote_what_a_customer_wrote() -> None:
    """Only what leaves the company is held to plain text: an internal note may record the link a customer sent."""
    note = {
        "tool": "add_ticket_note",
        "args": {"ticket_id": "TKT-0001", "body": "customer sent http://evil.example/x"},
        "tier": "auto",
        "policy_ids": ["SUP-001"],
    }
    facts, _ = decide(case("I sent back order SO-100001, where is my refund?", returns=received()))
    assert check_actions(SUPPORT, [note], facts) == []
