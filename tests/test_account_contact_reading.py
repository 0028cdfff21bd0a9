"""Issue 40 in the account mission: a do-not-contact request or a contact's departure, stated only in a health note or
a call log, decides the account's play (ACC-011); wordings written for this test."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.account_save.facts import derive_facts
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.nodes.offline_reasoner import decide


def context(note: str | None = None, call: str | None = None) -> dict[str, Any]:
    """A silent tier-2 account (no meaningful contact for 60 days) with an active owner."""
    return {
        "account_id": "AC-1",
        "book_now": "2026-11-25T09:00:00Z",
        "account": {"account_id": "AC-1", "name": "Oakridge", "tier": "tier2", "arr": 48000.0},
        "owner": {"owner_id": "o.lin", "name": "Ola Lin", "status": "active", "manager_id": "m.ray"},
        "manager": {"owner_id": "m.ray", "name": "Mia Ray", "status": "active", "manager_id": None},
        "contacts": [{"contact_id": "C-1", "name": "Priya Shah", "email": "p@oak.example", "title": "COO",
                      "is_primary": True}],
        "activities": [{"activity_id": "A-1", "kind": "call", "at": "2026-09-20T10:00:00Z",
                        "summary": call or "quarterly call, nothing to note", "meaningful": True}],
        "support_cases": [],
        "opportunities": [],
        "usage": [{"day": f"2026-11-{d:02d}", "active_users": 40} for d in range(1, 25)],
        "health_notes": [{"note_id": "H-1", "author": "ola.lin", "body": note, "at": "2026-11-20T10:00:00Z"}]
        if note
        else [],
    }  # fmt: skip


def play(ctx: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    facts, _risk = derive_facts(ctx)
    policies = [p for p in load_corpus(SPEC.policies).policies if any(p.applies(t) for t in facts[TYPES_FACT])]
    verdict, cited = decide(SPEC, policies, facts)
    return verdict, cited, [a["tool"] for a in verdict["actions"]]


def test_a_silent_account_is_checked_in_when_no_one_said_otherwise() -> None:
    verdict, cited, tools = play(context())
    assert "send_account_email" in tools, (verdict, cited)


@pytest.mark.parametrize(
    "note",
    [
        "Customer asked us to stop all e-mails until the new year, budget freeze.",
        "Kundin: bitte keine E-Mails mehr bis Februar.",
        "Le client demande : ne plus me contacter pendant la migration.",
    ],
)
def test_a_do_not_contact_request_in_a_note_sends_nothing(note: str) -> None:
    verdict, cited, tools = play(context(note=note))
    assert "ACC-011/do-not-contact-no-outreach" in cited
    assert verdict["outcome"] == "watch"
    assert "send_account_email" not in tools


@pytest.mark.parametrize(
    "note",
    [
        "Customer asked whether we could send fewer e-mails.",  # a question, not a request
        "Her colleague asked not to be emailed; Priya wants the renewal details.",  # someone else's wish
    ],
)
def test_other_words_about_e_mails_leave_the_play_as_it_was(note: str) -> None:
    _verdict, cited, _tools = play(context(note=note))
    assert "ACC-011/do-not-contact-no-outreach" not in cited


def test_a_contact_who_left_named_only_in_the_call_log_gets_no_e_mail() -> None:
    _verdict, cited, tools = play(context(call="Call log: Priya Shah has left the company, no successor named yet."))
    assert "ACC-011/departed-contact-find-new" in cited
    assert "send_account_email" not in tools


@pytest.mark.parametrize(
    ("subject", "paused"),
    [
        ("Bitte keine Werbe-E-Mails mehr bis zum Ende der Migration", True),
        ("No more e-mails until March please, we are in a budget freeze", True),
        # a question about e-mails, or a request from another company's contact: the play stays
        ("Can we get fewer e-mails about release notes?", False),
        ("Forwarded: a partner of ours asked not to be e-mailed", False),
    ],
)
def test_a_do_not_contact_request_named_only_in_a_support_case_subject(subject: str, paused: bool) -> None:
    """The support cases' subjects are read too: a request there is the customer's own words (issue 40)."""
    ctx = context()
    ctx["support_cases"] = [
        {"case_id": "SC-1", "subject": subject, "priority": "low", "status": "open", "escalated": False,
         "opened_at": "2026-11-18T10:00:00Z", "escalated_at": None, "closed_at": None}
    ]  # fmt: skip
    facts, _risk = derive_facts(ctx)
    assert facts["contact.do_not_contact"] is paused
    _verdict, cited, tools = play(ctx)
    assert ("ACC-011/do-not-contact-no-outreach" in cited) is paused
    assert ("send_account_email" not in tools) is paused
