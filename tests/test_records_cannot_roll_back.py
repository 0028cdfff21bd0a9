"""Issue 59, item 2: a database login cannot roll the rows of record back by also editing the audit table.

The attacker holds a database login (SQLite: the file; Postgres: a role that may rewrite any table, the append-only
triggers turned off) and not the platform key. They put back an older signed row (a role from before a demotion, a
password from before a reset, a token deleted at sign-out, approval rules from before a controller tightened them),
then hide the newer version on the chain: its index columns set to NULL, the entry deleted, or its position moved.
They delete the grant ledger's revocation of an abandoned run, and empty the accounts and the chain before an
``accounts add``. The next process (a fresh store, as the next command opens it) must refuse each in one line: what
it believes is derived from the chain as verified, never from a column outside an entry's hash.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ai_missions.kernel import beliefs, grants, records
from ai_missions.kernel.beliefs import CHECKPOINT_KEY
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.records import HISTORY_KEY, RULES_KEY
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.governance import adopt_rules, approval_rules
from ai_missions.services.identity import Accounts
from tests.support.approval_knowledge import Knowledge
from tests.support.stdin_line import StdinLine
from tests.test_rows_of_record import PASSWORD, RULE, copy_of, five_accounts, put_back
from tests.test_side_doors import missions, refused_in_one_line
from tests.test_side_doors_audit import unlock


@pytest.fixture
def store(store_backend: str, missions_home: Path) -> RunStore:
    """ana (the admin), bob (a second admin), chen (controller), fiona (finance), cole (customer care)."""
    return five_accounts(missions_home)


@contextmanager
def database_login(home: Path) -> Iterator[Any]:
    """The store as a database login sees it, the append-only triggers out of the way (autocommit)."""
    url = os.environ.get("MISSIONS_DATABASE_URL")
    if url is None:
        db = unlock(home)
        try:
            yield db
        finally:
            db.close()
        return
    pg = PgConnection(url)
    try:
        pg.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        yield pg
    finally:
        pg.close()


def newest_entry(store: RunStore, table: str, key: str) -> int:
    """The chain entry recording the row's latest version (found as the platform wrote it, before the attack)."""
    found = (
        store.read()
        .execute("SELECT max(n) FROM audit WHERE record_table = ? AND record_key = ?", (table, key))
        .fetchone()[0]
    )
    assert found is not None
    return int(found)


# -- older rows put back, their newer versions hidden on the chain --------------------------------------------------
#: Each returns the rows whose newer version the attacker hides, and how the next process uses the row put back.
Use = Callable[[RunStore], Any]


def _demoted_role(store: RunStore, home: Path) -> tuple[list[tuple[str, str]], Use]:
    accounts = Accounts(store)
    before = copy_of(store, "accounts", "name = ?", "fiona")
    accounts.confirm(accounts.request_grant("fiona", "customer_care", by="ana")["grant_id"], by="chen")
    put_back(store, "accounts", before, "name")
    return [("accounts", "fiona")], lambda fresh: Accounts(fresh).get("fiona").role  # "finance" would capture


def _password_before_reset(store: RunStore, home: Path) -> tuple[list[tuple[str, str]], Use]:
    accounts = Accounts(store)
    before = copy_of(store, "accounts", "name = ?", "cole")
    accounts.set_password("cole", "a new one after a leak", by="ana")
    put_back(store, "accounts", before, "name")
    return [("accounts", "cole")], lambda fresh: Accounts(fresh).authenticate("cole", PASSWORD)


def _signed_out_token(store: RunStore, home: Path) -> tuple[list[tuple[str, str]], Use]:
    accounts = Accounts(store)
    token = accounts.issue_token("fiona")
    row = copy_of(store, "api_tokens", "name = ?", "fiona")
    accounts.revoke(token)
    put_back(store, "api_tokens", row, "token_hash")
    return [("api_tokens", row["token_hash"])], lambda fresh: Accounts(fresh).account_for_token(token)


