"""Automatic notes state only what is true when they are written (issue 39 item 2).

Per mission, a case whose plan has an automatic note and actions waiting for a reviewer: while the decision is
pending, no note written states the outcome of a pending action ("Authorization AUTH-1 captured ahead of expiry"
before the capture was even requested); once the plan is rejected, none states the outcome of a rejected action (the
"Approved with note" that stayed on an invoice the controller rejected). The oracle is independent of how the notes
are composed: a pending or rejected action's verb in the past tense (captured, refunded, approved, posted...) must
not appear in any note written for the case. Then an approved plan gets the note the mission proposed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.client import MissionClient
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services.governance import approval_rules, load_roster
from ai_missions.services.review import review_sheet
from tests.support.small_home import demo_home_fixture

MISSIONS = ("order-exception", "invoice-approval", "support", "account-save", "retail-exceptions")
#: How many of a mission's open cases are tried to find one with an automatic note and a pending decision.
TRIES = 40
IRREGULAR = {"send": {"sent"}, "hold": {"held"}, "pay": {"paid"}, "put": {"put"}, "make": {"made"}}


def past_tense(tool: str) -> set[str]:
    """The outcome words of an action: its verb in the past tense (``capture_payment`` -> captured)."""
    verb = tool.split("_")[0]
    if verb in IRREGULAR:
        return IRREGULAR[verb]
    if verb.endswith("e"):
        return {verb + "d"}
    if re.search(r"[^aeiou]y$", verb):
        return {verb[:-1] + "ied"}
    return {verb + "ed", verb + verb[-1] + "ed"}  # posted / cancelled, canceled


def stated_outcomes(text: str, actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """The outcome words of ``actions`` that ``text`` uses."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return sorted(w for a in actions for w in past_tense(str(a["tool"])) if w in words)


def notes_written(store: RunStore, run_id: str) -> list[dict[str, Any]]:
    """Every note the run wrote (automatic notes carry how their text was written)."""
    return [
        e["data"]
        for e in store.events(run_id, kind="action_result")
        if e["data"].get("automatic") and e["data"].get("status") == "done"
    ]


def note_text(mission: str, note: Mapping[str, Any]) -> str:
    rule = get_mission(mission).tools[note["tool"]]
    assert rule.note_text is not None
    return str(note["args"][rule.note_text])


home = demo_home_fixture("truthful-notes")


@pytest.fixture(scope="module")
def tried() -> set[str]:
    """Subjects a mission already ran on in this module (a case runs once while its decision is open)."""
    return set()


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[MissionClient]:
    with MissionClient(home) as client:
        yield client


def pending_with_interim_note(client: MissionClient, mission: str, skip: set[str]) -> tuple[str, str]:
    """(run id, decision id) of a case whose automatic note was written while a decision is pending."""
    for subject in sorted(client.cases_now(mission))[:TRIES]:
        if subject in skip:
            continue
        outcome = client.start(mission, subject)
        skip.add(subject)
        if outcome.decision_id and any(r.get("automatic") == "interim" for r in outcome.results):
            return outcome.run_id, outcome.decision_id
    pytest.fail(f"{mission}: none of {TRIES} cases has an automatic note and a pending decision")


def answer_all(client: MissionClient, home: Path, decision_id: str, *, approve: bool) -> None:
    """Answer every open part of the decision, each by a reviewer who may (co-approval: one per role)."""
    store = client.store
    rules = approval_rules(PolicyBook(knowledge_dir(home)))
    roster = load_roster(home)
    for _ in range(4):
        decision = store.get_decision(decision_id)
        if decision.status != "pending":
            return
        sheet = review_sheet(store, decision, rules, roster=roster)
        open_ = next(a for a in sheet.actions if a.signed_by is None)
        reviewer = (open_.approver or "").split(" ")[0] or next(
            name for name, role in sorted(roster.items()) if role in open_.roles
        )
        if approve:
            client.decide(decision_id, reviewer, approve=True)
        else:
            client.decide(decision_id, reviewer, reject_reason="not this time")
    raise AssertionError(f"decision {decision_id} is still pending")


@pytest.mark.parametrize("mission", MISSIONS)
def test_no_automatic_note_states_the_outcome_of_a_pending_or_rejected_action(
    client: MissionClient,
    home: Path,
    tried: set[str],
    mission: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_id, decision_id = pending_with_interim_note(client, mission, tried)
    store = client.store
    waiting = [i["action_request"] for i in store.get_decision(decision_id).request["interrupts"]]
    pending = [{"tool": a["action"], "args": a["args"]} for a in waiting]
    written = notes_written(store, run_id)
    assert written, f"{mission} {run_id}: no automatic note written"
    for note in written:
        text = note_text(mission, note)
        assert not stated_outcomes(text, pending), (mission, note["automatic"], text)
        for action in pending:
            assert action["tool"] in text, (mission, text)  # and it says what waits, by name
    proposed = {i: a for i, a in enumerate(client.state(run_id)["verdict"]["actions"]) if a.get("tier") == "auto"}
    interim = [n for n in written if n["automatic"] == "interim"]
    assert all(note_text(mission, n) != note_text(mission, proposed[n["index"]]) for n in interim)

    answer_all(client, home, decision_id, approve=False)
    rejected = [e["data"] for e in store.events(run_id, kind="action_result") if e["data"].get("status") == "rejected"]
    assert rejected, f"{mission}: nothing was rejected"
    after = [n for n in notes_written(store, run_id) if n["automatic"] in ("update", "after_decision")]
    assert [n["automatic"] for n in after] == ["update"] * len(interim), (mission, after)
    for note in notes_written(store, run_id):
        text = note_text(mission, note)
        assert not stated_outcomes(text, rejected), (mission, note["automatic"], text)
    for note in after:
        assert "not approved (the reviewer's reason: not this time)" in note_text(mission, note), note
    # `show` and the run's data list the automatic actions with their status and how each note was written
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    capsys.readouterr()
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr().out
    assert "\nAutomatic actions (run without a reviewer)\n" in shown
    assert "done; what the decision did, instead of the note on the outcome" in shown
    assert main(["show", run_id, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["automatic"]
    assert {(a["tool"], a["status"], a.get("automatic")) for a in listed} >= {
        (n["tool"], "done", "update") for n in after
    }


def test_an_approved_plan_gets_the_note_the_mission_proposed_after_the_decision(
    client: MissionClient, home: Path, tried: set[str]
) -> None:
    """The note on the outcome is written once every action of the plan is done, as the mission proposed it."""
    run_id, decision_id = pending_with_interim_note(client, "order-exception", tried)
    answer_all(client, home, decision_id, approve=True)
    store = client.store
    results = [e["data"] for e in store.events(run_id, kind="action_result")]
    proposed = client.state(run_id)["verdict"]["actions"]
    after = [n for n in notes_written(store, run_id) if n["automatic"] == "after_decision"]
    if all(r["status"] == "done" for r in results if not r.get("automatic")):
        assert after, results
        for note in after:
            assert note_text("order-exception", note) == note_text("order-exception", proposed[note["index"]])
