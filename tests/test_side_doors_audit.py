"""The side-door campaign (issue 26), item 4: the audit chain without a key or an anchor. Each attack edits the store
behind the platform's back, as someone holding the SQLite file (or the Postgres role) can: cut the last entries, cut
and append, edit an entry and recompute every hash, edit, add or delete the event and decision rows that ``show`` and
the dashboard display, cut an export. ``missions audit verify`` must say so in one line, exit non-zero, and say
"intact" for a store nobody touched. Counted in the campaign's tally (``tests/test_side_doors.py``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ai_missions.kernel import audit_key
from ai_missions.kernel import store as store_module
from ai_missions.kernel.beliefs import ChainBrokenError
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import GENESIS, RunStore, audit_entry, entry_hash
from ai_missions.services.audit import Checked, entries, verify
from tests.support.postgres import fresh_schema
from tests.test_side_doors import attack, missions, refused_in_one_line, tally

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

ITEM = "4 audit chain"


@pytest.fixture
def kept(missions_home: Path) -> RunStore:
    """A store the platform wrote: five runs' events, a decision opened, decided and resumed, then more events."""
    store = RunStore(runs_db(missions_home))
    for n in range(5):
        store.append_events(f"R-{n}", [{"kind": "observation", "summary": f"finding {n}", "data": {"n": n}}])
    store.open_decision("D-1", run_id="R-1", mission="m", subject_id="S-1", request={"actions": ["refund"]})
    store.claim_decision("D-1", reviewer="omar", role="ops_lead", response={"approved": [0]})
    store.mark_resumed("D-1")
    for n in range(3):
        store.append_events("R-1", [{"kind": "action_result", "summary": f"refund step {n}", "data": {"step": n}}])
    return store


