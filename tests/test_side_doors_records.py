"""The side-door campaign (issue 26), items 3 and 5: rows of record written behind the platform's back, and one
person holding every role.

3. Accounts, API tokens and the approval rules of record carry the platform key's HMAC: an ``UPDATE``, ``INSERT`` or
   ``DELETE`` made with sqlite3 straight on the store is refused, in one line naming the row, and the rules of record
   are never re-seeded silently from an edited policy.
5. An admin asks for a role; a second admin or a controller confirms it (audited). Co-approval needs two people,
   not one person's two accounts (ana + ana-fin).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore, utc_now
from ai_missions.services import coapproval
from ai_missions.services.governance import RULES_KEY, approval_problems, approval_rules, load_roster
from ai_missions.services.identity import Accounts, UnsignedRowError, _hasher
from tests.support.approval_knowledge import Knowledge
from tests.support.stdin_line import StdinLine
from tests.test_side_doors import attack, missions, refused_in_one_line, tally

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
CAPTURE = {"tool": "capture_payment", "args": {"authorization_id": "AUTH-000001", "amount": 2012.01}}
#: The approval policy's rule for captures, as the indexed file says (and as an edited file would say it).
RULE: dict[str, object] = {"tools": ["capture_payment"], "roles": ["finance"], "max_amount": None}


@pytest.fixture
def home(missions_home: Path) -> Path:
    """A store with an admin (ana, ops_agent), a controller (chen), finance (fiona) and customer care (cole)."""
    accounts = Accounts(RunStore(runs_db(missions_home)))
    for name, role in {"ana": "ops_agent", "chen": "controller", "fiona": "finance", "cole": "customer_care"}.items():
        accounts.add(name, role, PASSWORD, by="setup")
    return missions_home


@pytest.fixture
def accounts(home: Path) -> Accounts:
    return Accounts(RunStore(runs_db(home)))


def behind_the_back(home: Path, sql: str, *params: object) -> None:
    """Write to the store as an attacker with the database but not the platform key does."""
    with sqlite3.connect(runs_db(home)) as db:
        db.execute(sql, params)


def signed_in(home: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("MISSIONS_TOKEN", Accounts(RunStore(runs_db(home))).issue_token(name))


# -- 3. rows of record ------------------------------------------------------------------------------------------------
def test_3_an_updated_role_is_refused_naming_the_account(
    home: Path, accounts: Accounts, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(home, monkeypatch, "cole")
    behind_the_back(home, "UPDATE accounts SET role = 'finance' WHERE name = 'cole'")
    with pytest.raises(UnsignedRowError, match="account 'cole' in the run store is not signed by the platform"):
        accounts.get("cole")
    with pytest.raises(UnsignedRowError, match="account 'cole'"):
        load_roster(home)  # whoever decides: the roster refuses, it does not answer "finance"
    code, _, err = missions(capsys, "whoami")
    assert attack("3 rows of record", refused_in_one_line(code, err, "account 'cole'", "not signed"))


def test_3_an_inserted_api_token_is_refused_naming_it(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "mst_forged-by-the-database"
    behind_the_back(
        home,
        "INSERT INTO api_tokens (token_hash, name, created_at, expires_at) VALUES (?, 'fiona', ?, '2999-01-01')",
        hashlib.sha256(token.encode()).hexdigest(),
        utc_now(),
    )
    monkeypatch.setenv("MISSIONS_TOKEN", token)
    code, _, err = missions(capsys, "whoami")
    assert attack("3 rows of record", refused_in_one_line(code, err, "API token of 'fiona'", "not signed"))


def test_3_an_inserted_account_is_refused_naming_it(
    home: Path, accounts: Accounts, capsys: pytest.CaptureFixture[str]
) -> None:
    behind_the_back(
        home,
        "INSERT INTO accounts (name, role, admin, password_hash, created_at, person) VALUES ('eve', 'finance', 0, ?, ?,"
        " 'eve')",
        _hasher().hash(PASSWORD),
        utc_now(),
    )
    with pytest.raises(UnsignedRowError, match="account 'eve'"):
        accounts.authenticate("eve", PASSWORD)  # the right password of a forged row signs nobody in
    code, _, err = missions(capsys, "accounts", "list")
    assert attack("3 rows of record", refused_in_one_line(code, err, "account 'eve'", "not signed"))


def test_3_deleting_every_account_does_not_reopen_the_first_account(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first account needs no sign-in and becomes the admin: an emptied table is not a new store."""
    behind_the_back(home, "DELETE FROM api_tokens")
    behind_the_back(home, "DELETE FROM accounts")
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, _, err = missions(capsys, "accounts", "add", "eve", "--role", "finance", "--password-stdin")
    assert attack("3 rows of record", refused_in_one_line(code, err, "not signed in"))
    assert Accounts(RunStore(runs_db(home))).count() == 0


