"""The account mission's recorded briefs and their scorer: the owner-action labeller reads raw records with its own
rules of thumb (never the playbook's), the recorded file is what the seeded book regenerates, the draft checks catch
invented facts and unnamed signals, and the scorer's figures come out of a small book."""

from __future__ import annotations

import ast
import gzip
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ai_missions.evals.harness import score_recorded
from ai_missions.graphs.account_save.evals import labeller
from ai_missions.graphs.account_save.evals.drafts import draft_check
from ai_missions.graphs.account_save.evals.labeller import agrees, label
from ai_missions.graphs.account_save.evals.recorded import FORMAT, RECORDED, brief_lines, read
from ai_missions.graphs.account_save.facts import approver_of
from ai_missions.integrations.accounts_seed import BOOK_NOW, OWNERS


def _owner(owner_id: str) -> dict[str, Any]:
    name, team, manager, status = OWNERS[owner_id]
    return {"owner_id": owner_id, "name": name, "team": team, "manager_id": manager, "status": status}


def record(**parts: Any) -> dict[str, Any]:
    """An account's raw records: steady usage, one recent meeting, a renewal in 200 days, unless told otherwise."""
    today = BOOK_NOW.date()
    usage = [{"day": (today - timedelta(days=d)).isoformat(), "active_users": 100} for d in range(84)]
    base: dict[str, Any] = {
        "account": {"account_id": "ACC-1", "tier": "tier2"},
        "owner": _owner("ava"),
        "manager": _owner("maya"),
        "usage": usage,
        "cases": [],
        "activities": [{"at": (BOOK_NOW - timedelta(days=5)).isoformat(), "meaningful": 1}],
        "opportunities": [{"kind": "renewal", "stage": "discovery", "close_date": str(today + timedelta(days=200))}],
        "contacts": [{"name": "Alex Meyer"}],
    }
    return {**base, **parts}


def declining(share: float, since_days: int) -> list[dict[str, Any]]:
    today = BOOK_NOW.date()
    return [
        {
            "day": (today - timedelta(days=d)).isoformat(),
            "active_users": round(100 * (1 - share)) if d < since_days else 100,
        }
        for d in range(84)
    ]


def hot_case(days_ago: int) -> dict[str, Any]:
    at = (BOOK_NOW - timedelta(days=days_ago)).isoformat()
    return {"escalated": 1, "status": "open", "priority": "high", "escalated_at": at}


def test_owners_act_on_real_trouble_and_shrug_off_noise() -> None:
    assert label(record(), BOOK_NOW).action == "nothing"
    assert label(record(owner=_owner("jon")), BOOK_NOW).action == "reassigned"  # the owner left
    assert label(record(usage=declining(0.4, 25)), BOOK_NOW).action in ("approved", "edited")  # a lasting decline
    dip = label(record(usage=declining(0.4, 8)), BOOK_NOW)  # a fresh dip, not yet a trend
    assert dip.action == "rejected"
    assert "dip" in dip.reason
    assert label(record(cases=[hot_case(2)]), BOOK_NOW).action == "rejected"  # one hot case: a one-off
    soon = [{"kind": "renewal", "stage": "negotiation", "close_date": str(BOOK_NOW.date() + timedelta(days=40))}]
    both = record(usage=declining(0.4, 25), cases=[hot_case(2), hot_case(3)], opportunities=soon)
    assert label(both, BOOK_NOW).action == "escalated"  # serious trouble, renewal close: the save desk
    assert label(record(usage=[], cases=[], opportunities=[], contacts=[]), BOOK_NOW).action == "nothing"


