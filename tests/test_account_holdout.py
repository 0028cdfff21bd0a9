"""The playbook points the account mission's holdout set showed it missed (the set itself is checked with the
other missions' in ``test_holdout_sets.py``): a tier-one renewal already with the save desk is not escalated again (the
owner still writes), and an account nobody active may decide for (owner away, manager gone) goes to sales
leadership instead of an email nobody can approve. Each account is staged with the holdout's record builder and
read through the accounts system's own context read, as the mission's gather reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ai_missions.graphs.account_save.evals.holdout import Account, snapshot_of
from ai_missions.graphs.account_save.facts import derive_facts
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT
from ai_missions.integrations import accounts
from ai_missions.integrations.environment import memory_book
from ai_missions.knowledge_index.policies import parse_policy
from ai_missions.nodes.guard import guard
from ai_missions.nodes.offline_reasoner import reason


def _decide(account: Account, statuses: dict[str, str] | None = None) -> tuple[dict[str, Any], Any]:
    book = memory_book(snapshot_of(account, statuses))
    context = accounts.get_account_context(book["accounts"], account.id).model_dump(mode="json")
    facts, _risk = derive_facts(context)
    types = facts[TYPES_FACT]
    policies = [parse_policy(p) for p in sorted(Path(str(SPEC.policies)).glob("*.md"))]
    proposal = reason(SPEC, [p for p in policies if any(p.applies(t) for t in types)], facts)
    verdict, problems = guard(SPEC, proposal, facts)
    return facts, (proposal, verdict, problems)


def _tier_one(number: int, *, escalated: bool) -> Account:
    a = Account(number, "finn", tier="tier1", arr_cents=40_000_000)
    a.usage(200, 110)
    a.case("Sync jobs failing nightly", 7, 6)
    a.case("Permissions reset after update", 3, 2)
    a.renewal(25, escalated=escalated)
    return a


def test_a_tier_one_renewal_already_with_the_save_desk_is_not_escalated_again_and_the_owner_still_writes() -> None:
    facts, (proposal, verdict, problems) = _decide(_tier_one(901, escalated=True))
    assert facts["risk.level"] == "tier_one"
    assert facts["renewal.escalated"] is True
    assert proposal["outcome"] == "save_play"
    assert [a["tool"] for a in proposal["actions"] if a["tool"] != "add_health_note"] == ["send_account_email"]
    assert problems == []
    assert verdict["outcome"] == "save_play"


def test_a_tier_one_renewal_not_yet_escalated_still_goes_to_the_save_desk() -> None:
    _facts, (proposal, _verdict, problems) = _decide(_tier_one(902, escalated=False))
    assert proposal["outcome"] == "save_play"
    assert problems == []
    tools = [a["tool"] for a in proposal["actions"]]
    assert "escalate_renewal" in tools
    assert "send_account_email" in tools


def _declining(number: int, owner: str) -> Account:
    a = Account(number, owner)
    a.usage(90, 50)
    a.renewal(150)
    return a


def test_an_away_owner_whose_manager_has_left_too_goes_to_sales_leadership_and_nothing_is_sent() -> None:
    facts, (proposal, _verdict, _problems) = _decide(_declining(903, "kim"), {"noah": "left"})
    assert facts["account.approver"] is None
    assert "owner_unavailable" in facts[TYPES_FACT]
    assert proposal["outcome"] == "escalate"
    assert proposal["actions"] == []


def test_a_departed_owner_whose_manager_is_away_is_not_reassigned_to_them() -> None:
    facts, (proposal, _verdict, _problems) = _decide(_declining(904, "jon"), {"noah": "away"})
    assert facts["account.approver"] is None
    assert proposal["outcome"] == "escalate"
    assert proposal["actions"] == []


def test_an_away_owner_with_an_active_manager_is_still_a_check_in_the_manager_decides() -> None:
    facts, (proposal, _verdict, _problems) = _decide(_declining(905, "kim"))
    assert facts["account.approver"] == "noah"
    assert "owner_unavailable" not in facts[TYPES_FACT]
    assert proposal["outcome"] == "check_in"
    assert [a["tool"] for a in proposal["actions"] if a["tool"] != "add_health_note"] == ["send_account_email"]