def _loosened_rules(store: RunStore, home: Path) -> tuple[list[tuple[str, str]], Use]:
    knowledge = Knowledge(home / "knowledge", [RULE])
    approval_rules(knowledge)  # recorded: ops_lead may capture
    rules, history = (copy_of(store, "meta", "key = ?", key) for key in (RULES_KEY, HISTORY_KEY))
    knowledge.rules = [{**RULE, "roles": ["finance"]}]
    adopt_rules(knowledge, home, "chen")  # the controller tightens them
    put_back(store, "meta", rules, "key")
    put_back(store, "meta", history, "key")

    def use(fresh: RunStore) -> Any:
        text = fresh.get_meta(RULES_KEY)
        return records.meta_value(fresh.read(), fresh.audit, RULES_KEY, str(text))  # what approval_rules checks

    return [("meta", RULES_KEY), ("meta", HISTORY_KEY)], use


RESTORES = {
    "demoted-role": _demoted_role,
    "password-before-a-reset": _password_before_reset,
    "signed-out-token": _signed_out_token,
    "loosened-approval-rules": _loosened_rules,
}


def _null_index(db: Any, n: int) -> None:
    db.execute("UPDATE audit SET record_table = NULL, record_key = NULL WHERE n = ?", (n,))


def _delete(db: Any, n: int) -> None:
    db.execute("DELETE FROM audit WHERE n = ?", (n,))


def _move(db: Any, n: int) -> None:
    db.execute("UPDATE audit SET n = ? WHERE n = ?", (-n, n))  # before every entry: the older version is the newest


HIDINGS = {"index-set-to-null": _null_index, "entry-deleted": _delete, "position-moved": _move}


@pytest.mark.attack("59.2")
@pytest.mark.parametrize("hiding", HIDINGS)
@pytest.mark.parametrize("restore", RESTORES)
def test_59_2_an_older_row_put_back_stays_refused_when_its_newer_version_is_hidden_on_the_chain(
    store: RunStore, missions_home: Path, restore: str, hiding: str
) -> None:
    rows, use = RESTORES[restore](store, missions_home)
    newer = [newest_entry(store, table, key) for table, key in rows]
    with database_login(missions_home) as db:
        for n in newer:
            HIDINGS[hiding](db, n)
    for who in (RunStore(runs_db(missions_home)), store):  # the next command; and this process, which verified before
        with pytest.raises(ForbiddenError) as refused:
            use(who)
        said = str(refused.value)
        assert "\n" not in said, said
        assert any(n in said for n in ("audit entr", "latest audited version", "not on the audit chain")), said