def unlock(home: Path) -> sqlite3.Connection:
    """The database as an attacker holding the file sees it: the append-only triggers dropped."""
    db = sqlite3.connect(runs_db(home), isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    return db


def rehash(db: Any, start: int = 1) -> None:
    """Recompute every hash from entry ``start`` on, as anyone can without the key (the MACs stay as they were)."""
    prev = GENESIS if start == 1 else db.execute("SELECT hash FROM audit WHERE n = ?", (start - 1,)).fetchone()[0]
    rows = db.execute("SELECT n, at, run_id, kind, actor, summary, data FROM audit WHERE n >= ? ORDER BY n", (start,))
    for n, at, run_id, kind, actor, summary, data in rows.fetchall():
        body = {"at": at, "run_id": run_id, "kind": kind, "actor": actor, "summary": summary, "data": json.loads(data)}
        digest = entry_hash(prev, n, body)
        db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE n = ?", (prev, digest, n))
        prev = digest


def refused(capsys: pytest.CaptureFixture[str], *needles: str) -> bool:
    code, _, err = missions(capsys, "audit", "verify")
    return refused_in_one_line(code, err, "the audit trail does not verify", *needles)


def test_4_an_untouched_store_and_its_export_verify_intact(
    kept: RunStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "audit trail intact: 11 entries; 8 events and 1 decision match it; head outside the store at entry 11" in out
    assert all(e["mac"] for e in entries(kept))
    assert missions(capsys, "audit", "export", str(tmp_path / "audit.jsonl"))[0] == 0
    code, out, err = missions(capsys, "audit", "verify", "--file", str(tmp_path / "audit.jsonl"))
    assert (code, out.strip()) == (0, "audit export intact: 11 entries, whole (its signed head matches)"), err


def test_4_cutting_the_last_entries_and_their_rows_is_found_by_the_head(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unlock(missions_home) as db:  # the last two refund steps, from the chain and from the run's trail alike
        db.execute("DELETE FROM audit WHERE n > 9")
        db.execute("DELETE FROM events WHERE run_id = 'R-1' AND seq > 2")
    assert attack(ITEM, refused(capsys, "entries 10-11 cut", "head outside the store records entry 11"))


def test_4_cutting_then_appending_without_the_key_is_found(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unlock(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n > 8")
        db.execute("DELETE FROM events WHERE run_id = 'R-1' AND seq > 1")
        (prev,) = db.execute("SELECT hash FROM audit WHERE n = 8").fetchone()
        (last_mac,) = db.execute("SELECT mac FROM audit WHERE n = 8").fetchone()
        for n, seq in ((9, 2), (10, 3), (11, 4)):  # a story of its own, hashed right, the last MAC copied along
            event = {"kind": "action_result", "summary": "nothing refunded", "at": f"2026-01-01T00:00:0{seq}+00:00"}
            body = audit_entry("R-1", event)
            digest = entry_hash(prev, n, {**body, "data": json.loads(json.dumps(body["data"]))})
            db.execute(
                "INSERT INTO audit (n, at, run_id, kind, actor, summary, data, prev_hash, hash, mac)"
                " VALUES (?, ?, 'R-1', 'action_result', NULL, 'nothing refunded', ?, ?, ?, ?)",
                (n, event["at"], json.dumps(body["data"], sort_keys=True), prev, digest, last_mac),
            )
            db.execute(
                "INSERT INTO events (run_id, seq, at, kind, summary, data, audit_n)"
                " VALUES ('R-1', ?, ?, 'action_result', 'nothing refunded', '{}', ?)",
                (seq, event["at"], n),
            )
            prev = digest
    assert attack(ITEM, refused(capsys, "entry 9 (action_result, run R-1) does not carry the platform's MAC"))


def test_4_the_platform_does_not_append_after_a_cut(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to go on past the head's position, with MACs of its own (and verify kept saying so); now it appends
    nothing to a cut chain, in this process or the next."""
    with unlock(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n > 9")
        db.execute("DELETE FROM events WHERE run_id = 'R-1' AND seq > 2")
    for store in (kept, RunStore(runs_db(missions_home))):
        with pytest.raises(ChainBrokenError, match=r"entries 10-11 were cut|audit entry 1\d, up to which") as cut:
            store.append_events("R-9", [{"kind": "observation", "summary": "later"}])
        assert "\n" not in str(cut.value)
    assert RunStore(runs_db(missions_home)).read().execute("SELECT max(n) FROM audit").fetchone()[0] == 9
    assert attack(ITEM, refused(capsys, "entries 10-11 cut", "head outside the store records entry 11"))


def test_4_editing_an_entry_and_its_row_and_recomputing_every_hash_is_found(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unlock(missions_home) as db:
        db.execute("UPDATE audit SET summary = 'nothing to see' WHERE n = 3")
        db.execute("UPDATE events SET summary = 'nothing to see' WHERE run_id = 'R-2'")
        rehash(db)
    assert attack(ITEM, refused(capsys, "entry 3 (observation, run R-2) does not carry the platform's MAC"))


def test_4_a_head_written_by_hand_from_the_store_is_not_signed(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with unlock(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n > 9")
        db.execute("DELETE FROM events WHERE run_id = 'R-1' AND seq > 2")
        (mac,) = db.execute("SELECT mac FROM audit WHERE n = 9").fetchone()
    head = runs_db(missions_home).with_name("runs.sqlite.audit-head")
    head.write_text(json.dumps({"kind": "audit-head", "n": 9, "mac": mac, "signature": "0" * 64}))
    assert attack(ITEM, refused(capsys, "is not signed with the platform key"))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("UPDATE events SET summary = 'all fine' WHERE run_id = 'R-2'", "event 1 of run R-2 (observation) differs"),
        (
            "UPDATE events SET data = '{\"n\": 99}' WHERE run_id = 'R-3'",
            "event 1 of run R-3 (observation) differs from audit entry 4",
        ),
        (
            "INSERT INTO events (run_id, seq, at, kind, summary, data) VALUES"
            " ('R-2', 2, '2026-01-01T00:00:00+00:00', 'decision', 'approved by the controller', '{}')",
            "event 2 of run R-2 (decision) is not on the audit chain",
        ),
        ("DELETE FROM events WHERE run_id = 'R-4'", "entry 5 (observation, run R-4) has no event row"),
        ("UPDATE events SET seq = 9 WHERE run_id = 'R-1' AND seq = 2", "is out of its place on the audit chain"),
        (
            "UPDATE decisions SET decided_by = 'mallory', reviewer_role = 'finance'",
            "decision D-1 (decided) differs from its audit record",
        ),
        (
            "UPDATE decisions SET status = 'pending', resumed = 0",
            "decision D-1 (pending) differs from its audit record",
        ),
        (
            "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at, request, decided_by)"
            " VALUES ('D-2', 'R-2', 'm', 'S-2', 'decided', '2026-01-01', '{}', 'omar')",
            "decision D-2 is not on the audit chain",
        ),
        ("DELETE FROM decisions WHERE decision_id = 'D-1'", "decision D-1 was deleted"),
    ],
    ids=[
        "event-edited",
        "event-data-edited",
        "event-added",
        "event-deleted",
        "event-moved",
        "decider-edited",
        "decision-reopened",
        "decision-added",
        "decision-deleted",
    ],
)
def test_4_the_displayed_events_and_decisions_are_checked_against_the_chain(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str], change: str, says: str
) -> None:
    with unlock(missions_home) as db:
        db.execute(change)
    assert attack(ITEM, refused(capsys, says))


@pytest.mark.parametrize(
    ("cut", "says"),
    [
        (lambda lines: lines[:-3], "the export carries no signed head"),
        (lambda lines: lines[:-3] + lines[-1:], "the export holds 9 entries ending at entry 9 but its head records 11"),
        (lambda lines: lines[:2] + lines[4:], "the export holds 9 entries ending at entry 11 but its head records 11"),
        (lambda lines: [*lines, lines[0]], "the export has entries after its head"),
    ],
    ids=["cut-at-the-end", "cut-head-kept", "cut-in-the-middle", "appended"],
)
def test_4_a_cut_export_does_not_verify(
    kept: RunStore, capsys: pytest.CaptureFixture[str], tmp_path: Path, cut: Any, says: str
) -> None:
    whole = tmp_path / "audit.jsonl"
    assert missions(capsys, "audit", "export", str(whole))[0] == 0
    part = tmp_path / "part.jsonl"
    part.write_text("".join(line + "\n" for line in cut(whole.read_text().splitlines())))
    code, _, err = missions(capsys, "audit", "verify", "--file", str(part))
    assert attack(ITEM, refused_in_one_line(code, err, "the audit trail does not verify", says)), err


def test_4_an_export_with_a_forged_head_does_not_verify(
    kept: RunStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    whole = tmp_path / "audit.jsonl"
    assert missions(capsys, "audit", "export", str(whole))[0] == 0
    lines = whole.read_text().splitlines()
    head = json.loads(lines[-1])
    head["export_head"].update(entries=9, n=9, mac=json.loads(lines[8])["mac"])
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join([*lines[:9], json.dumps(head)]) + "\n")
    code, _, err = missions(capsys, "audit", "verify", "--file", str(forged))
    assert attack(ITEM, refused_in_one_line(code, err, "the export's head is not signed with the platform key")), err


# -- a store written before the chain was keyed -------------------------------------------------------------------
def legacy_store(home: Path) -> None:
    """A store as version 9 wrote it: an unkeyed hash chain, event rows bound to nothing (two runs chained, one run
    from before the chain existed) and a decided decision."""
    db = sqlite3.connect(runs_db(home), isolation_level=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:9])
        patch.setattr(store_module, "SCHEMA_VERSION", 9)
        store_module.migrate(db, "legacy")
    prev, n = GENESIS, 0
    for run_id, chained in (("R-old", False), ("R-1", True), ("R-2", True)):
        for seq in (1, 2):
            event = {
                "kind": "observation",
                "summary": f"{run_id} finding {seq}",
                "at": f"2025-01-0{seq}T00:00:00+00:00",
            }
            if chained:
                n += 1
                body = audit_entry(run_id, event)
                digest = entry_hash(prev, n, body)
                db.execute(
                    "INSERT INTO audit (n, at, run_id, kind, actor, summary, data, prev_hash, hash)"
                    " VALUES (?, ?, ?, 'observation', NULL, ?, ?, ?, ?)",
                    (n, event["at"], run_id, event["summary"], json.dumps(body["data"], sort_keys=True), prev, digest),
                )
                prev = digest
            db.execute(
                "INSERT INTO events (run_id, seq, at, kind, summary, data) VALUES (?, ?, ?, 'observation', ?, '{}')",
                (run_id, seq, event["at"], event["summary"]),
            )
    db.execute(
        "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at, request, decided_by)"
        " VALUES ('D-1', 'R-1', 'm', 'S-1', 'decided', '2025-01-02', '{}', 'omar')"
    )
    db.close()


def test_4_an_older_store_is_keyed_once_on_purpose_saying_so_on_the_chain(
    missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missions_home.mkdir(parents=True)
    legacy_store(missions_home)
    store = RunStore(runs_db(missions_home))
    assert [e["kind"] for e in entries(store)] == ["observation"] * 4  # opening it keys nothing
    with pytest.raises(store_module.UnkeyedChainError, match="keyed once, on purpose, by an admin"):
        store.append_events("R-9", [{"kind": "observation", "summary": "later"}])
    code, out, err = missions(capsys, "audit", "key")
    assert code == 0, err
    assert "audit chain keyed at entry 5" in out
    keyed = entries(store)[4]
    assert (keyed["n"], keyed["kind"], keyed["prev_hash"]) == (5, "audit_keyed", entries(store)[3]["hash"])
    detail = keyed["data"]
    assert (detail["legacy_entries"], detail["events_bound"], detail["events_recorded"], detail["decisions"]) == (
        4,
        4,
        2,
        1,
    )
    assert "keyed with the platform key from here on" in keyed["summary"]
    code, _, err = missions(capsys, "audit", "key")
    assert refused_in_one_line(code, err, "nothing to key")  # once
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "audit trail intact: 8 entries; 6 events and 1 decision match it" in out
    with unlock(missions_home) as db:  # an entry from before the keying, rewritten with every hash after it
        db.execute("UPDATE audit SET summary = 'R-1 nothing' WHERE n = 1")
        db.execute("UPDATE events SET summary = 'R-1 nothing' WHERE run_id = 'R-1' AND seq = 1")
        rehash(db)
    assert attack(ITEM, refused(capsys, "entry 5 (audit_keyed) does not carry the platform's MAC"))


# -- on Postgres --------------------------------------------------------------------------------------------------
@pytest.mark.postgres
def test_4_on_postgres_a_cut_chain_and_an_edited_decision_are_found(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh_schema() as url:
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        store = RunStore(runs_db(missions_home))
        for n in range(4):
            store.append_events(f"R-{n}", [{"kind": "observation", "summary": f"finding {n}"}])
        store.open_decision("D-1", run_id="R-1", mission="m", subject_id="S-1", request={})
        assert verify(store)[1] == []
        db = store.read()
        db.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        db.execute("UPDATE decisions SET status = 'decided', decided_by = 'mallory'")
        found = verify(store)[1]
        assert attack(ITEM, any("decision D-1 (decided) differs from its audit record" in p for p in found)), found
        db.execute("DELETE FROM audit WHERE n >= 4")
        db.execute("DELETE FROM events WHERE run_id = 'R-3'")
        found = verify(RunStore(runs_db(missions_home)))[1]
        assert attack(ITEM, any("entries 4-5 cut" in p for p in found)), found


# -- the head file: torn by a crash, compacted -------------------------------------------------------------------
def test_4_a_head_file_of_the_older_format_is_read_then_turned_into_slots(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Versions before wrote the head as a log of signed lines (the last one cut short by a crash is skipped); the
    next append writes it as two slots."""
    head = runs_db(missions_home).with_name("runs.sqlite.audit-head")
    macs = {e["n"]: e["mac"] for e in entries(kept)}
    lines = [json.dumps(kept.audit.sign({"kind": "audit-head", "n": n, "mac": macs[n]})) for n in (9, 10, 11)]
    head.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40])  # the last append cut mid-line
    with unlock(missions_home) as db:  # and the last entry's transaction lost with it: the head before it holds
        db.execute("DELETE FROM audit WHERE n = 11")
        db.execute("DELETE FROM events WHERE run_id = 'R-1' AND seq = 4")
    code, out, err = missions(capsys, "audit", "verify")
    assert code == 0, err
    assert "head outside the store at entry 10" in out
    RunStore(runs_db(missions_home)).append_events("R-9", [{"kind": "observation", "summary": "later"}])
    assert head.stat().st_size == 2 * audit_key.SLOT
    code, out, err = missions(capsys, "audit", "verify")
    assert "head outside the store at entry 11" in out, err


def test_4_the_head_file_keeps_two_slots_and_still_anchors(
    missions_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RunStore(runs_db(missions_home))
    for n in range(12):
        store.append_events("R-1", [{"kind": "observation", "summary": f"finding {n}"}])
    head = runs_db(missions_home).with_name("runs.sqlite.audit-head")
    assert head.stat().st_size == 2 * audit_key.SLOT  # no history in it to go back to
    assert missions(capsys, "audit", "verify")[0] == 0
    with unlock(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n = 12")
        db.execute("DELETE FROM events WHERE seq = 12")
    assert attack(ITEM, refused(capsys, "entry 12 cut"))


@pytest.mark.postgres
def test_4_an_older_postgres_store_is_keyed_on_purpose(missions_home: Path) -> None:
    with fresh_schema() as url:
        db = PgConnection(url)
        with pytest.MonkeyPatch.context() as patch:  # the schema as version 9 left it: an unkeyed chain
            patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:9])
            patch.setattr(store_module, "SCHEMA_VERSION", 9)
            store_module.migrate(db, "legacy")
        prev = GENESIS
        for seq in (1, 2):
            event = {"kind": "observation", "summary": f"finding {seq}", "at": f"2025-01-0{seq}T00:00:00+00:00"}
            body = audit_entry("R-1", event)
            digest = entry_hash(prev, seq, body)
            db.execute(
                "INSERT INTO audit (n, at, run_id, kind, actor, summary, data, prev_hash, hash)"
                " VALUES (?, ?, 'R-1', 'observation', NULL, ?, ?, ?, ?)",
                (seq, event["at"], event["summary"], json.dumps(body["data"], sort_keys=True), prev, digest),
            )
            db.execute(
                "INSERT INTO events (run_id, seq, at, kind, summary, data)"
                " VALUES ('R-1', ?, ?, 'observation', ?, '{}')",
                (seq, event["at"], event["summary"]),
            )
            prev = digest
        db.close()
        store = RunStore(runs_db(missions_home), url=url)
        assert [e["kind"] for e in entries(store)] == ["observation", "observation"]  # not on its own
        store.key_chain(by="ana")
        assert [e["kind"] for e in entries(store)] == ["observation", "observation", "audit_keyed"]
        assert verify(store) == (Checked(entries=3, events=2, decisions=0, head=3), [])
