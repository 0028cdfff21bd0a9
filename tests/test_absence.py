"""Issue 60, item 5: an account owner who is away had no way out. ``--hand-off maya`` was refused,
``--hand-off account_manager`` was refused with a sentence ending in ``not )``, and nothing said how an owner marks
herself away, which ACC-001 says hands her decisions to her manager.

Now an owner marks herself away (``missions accounts away``): a signed row of record on the audit chain, allowed by
the authorization point; while she is away her manager of record (ACC-001's ``stand_in_fact``) approves what waits
for her, her pending decisions included, and she approves none of it until she is back. Every refusal on the way is
a whole sentence that says how to get on.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from ai_missions.client import MissionClient
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.records import ABSENCES_KEY, UnsignedRowError
from ai_missions.kernel.store import RunStore
from ai_missions.services import absence
from ai_missions.services.authorization import case_facts
from ai_missions.services.identity import Accounts
from ai_missions.services.review import mark_away
from ai_missions.testing import DEMO_PASSWORD
from tests.support.mission_home import flagships_fixture
from tests.support.small_home import demo_home_fixture, rows
from tests.test_cli_review import Missions, cli

home = demo_home_fixture("absence")
flagships = flagships_fixture()


@pytest.fixture
def missions(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Missions:
    return lambda *args, as_="": cli(capsys, monkeypatch, home, *args, as_=as_)


@pytest.fixture(scope="module")
def case(home: Path, flagships: dict[str, tuple[str, str]]) -> tuple[str, str, str, str]:
    """The account-save flagship's decision, its owner and the owner's manager (each a demo account)."""
    run_id, decision_id = flagships["account-save"]
    facts = case_facts(RunStore(home / "runs.sqlite").events(run_id))
    owner, manager = facts["account.approver"], facts["account.owner_manager"]
    roster = Accounts(RunStore(home / "runs.sqlite")).roster()
    assert roster.get(owner) == "account_owner"
    assert roster.get(manager) == "account_manager"
    return run_id, decision_id, owner, manager


def another_decision_of(home: Path, owner: str) -> str:
    """A pending decision of another of ``owner``'s accounts at risk, started for the test."""
    owned = {row[0] for row in rows(home, "accounts", "SELECT account_id FROM accounts WHERE owner_id = ?", owner)}
    with MissionClient(home) as client:
        for subject in sorted(set(client.cases_now("account-save")) & owned):
            if not client.store.list_runs(mission="account-save", subject_id=subject, limit=1):
                outcome = client.start("account-save", subject)
                if outcome.decision_id and outcome.state["facts"].get("account.approver") == owner:
                    return outcome.decision_id
    raise AssertionError(f"no other account of {owner} at risk")


def whole_sentence(text: str) -> bool:
    """One line whose parentheses close on words, not on an empty place (``not )``), with nothing left dangling."""
    line = text.strip()
    return (
        "\n" not in line
        and line.count("(") == line.count(")")
        and not any(f"{word} )" in line for word in ("not", "by", "to", "of", "and", ","))
        and not line.endswith((",", ";", ":", " not", " by"))
    )


