"""Issue 42, items 4, 5 and 9 (separation of duties): rows of record cannot be put back, the chain has no re-key
door, and its head cannot be rolled back.

Each attack is made as someone with a database login but not the platform key: plain SQL on the store (SQLite, and
Postgres where marked), putting back a row copied before a change, deleting rows, editing the head file. Each must
be refused in one line naming the row, and ``missions audit verify`` must say so too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ai_missions.kernel import audit_key
from ai_missions.kernel.beliefs import ChainBrokenError, UnanchoredHostError
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore, UnkeyedChainError
from ai_missions.kernel.tiers import Rollback, TierPolicy, change, current
from ai_missions.services.audit import verify
from ai_missions.services.governance import HISTORY_KEY, RULES_KEY, adopt_rules, approval_rules, load_roster
from ai_missions.services.identity import Accounts, UnsignedRowError
from tests.support.approval_knowledge import Knowledge
from tests.support.stdin_line import StdinLine
from tests.test_side_doors import missions, refused_in_one_line
from tests.test_side_doors_audit import legacy_store, unlock

PASSWORD = "correct horse battery"
RULE: dict[str, object] = {"tools": ["capture_payment"], "roles": ["finance", "ops_lead"], "max_amount": None}


def with_accounts(home: Path, roles: Mapping[str, str]) -> tuple[RunStore, Accounts]:
    """The run store of ``home`` holding these accounts (name -> role), each with :data:`PASSWORD`, added by
    "setup" (the first account of a store is its admin): the store and its accounts."""
    store = RunStore(runs_db(home))
    accounts = Accounts(store)
    for name, role in roles.items():
        accounts.add(name, role, PASSWORD, by="setup")
    return store, accounts


def five_accounts(home: Path) -> RunStore:
    """The store these attacks and the roll-back ones (``test_records_cannot_roll_back``) start from: ana (the
    admin), bob (a second admin), chen (controller), fiona (finance), cole (customer care)."""
    roles = {"ana": "ops_agent", "chen": "controller", "fiona": "finance", "cole": "customer_care"}
    store, accounts = with_accounts(home, roles)
    accounts.add("bob", "ops_lead", PASSWORD, by="setup", admin=True)
    return store


@pytest.fixture
def store(store_backend: str, missions_home: Path) -> RunStore:
    """ana (the admin), bob (a second admin), chen (controller), fiona (finance), cole (customer care)."""
    return five_accounts(missions_home)


def copy_of(store: RunStore, table: str, where: str, *params: Any) -> dict[str, Any]:
    """A row as the attacker copies it before the change they will undo."""
    return dict(store.read().execute(f"SELECT * FROM {table} WHERE {where}", params).fetchone())


def put_back(store: RunStore, table: str, row: dict[str, Any], key: str) -> None:
    """The copied row written back with plain SQL (an update if the row is there, an insert if it was deleted)."""
    with store.transaction() as db:  # the store's own connection, but no platform code signs or records anything
        db.execute(f"DELETE FROM {table} WHERE {key} = ?", (row[key],))
        db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def one_line(exc: pytest.ExceptionInfo[BaseException], *needles: str) -> bool:
    text = str(exc.value)
    return "\n" not in text and all(n in text for n in needles)


def verify_says(store: RunStore, needle: str) -> bool:
    found = verify(RunStore(Path(store.path)))[1]
    return any(needle in p for p in found)


# -- 42.4: an older signed row put back ------------------------------------------------------------------------------
def _role_before_demotion(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    before = copy_of(store, "accounts", "name = ?", "fiona")
    asked = accounts.request_grant("fiona", "customer_care", by="ana")
    accounts.confirm(asked["grant_id"], by="chen")
    assert accounts.get("fiona").role == "customer_care"
    put_back(store, "accounts", before, "name")
    return lambda: load_roster(home), "account 'fiona'"


def _password_before_reset(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    before = copy_of(store, "accounts", "name = ?", "cole")
    accounts.set_password("cole", "a new one after a leak", by="ana")
    put_back(store, "accounts", before, "name")
    return lambda: accounts.authenticate("cole", PASSWORD), "account 'cole'"


def _token_deleted_at_sign_out(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    token = accounts.issue_token("fiona")
    row = copy_of(store, "api_tokens", "name = ?", "fiona")
    accounts.revoke(token)
    put_back(store, "api_tokens", row, "token_hash")
    return lambda: accounts.account_for_token(token), "API token of 'fiona'"


def _token_deleted_at_password_reset(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    token = accounts.issue_token("cole")
    row = copy_of(store, "api_tokens", "name = ?", "cole")
    accounts.set_password("cole", "a new one after a leak", by="ana")
    put_back(store, "api_tokens", row, "token_hash")
    return lambda: accounts.account_for_token(token), "API token of 'cole'"


def _rules_before_tightening(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    knowledge = Knowledge(home / "knowledge", [RULE])
    assert [r.roles for r in approval_rules(knowledge)] == [["finance", "ops_lead"]]  # recorded: ops_lead may capture
    rules, history = (copy_of(store, "meta", "key = ?", key) for key in (RULES_KEY, HISTORY_KEY))
    knowledge.rules = [{**RULE, "roles": ["finance"]}]
    adopt_rules(knowledge, home, "chen")  # the controller tightens them
    assert [r.roles for r in approval_rules(knowledge)] == [["finance"]]
    put_back(store, "meta", rules, "key")
    put_back(store, "meta", history, "key")
    return lambda: approval_rules(knowledge), f"the meta row '{RULES_KEY}'"


def _grant_set_back_to_pending(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    asked = accounts.request_grant("eve", "finance", by="ana", password=PASSWORD)
    accounts.confirm(asked["grant_id"], by="chen")
    with store.transaction() as db:
        db.execute("UPDATE role_grants SET status = 'pending', confirmed_by = NULL")
    return lambda: accounts.confirm(asked["grant_id"], by="bob"), f"role grant '{asked['grant_id']}'"


def _pending_grant_put_back(store: RunStore, accounts: Accounts, home: Path) -> tuple[Callable[[], Any], str]:
    asked = accounts.request_grant("fiona", "controller", by="ana")
    pending = copy_of(store, "role_grants", "grant_id = ?", asked["grant_id"])
    accounts.confirm(asked["grant_id"], by="chen")
    put_back(store, "role_grants", pending, "grant_id")  # the signed pending row, as it was
    return lambda: accounts.pending_grants(), f"role grant '{asked['grant_id']}'"


RESTORES = {
    "role-from-before-a-demotion": _role_before_demotion,
    "password-from-before-a-reset": _password_before_reset,
    "token-deleted-at-sign-out": _token_deleted_at_sign_out,
    "token-deleted-at-a-password-reset": _token_deleted_at_password_reset,
    "rules-from-before-a-controller-tightened-them": _rules_before_tightening,
    "confirmed-grant-set-back-to-pending": _grant_set_back_to_pending,
    "signed-pending-grant-put-back-after-confirming": _pending_grant_put_back,
}


@pytest.mark.attack("42.4")
@pytest.mark.parametrize("attempt", RESTORES)
def test_42_4_an_older_row_of_record_put_back_is_refused_naming_it(
    store: RunStore, missions_home: Path, attempt: str
) -> None:
    use, names = RESTORES[attempt](store, Accounts(store), missions_home)
    with pytest.raises(UnsignedRowError) as refused:
        use()
    assert one_line(refused, names, "in the run store is"), refused.value
    assert verify_says(store, names), verify(store)[1]


@pytest.mark.attack("42.4")
def test_42_4_a_demoted_account_put_back_cannot_approve_on_the_cli(
    missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, accounts = with_accounts(missions_home, {"ana": "ops_agent", "chen": "controller", "fiona": "finance"})
    monkeypatch.setenv("MISSIONS_TOKEN", accounts.issue_token("fiona"))
    before = copy_of(store, "accounts", "name = ?", "fiona")
    accounts.confirm(accounts.request_grant("fiona", "customer_care", by="ana")["grant_id"], by="chen")
    put_back(store, "accounts", before, "name")
    code, _, err = missions(capsys, "whoami")
    assert refused_in_one_line(code, err, "account 'fiona'", "version 1", "latest audited version is 2")
    code, _, err = missions(capsys, "audit", "verify")
    assert refused_in_one_line(code, err, "account 'fiona' is version 1, but its latest audited version is 2")


def test_42_4_rows_the_platform_changed_still_verify(store: RunStore, missions_home: Path) -> None:
    """The other side: every change above, made by the platform, leaves rows that verify and a chain that is
    intact."""
    accounts = Accounts(store)
    accounts.confirm(accounts.request_grant("fiona", "customer_care", by="ana")["grant_id"], by="chen")
    accounts.set_password("cole", "a new one after a leak", by="ana")
    accounts.revoke(accounts.issue_token("fiona"))
    accounts.account_for_token(accounts.issue_token("fiona"))
    knowledge = Knowledge(missions_home / "knowledge", [RULE])
    approval_rules(knowledge)
    knowledge.rules = [{**RULE, "roles": ["finance"]}]
    adopt_rules(knowledge, missions_home, "chen")
    assert accounts.authenticate("cole", "a new one after a leak").role == "customer_care"
    assert load_roster(missions_home)["fiona"] == "customer_care"
    assert verify(store)[1] == []


# -- the action tiers in force: how far a mission acts without a reviewer ------------------------------------------
POLICY = TierPolicy(
    defaults={"refund_payment": "recommend"},
    rollbacks={"refund_payment": Rollback("charge_back", {"payment_id": "args.payment_id"})},
)


def _tiers_promoted_then_demoted(store: RunStore) -> dict[str, Any]:
    """chen promotes refunds to automate, copies that row, then demotes them again."""
    change("m", POLICY, store, direction="promote", tool="refund_payment", by="chen", role="controller")
    automated = copy_of(store, "meta", "key = ?", "tiers.m")
    change("m", POLICY, store, direction="demote", tool="refund_payment", by="chen", role="controller")
    assert current("m", POLICY, store).tier_of("refund_payment") == "recommend"
    return automated


def _tiers_put_back(store: RunStore) -> str:
    put_back(store, "meta", _tiers_promoted_then_demoted(store), "key")
    return "version 1, but its latest audited version is 2"


def _tiers_written(store: RunStore) -> str:
    _tiers_promoted_then_demoted(store)
    forged = json.dumps({"mode": "live", "tiers": {"refund_payment": "automate"}, "history": []})
    with store.transaction() as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'tiers.m'", (forged,))
    return "an older copy put back"


def _tiers_deleted(store: RunStore) -> str:
    _tiers_promoted_then_demoted(store)
    with store.transaction() as db:
        db.execute("DELETE FROM meta WHERE key = 'tiers.m'")
    return "deleted: audit entry"


@pytest.mark.attack("42.4")
@pytest.mark.parametrize(
    "attempt", [_tiers_put_back, _tiers_written, _tiers_deleted], ids=["put-back", "written-by-sql", "deleted"]
)
def test_42_4_the_action_tiers_in_force_cannot_be_put_back_or_written(store: RunStore, attempt: Any) -> None:
    says = attempt(store)
    with pytest.raises(UnsignedRowError) as refused:
        current("m", POLICY, store)
    assert one_line(refused, "the meta row 'tiers.m'", says), refused.value


# -- 42.9: separation of duties survives deleted rows ----------------------------------------------------------------
@pytest.mark.attack("42.9")
@pytest.mark.parametrize(
    "deleted",
    [("bob", "chen"), ("chen",), ("bob",)],
    ids=["other-admin-and-controller", "controller-only", "other-admin-only"],
)
def test_42_9_deleting_the_other_confirmers_does_not_grant_a_role_at_once(
    store: RunStore, deleted: tuple[str, ...]
) -> None:
    """ana, an admin with a database login, deletes the rows of those who would confirm, then asks for finance
    (as an admin: a confirming grant, given at once while the store has no other confirmer)."""
    with store.transaction() as db:
        for name in deleted:
            db.execute("DELETE FROM accounts WHERE name = ?", (name,))
    accounts = Accounts(store)
    with pytest.raises(UnsignedRowError) as refused:
        accounts.request_grant("ana", "finance", by="ana", admin=True)
    assert one_line(refused, f"account {deleted[0]!r}", "deleted behind the platform's back", "audit entry")
    assert accounts.get("ana").role == "ops_agent"
    assert verify_says(store, f"account {deleted[0]!r} was deleted behind the platform's back")


# -- 42.5: no re-key door, no head rolled back ------------------------------------------------------------------------
@pytest.fixture
def kept(missions_home: Path) -> RunStore:
    store = RunStore(runs_db(missions_home))
    for n in range(5):
        store.append_events(f"R-{n}", [{"kind": "observation", "summary": f"finding {n}", "data": {"n": n}}])
    store.open_decision("D-1", run_id="R-1", mission="m", subject_id="S-1", request={"actions": ["refund"]})
    store.claim_decision("D-1", reviewer="omar", role="ops_lead", response={"approved": [0]})
    return store


@pytest.mark.attack("42.5")
@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ("UPDATE decisions SET decided_by = 'mallory'", "decision D-1 (decided) differs from its audit record"),
        (
            "UPDATE events SET summary = 'nothing found' WHERE run_id = 'R-2'",
            "event 1 of run R-2 (observation) differs",
        ),
        ("DELETE FROM events WHERE run_id = 'R-3'", "entry 4 (observation, run R-3) has no event row"),
    ],
    ids=["decision-edited", "event-edited", "event-deleted"],
)
def test_42_5_deleting_the_keyed_mark_does_not_re_key_the_chain(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str], edit: str, says: str
) -> None:
    with unlock(missions_home) as db:
        db.execute("DELETE FROM meta WHERE key = 'audit_keyed'")
        db.execute(edit)
    RunStore(runs_db(missions_home)).append_events("R-9", [{"kind": "observation", "summary": "the next command"}])
    code, _, err = missions(capsys, "audit", "verify")
    assert refused_in_one_line(code, err, says), err
    code, _, err = missions(capsys, "audit", "key")
    assert refused_in_one_line(code, err, "nothing to key")  # and asked to key it on purpose: keyed already


@pytest.mark.attack("42.5")
@pytest.mark.postgres
def test_42_5_on_postgres_deleting_the_keyed_mark_does_not_re_key_the_chain(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.postgres import fresh_schema

    with fresh_schema() as url:
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        store = RunStore(runs_db(missions_home))
        store.append_events("R-1", [{"kind": "observation", "summary": "finding"}])
        store.open_decision("D-1", run_id="R-1", mission="m", subject_id="S-1", request={})
        db = store.read()
        db.execute("DELETE FROM meta WHERE key = 'audit_keyed'")
        db.execute("UPDATE decisions SET status = 'decided', decided_by = 'mallory'")
        again = RunStore(runs_db(missions_home))
        again.append_events("R-2", [{"kind": "observation", "summary": "the next command"}])
        found = verify(again)[1]
        assert any("decision D-1 (decided) differs from its audit record" in p for p in found), found
        with pytest.raises(ConflictError, match="keyed already"):
            again.key_chain(by="mallory")


def _cut(home: Path) -> None:
    """The last entries cut, with their rows (what the head outside the store exists to show)."""
    with unlock(home) as db:
        db.execute("DELETE FROM audit WHERE n > 5")
        db.execute("DELETE FROM decisions")


def _head(home: Path) -> Path:
    return runs_db(home).with_name("runs.sqlite.audit-head")


def _truncate_to_one_slot(home: Path) -> None:
    head = _head(home)
    head.write_bytes(head.read_bytes()[: audit_key.SLOT])


def _blank_the_newer_slot(home: Path) -> None:
    head = _head(home)
    data = bytearray(head.read_bytes())
    slots = [json.loads(data[:512].strip()), json.loads(data[512:].strip())]
    newer = max(range(2), key=lambda i: slots[i]["count"])
    data[newer * 512 : newer * 512 + 511] = b" " * 511
    head.write_bytes(bytes(data))


def _older_slot_over_the_newer(home: Path) -> None:
    head = _head(home)
    data = head.read_bytes()
    slots = [data[:512], data[512:]]
    older = min(range(2), key=lambda i: json.loads(slots[i].strip())["count"])
    head.write_bytes(slots[older] * 2)


def _delete_then_append(home: Path) -> None:
    _head(home).unlink()
    with pytest.raises(UnanchoredHostError):  # a host without its head appends nothing until it is re-anchored
        RunStore(runs_db(home)).append_events("R-9", [{"kind": "observation", "summary": "the platform goes on"}])


@pytest.mark.attack("42.5")
@pytest.mark.parametrize(
    ("roll_back", "says"),
    [
        (_truncate_to_one_slot, "was cut"),
        (_blank_the_newer_slot, "is not signed with the platform key"),
        (_older_slot_over_the_newer, "is not signed with the platform key"),
        (_delete_then_append, "no audit head"),
    ],
    ids=["truncated-to-one-slot", "newer-slot-blanked", "older-slot-copied-over-the-newer", "deleted-then-appended"],
)
def test_42_5_the_head_cannot_be_rolled_back_to_hide_a_cut(
    kept: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str], roll_back: Any, says: str
) -> None:
    kept.append_events("R-1", [{"kind": "observation", "summary": "one more"}])  # both slots written since
    _cut(missions_home)
    roll_back(missions_home)
    code, _, err = missions(capsys, "audit", "verify")
    assert refused_in_one_line(code, err, says), err


@pytest.mark.attack("42.5")
@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            "UPDATE events SET summary = 'R-1 nothing' WHERE run_id = 'R-1' AND seq = 1",
            "event 1 of run R-1 (observation) differs from the unkeyed chain (entry 1)",
        ),
        ("DELETE FROM events WHERE run_id = 'R-2' AND seq = 2", "entry 4 (observation, run R-2) has no event row"),
        (
            "INSERT INTO events (run_id, seq, at, kind, summary, data) VALUES ('R-1', 3, 't', 'decision', 'ok', '{}')",
            "event 3 of run R-1 (decision) is not on the unkeyed chain",
        ),
        ("UPDATE audit SET summary = 'nothing' WHERE n = 2", "entry 2 of the unkeyed chain was edited"),
    ],
    ids=["event-edited", "event-deleted", "event-added", "entry-edited"],
)
def test_42_5_keying_refuses_an_older_chain_whose_rows_were_edited(
    missions_home: Path, capsys: pytest.CaptureFixture[str], edit: str, says: str
) -> None:
    missions_home.mkdir(parents=True)
    legacy_store(missions_home)
    with unlock(missions_home) as db:
        db.execute(edit)
    code, _, err = missions(capsys, "audit", "key")
    assert refused_in_one_line(code, err, "the audit chain is not keyed", says), err
    with pytest.raises((UnkeyedChainError, ChainBrokenError)):  # and nothing is written to it meanwhile
        RunStore(runs_db(missions_home)).append_events("R-9", [{"kind": "observation", "summary": "x"}])


def test_42_5_keying_an_older_store_with_accounts_takes_an_admin(
    missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store from before row versions: its signed accounts are anchored as they are, by a named admin, once."""
    store, accounts = with_accounts(missions_home, {"ana": "ops_agent", "cole": "customer_care"})
    _as_version_10(store)  # as version 10 left them: signed without a version, not on the chain
    with pytest.raises(UnsignedRowError, match="not anchored on the audit chain yet"):
        accounts.get("ana")
    monkeypatch.setattr("sys.stdin", StdinLine("wrong password"))
    code, _, err = missions(capsys, "audit", "key", "--admin", "ana", "--password-stdin")
    assert refused_in_one_line(code, err, "wrong account name or password")
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "audit", "key", "--admin", "cole", "--password-stdin")
    assert refused_in_one_line(code, err, "cole is not an admin")
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, out, err = missions(capsys, "audit", "key", "--admin", "ana", "--password-stdin")
    assert code == 0, err
    assert "2 row(s) of record anchored: account ana, account cole" in out
    assert accounts.authenticate("ana", PASSWORD).admin
    assert verify(store)[1] == []
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "audit", "key", "--admin", "ana", "--password-stdin")
    assert refused_in_one_line(code, err, "nothing to key")


