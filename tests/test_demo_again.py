"""Issue 39, item 6: a second ``missions demo`` raised a false tamper alarm ("entries 2410-2430 cut", exit 2) and
took the accounts, decisions and saved sign-in added since without a word. Now it refuses in one line, saying what
the home holds, and changes nothing; ``--fresh`` moves the earlier demo aside whole, where its chain still verifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.cli.demo import make_room
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.signing import KEY_FILE, KEY_FILE_ENV
from ai_missions.kernel.store import RunStore
from ai_missions.services.audit import verify
from ai_missions.services.identity import Accounts, save_token
from tests.test_side_doors import missions, refused_in_one_line

PASSWORD = "correct horse battery"
#: The smallest demo the command takes that still runs every mission once.
SMALLEST = ("demo", "--orders", "50", "--missions", "1")


@pytest.fixture
def used(missions_home: Path) -> RunStore:
    """A home after a demo and some use: accounts, a saved sign-in, a decision taken, events on the chain."""
    store = RunStore(runs_db(missions_home))
    accounts = Accounts(store)
    accounts.add("ana", "ops_agent", PASSWORD, by="demo")
    accounts.add("dana", "finance", PASSWORD, by="demo")  # added since
    save_token(missions_home, "ana", accounts.issue_token("ana"))
    store.create_run("R-1", mission="m", subject_id="S-1", reasoner="offline", case_types=[])
    store.append_events("R-1", [{"kind": "observation", "summary": "a finding"}])
    store.open_decision("D-1", run_id="R-1", mission="m", subject_id="S-1", request={})
    store.claim_decision("D-1", reviewer="dana", role="finance", response={"approved": [0]})
    return store


def test_39_6_a_second_demo_refuses_in_one_line_and_changes_nothing(
    used: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in missions_home.iterdir())
    code, _, err = missions(capsys, *SMALLEST)
    assert refused_in_one_line(
        code, err, "this home already holds a demo (1 run, 0 pending decisions", "2 accounts", "--fresh"
    ), err
    assert sorted(p.name for p in missions_home.iterdir()) == before  # nothing seeded, nothing deleted
    assert [a.name for a in Accounts(used).list()] == ["ana", "dana"]
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "audit trail intact" in out
    assert missions(capsys, "whoami")[1].startswith("ana")  # the saved sign-in still works


def test_39_6_fresh_moves_the_earlier_demo_aside_where_it_still_verifies(
    used: RunStore, missions_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_room(missions_home, fresh=True)
    said = capsys.readouterr().out
    assert "The earlier demo (1 run, 0 pending decisions, 2 accounts" in said
    (where,) = (missions_home / "earlier-demos").iterdir()
    assert {"runs.sqlite", "runs.sqlite.audit-head", "credentials.json"} <= {p.name for p in where.iterdir()}
    assert not runs_db(missions_home).exists()
    fresh = RunStore(runs_db(missions_home))
    fresh.append_events("R-1", [{"kind": "observation", "summary": "the new demo's first finding"}])
    assert verify(fresh)[1] == []  # no false alarm: the new store starts its own head
    monkeypatch.setenv("MISSIONS_HOME", str(where))
    monkeypatch.setenv(KEY_FILE_ENV, str(missions_home / KEY_FILE))
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "1 events and 1 decision match it" in out


def test_60_10_a_moved_aside_demo_is_read_with_its_own_key_and_fresh_says_it_signed_you_out(
    used: RunStore, missions_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 60 item 10: looking at a moved-aside demo (`missions queue` there) wrote a new key beside it, and every
    later read said its chain was edited; and `demo --fresh` signed you out without a word."""
    make_room(missions_home, fresh=True)
    said = capsys.readouterr().out
    assert "You are signed out" in said
    assert "`missions login NAME`" in said
    (where,) = (missions_home / "earlier-demos").iterdir()
    assert (where / KEY_FILE).read_bytes() == (missions_home / KEY_FILE).read_bytes()
    assert oct((where / KEY_FILE).stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("MISSIONS_HOME", str(where))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    for command in (("queue",), ("accounts", "list"), ("audit", "verify")):
        code, out, err = missions(capsys, *command)
        assert code == 0, (command, err)
    assert "1 events and 1 decision match it" in out
    assert missions(capsys, "whoami")[1].startswith("ana")  # its own saved sign-in, with its own store


def test_60_10_a_home_whose_chain_lost_its_key_is_refused_and_gets_no_new_key(
    used: RunStore, missions_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of a home without its key (a demo moved aside before it kept a copy): reading it must not make a new
    key, which would sign new entries with a key the chain never had and call every old entry edited."""
    where = missions_home.parent / "copied"
    where.mkdir()
    for name in ("runs.sqlite", "runs.sqlite-wal", "runs.sqlite-shm", "runs.sqlite.audit-head"):
        if (missions_home / name).exists():
            (where / name).write_bytes((missions_home / name).read_bytes())
    monkeypatch.setenv("MISSIONS_HOME", str(where))
    for command in (("accounts", "list"), ("audit", "verify")):
        code, _, err = missions(capsys, *command)
        assert refused_in_one_line(code, err, "no platform key at"), (command, err)
    assert not (where / KEY_FILE).exists()
    monkeypatch.setenv(KEY_FILE_ENV, str(missions_home / KEY_FILE))
    code, out, err = missions(capsys, "accounts", "list")
    assert code == 0, err
    assert "dana" in out


@pytest.mark.slow
@pytest.mark.extended
@pytest.mark.timeout(1800)  # two demos, each 1 min of CPU, 4-5 on a busy 2-core machine
def test_39_6_running_the_demo_twice_then_verifying_is_intact(
    missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command, twice (the smallest demo: ~60 s of CPU each), then with --fresh."""
    code, _, err = missions(capsys, *SMALLEST)
    assert code == 0, err
    code, _, err = missions(capsys, *SMALLEST)
    assert refused_in_one_line(code, err, "this home already holds a demo"), err
    code, out, err = missions(capsys, "audit", "verify")
    assert (code, "audit trail intact" in out) == (0, True), err
    code, out, err = missions(capsys, *SMALLEST, "--fresh")
    assert code == 0, err
    code, out, err = missions(capsys, "audit", "verify")
    assert (code, "audit trail intact" in out) == (0, True), err


@pytest.mark.slow
@pytest.mark.extended
@pytest.mark.timeout(1800)
def test_39_10_the_demo_ends_with_how_to_review_and_a_plan_to_co_approve(
    missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's last lines are how to review (after the eval figures), with a support refund that takes two roles
    (the book's largest double charge, written in by its customer): the co-approval the docs describe, tried as they
    describe it. The first signer's answer leaves it pending; the second one's executes it."""
    from ai_missions.testing import signed_in_as

    code, out, err = missions(capsys, "demo", "--orders", "400", "--missions", "1")
    assert code == 0, err
    lines = out.splitlines()
    review = lines.index(next(line for line in lines if line.startswith("How to review")))
    assert review > max(i for i, line in enumerate(lines) if line.startswith("Evaluating "))
    assert not any(line.startswith(("Eval run", "  outcome agreement")) for line in lines[review:])
    shared = next(i for i, line in enumerate(lines) if line.startswith("A plan that takes 2 roles"))
    assert shared > review
    assert "support" in lines[shared]
    commands = [line.split("&&")[1].split() for line in lines[shared + 2 : shared + 4]]
    signers = [line.split("&&")[0].split()[-1] for line in lines[shared + 2 : shared + 4]]
    decision_id = commands[0][2]
    store = RunStore(runs_db(missions_home))
    for n, signer in enumerate(signers):
        monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(missions_home, signer)["MISSIONS_TOKEN"])
        code, out, err = missions(capsys, "decide", decision_id, "--approve")
        assert code == 0, err
        assert store.get_decision(decision_id).status == ("pending" if n == 0 else "decided"), out