def test_60_5_an_owner_marked_away_has_her_decision_approved_by_her_manager(
    home: Path, case: tuple[str, str, str, str], missions: Missions
) -> None:
    run_id, decision_id, owner, manager = case
    store = RunStore(home / "runs.sqlite")

    # before: the manager may not take it, and the refusals say so in whole sentences, with the way out
    code, _, err = missions("decide", decision_id, "--hand-off", manager, "--reason", "out next week", as_=owner)
    assert code == 2
    assert whole_sentence(err), err
    assert f"decided by {owner} (account.approver), not {manager}" in err
    assert f"once {owner} is marked away (`missions accounts away`" in err
    code, _, err = missions("decide", decision_id, "--hand-off", "account_manager", "--reason", "out", as_=owner)
    assert code == 2
    assert whole_sentence(err), err
    assert "not by whoever holds a role" in err
    assert "not )" not in err
    code, _, err = missions("decide", decision_id, "--approve", as_=manager)
    assert code == 2
    assert whole_sentence(err), err

    # she marks herself away: signed, on the chain, and the queue says who decides now
    code, out, err = missions("accounts", "away", "--until", "2099-12-31", "--reason", "parental leave", as_=owner)
    assert code == 0, err
    assert f"{owner} is away until 2099-12-31 (parental leave)" in out
    entry = store.read().execute("SELECT actor, data FROM audit WHERE kind = 'absence_recorded'").fetchone()
    assert entry["actor"] == owner
    assert json.loads(entry["data"])["detail"]["until"] == "2099-12-31"
    assert absence.away(store) == {owner}
    listed = missions("accounts", "list")[1]
    assert next(row for row in listed.splitlines() if row.startswith(f"{owner} ")).endswith(
        "away until 2099-12-31 (parental leave)"
    )
    row = next(line for line in missions("queue")[1].splitlines() if line.startswith(decision_id))
    assert f"{manager} (for {owner})" in row
    assert decision_id in missions("queue", "--can-approve", as_=manager)[1]
    assert decision_id not in missions("queue", "--can-approve", as_=owner)[1]

    # she approves none of it while away, and is told how to end it; her manager approves, and it runs
    code, _, err = missions("decide", decision_id, "--approve", as_=owner)
    assert code == 2
    assert whole_sentence(err), err
    assert f"in place of {owner}, who is away" in err
    assert "`missions accounts back` ends it" in err
    code, _, err = missions("decide", decision_id, "--hand-off", "account_manager", "--reason", "away", as_=owner)
    assert code == 2
    assert whole_sentence(err), err
    code, out, err = missions("decide", decision_id, "--approve", as_=manager)
    assert code == 0, err
    decided = store.get_decision(decision_id)
    assert (decided.status, decided.decided_by) == ("decided", manager)
    assert "done ok" in out
    assert f"Run {run_id}" in out
    code, out, err = missions("audit", "verify")
    assert code == 0, err
    assert "audit trail intact" in out


def test_60_5_back_ends_it_and_a_handoff_to_the_stand_in_is_taken_while_away(
    home: Path, case: tuple[str, str, str, str], missions: Missions
) -> None:
    """Marked back, the owner decides again; away, a hand-off to her manager is accepted (he may act on it)."""
    _, _, owner, manager = case
    store = RunStore(home / "runs.sqlite")
    code, out, err = missions("accounts", "back", as_=owner)
    assert code == 0, err
    assert f"{owner} is back" in out
    assert absence.away(store) == frozenset()
    mine = another_decision_of(home, owner)
    assert mine in missions("queue", "--can-approve", as_=owner)[1]
    missions("accounts", "away", as_=owner)
    code, out, err = missions("decide", mine, "--hand-off", manager, "--reason", "I am away", as_=owner)
    assert code == 0, err
    assert f"handed to {manager} by {owner}" in out
    assert "may approve action(s)" in out
    missions("accounts", "back", as_=owner)


def test_60_5_only_the_account_itself_or_an_admin_marks_it_away(
    home: Path, case: tuple[str, str, str, str], missions: Missions
) -> None:
    """Absence moves who decides, so it goes through the authorization point like a role: a manager may not mark
    her report away to take her decisions, nor anyone another; an admin may, for someone who cannot sign in."""
    _, _, owner, manager = case
    store = RunStore(home / "runs.sqlite")
    code, _, err = missions("accounts", "away", owner, as_=manager)
    assert code == 2
    assert f"may not mark {owner} away or back: an account marks its own absence" in err
    assert absence.away(store) == frozenset()
    accounts = Accounts(store)
    accounts.add("c-10003", "customer", DEMO_PASSWORD, by="ana")
    code, _, err = missions("accounts", "away", as_="c-10003")
    assert code == 2
    assert "a customer account decides nothing" in err
    with pytest.raises(ForbiddenError, match="customer's account"):
        mark_away(store, accounts.get("ana"), "c-10003")
    code, _, err = missions("accounts", "away", owner, "--reason", "sick, cannot sign in", as_="ana")  # the admin
    assert code == 0, err
    assert absence.away(store) == {owner}
    code, _, err = missions("accounts", "away", "--until", "2020-01-01", as_=owner)
    assert code == 2
    assert "that day has passed" in err
    missions("accounts", "back", owner, as_="ana")
    assert absence.away(store) == frozenset()


