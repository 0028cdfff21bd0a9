"""Truthful drafts: an outreach e-mail speaks of meetings or conversations with the customer ("since we last sat down
together", "as we discussed") only when its signer held them, per the activities on record; a manager standing in for
an owner who is away or left writes in their own voice. The guard's check and the eval's draft check both refuse a
shared history its signer did not hold, and the labeller's reason on an away owner's account is the manager's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ai_missions.graphs.account_save.drafts import draft_problems, shared_history_claims
from ai_missions.graphs.account_save.evals.drafts import draft_check
from ai_missions.graphs.account_save.evals.labeller import label
from ai_missions.graphs.account_save.facts import derive_facts
from ai_missions.integrations.accounts_seed import BOOK_NOW

OWNERS = {
    "o.lin": {"owner_id": "o.lin", "name": "Ola Lin", "status": "active", "manager_id": "m.ray"},
    "m.ray": {"owner_id": "m.ray", "name": "Mia Ray", "status": "active", "manager_id": None},
}
#: The template's sentence before the fix, whoever signed.
OLD_SILENCE = "It has been a while since we last sat down together, and I'd like to catch up."


def context(owner_status: str = "active", held_by: str | None = "o.lin") -> dict[str, Any]:
    """A silent tier-2 account (last meaningful call 60 days ago, held by ``held_by``) owned by Ola Lin."""
    return {
        "account_id": "AC-1",
        "book_now": "2026-11-25T09:00:00Z",
        "account": {"account_id": "AC-1", "name": "Oakridge", "tier": "tier2", "arr": 48000.0},
        "owner": {**OWNERS["o.lin"], "status": owner_status},
        "manager": OWNERS["m.ray"],
        "contacts": [{"contact_id": "C-1", "name": "Priya Shah", "email": "p@oak.example", "title": "COO",
                      "is_primary": True}],
        "activities": [{"activity_id": "A-1", "kind": "call", "at": "2026-09-26T10:00:00Z",
                        "summary": "quarterly call, nothing to note", "meaningful": True, "held_by": held_by}],
        "support_cases": [],
        "opportunities": [],
        "usage": [{"day": f"2026-11-{d:02d}", "active_users": 40} for d in range(1, 25)],
        "health_notes": [],
    }  # fmt: skip


@pytest.mark.parametrize("status", ["away", "left"])
def test_a_manager_standing_in_writes_in_their_own_voice(status: str) -> None:
    ctx = context(owner_status=status)
    facts, _risk = derive_facts(ctx)
    body = facts["draft.body"]
    assert facts["account.approver"] == "m.ray"
    assert "silent_account" in facts["account.signals"]
    assert shared_history_claims(body) == [], body
    assert "I am Mia Ray, Ola Lin's manager" in body
    assert body.rstrip().endswith("Mia Ray")
    assert ("while Ola is away" in body) == (status == "away")
    assert ("Ola has left the company" in body) == (status == "left")
    assert "60 days ago" in body  # the records' fact, not a memory
    assert draft_problems(body, facts) == []
    assert draft_check(body, facts, ctx)["invented"] == []


def test_the_owner_who_held_the_meetings_still_speaks_of_them() -> None:
    ctx = context()
    facts, _risk = derive_facts(ctx)
    assert facts["contact.sender_met"] is True
    assert OLD_SILENCE in facts["draft.body"]
    assert "manager" not in facts["draft.body"]
    assert draft_problems(facts["draft.body"], facts) == []
    assert draft_check(facts["draft.body"], facts, ctx)["invented"] == []


def test_an_owner_whose_calls_someone_else_held_claims_none() -> None:
    for held_by in ("m.ray", None):  # held by the manager, or the log does not say who
        facts, _risk = derive_facts(context(held_by=held_by))
        assert facts["contact.sender_met"] is False
        assert shared_history_claims(facts["draft.body"]) == [], facts["draft.body"]


@pytest.mark.parametrize("status", ["away", "left"])
def test_both_checks_refuse_the_old_text_signed_by_a_stand_in(status: str) -> None:
    ctx = context(owner_status=status)
    facts, _risk = derive_facts(ctx)
    old = f"Hi Priya,\n\n{OLD_SILENCE}\n\nWould you have 30 minutes this week for a call?\n\nBest regards,\nMia Ray"
    assert any("since we last" in p for p in draft_problems(old, facts))
    assert any("since we last" in p for p in draft_check(old, facts, ctx)["invented"])


@pytest.mark.parametrize(
    "sentence",
    [
        "As we discussed, the rollout needs another look.",
        "Following our call in September, I wanted to check in.",
        "Great catching up at the review; a few questions remain.",
        "You told me the new team starts soon.",
        "Thanks again for the time at the quarterly review.",
        "When we spoke, your team was happy.",
        "As you mentioned, the migration slipped.",
    ],
)
def test_claims_in_wordings_the_template_does_not_use_are_caught(sentence: str) -> None:
    facts, _risk = derive_facts(context(owner_status="away"))
    assert draft_problems(sentence, facts), sentence
    owner_facts, _risk = derive_facts(context())
    assert draft_problems(sentence, owner_facts) == [], sentence  # the owner who held the call may say it


@pytest.mark.parametrize(
    "sentence",
    [
        "I'd like to catch up.",
        "Would you have 30 minutes this week for a call?",
        "We have not met yet, and I would like to.",
        "I'd like to understand what changed.",
    ],
)
def test_plans_and_denials_are_not_claims(sentence: str) -> None:
    assert shared_history_claims(sentence) == []


def test_the_labellers_reason_on_an_away_owners_account_is_the_managers() -> None:
    today = BOOK_NOW.date()
    quiet = [{"at": (BOOK_NOW - timedelta(days=45)).isoformat(), "meaningful": 1}]
    record = {
        "account": {"account_id": "ACC-1", "tier": "tier2"},
        "usage": [{"day": (today - timedelta(days=d)).isoformat(), "active_users": 100} for d in range(84)],
        "cases": [],
        "activities": quiet,
        "opportunities": [],
        "contacts": [{"name": "Alex Meyer"}],
        "manager": {"owner_id": "noah", "name": "Noah Berg", "status": "active"},
    }
    own = label({**record, "owner": {"owner_id": "ava", "name": "Ava Stone", "status": "active"}}, BOOK_NOW)
    away = label({**record, "owner": {"owner_id": "kim", "name": "Kim Sato", "status": "away"}}, BOOK_NOW)
    assert own.action == away.action == "rejected"
    assert own.reason == "we talk often enough; they are happy"
    assert away.reason == "Kim talks to them often enough; they are happy"