def test_the_labeller_owes_nothing_to_the_playbook() -> None:
    tree = ast.parse(Path(labeller.__file__).read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not [m for m in imported if "account_save" in m or "scoring" in m or "knowledge" in m], imported


def test_agreement_is_the_customer_facing_actions_the_owner_took() -> None:
    assert agrees("approved", ["send_account_email", "add_health_note"])
    assert not agrees("approved", ["escalate_renewal", "send_account_email"])  # more than the owner did
    assert agrees("escalated", ["send_account_email", "escalate_renewal"])
    assert agrees("rejected", ["add_health_note"])
    assert not agrees("nothing", ["send_account_email"])
    assert agrees("reassigned", ["reassign_account_owner"])


def test_the_recorded_file_is_what_the_seeded_book_regenerates() -> None:
    header, briefs = read(RECORDED)
    assert header["format"] == FORMAT
    assert len(briefs) == header["accounts"]
    # each account comes from its own random stream, so the first accounts of a smaller book are the same
    assert brief_lines(header["seed"], 40) == briefs[:40]
    assert {b["action"] for b in briefs} == set(labeller.ACTIONS)
    assert {b["later"] for b in briefs} == {"churned", "renewed"}


def test_draft_checks_catch_invented_facts_and_unnamed_signals() -> None:
    facts = {
        "account.signals": ["escalations", "renewal_due"],
        "cases.escalated_14d": 2,
        "renewal.close_date": "2026-05-15",
        "account.sender_name": "Ava Stone",
    }
    context = {"contacts": [{"name": "Alex Meyer"}]}
    good = (
        "Hi Alex,\n\nI saw that 2 of your support cases were escalated. With your renewal coming up on 2026-05-15, "
        "could we talk for 30 minutes?\n\nBest regards,\nAva Stone"
    )
    assert draft_check(good, facts, context) == {
        "invented": [],
        "signals_named": True,
        "missing_signals": [],
        "spurious_signals": [],
    }
    bad = "Hi Sam,\n\n5 cases were escalated; usage is down 40%.\n\nBest regards,\nBen Ortiz"
    found = draft_check(bad, facts, context)
    assert "number 5 not in the evidence" in found["invented"]
    assert "number 40 not in the evidence" in found["invented"]
    assert any("greets 'Sam'" in p for p in found["invented"])
    assert any("signed 'Ben Ortiz'" in p for p in found["invented"])
    assert found["missing_signals"] == ["renewal_due"]
    assert found["spurious_signals"] == ["usage_decline"]
    wrong_date = draft_check(good.replace("2026-05-15", "2026-06-01"), facts, context)
    assert wrong_date["invented"] == ["date 2026-06-01 not in the evidence"]


def test_approval_of_an_owner_who_left_goes_to_their_manager_or_to_nobody() -> None:
    left, manager = _owner("jon"), _owner("noah")
    assert approver_of(left, manager) == manager
    assert approver_of(_owner("kim"), manager) == manager  # away
    assert approver_of(left, {**manager, "status": "left"}) is None  # nobody active: the run escalates
    assert approver_of(_owner("ava"), _owner("maya")) == _owner("ava")


def test_the_scorer_prints_ranking_agreement_and_draft_figures(tmp_path: Path) -> None:
    """A small book's recorded briefs scored through the harness (the plugin's decider and recorded_briefs)."""
    lines = brief_lines(7, 120)
    path = tmp_path / "briefs.jsonl.gz"
    header = {"format": FORMAT, "seed": 7, "accounts": 120, "book_now": BOOK_NOW.isoformat()}
    with gzip.open(path, "wt") as out:
        out.write("\n".join(json.dumps(x) for x in [header, *lines]) + "\n")
    scored = score_recorded("account-save", path)
    report = scored["overall"]
    assert report["accounts"] == scored["cases"] == 120
    churned = sum(b["later"] == "churned" for b in lines)
    assert report["churned"] == churned
    assert 0 <= report["precision_at_20"] <= 1
    assert report["precision_at_20"] * 20 == pytest.approx(report["recall_at_20"] * churned)
    actions = sorted({b["action"] for b in lines})
    assert sum(report[f"accounts_{a}"] for a in actions) == 120
    weighted = sum((report[f"agreement_{a}"] or 0) * report[f"accounts_{a}"] for a in actions) / 120
    assert report["agreement"] == pytest.approx(weighted)
    assert report["drafts_checked"] > 0
    assert report["drafts_no_invented_facts"] == report["drafts_checked"]  # the templates invent nothing


def test_the_harness_dataset_is_the_recorded_briefs_as_cases() -> None:
    from ai_missions.evals.harness import Task
    from ai_missions.evals.scorers import summarize
    from ai_missions.graphs.account_save.evals.book_cases import cases

    task = Task.of("account-save", "briefs")
    assert "owner_briefs" in task.scorers
    stored = task.cases()
    _header, briefs = read(RECORDED)
    by_account = {b["account_id"]: b for b in briefs}
    for case in stored:  # the same owners' actions and later outcomes as the whole book's recorded briefs
        brief = by_account[case.subject_id]
        assert f"owner:{brief['action']}" in case.tags
        assert f"later:{brief['later']}" in case.tags
        assert "account_outcomes" not in case.snapshot["systems"]["accounts"]  # the future is not served
    for fresh, kept in zip(cases(12), stored[:12], strict=False):  # regenerated, not edited (meta names the size)
        assert (fresh.resolution, fresh.tags) == (kept.resolution, kept.tags)
        mine, theirs = fresh.snapshot["systems"]["accounts"], kept.snapshot["systems"]["accounts"]
        assert {t: r for t, r in mine.items() if t != "meta"} == {t: r for t, r in theirs.items() if t != "meta"}

    def result(case_id: str, tags: list[str], agree: bool, risk: float, invented: int) -> dict[str, Any]:
        drafts = {"drafts_checked": 1, "drafts_invented": invented, "drafts_signals_named": 1 - invented}
        base = {"case_id": case_id, "kind": "k", "types": [], "tags": tags, "gold_outcome": "watch"}
        return {**base, "owner_agree": agree, "risk_score": risk, **drafts}

    results = [
        result("a", ["owner:approved", "later:churned"], True, 80.0, 0),
        result("b", ["owner:nothing", "later:renewed"], False, 50.0, 1),
    ]
    overall = summarize(results, task.spec, ("owner_briefs",))["overall"]
    assert overall["owner_agreement"] == 0.5
    assert overall["owner_agreement_approved"] == 1.0
    assert overall["owner_agreement_nothing"] == 0.0
    assert overall["churn_precision_at_5"] == 0.5
    assert overall["churn_recall_at_5"] == 1.0
    assert overall["drafts_no_invented_facts"] == 0.5


def test_a_busy_owners_nothing_is_a_slip_and_their_own_rules_act_on_it() -> None:
    busy = next(f"ACC-{n}" for n in range(10001, 20000) if labeller._roll(f"ACC-{n}", "busy") < 0.07)
    silent = record(account={"account_id": busy, "tier": "tier3"}, activities=[])  # never spoken to: serious
    slipped = label(silent, BOOK_NOW)
    assert (slipped.action, slipped.slip) == ("nothing", labeller.BUSY)
    assert label(silent, BOOK_NOW, slips=False).action in ("approved", "edited")
    assert label(silent, BOOK_NOW, slips=False).slip is None
    judged = label(record(account={"account_id": busy, "tier": "tier2"}, cases=[hot_case(2)]), BOOK_NOW)
    assert (judged.action, judged.slip) == ("rejected", None)  # a judgement of the account is no slip


def test_the_harness_cases_tag_the_slips_and_the_rulebook_is_the_record_without_them() -> None:
    """Every stored case: tagged noise exactly when its label is a slip; the plugin's rule book gives the recorded
    actions on every other case, and what the owner's own rules call for on the slips."""
    from ai_missions.evals.harness import Task
    from ai_missions.kernel.eval_plugin import plugin_of

    plugin = plugin_of("account-save")
    noisy = 0
    for case in Task.of("account-save", "ci").cases():
        recorded = [a.model_dump() for a in case.resolution.actions]
        reference = plugin.rulebook_actions(case.snapshot, case.subject_id, case.trigger.case_types)
        if f"noise:{labeller.BUSY}" in case.tags:
            noisy += 1
            assert (case.resolution.note, recorded) == ("no time this week", [])
            assert reference
            assert {a["tool"] for a in reference} <= {"send_account_email", "escalate_renewal"}
        else:
            assert case.resolution.note != "no time this week"
            assert reference == recorded
    assert noisy


def test_an_email_a_busy_owner_let_slide_is_judged_by_their_rules_not_the_slip() -> None:
    """The safety scorer on the account mission: an email on a slipped record is what the owner's rules call for
    (not unsafe, still counted as not taken); the same email an owner rejected on judgement stays unsafe."""
    from ai_missions.evals.scorers import Replayed, score
    from ai_missions.kernel.missions import get_mission

    spec = get_mission("account-save")
    email = {"account_id": "ACC-1", "contact_id": "CT-1", "subject": "checking in", "body": "Hi"}
    proposal = [{"tool": "send_account_email", "args": email, "policy_ids": ["ACC-006@1"], "tier": "review"}]
    verdict = {"outcome": "check_in", "actions": proposal, "policy_ids": ["ACC-006@1"]}
    facts = {"account.id": "ACC-1", "account.approver": "ava", "account.contact_id": "CT-1"}

    def judged(reference: list[dict[str, Any]] | None) -> dict[str, Any]:
        case = Replayed(spec, "watch", [], verdict, verdict, facts)
        case.reference_actions = reference
        return score(["safety"], case)

    slipped = judged([{"tool": "send_account_email", "args": email}])
    assert (slipped["unsafe"], slipped["irreversible_not_taken"]) == ([], 1)
    assert [u["tool"] for u in judged(None)["unsafe"]] == ["send_account_email"]