@pytest.fixture
def knowledge(home: Path) -> Knowledge:
    knowledge = Knowledge(home / "knowledge", [RULE])
    tools = get_mission("order-exception").tools
    assert approval_problems("customer_care", [CAPTURE], approval_rules(knowledge), tools)  # recorded, here
    knowledge.rules = [{**RULE, "roles": ["finance", "customer_care"]}]  # the policy file is edited
    return knowledge


def test_3_an_edited_rules_of_record_row_is_refused_naming_it(home: Path, knowledge: Knowledge) -> None:
    row = json.loads(RunStore(runs_db(home)).get_meta(RULES_KEY) or "{}")
    row["value"]["rules"][0]["roles"].append("customer_care")
    behind_the_back(home, "UPDATE meta SET value = ? WHERE key = ?", json.dumps(row), RULES_KEY)
    with pytest.raises(UnsignedRowError, match=f"the meta row '{RULES_KEY}' in the run store is not signed"):
        approval_rules(knowledge)
    attack("3 rows of record", True)


def test_3_a_deleted_rules_of_record_row_is_not_re_seeded_from_an_edited_policy(
    home: Path, knowledge: Knowledge
) -> None:
    behind_the_back(home, "DELETE FROM meta WHERE key = ?", RULES_KEY)
    with pytest.raises(UnsignedRowError, match=r"approval rules of record .* deleted: audit entry \d+ recorded them"):
        approval_rules(knowledge)
    assert attack("3 rows of record", RunStore(runs_db(home)).get_meta(RULES_KEY) is None)  # nothing re-seeded


def test_3_rows_the_platform_wrote_still_verify(home: Path, accounts: Accounts, knowledge: Knowledge) -> None:
    """The other side: signed rows work, a password change re-signs its row, the rules of record read back."""
    accounts.set_password("cole", "another good one", by="ana")
    assert accounts.authenticate("cole", "another good one").role == "customer_care"
    assert accounts.account_for_token(accounts.issue_token("fiona")).name == "fiona"
    assert [r.roles for r in approval_rules(knowledge)] == [["finance"]]