def _as_version_10(store: RunStore) -> None:
    """Rewrite a store's accounts as version 10 signed them (no version), with no row versions on the chain: a chain
    rebuilt from scratch, as that version would have written it."""
    from ai_missions.kernel import records
    from ai_missions.kernel.signing import sign

    key = store.audit.key
    rows = store.read().execute("SELECT * FROM accounts").fetchall()
    with unlock(Path(store.path).parent) as db:
        db.execute("DELETE FROM audit WHERE record_table IS NOT NULL")
        for row in rows:
            body = {"table": "accounts", **{f: row[f] for f in records.ACCOUNTS.fields}}
            body["admin"] = int(body["admin"])
            db.execute(
                "UPDATE accounts SET version = NULL, signature = ? WHERE name = ?", (sign(key, body), row["name"])
            )
        rehash_with_macs(db, store)


def rehash_with_macs(db: Any, store: RunStore) -> None:
    """Renumber and rehash the chain and MAC it with the key (as the platform itself would have written it)."""
    from ai_missions.kernel.store import GENESIS, entry_hash

    rows = db.execute("SELECT n, at, run_id, kind, actor, summary, data FROM audit ORDER BY n").fetchall()
    db.execute("DELETE FROM audit")
    prev = GENESIS
    for n, (_, at, run_id, kind, actor, summary, data) in enumerate(rows, start=1):
        body = {"at": at, "run_id": run_id, "kind": kind, "actor": actor, "summary": summary, "data": json.loads(data)}
        digest = entry_hash(prev, n, body)
        db.execute(
            "INSERT INTO audit (n, at, run_id, kind, actor, summary, data, prev_hash, hash, mac)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n, at, run_id, kind, actor, summary, data, prev, digest, store.audit.mac(n, digest)),
        )
        prev = digest
    head = _head(Path(store.path).parent)
    head.unlink(missing_ok=True)
    store.audit.forget()  # the chain was rewritten: what this process verified of it before no longer holds
    store.audit.stage(audit_key.Head(len(rows), store.audit.mac(len(rows), prev)), force=True)
    store.audit.publish()