@pytest.mark.attack("59.2")
def test_59_2_the_cli_refuses_a_demoted_role_whose_newer_version_was_deleted(
    store: RunStore, missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, _ = _demoted_role(store, missions_home)
    monkeypatch.setenv("MISSIONS_TOKEN", Accounts(store).issue_token("fiona"))
    newer = newest_entry(store, *rows[0])
    with database_login(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n = ?", (newer,))
    code, _, err = missions(capsys, "whoami")
    assert refused_in_one_line(code, err, f"audit entry {newer} was deleted"), err
    code, _, err = missions(capsys, "audit", "verify")
    assert refused_in_one_line(code, err, f"entry {newer} deleted"), err


# -- revocations are entries of the chain -----------------------------------------------------------------------------
ARGS = {"authorization_id": "AUTH-000001", "amount": 338.03, "idempotency_key": "R-1:0:capture_payment"}


def _abandoned_grant(home: Path) -> str:
    """A capture grant of run R-1 (decision D-1), minted as the execute step mints it; then the run is abandoned."""
    grant = grants.mint(
        home, decision_id="D-1", index=0, tool="capture_payment", args=ARGS, key=ARGS["idempotency_key"],
        by="fiona", run="R-1",
    )  # fmt: skip
    grants.revoke(home, ["R-1", "R-1:auto", "D-1"], "abandoned by omar (ops_lead): released by hand")
    abandoned = {
        "kind": "abandoned",
        "summary": "abandoned by omar (ops_lead)",
        "data": {"grants_revoked_for": ["R-1"]},
    }
    RunStore(runs_db(home)).append_events("R-1", [abandoned])  # as the runtime records it, after the revocation
    return grant


def _ledger_rows_deleted(home: Path) -> None:
    if os.environ.get("MISSIONS_DATABASE_URL") is None:
        with sqlite3.connect(home / grants.LEDGER_FILE) as db:
            db.execute("DELETE FROM revoked")
    else:
        with database_login(home) as db:
            db.execute("DELETE FROM grant_revoked")


def _ledger_and_chain_entry_deleted(home: Path) -> None:
    _ledger_rows_deleted(home)
    with database_login(home) as db:
        db.execute("DELETE FROM audit WHERE kind = 'grants_revoked'")


def _checked_by_a_system_host(home: Path, grant: str) -> subprocess.CompletedProcess[str]:
    """``grants.check`` as a system host started after the attack does it (a process of its own)."""
    script = (
        "import sys, json; from pathlib import Path; from ai_missions.kernel import grants\n"
        "from ai_missions.kernel.errors import MissionsError\n"
        "try:\n"
        f"    grants.check(Path(sys.argv[1]), sys.argv[2], 'capture_payment', {ARGS!r}, replay=lambda key: False)\n"
        "except MissionsError as exc:\n"
        "    print(exc); sys.exit(3)\n"
        "print('accepted')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, str(home), grant], capture_output=True, text=True, check=False, env=os.environ
    )


@pytest.mark.attack("59.2")
@pytest.mark.parametrize(
    "deletion", [_ledger_rows_deleted, _ledger_and_chain_entry_deleted], ids=["ledger-rows", "ledger-rows-and-entry"]
)
def test_59_2_deleting_the_revocation_revives_no_grant_of_an_abandoned_run(
    store_backend: str, missions_home: Path, monkeypatch: pytest.MonkeyPatch, deletion: Callable[[Path], None]
) -> None:
    monkeypatch.setenv("MISSIONS_PLATFORM_KEY", "ab" * 32)  # the system host's subprocess signs with the same key
    RunStore(runs_db(missions_home)).append_events("R-1", [{"kind": "observation", "summary": "the run's trail"}])
    grant = _abandoned_grant(missions_home)
    deletion(missions_home)
    with pytest.raises(ForbiddenError) as refused:  # this process, which verified the chain before
        grants.check(missions_home, grant, "capture_payment", ARGS, replay=lambda key: False)
    assert "\n" not in str(refused.value)
    assert "revoked" in str(refused.value) or "audit entr" in str(refused.value), refused.value
    host = _checked_by_a_system_host(missions_home, grant)
    said = host.stdout.strip()
    assert host.returncode == 3, (host.stdout, host.stderr)
    assert "\n" not in said, said
    assert "was revoked: R-1 was abandoned (audit entry" in said or "was deleted" in said, said


# -- an emptied store is not a new one ------------------------------------------------------------------------------
EMPTYINGS = {
    "accounts-and-index-columns": "UPDATE audit SET record_table = NULL, record_key = NULL",
    "accounts-and-their-entries": "DELETE FROM audit WHERE kind IN ('account_added', 'row_version')",
    "accounts-and-the-whole-chain": "DELETE FROM audit",
    "accounts-and-their-entries-renamed": "UPDATE audit SET kind = 'observation' WHERE kind = 'account_added'",
}


@pytest.mark.attack("59.2")
@pytest.mark.parametrize("emptying", EMPTYINGS)
def test_59_2_emptying_the_accounts_and_the_chain_does_not_make_a_first_admin(
    store: RunStore,
    missions_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    emptying: str,
) -> None:
    """The first account needs no sign-in and becomes the admin: a store whose accounts and chain were emptied is
    not a new store."""
    with database_login(missions_home) as db:
        db.execute("DELETE FROM api_tokens")
        db.execute("DELETE FROM role_grants")
        db.execute("DELETE FROM accounts")
        db.execute(EMPTYINGS[emptying])
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "accounts", "add", "eve", "--role", "finance", "--password-stdin")
    assert refused_in_one_line(code, err), err
    assert any(n in err for n in ("not signed in", "audit entr", "nothing is believed")), err
    assert RunStore(runs_db(missions_home)).read().execute("SELECT count(*) FROM accounts").fetchone()[0] == 0


def test_a_revocation_refused_by_a_cut_chain_is_still_in_the_ledger(missions_home: Path) -> None:
    """Abandoning a run on a chain that does not verify fails in one line, and its grants are revoked in the ledger
    all the same (a revocation is never lost)."""
    store = RunStore(runs_db(missions_home))
    store.append_events("R-1", [{"kind": "observation", "summary": f"finding {n}"} for n in range(3)])
    with database_login(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n = 3")
    with pytest.raises(ForbiddenError, match="audit entry 3 was cut"):
        grants.revoke(missions_home, ["R-1", "D-1"], "abandoned by omar (ops_lead)")
    with sqlite3.connect(missions_home / grants.LEDGER_FILE) as db:
        assert {r[0] for r in db.execute("SELECT scope FROM revoked")} == {"R-1", "D-1"}


# -- checkpoints: a shortcut, never a source ---------------------------------------------------------------------------
def _checkpoint_edited(db: Any, older: str, newer: str) -> None:
    """Its body says the older version is the latest (its MAC, over the body as written, no longer holds)."""
    stored = json.loads(newer)
    body = json.loads(stored["body"])
    body["records"]["accounts"]["fiona"][1] = 1
    db.execute(
        "UPDATE meta SET value = ? WHERE key = ?", (json.dumps({**stored, "body": json.dumps(body)}), CHECKPOINT_KEY)
    )


def _checkpoint_put_back(db: Any, older: str, newer: str) -> None:
    db.execute("UPDATE meta SET value = ? WHERE key = ?", (older, CHECKPOINT_KEY))


def _checkpoint_deleted(db: Any, older: str, newer: str) -> None:
    db.execute("DELETE FROM meta WHERE key = ?", (CHECKPOINT_KEY,))


@pytest.mark.attack("59.2")
@pytest.mark.parametrize(
    "forgery", [_checkpoint_edited, _checkpoint_put_back, _checkpoint_deleted], ids=["edited", "put-back", "deleted"]
)
def test_59_2_a_checkpoint_edited_put_back_or_deleted_brings_no_older_row_back(
    store: RunStore, missions_home: Path, monkeypatch: pytest.MonkeyPatch, forgery: Callable[[Any, str, str], None]
) -> None:
    """A demotion's entry deleted while the checkpoint is forged: the walk starts from the first entry or from the
    older checkpoint, and finds the gap."""
    monkeypatch.setattr(beliefs, "CHECKPOINT_EVERY", 8)
    events = [{"kind": "observation", "summary": f"finding {n}"} for n in range(10)]
    store.append_events("R-1", events)
    store.append_events("R-1", events[:1])  # a checkpoint is written by the next write after 8 entries
    older = str(store.get_meta(CHECKPOINT_KEY))
    rows, use = _demoted_role(store, missions_home)
    newer_entry = newest_entry(store, *rows[0])
    store.append_events("R-2", events)
    store.append_events("R-2", events[:1])
    newer = str(store.get_meta(CHECKPOINT_KEY))
    assert json.loads(json.loads(newer)["body"])["n"] > newer_entry  # the checkpoint holds the demotion
    fresh = RunStore(runs_db(missions_home))
    with fresh.anchoring():  # the whole chain, from its first entry
        whole = fresh.beliefs()
    assert RunStore(runs_db(missions_home)).beliefs().records == whole.records  # from the checkpoint, the same
    with database_login(missions_home) as db:
        forgery(db, older, newer)
        db.execute("DELETE FROM audit WHERE n = ?", (newer_entry,))
    with pytest.raises(ForbiddenError) as refused:
        use(RunStore(runs_db(missions_home)))
    assert "\n" not in str(refused.value)
    assert f"audit entry {newer_entry} was deleted" in str(refused.value), refused.value