# -- 5. separation of duties ------------------------------------------------------------------------------------------
def test_5_the_admin_asks_for_a_role_and_a_controller_confirms_it(
    home: Path, accounts: Accounts, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(home, monkeypatch, "ana")
    monkeypatch.setattr("sys.stdin", StdinLine(PASSWORD))
    code, out, err = missions(capsys, "accounts", "add", "ana-fin", "--role", "finance", "--password-stdin")
    assert code == 0, err
    assert "waits for a second admin or a controller" in out
    assert attack("5 separation of duties", "ana-fin" not in accounts.roster())  # not an account yet
    (grant,) = accounts.pending_grants()

    code, _, err = missions(capsys, "accounts", "confirm", grant["grant_id"])
    assert attack("5 separation of duties", refused_in_one_line(code, err, "ana may not confirm", "one account"))
    signed_in(home, monkeypatch, "fiona")
    code, _, err = missions(capsys, "accounts", "confirm", grant["grant_id"])
    assert attack("5 separation of duties", refused_in_one_line(code, err, "fiona (finance) may not confirm"))

    signed_in(home, monkeypatch, "chen")
    code, out, err = missions(capsys, "accounts", "confirm", grant["grant_id"])
    assert code == 0, err
    made = accounts.get("ana-fin")
    assert (made.role, made.created_by, made.person) == ("finance", "ana", "ana-fin")
    audit = RunStore(runs_db(home)).read().execute("SELECT actor, data FROM audit WHERE kind = 'account_added'")
    assert {"confirmed_by": "chen", "name": "ana-fin"}.items() <= json.loads(audit.fetchall()[-1][1])["detail"].items()


def test_5_changing_a_role_waits_for_a_second_admin_or_a_controller(
    home: Path, accounts: Accounts, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(home, monkeypatch, "ana")
    code, _, err = missions(capsys, "accounts", "role", "ana", "--role", "finance")
    assert code == 0, err
    assert attack("5 separation of duties", accounts.get("ana").role == "ops_agent")
    (grant,) = accounts.pending_grants()
    signed_in(home, monkeypatch, "chen")
    assert missions(capsys, "accounts", "confirm", grant["grant_id"])[0] == 0
    assert accounts.get("ana").role == "finance"  # confirmed: re-signed, and it verifies


def test_5_co_approval_of_one_persons_two_accounts_is_refused(home: Path, accounts: Accounts) -> None:
    """ana asks for ana-fin (finance), chen confirms; ana + ana-fin sign the two parts of a shared plan: refused.
    Two accounts the platform was told are one person (the same e-mail) are refused too; fiona + cole are not."""
    ana_fin = accounts.request_grant("ana-fin", "finance", by="ana", password=PASSWORD)
    accounts.confirm(ana_fin["grant_id"], by="chen")
    accounts.add("omar", "ops_lead", PASSWORD, by="setup", person="omar@example.com")
    accounts.add("omar-cc", "customer_care", PASSWORD, by="setup", person="omar@example.com")
    store = RunStore(runs_db(home))

    def two_parts(first: str, second: str, subject: str) -> None:
        decision_id = f"D-{subject}"
        store.open_decision(decision_id, run_id=f"R-{subject}", mission="m", subject_id=subject, request={})
        decision = store.get_decision(decision_id)
        for n, reviewer in enumerate((first, second)):
            part = {"reviewer": reviewer, "role": accounts.get(reviewer).role, "answers": {str(n): {}}, "at": "t"}
            coapproval.record(store, decision, part, lambda parts: None)

    with pytest.raises(ForbiddenError, match="ana-fin may not co-approve with ana: ana created ana-fin"):
        two_parts("ana", "ana-fin", "INV-1")
    with pytest.raises(ForbiddenError, match=r"omar-cc may not co-approve with omar: .* both omar@example\.com"):
        two_parts("omar", "omar-cc", "INV-2")
    attack("5 separation of duties", True)
    attack("5 separation of duties", True)
    two_parts("fiona", "cole", "INV-3")
    assert sorted(p["reviewer"] for p in coapproval.signoffs(store, "D-INV-3")) == ["cole", "fiona"]


def test_5_a_new_store_gets_its_first_confirmer_at_setup_and_then_needs_one(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = Accounts(RunStore(runs_db(missions_home)))
    accounts.add("boss", "ops_lead", PASSWORD)  # the first account: the admin
    assert accounts.request_grant("chen", "controller", by="boss", password=PASSWORD)["status"] == "granted"
    assert accounts.request_grant("eve", "finance", by="boss", password=PASSWORD)["status"] == "pending"
    assert accounts.request_grant("cus", "customer", by="boss", password=PASSWORD)["status"] == "added"
    signed_in(missions_home, monkeypatch, "boss")
    code, _, err = missions(capsys, "accounts", "demo")
    assert attack("5 separation of duties", refused_in_one_line(code, err, "only to a store without accounts"))


def test_3_a_store_from_before_signing_is_adopted_once_and_a_signed_store_never(
    home: Path, missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgraded store's accounts and rules carry no signature: signed once, by the key's holder, audited; on a
    store that had signed rows, an unsigned one is a forgery and adopting it is refused."""
    behind_the_back(
        home,
        "INSERT INTO accounts (name, role, admin, password_hash, created_at) VALUES ('eve', 'finance', 0, 'x', ?)",
        utc_now(),
    )
    code, _, err = missions(capsys, "accounts", "adopt-unsigned")
    assert attack("3 rows of record", refused_in_one_line(code, err, "already has signed rows"))

    old = missions_home.parent / "old-home"
    monkeypatch.setenv("MISSIONS_HOME", str(old))
    store = RunStore(runs_db(old))
    with store.transaction() as db:  # what a version before signing wrote
        db.execute(
            "INSERT INTO accounts (name, role, admin, password_hash, created_at) VALUES ('ana', 'ops_agent', 1, ?, ?)",
            (_hasher().hash(PASSWORD), utc_now()),
        )
    store.set_meta(RULES_KEY, json.dumps({"digest": "d", "rules": [RULE]}))
    with pytest.raises(UnsignedRowError, match="account 'ana'"):
        Accounts(store).get("ana")
    code, out, err = missions(capsys, "accounts", "adopt-unsigned")
    assert code == 0, err
    assert "signed 1 account(s): ana; approval rules of record: True" in out
    assert Accounts(store).authenticate("ana", PASSWORD).admin
    assert [r.roles for r in approval_rules(Knowledge(old / "knowledge", []))] == [["finance"]]
    code, _, err = missions(capsys, "accounts", "adopt-unsigned")
    assert refused_in_one_line(code, err, "already has signed rows")  # once


def test_3_and_5_hold_on_each_backend(store_backend: str, missions_home: Path) -> None:
    """The same rows written behind the platform's back in SQLite and in Postgres (an attacker with the database's
    credentials but not the home's key), and one person's two accounts co-approving."""
    store = RunStore(runs_db(missions_home))
    accounts = Accounts(store)
    for name, role in {"ana": "ops_agent", "chen": "controller", "cole": "customer_care"}.items():
        accounts.add(name, role, PASSWORD, by="setup")
    knowledge = Knowledge(missions_home / "knowledge", [RULE])
    assert [r.roles for r in approval_rules(knowledge)] == [["finance"]]
    ana_fin = accounts.request_grant("ana-fin", "finance", by="ana", password=PASSWORD)
    accounts.confirm(ana_fin["grant_id"], by="chen")
    store.open_decision("D-1", run_id="R-1", mission="m", subject_id="INV-1", request={})
    decision = store.get_decision("D-1")
    for reviewer, role, position in (("ana", "ops_agent", "0"), ("ana-fin", "finance", "1")):
        part = {"reviewer": reviewer, "role": role, "answers": {position: {}}, "at": "t"}
        if reviewer == "ana":
            coapproval.record(store, decision, part, lambda parts: None)
            continue
        with pytest.raises(ForbiddenError, match="ana created ana-fin"):
            coapproval.record(store, decision, part, lambda parts: None)

    row = json.loads(store.get_meta(RULES_KEY) or "{}")
    row["value"]["rules"][0]["roles"].append("customer_care")
    with store.transaction() as db:  # plain SQL on the store's own connection: no platform code signs anything
        db.execute("UPDATE accounts SET role = 'finance' WHERE name = 'cole'")
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(row), RULES_KEY))
    with pytest.raises(UnsignedRowError, match="account 'cole'"):
        accounts.get("cole")
    with pytest.raises(UnsignedRowError, match=RULES_KEY):
        approval_rules(knowledge)
    with store.transaction() as db:
        db.execute("DELETE FROM meta WHERE key = ?", (RULES_KEY,))
        db.execute("DELETE FROM accounts")
    with pytest.raises(UnsignedRowError, match="deleted"):
        approval_rules(knowledge)
    assert accounts.set_up()  # an emptied table is not a new store