def test_60_5_an_absence_written_behind_the_platforms_back_is_refused(
    home: Path,
    case: tuple[str, str, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database login marking the owner away (to let her manager, or anyone, take her decisions) or deleting an
    absence is refused by name: what the platform believes is what the signed chain says. (On a copy of the home:
    the module's other tests keep theirs.)"""
    _, _, owner, manager = case
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    home = copy

    def missions(*args: str, as_: str = "") -> tuple[int, str, str]:
        return cli(capsys, monkeypatch, copy, *args, as_=as_)

    store = RunStore(home / "runs.sqlite")
    missions("accounts", "away", as_=owner)
    missions("accounts", "back", as_=owner)
    with sqlite3.connect(home / "runs.sqlite") as db:
        db.execute(
            "UPDATE meta SET value = json_set(value, '$.value', json(?)) WHERE key = ?",
            (
                json.dumps({owner: {"name": owner, "since": "x", "until": None, "reason": "", "by": owner}}),
                ABSENCES_KEY,
            ),
        )
    with pytest.raises(UnsignedRowError, match=ABSENCES_KEY):
        absence.away(store)
    code, _, err = missions("queue", "--can-approve", as_=manager)  # nothing of hers becomes his
    assert code == 2
    assert ABSENCES_KEY in err
    code, out, _ = missions("audit", "verify")
    assert code != 0
    assert ABSENCES_KEY in out + _
    with sqlite3.connect(home / "runs.sqlite") as db:
        db.execute("DELETE FROM meta WHERE key = ?", (ABSENCES_KEY,))
    with pytest.raises(UnsignedRowError, match="deleted"):
        absence.away(store)


def test_60_5_an_owner_marks_herself_away_and_back_in_the_dashboards_sidebar(
    home: Path, case: tuple[str, str, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same path from the dashboard: a control under "Signed in as" for an account a stand-in rule covers (not
    for an operations account, whom no such rule names)."""
    import streamlit as st

    from ai_missions.dashboard.ui import REVIEWER_KEY
    from tests.test_dashboard_support import app, texts

    _, _, owner, _ = case
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    monkeypatch.setenv("MISSIONS_HOME", str(copy))
    store = RunStore(copy / "runs.sqlite")
    try:
        at = app()
        at.session_state[REVIEWER_KEY] = "omar"
        at.run()
        assert not at.exception, at.exception
        assert not [b for b in at.button if b.label in ("Mark me away", "I'm back")]
        at = app()
        at.session_state[REVIEWER_KEY] = owner
        at.run()
        assert not at.exception, at.exception
        last = absence.today() + timedelta(days=30)
        at.date_input(key="away-until").set_value(last)
        at.text_input(key="away-reason").input("parental leave")
        at.button(key="away-mark").click()
        at.run()
        assert not at.exception, at.exception
        assert absence.away(store) == {owner}
        at.run()  # the page as it reads once marked
        assert f"You are away until {last.isoformat()} (parental leave): your manager decides" in texts(at)
        entry = store.read().execute("SELECT actor FROM audit WHERE kind = 'absence_recorded'").fetchall()
        assert [e["actor"] for e in entry][-1] == owner
        at.button(key="away-back").click()
        at.run()
        at.run()
        assert not at.exception, at.exception
        assert absence.away(store) == frozenset()
    finally:
        st.cache_resource.clear()
