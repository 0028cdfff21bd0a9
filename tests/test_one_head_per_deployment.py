"""Issue 59, item 3: one head per deployment. Two hosts (two homes, one key) share one Postgres database; a database
login (who can rewrite any table, but holds no platform key and cannot write the hosts' head files) cuts the entries
host B wrote, or host B loses its head file.

- Each host's head moves to the end of the chain it verified at every command, so host A, having seen B's entries,
  finds them cut at its next command (it used to record only its own appends, and said "intact").
- A host without a head on a keyed chain (it lost its head file, or joins) refuses in one line until an admin
  re-anchors it, on the chain (it used to start a new head at its next append, and said "intact" too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.kernel.beliefs import ChainBrokenError, UnanchoredHostError, believe
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.audit import verify
from ai_missions.services.identity import Accounts
from tests.support.stdin_line import StdinLine
from tests.test_rows_of_record import PASSWORD, with_accounts
from tests.test_side_doors import missions, refused_in_one_line


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path, str]]:
    """Host A set the database up (ana, the admin; fiona, finance); host B, another home with the deployment's key,
    was anchored by ana. Yields (A, B, the database's URL)."""
    from tests.support.postgres import fresh_schema

    monkeypatch.setenv("MISSIONS_PLATFORM_KEY", "ab" * 32)  # the deployment's one key, from settings
    a, b = tmp_path / "host-a", tmp_path / "host-b"
    with fresh_schema() as url:
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        with_accounts(a, {"ana": "ops_agent", "fiona": "finance"})
        store = RunStore(runs_db(b))
        with store.anchoring():
            store.anchor(by=Accounts(store).authenticate("ana", PASSWORD).name, host="host-b")
        yield a, b, url


def on(host: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands from now on run on ``host``."""
    monkeypatch.setenv("MISSIONS_HOME", str(host))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    return host


def approval_on(host: Path) -> int:
    """An approval recorded by ``host``: fiona signs in there, a decision is opened, approved and its capture
    recorded; returns the last entry it wrote."""
    store = RunStore(runs_db(host))
    Accounts(store).issue_token("fiona")
    store.append_events("R-1", [{"kind": "observation", "summary": "authorization expires in 2 h"}])
    store.open_decision("D-1", run_id="R-1", mission="order-exception", subject_id="SO-1", request={})
    store.claim_decision("D-1", reviewer="fiona", role="finance", response={"approved": [0]})
    store.append_events("R-1", [{"kind": "action_result", "summary": "capture_payment 1670.73 done"}])
    return int(store.read().execute("SELECT max(n) FROM audit").fetchone()[0])


def cut_after(url: str, n: int) -> None:
    """The database login cuts every entry after ``n``, with the rows they recorded."""
    db = PgConnection(url)
    try:
        db.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        db.execute("DELETE FROM audit WHERE n > ?", (n,))
        db.execute("DELETE FROM decisions")
        db.execute("DELETE FROM events WHERE run_id = 'R-1'")
        db.execute("DELETE FROM api_tokens")
    finally:
        db.close()


@pytest.mark.postgres
@pytest.mark.attack("59.3")
def test_59_3_a_cut_of_host_bs_entries_is_found_by_host_a_at_its_next_command(
    deployment: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, url = deployment
    before = int(RunStore(runs_db(a)).read().execute("SELECT max(n) FROM audit").fetchone()[0])
    last = approval_on(b)
    on(a, monkeypatch)
    assert missions(capsys, "accounts", "list")[0] == 0  # a command on A: it reads the chain to its end, B's too
    cut_after(url, before)
    code, _, err = missions(capsys, "accounts", "list")
    cut = f"audit entries {before + 1}-{last} were cut"
    assert refused_in_one_line(code, err, cut, "this host's head outside the store records entry"), err
    code, _, err = missions(capsys, "audit", "verify")
    assert refused_in_one_line(code, err, f"entries {before + 1}-{last} cut"), err
    with pytest.raises(ChainBrokenError, match=cut):  # and nothing is appended to the cut chain, on either host
        RunStore(runs_db(a)).append_events("R-2", [{"kind": "observation", "summary": "later"}])
    on(b, monkeypatch)
    code, _, err = missions(capsys, "accounts", "list")
    assert refused_in_one_line(code, err, cut), err


@pytest.mark.postgres
@pytest.mark.attack("59.3")
def test_59_3_a_host_that_lost_its_head_refuses_until_an_admin_re_anchors_it(
    deployment: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = deployment
    approval_on(b)
    store = RunStore(runs_db(b))
    store.audit.head_file.unlink()  # type: ignore[union-attr]
    on(b, monkeypatch)
    for command in (["accounts", "list"], ["login", "fiona", "--password-stdin"]):
        monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
        code, _, err = missions(capsys, *command)
        assert refused_in_one_line(code, err, "this host keeps no audit head", "missions audit anchor"), err
    with pytest.raises(UnanchoredHostError):  # it appends nothing either: no new head started silently
        RunStore(runs_db(b)).append_events("R-2", [{"kind": "observation", "summary": "later"}])
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "audit", "anchor", "--admin", "fiona", "--password-stdin")
    assert refused_in_one_line(code, err, "fiona is not an admin"), err
    monkeypatch.setattr("sys.stdin", StdinLine("not the password"))
    code, _, err = missions(capsys, "audit", "anchor", "--admin", "ana", "--password-stdin")
    assert refused_in_one_line(code, err, "wrong account name or password"), err
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, out, err = missions(capsys, "audit", "anchor", "--admin", "ana", "--password-stdin")
    assert code == 0, err
    assert "re-anchored by ana" in out, out
    assert "it had none" in out, out
    anchored = (
        RunStore(runs_db(b))
        .read()
        .execute("SELECT actor, data FROM audit WHERE kind = 'audit_anchored' ORDER BY n DESC LIMIT 1")
        .fetchone()
    )
    assert anchored[0] == "ana"
    assert json.loads(anchored[1])["before"] == {"head": None}
    assert missions(capsys, "accounts", "list")[0] == 0
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "audit", "anchor", "--admin", "ana", "--password-stdin")
    assert refused_in_one_line(code, err, "nothing to re-anchor"), err  # once
    on(a, monkeypatch)
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "audit trail intact" in out, out


@pytest.mark.postgres
@pytest.mark.attack("59.3")
def test_59_3_a_new_host_joining_the_deployment_starts_no_head_of_its_own(
    deployment: tuple[Path, Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host that never had a head (a new home on the database) is anchored by an admin too: it cannot tell a chain
    cut before it came from a whole one."""
    c = on(tmp_path / "host-c", monkeypatch)
    code, _, err = missions(capsys, "accounts", "list")
    assert refused_in_one_line(code, err, "this host keeps no audit head"), err
    assert list(c.glob("audit-head.pg-*")) == []  # no head started


@pytest.mark.attack("59.3")
def test_59_3_on_sqlite_a_home_that_lost_its_head_refuses_until_re_anchored(
    missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_accounts(missions_home, {"ana": "ops_agent", "fiona": "finance"})
    runs_db(missions_home).with_name("runs.sqlite.audit-head").unlink()
    code, _, err = missions(capsys, "accounts", "list")
    assert refused_in_one_line(code, err, "this host keeps no audit head"), err
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, out, err = missions(capsys, "audit", "anchor", "--admin", "ana", "--password-stdin")
    assert code == 0, err
    assert "it had none" in out, out
    assert missions(capsys, "accounts", "list")[0] == 0
    found = verify(RunStore(runs_db(missions_home)))[1]
    assert found == [], found


@pytest.mark.parametrize("written_aside", [True, False], ids=["head-written-aside", "lock-taken-only"])
def test_a_host_whose_first_write_was_cut_short_keeps_a_head_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_aside: bool
) -> None:
    """A process killed while this host's first entry commits (before its head is written, or while the head file
    is written aside and not yet renamed into place) leaves no head: every later command refused as a host that
    lost its head (a worker killed mid-case in tests/test_workers.py, under load). The chain's start is recorded as
    the head before the first entry commits, and a first write cut short is not a head kept: killed with the head
    written aside, or killed with the lock file made and nothing written yet (the worker test failed so in CI)."""
    monkeypatch.setenv("MISSIONS_HOME", str(tmp_path))
    store = RunStore(runs_db(tmp_path))
    head = store.audit.head_file
    assert head is not None
    # a first write cut short: the lock taken, the head written aside (or not yet), never renamed into place
    head.parent.mkdir(parents=True, exist_ok=True)
    head.with_name(head.name + ".lock").touch()
    if written_aside:
        head.with_name(f".{head.name}.cut").write_bytes(b'{"kind": "audit-head"')
    assert RunStore(runs_db(tmp_path)).audit.had_head() is False

    def killed(self: object) -> None:
        raise SystemExit("killed after the commit, before the head moved")

    with monkeypatch.context() as patch:
        patch.setattr(type(store.audit), "publish", killed)
        with pytest.raises(SystemExit):
            store.append_events("R-1", [{"kind": "observation", "summary": "first"}])
    assert head.exists()  # the chain's start, recorded before the entry committed
    later = RunStore(runs_db(tmp_path))  # the next process
    later.append_events("R-1", [{"kind": "observation", "summary": "second"}])
    assert len(later.events("R-1")) == 2
    assert not list(head.parent.glob(f".{head.name}.*"))  # what the cut write left is gone
    head.unlink()  # a head lost after one was kept still refuses
    with pytest.raises(UnanchoredHostError):
        RunStore(runs_db(tmp_path)).append_events("R-2", [{"kind": "observation", "summary": "later"}])


def test_a_reader_that_met_no_head_just_before_another_processes_first_entry_reads_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes on a new home (the eval pool's two workers, each seeding the rules of record): one reads this
    host's head (none yet), the other then commits the chain's first entry with its head, and the first reads the
    chain. A head that appeared between its two reads is this host's head, not one it lost."""
    monkeypatch.setenv("MISSIONS_HOME", str(tmp_path))
    writer, reader = RunStore(runs_db(tmp_path)), RunStore(runs_db(tmp_path))
    read_head = type(reader.audit).read_head
    raced: list[bool] = []

    def first_entry_in_between(self: Any, **how: Any) -> Any:
        head = read_head(self, **how)
        if self is reader.audit and not raced:
            raced.append(True)
            writer.append_events("R-1", [{"kind": "observation", "summary": "first"}])
        return head

    monkeypatch.setattr(type(reader.audit), "read_head", first_entry_in_between)
    assert believe(reader.read(), reader.audit).n >= 1
    assert raced == [True]
