"""The at-risk account mission on a small book (60 accounts): a scheduled batch ranks the flagged accounts, the
story account's owner (and only its owner) approves, the email goes out once; every other path to the customer is
refused; bad input is an observation or an escalation, never a crash."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.client import MissionClient
from ai_missions.graphs.account_save.drafts import draft_problems
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.integrations.accounts_seed import generate
from ai_missions.integrations.loader import write_book
from ai_missions.kernel.errors import ConflictError, ForbiddenError, ValidationError
from ai_missions.kernel.settings import sandbox_dir
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.nodes.context import MissionContext
from ai_missions.runtime import MissionRuntime
from ai_missions.schedules import due, fire_if_due
from ai_missions.services.gateway import SystemError_
from ai_missions.testing import signed_in_as
from tests.support.built_index import built_index
from tests.support.conformance import conformance_home_fixture, conformance_test

STORY = "ACC-10007"
NO_DATA = "ACC-10012"  # index 11
BROKEN_USAGE = "ACC-10006"  # index 5
LEFT = "ACC-10020"  # given to the owner who left, below
MORNING = datetime(2026, 3, 16, 6, 5, tzinfo=UTC)  # Monday 07:05 in Berlin


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("accounts")
    write_book(generate(60, 7), home)
    with sqlite3.connect(sandbox_dir(home) / "accounts.sqlite") as conn:
        conn.execute("UPDATE accounts SET owner_id = 'jon' WHERE account_id = ?", (LEFT,))
    assert SPEC.policies is not None
    built_index(tmp_path_factory, home, SPEC.policies)
    signed_in_as(home, "ava")  # the demo roster's accounts
    return home


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[MissionClient]:
    with MissionClient(home) as missions:
        yield missions


def sent(home: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(sandbox_dir(home) / "accounts.sqlite") as conn:
        return conn.execute("SELECT account_id, contact_id, body FROM sent_emails").fetchall()


def cli(home: Path, *args: str, as_: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MISSIONS_HOME": str(home), **signed_in_as(home, as_)}
    return subprocess.run([sys.executable, "-m", "ai_missions.cli", *args], env=env, capture_output=True, text=True)


def test_a_missed_schedule_is_caught_up_once() -> None:
    cron, tz = "0 7 * * 1-5", "Europe/Berlin"
    friday = datetime(2026, 3, 13, 6, 0, tzinfo=UTC)
    fire = due(cron, tz, friday, datetime(2026, 3, 18, 12, 0, tzinfo=UTC))  # down Mon-Wed: one fire, Wednesday's
    assert fire == datetime(2026, 3, 18, 6, 0, tzinfo=UTC)
    assert due(cron, tz, fire, datetime(2026, 3, 18, 15, 0, tzinfo=UTC)) is None
    summer = due(cron, tz, None, datetime(2026, 7, 1, 5, 30, tzinfo=UTC))  # 07:00 CEST is 05:00 UTC
    assert summer == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)


def test_scheduled_batch_brief_then_only_the_owner_sends_once(home: Path, client: MissionClient) -> None:
    async def morning() -> Any:
        async with MissionRuntime("account-save", home, durability="exit") as runtime:
            first = await fire_if_due(runtime, MORNING)
            again = await fire_if_due(runtime, MORNING.replace(hour=10))
            return first, again, runtime.store.batch_runs(first.batch_id) if first else []

    report, again, runs = asyncio.run(morning())
    assert report is not None
    assert again is None
    assert report.ranked[0] == STORY
    assert report.failed == 0
    assert {r["subject_id"] for r in runs} == set(report.ranked)
    story = next(r for r in runs if r["subject_id"] == STORY)
    assert story["status"] == "awaiting_decision"
    assert story["outcome"] == "save_play"
    decision = next(d for d in client.store.decisions_of(story["run_id"]) if d.status == "pending")
    tools = [i["action_request"]["action"] for i in decision.request["interrupts"]]
    assert tools == ["escalate_renewal", "send_account_email"]
    facts = client.state(story["run_id"])["facts"]
    assert facts["account.approver"] == "ava"
    assert "usage_decline" in facts["account.signals"]
    assert "escalations" in facts["account.signals"]
    assert facts["renewal.days"] == 60

    refused = cli(home, "decide", decision.decision_id, "--approve", as_="ben")  # same role, not the owner
    assert refused.returncode == 2
    assert "decided by ava" in refused.stderr
    with pytest.raises(ForbiddenError):  # the dashboard decides through the same runtime call
        client.decide(decision.decision_id, "maya", approve=True)
    assert sent(home) == []

    edited = {
        "2": {**decision.request["interrupts"][1]["action_request"]["args"], "body": "We will give you a 20% discount."}
    }
    with pytest.raises(ValidationError, match="not in the evidence"):  # the owner's edit is checked too
        client.decide(decision.decision_id, "ava", edits={2: edited["2"]})
    tone = dict(decision.request["interrupts"][1]["action_request"]["args"])
    tone["body"] = tone["body"].replace("Would you have", "Could we find")
    done = client.decide(decision.decision_id, "ava", edits={2: tone})  # the owner, with her edit of the tone
    assert done.status == "closed"
    emails = sent(home)
    assert len(emails) == 1
    assert emails[0][0] == STORY
    assert "Could we find" in emails[0][2]
    trail = client.store.events(story["run_id"], kind="decision")
    assert trail[0]["actor"] == "ava (account_owner)"
    assert "Could we find" in trail[0]["summary"]
    with pytest.raises(ConflictError):
        client.decide(decision.decision_id, "ava", approve=True)
    assert len(sent(home)) == 1


def test_bad_input_is_an_observation_or_an_escalation(client: MissionClient) -> None:
    empty = client.start("account-save", NO_DATA)
    assert empty.verdict is not None
    assert empty.verdict["outcome"] == "escalate"
    assert empty.status == "escalated"
    said = [e["summary"] for e in client.store.events(empty.run_id, kind="observation")]
    assert any("No usage, contacts, cases or opportunities" in str(f) for f in said)
    broken = client.start("account-save", BROKEN_USAGE)
    findings = [e["summary"] for e in client.store.events(broken.run_id, kind="observation")]
    assert any("Usage series broken" in str(f) for f in findings)
    assert broken.status != "failed"
    facts = client.state(broken.run_id)["facts"]
    assert "broken_usage" in facts["account.signals"]
    assert facts["usage.change_pct"] is None
    if (earlier := client.store.open_decision_on("account-save", LEFT)) is not None:  # a case is decided once
        client.decide(earlier.decision_id, "noah", reject_reason="proposed again below")
    left = client.start("account-save", LEFT)
    assert left.verdict is not None
    assert left.verdict["actions"][0]["tool"] == "reassign_account_owner"
    assert left.verdict["actions"][0]["args"]["new_owner_id"] == "noah"
    assert left.decision_id is not None
    with pytest.raises(ForbiddenError):
        client.decide(left.decision_id, "maya", approve=True)  # another team's manager
    done = client.decide(left.decision_id, "noah", approve=True)
    assert {r["tool"]: r["status"] for r in done.results}["reassign_account_owner"] == "done"


def test_the_draft_check_refuses_what_the_evidence_does_not_hold() -> None:
    facts = {"cases.escalated_14d": 2, "usage.change_pct": -34.2, "renewal.close_date": "2026-05-15"}
    assert draft_problems("2 cases escalated; usage down 34%; renewal on 2026-05-15; 30 minutes?", facts) == []
    assert draft_problems("usage down 45%", facts) == ["states 45, a number not in the evidence"]
    assert any("discount" in p for p in draft_problems("a discount on renewal", facts))


def test_exported_graph_and_direct_tool_calls_send_nothing(home: Path, client: MissionClient) -> None:
    graph = SPEC.build_graph().compile(checkpointer=InMemorySaver())
    context = MissionContext(home=str(home))

    async def attempt(thread: str, reviewer: str, signed: bool) -> dict[str, Any]:
        config: Any = {"configurable": {"thread_id": thread}}
        first = await graph.ainvoke({"subject_id": subject}, config, context=context)
        request = first["__interrupt__"][0].value
        decision_id = request[0]["metadata"]["decision_id"]
        answer: dict[str, Any] = {
            "decision_id": decision_id,
            "reviewer": reviewer,
            "role": "account_owner",
            "responses": [{"type": "accept"} for _ in request],
        }
        if signed:  # even an answer the platform signed acts only for the owner
            answer["signature"] = sign(platform_key(home), answer)
        return await graph.ainvoke(Command(resume=answer), config, context=context)

    before = len(sent(home))
    subject, owner = next(  # a flagged account still awaiting its owner, run afresh in the exported graph
        (r["subject_id"], client.state(r["run_id"])["facts"]["account.approver"])
        for r in client.store.list_runs(mission="account-save")
        if r["status"] == "awaiting_decision" and r["subject_id"] not in (STORY, LEFT)
    )
    end = asyncio.run(attempt("exported-1", "ben" if owner != "ben" else "ava", True))
    assert all(s["status"] == "rejected" for s in end["decision"]["plan"])
    assert len(sent(home)) == before
    args = {"account_id": STORY, "contact_id": "CT-100070", "subject": "hi", "body": "hello", "idempotency_key": "x1"}
    with pytest.raises(SystemError_) as refused:
        client.call_tool("send_account_email", args, mission="account-save")
    assert refused.value.code == "forbidden"
    assert len(sent(home)) == before


def _llm_plan(body: str) -> dict[str, Any]:
    return {
        "outcome": "check_in",
        "actions": [
            {
                "tool": "send_account_email",
                "args": {"account_id": STORY, "contact_id": "CT-100070", "subject": "Checking in", "body": body},
                "why": "escalations",
                "policy_ids": ["ACC-004"],
            }
        ],
        "confidence": 0.8,
        "summary": "Two escalated cases this week.",
    }


def test_the_llm_writes_the_draft_in_one_call_and_the_guard_checks_it() -> None:
    from ai_missions.nodes.guard import guard
    from ai_missions.nodes.llm_reasoner import reason_with_llm
    from ai_missions.nodes.state import PolicyRef
    from ai_missions.testing import scripted, verdict_call

    facts = {
        "account.signals": ["escalations"],
        "account.id": STORY,
        "account.contact_id": "CT-100070",
        "cases.escalated_14d": 2,
        "cases.escalated_7d": 2,
    }
    policies = [
        PolicyRef(
            policy_id="ACC-004",
            version=1,
            title="Escalated support cases",
            domain="account_management",
            sections=["Play"],
            text="The owner writes to the primary contact.",
        )
    ]
    for body, refused in (
        ("Hi Morgan, 2 of your cases were escalated this week; 30 minutes for a call?", False),
        ("Hi Morgan, 5 cases were escalated; we offer a 20% discount.", True),
    ):
        model = scripted([verdict_call(_llm_plan(body))])
        proposal, _usage = asyncio.run(reason_with_llm(SPEC, MissionContext(chat_model=model), facts, policies, []))
        assert len(model.prompts) == 1  # one call writes the verdict and the draft
        verdict, problems = guard(SPEC, proposal, facts)
        assert bool(problems) is refused, problems
        if refused:
            assert verdict["outcome"] == "escalate"
            assert any("not in the evidence" in p for p in problems)
            assert any("discount" in p for p in problems)


def test_the_words_a_contact_decision_rests_on_reach_the_explain_rail(home: Path, client: MissionClient) -> None:
    """Issue 40: a do-not-contact request written only in a health note is read with its words, and the run's
    observations quote them with the note they were written in (the Explain rail)."""
    account = "ACC-10031"
    words = "Customer asked us to stop all e-mails until the new year, budget freeze."
    with sqlite3.connect(sandbox_dir(home) / "accounts.sqlite") as conn:
        conn.execute(
            "INSERT INTO health_notes (note_id, account_id, author, body, at) VALUES (?, ?, ?, ?, ?)",
            ("HN-4001", account, "ola.lin", words, "2026-03-13T09:00:00Z"),
        )
    run = client.start("account-save", account)
    assert client.state(run.run_id)["facts"]["contact.do_not_contact"] is True
    observations = client.store.events(run.run_id, kind="observation")
    read = [e for e in observations if "HN-4001" in str(e["summary"])]
    assert read, [e["summary"] for e in observations]
    assert "stop all e-mails" in str(read[0]["summary"])


# the conformance kit every mission passes (ai_missions.testing.conformance)
conformance_home = conformance_home_fixture()
test_the_mission_passes_the_conformance_kit = conformance_test("account-save")
