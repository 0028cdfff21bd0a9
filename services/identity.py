"""Who is signed in: local accounts (argon2 password hashes) and API tokens, kept in the run store.

Roles come from the account, never from a payload, a URL or a flag. The CLI keeps its token in
``$MISSIONS_HOME/credentials.json`` (mode 0600) or reads ``MISSIONS_TOKEN``; tokens are stored only as hashes.

Signing in is throttled per account name: after :data:`FREE_FAILURES` wrong passwords in a row the name is locked
for :data:`LOCK_SECONDS`, doubling with each further failure up to :data:`MAX_LOCK_SECONDS`; a right password
resets it. The count lives in the store (``sign_in_failures``), so every process and session shares it, and an
unknown name is counted like a known one (the answer says nothing about which names exist).

Accounts, API tokens and role grants are rows *of record* (:mod:`ai_missions.kernel.records`): each carries a version
and an HMAC of the platform key over its fields and version, and each change puts the new version on the audit chain,
so a row inserted or edited behind the platform's back (``UPDATE accounts SET role = 'finance'``), an older copy put
back (a role from before a demotion, a token deleted at sign-out) and a row deleted (another admin, before a grant
that needs one) are refused with an error naming the row. Granting a role (an account with any
role but ``customer``, an admin, or a changed role) is a request a second admin or a controller confirms, never the
requester nor another account of the same person; each account records the person behind it and who asked for it,
so co-approval can tell two people from one person's two accounts (:meth:`Accounts.not_two_people`).

Signing in costs the same for a name with no account (a password hash of the same cost is checked), so its time
does not tell real names from unknown ones.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ai_missions.kernel import records
from ai_missions.kernel.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.records import ACCOUNTS, GRANTS, TOKENS, Table, UnsignedRowError
from ai_missions.kernel.signing import KeyMismatchError
from ai_missions.kernel.store import ROW_KIND, RunStore, audit_entry, chain, utc_now

CREDENTIALS_FILE = "credentials.json"
TOKEN_ENV = "MISSIONS_TOKEN"
TOKEN_DAYS = 30
NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
#: Wrong passwords in a row an account name may have before it is locked.
FREE_FAILURES = 5
#: The first lock, in seconds; each further failure doubles it, up to the longest.
LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 15 * 60
ROLE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: The lowest role: a customer's own account, which approves nothing; an admin gives it without a second person.
CUSTOMER_ROLE = "customer"
#: Roles that may confirm a role grant (besides admins): the controller, as for a change of the approval rules.
CONFIRMING_ROLES = ("controller",)
#: The person behind an account: an e-mail address or a name (default: the account's name).
PERSON = re.compile(r"^[^\s@]{1,64}(@[a-z0-9.-]{1,190})?$")


@cache
def _hasher() -> Any:
    """argon2's hasher, imported when a password is set or checked (a token check needs only SHA-256)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def _stand_in_hash() -> str:
    """A password hash of the hasher's cost that no password matches: what an unknown name's password is checked
    against, so signing in takes as long for it as for a real account (190 ms against 0.1 ms told them apart)."""
    hasher = _hasher()
    salt = base64.b64encode(secrets.token_bytes(hasher.salt_len)).decode().rstrip("=")
    digest = base64.b64encode(bytes(hasher.hash_len)).decode().rstrip("=")
    params = f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
    return f"$argon2{hasher.type.name.lower()}$v=19${params}${salt}${digest}"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    admin: bool
    #: The person behind the account (two accounts of one person are not two approvers).
    person: str = ""
    #: The account that asked for this one (None for the store's setup: the first account, the demo roster).
    created_by: str | None = None


_ACCOUNT_FIELDS = ACCOUNTS.fields
#: Audit entries only a version that signs rows of record writes (:meth:`Accounts.ever_signed`).
SIGNING_KINDS = ("approval_rules_recorded", "role_granted", "role_grant_requested", "unsigned_rows_adopted", ROW_KIND)
_GRANT_FIELDS = GRANTS.legacy_fields
__all__ = ["UnsignedRowError"]  # raised here, defined with the rows of record


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Local accounts of one store (signed with the key of ``home``, by default the store's directory)."""

    def __init__(self, store: RunStore, home: Path | None = None) -> None:
        self.store = store
        self.home = Path(home) if home is not None else Path(store.path).parent

    @cached_property
    def _key(self) -> bytes:
        return self.store.audit.key

    def _verified(self, db: Any, table: Table, row: Any, what: str) -> None:
        """UnsignedRowError naming the row unless it is signed and the chain's latest version of it; a key that is
        not the database's is named as such (KeyMismatchError), not as every row changed."""
        if not records.signed_row(self._key, table, row):
            if why := self.store.audit.mismatch(db):
                raise KeyMismatchError(why)
            if records.legacy_signed(self._key, table, row):
                raise records.unversioned(db, self.store.audit, table.name, str(row[table.key]), what)
            raise UnsignedRowError(what)
        records.check(
            db, self.store.audit, table.name, str(row[table.key]), row["version"], row["signature"], what=what
        )

    def _account(self, row: Any, db: Any = None) -> Account:
        """The account of a stored row, once its signature and version hold."""
        self._verified(db if db is not None else self.store.read(), ACCOUNTS, row, f"account {row['name']!r}")
        return Account(row["name"], row["role"], bool(row["admin"]), row["person"] or row["name"], row["created_by"])

    def count(self) -> int:
        return int(self.store.read().execute("SELECT count(*) FROM accounts").fetchone()[0])

    def list(self) -> list[Account]:
        """Every account; UnsignedRowError (naming it) when one was written, put back or deleted outside the
        platform: the chain knows every account it recorded, so deleting the other admins does not make the
        requester the only one."""
        db = self.store.read()
        rows = db.execute("SELECT * FROM accounts ORDER BY name").fetchall()
        latest = records.latest(db, self.store.audit, ACCOUNTS.name)
        for name, recorded in records.missing(db, self.store.audit, ACCOUNTS, (r["name"] for r in rows)):
            raise records.deleted_error(ACCOUNTS, name, recorded)
        accounts = []
        for row in rows:
            what = f"account {row['name']!r}"
            if not records.signed_row(self._key, ACCOUNTS, row):
                self._verified(db, ACCOUNTS, row, what)
            if why := records.standing(latest.get(row["name"]), row["version"], row["signature"]):
                raise UnsignedRowError(what, why=why)
            accounts.append(Account(row["name"], row["role"], bool(row["admin"]), row["person"] or row["name"],
                                    row["created_by"]))  # fmt: skip
        return accounts

    def roster(self) -> dict[str, str]:
        return {a.name: a.role for a in self.list()}

    def get(self, name: str) -> Account:
        db = self.store.read()
        row = db.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown account {name!r}")
        return self._account(row, db)

    def set_up(self) -> bool:
        """Whether the store has had an account: the audit chain, as verified, records every one added, so deleting
        the rows (and the chain's entries, or the whole chain) does not make the next ``accounts add`` a first account
        (one that needs no sign-in and becomes the admin): a chain cut short of this host's head is refused."""
        db = self.store.read()
        if db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone():
            return True
        beliefs = records.believed(db, self.store.audit)
        return "account_added" in beliefs.kinds or bool(beliefs.records.get(ACCOUNTS.name))

    def add(
        self,
        name: str,
        role: str,
        password: str,
        *,
        admin: bool = False,
        by: str | None = None,
        person: str | None = None,
    ) -> Account:
        """Create an account directly, signed: the platform's own path (the store's first account, which is
        always an admin; the demo roster; an admin adding a customer). A person's role grant goes through
        :meth:`request_grant` instead."""
        hashed = self._checked(name, role, password, person)
        with self.store.transaction() as db:
            first = not self.set_up()
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise ConflictError(f"account {name!r} already exists")
            account = Account(name, role, admin or first, person or name, by)
            self._insert(db, account, hashed, by=by or name)
        return account

    def _checked(self, name: str, role: str, password: str | None, person: str | None) -> str | None:
        """Validate a new account's fields; its password's hash (None when no password is given)."""
        if not NAME.match(name or ""):
            raise ValidationError(f"account name {name!r}: lower-case letters, digits, '.', '_' or '-'")
        if not ROLE.match(role or ""):
            raise ValidationError(f"role {role!r}: lower-case letters, digits or '_', e.g. finance")
        if person is not None and not PERSON.match(person):
            raise ValidationError(f"person {person!r}: a name or an e-mail address, without spaces")
        if password is None:
            return None
        if len(password or "") < 8:
            raise ValidationError("a password needs at least 8 characters")
        return str(_hasher().hash(password))

    def _insert(self, db: Any, account: Account, hashed: str | None, *, by: str, confirmed: str | None = None) -> None:
        row = {
            "name": account.name,
            "role": account.role,
            "admin": int(account.admin),
            "password_hash": hashed,
            "created_at": utc_now(),
            "person": account.person,
            "created_by": account.created_by,
        }
        version, signature = self._insert_signed(db, ACCOUNTS, row)
        data = {"name": account.name, "role": account.role, "admin": account.admin, "person": account.person}
        if confirmed:
            data["confirmed_by"] = confirmed
        summary = f"account {account.name} ({account.role})"
        chain(db, [audit_entry(None, {"kind": "account_added", "actor": by, "summary": summary, "data": data})])
        records.record(db, ACCOUNTS.name, account.name, version, signature, actor=by, why="added")

    def _insert_signed(self, db: Any, table: Table, row: Mapping[str, Any]) -> tuple[int, str]:
        """Insert a new row of record signed at its next version (a re-made row goes on from the deleted one's);
        its version and signature, for the caller to put on the chain with why it was written."""
        version = records.next_version(db, self.store.audit, table.name, str(row[table.key]))
        signature = records.signature(self._key, table, row, version)
        columns = (*table.fields, "version", "signature")
        db.execute(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            (*(row[f] for f in table.fields), version, signature),
        )
        return version, signature

    def _update(self, db: Any, name: str, *, by: str, why: str, **fields: Any) -> None:
        """Change fields of a verified account row, sign it again at its next version and put that on the chain (a
        tampered row is refused, not laundered)."""
        row = db.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown account {name!r}")
        self._account(row, db)
        new = {**{f: row[f] for f in _ACCOUNT_FIELDS}, **fields}
        version = int(row["version"]) + 1
        signature = records.signature(self._key, ACCOUNTS, new, version)
        assignments = ", ".join(f"{f} = ?" for f in fields)
        changed = db.execute(
            f"UPDATE accounts SET {assignments}, version = ?, signature = ? WHERE name = ? AND version = ?",
            (*fields.values(), version, signature, name, row["version"]),
        )
        if changed.rowcount != 1:
            raise ConflictError(f"account {name!r} was changed meanwhile: try again")
        records.record(db, ACCOUNTS.name, name, version, signature, actor=by, why=why)

    # -- role grants: a second admin or a controller confirms ----------------------------------------------------
    def request_grant(
        self,
        name: str,
        role: str,
        *,
        by: str,
        password: str | None = None,
        admin: bool = False,
        person: str | None = None,
    ) -> dict[str, Any]:
        """An admin (``by``) asks for an account with ``role`` (``password`` given) or for an account's new role.
        A customer account is added at once; while the store has no admin or controller but the requester (its
        setup), a first confirmer (an admin or a controller) is too. Anything else waits for :meth:`confirm`.
        Returns ``{"status": "added" | "granted" | "pending", ...}``; every step is audited."""
        requester = self.get(by)
        if not requester.admin:
            raise ForbiddenError(f"{by} is not an admin: only an admin asks for accounts and roles")
        new = password is not None
        hashed = self._checked(name, role, password, person)
        if not new:
            current = self.get(name)
            if current.role == role and current.admin == admin:
                return {"status": "unchanged", "name": name, "role": role}
        elif self.store.read().execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
            raise ConflictError(f"account {name!r} already exists")
        if new and role == CUSTOMER_ROLE and not admin:
            self.add(name, role, str(password), by=by, person=person)
            return {"status": "added", "name": name, "role": role}
        confirming = admin or role in CONFIRMING_ROLES
        if confirming and not any(a.name != by and (a.admin or a.role in CONFIRMING_ROLES) for a in self.list()):
            grant = self._new_grant(name, role, admin, person, hashed, by)
            setup = f"setup ({by} is the only admin and there is no controller)"
            account = self._apply(grant, confirmed_by=setup, stored=False)
            return {"status": "granted", "name": account.name, "role": account.role}
        grant = self._new_grant(name, role, admin, person, hashed, by)
        with self.store.transaction() as db:
            version, signature = self._insert_signed(db, GRANTS, grant)
            summary = f"{by} asks to grant {role}{' (admin)' if admin else ''} to {name}: {grant['grant_id']}"
            data = {k: grant[k] for k in ("grant_id", "name", "role", "admin", "person")}
            event = {"kind": "role_grant_requested", "actor": by, "summary": summary, "data": data}
            chain(db, [audit_entry(None, event)])
            records.record(db, GRANTS.name, grant["grant_id"], version, signature, actor=by, why="requested")
        return {"status": "pending", "grant_id": grant["grant_id"], "name": name, "role": role}

    def _new_grant(
        self, name: str, role: str, admin: bool, person: str | None, hashed: str | None, by: str
    ) -> dict[str, Any]:
        existing = self.store.read().execute("SELECT person FROM accounts WHERE name = ?", (name,)).fetchone()
        return {
            "grant_id": "G-" + secrets.token_hex(4),
            "name": name,
            "role": role,
            "admin": int(admin),
            "person": person or (existing["person"] if existing and existing["person"] else name),
            "password_hash": hashed,
            "requested_by": by,
            "requested_at": utc_now(),
            "status": "pending",
            "confirmed_by": None,
        }

    def pending_grants(self) -> builtins.list[dict[str, Any]]:
        """Role grants waiting for a confirmer (each verified: one written or put back outside the platform, a
        confirmed grant set back to pending among them, is refused)."""
        db = self.store.read()
        rows = db.execute("SELECT * FROM role_grants WHERE status = 'pending' ORDER BY requested_at").fetchall()
        return [self._grant(r, db) for r in rows]

    def _grant(self, row: Any, db: Any) -> dict[str, Any]:
        self._verified(db, GRANTS, row, f"role grant {row['grant_id']!r}")
        grant = {f: row[f] for f in GRANTS.fields}
        return {**grant, "admin": bool(grant["admin"]), "version": row["version"]}

    def confirm(self, grant_id: str, *, by: str) -> Account:
        """A second admin or a controller confirms a pending role grant: the account is added or its role changed,
        signed and audited. Refused for the requester, and for another account of the requester's person."""
        db = self.store.read()
        row = db.execute("SELECT * FROM role_grants WHERE grant_id = ?", (grant_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown role grant {grant_id!r}")
        grant = self._grant(row, db)
        if grant["status"] != "pending":
            raise ConflictError(f"role grant {grant_id} is already {grant['status']}")
        confirmer = self.get(by)
        if not (confirmer.admin or confirmer.role in CONFIRMING_ROLES):
            raise ForbiddenError(
                f"{by} ({confirmer.role}) may not confirm a role grant: it takes a second admin or a "
                f"{' or '.join(CONFIRMING_ROLES)}"
            )
        if reason := self.not_two_people(by, grant["requested_by"]):
            raise ForbiddenError(f"{by} may not confirm {grant['requested_by']}'s role grant {grant_id}: {reason}")
        if grant["name"] == by:
            raise ForbiddenError(f"{by} may not confirm a role grant to itself")
        return self._apply(grant, confirmed_by=by)

    def _apply(self, grant: Mapping[str, Any], *, confirmed_by: str, stored: bool = True) -> Account:
        """Carry out a role grant (claimed in the same transaction: two confirmers at once apply it once)."""
        name, role, admin = grant["name"], grant["role"], bool(grant["admin"])
        with self.store.transaction() as db:
            if stored:
                version = int(grant["version"]) + 1
                confirmed = {**grant, "admin": int(admin), "status": "confirmed", "confirmed_by": confirmed_by}
                signature = records.signature(self._key, GRANTS, confirmed, version)
                claimed = db.execute(
                    "UPDATE role_grants SET status = 'confirmed', confirmed_by = ?, version = ?, signature = ?"
                    " WHERE grant_id = ? AND status = 'pending' AND version = ?",
                    (confirmed_by, version, signature, grant["grant_id"], grant["version"]),
                )
                if claimed.rowcount != 1:
                    raise ConflictError(f"role grant {grant['grant_id']} was confirmed meanwhile")
                why = f"confirmed by {confirmed_by}"
                records.record(db, GRANTS.name, grant["grant_id"], version, signature, actor=confirmed_by, why=why)
            exists = db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone()
            if grant["password_hash"] is None:  # a new role for an account
                if not exists:
                    raise NotFoundError(f"unknown account {name!r}")
                why = f"role {role}{' (admin)' if admin else ''}, grant {grant['grant_id']}"
                self._update(db, name, by=confirmed_by, why=why, role=role, admin=int(admin))
                summary = f"{name} is now {role}{' (admin)' if admin else ''}: asked by {grant['requested_by']}"
                data = {"name": name, "role": role, "admin": admin, "grant_id": grant["grant_id"]}
                event = {"kind": "role_granted", "actor": grant["requested_by"], "summary": summary}
                chain(db, [audit_entry(None, {**event, "data": {**data, "confirmed_by": confirmed_by}})])
            else:
                if exists:
                    raise ConflictError(f"account {name!r} already exists")
                account = Account(name, role, admin, grant["person"], grant["requested_by"])
                self._insert(db, account, grant["password_hash"], by=grant["requested_by"], confirmed=confirmed_by)
        return self.get(name)

    def not_two_people(self, one: str, other: str) -> str | None:
        """Why accounts ``one`` and ``other`` are not two people (None when they are): the same account, the same
        person behind both, or one created by the other."""
        if one == other:
            return f"{one} is one account"
        a, b = self.get(one), self.get(other)
        if a.person == b.person:
            return f"{one} and {other} are both {a.person}"
        if a.created_by == other or b.created_by == one:
            maker, made = (other, one) if a.created_by == other else (one, other)
            return f"{maker} created {made}"
        return None

    # -- a store from before rows were signed ----------------------------------------------------------------------
    def ever_signed(self) -> bool:
        """Whether the store has had signed rows of record: the audit trail holds an entry only a signing version
        writes. Then an unsigned row is a forgery, never a row from before signing."""
        db = self.store.read()
        if any(kind in records.believed(db, self.store.audit).kinds for kind in SIGNING_KINDS):
            return True
        found = db.execute("SELECT 1 FROM audit WHERE kind = 'account_added' AND data LIKE ? LIMIT 1", ('%"person":%',))
        return found.fetchone() is not None

    def adopt_unsigned(self) -> builtins.list[str]:
        """Sign the accounts of a store written before rows of record were signed (schema 8 and older), once: on a
        store that ever had signed rows it is refused (an unsigned row there was written behind the platform's
        back). Unsigned API tokens are dropped (signing in again issues signed ones). Audited, naming each account."""
        if self.ever_signed():
            raise ForbiddenError(
                "this store already has signed rows of record: an unsigned row in it was written outside the "
                "platform and is not adopted; restore the store from a backup"
            )
        with self.store.transaction() as db:
            rows = db.execute("SELECT * FROM accounts WHERE signature IS NULL ORDER BY name").fetchall()
            names = [str(r["name"]) for r in rows]
            event = {"kind": "unsigned_rows_adopted", "actor": "platform", "summary": f"signed: {', '.join(names)}"}
            chain(db, [audit_entry(None, {**event, "data": {"accounts": names}})])
            for row in rows:
                values = {**{f: row[f] for f in _ACCOUNT_FIELDS}, "person": row["person"] or row["name"]}
                version = records.next_version(db, self.store.audit, ACCOUNTS.name, row["name"])
                signature = records.signature(self._key, ACCOUNTS, values, version)
                db.execute(
                    "UPDATE accounts SET person = ?, version = ?, signature = ? WHERE name = ?",
                    (values["person"], version, signature, row["name"]),
                )
                records.record(db, ACCOUNTS.name, row["name"], version, signature, actor="platform", why="adopted")
            db.execute("DELETE FROM api_tokens WHERE signature IS NULL")
        return names

    def anchor_unversioned(self, db: Any, *, by: str) -> tuple[builtins.list[str], builtins.list[str]]:
        """Put the rows of record of a store from before row versions on the chain, once, as they are (inside the
        transaction of ``missions audit key``): each row whose signature (of that version) holds is signed again at
        version 1 and recorded. Returns what was anchored and what was not (its signature does not hold: it stays
        refused)."""
        anchored: builtins.list[str] = []
        refused: builtins.list[str] = []
        for table in (ACCOUNTS, TOKENS, GRANTS):
            rows = db.execute(f"SELECT * FROM {table.name} WHERE version IS NULL").fetchall()
            for row in rows:
                name = f"{table.what} {row['name'] if table is TOKENS else row[table.key]}"
                if not records.legacy_signed(self._key, table, row):
                    refused.append(name)
                    continue
                version = records.next_version(db, self.store.audit, table.name, str(row[table.key]))
                signature = records.signature(self._key, table, row, version)
                db.execute(
                    f"UPDATE {table.name} SET version = ?, signature = ? WHERE {table.key} = ?",
                    (version, signature, row[table.key]),
                )
                records.record(db, table.name, str(row[table.key]), version, signature, actor=by, why="anchored",
                               label=name)  # fmt: skip
                anchored.append(name)
        return anchored, refused

    # -- signing in ------------------------------------------------------------------------------------------------
    def authenticate(self, name: str, password: str, *, now: datetime | None = None) -> Account:
        """The account, when the password is right; one error for an unknown name or a wrong password. A name
        locked by earlier failures is refused without checking the password (see the module's docstring)."""
        now = now or datetime.now(UTC)
        self._password_row(name, password, now)
        with self.store.transaction() as db:
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
        return self.get(name)

    def admin_by_password(self, name: str, password: str) -> str:
        """``name``, when it is an admin's account whose password this is: how ``missions audit key`` names who keys
        an older store, whose rows are not on the chain yet (so nobody can sign in). Throttled like signing in."""
        row = self._password_row(name, password, datetime.now(UTC))
        if not (records.signed_row(self._key, ACCOUNTS, row) or records.legacy_signed(self._key, ACCOUNTS, row)):
            raise UnsignedRowError(f"account {name!r}")
        if not row["admin"]:
            raise ForbiddenError(f"{name} is not an admin: only an admin keys the audit chain")
        return name

    def _password_row(self, name: str, password: str, now: datetime) -> Any:
        """The account's row, when ``password`` is its password: signing in and keying the audit chain check it one
        way, one error for an unknown name or a wrong password, counted against the name (a locked one is refused)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        self._refuse_if_locked(name, now)
        row = self.store.read().execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        hashed = row["password_hash"] if row is not None and row["password_hash"] else _stand_in_hash()
        try:
            right = _hasher().verify(hashed, password) and row is not None
        except (VerificationError, InvalidHashError):
            right = False
        if not right:
            self._count_failure(name, now)
            raise ForbiddenError("wrong account name or password")
        return row

    def _refuse_if_locked(self, name: str, now: datetime) -> None:
        row = self.store.read().execute("SELECT locked_until FROM sign_in_failures WHERE name = ?", (name,)).fetchone()
        if row is not None and row["locked_until"] and row["locked_until"] > now.isoformat(timespec="seconds"):
            wait = datetime.fromisoformat(row["locked_until"]) - now
            raise ForbiddenError(
                f"too many failed sign-ins for {name!r}: try again in {max(1, int(wait.total_seconds()))} s"
            )

    def _count_failure(self, name: str, now: datetime) -> None:
        """One more wrong password for ``name``; past the free ones, the name is locked (doubling each time)."""
        if not NAME.match(name or ""):
            return  # no account can have this name: nothing to lock, and no row for arbitrary input
        with self.store.transaction() as db:
            row = db.execute("SELECT failures FROM sign_in_failures WHERE name = ?", (name,)).fetchone()
            failures = (row["failures"] if row is not None else 0) + 1
            over = failures - FREE_FAILURES
            locked = None
            if over >= 0:
                seconds = min(MAX_LOCK_SECONDS, LOCK_SECONDS * 2 ** min(over, 20))
                locked = (now + timedelta(seconds=seconds)).isoformat(timespec="seconds")
            if row is None:
                db.execute(
                    "INSERT INTO sign_in_failures (name, failures, locked_until) VALUES (?, ?, ?)",
                    (name, failures, locked),
                )
            else:
                db.execute(
                    "UPDATE sign_in_failures SET failures = ?, locked_until = ? WHERE name = ?",
                    (failures, locked, name),
                )

    def set_password(self, name: str, password: str, *, by: str) -> None:
        """A new password for ``name`` (audited; the account's API tokens stop working, as after a sign-out)."""
        self.get(name)
        if len(password or "") < 8:
            raise ValidationError("a password needs at least 8 characters")
        hashed = _hasher().hash(password)
        with self.store.transaction() as db:
            event = {"kind": "password_changed", "actor": by, "summary": f"password of {name} changed"}
            chain(db, [audit_entry(None, {**event, "data": {"name": name}})])
            self._update(db, name, by=by, why="password changed", password_hash=hashed)
            tokens = [r[0] for r in db.execute("SELECT token_hash FROM api_tokens WHERE name = ?", (name,))]
            for token_hash in tokens:
                self._delete_token(db, token_hash, name, by=by, why="password changed")
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))

    def with_password(self, password: str) -> tuple[str, ...]:
        """The accounts whose password is ``password`` (the demo's printed one, before exposing the dashboard)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        found: tuple[str, ...] = ()
        for row in self.store.read().execute("SELECT name, password_hash FROM accounts ORDER BY name"):
            try:
                if _hasher().verify(row["password_hash"], password):
                    found += (str(row["name"]),)
            except (VerificationError, InvalidHashError):
                continue
        return found

    def issue_token(self, name: str, *, days: int = TOKEN_DAYS) -> str:
        token = "mst_" + secrets.token_urlsafe(32)
        expires = (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")
        row = {"token_hash": _token_hash(token), "name": name, "created_at": utc_now(), "expires_at": expires}
        with self.store.transaction() as db:
            version, signature = self._insert_signed(db, TOKENS, row)
            chain(db, [audit_entry(None, {"kind": "signed_in", "actor": name, "summary": f"{name} signed in"})])
            records.record(db, TOKENS.name, row["token_hash"], version, signature, actor=name, why="signed in",
                           label=f"API token of {name}")  # fmt: skip
        return token

    def account_for_token(self, token: str | None) -> Account:
        if not token:
            raise ForbiddenError("not signed in: run `missions login NAME`")
        row = (
            self.store.read().execute("SELECT * FROM api_tokens WHERE token_hash = ?", (_token_hash(token),)).fetchone()
        )
        if row is None or row["expires_at"] < datetime.now(UTC).isoformat(timespec="seconds"):
            raise ForbiddenError("the saved sign-in is not valid (expired or signed out): run `missions login NAME`")
        self._verified(self.store.read(), TOKENS, row, f"the API token of {row['name']!r} issued {row['created_at']}")
        return self.get(row["name"])

    def revoke(self, token: str) -> None:
        """Sign out: the token's row is deleted, and the deletion is its last version on the chain (a copy put
        back is refused)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT name FROM api_tokens WHERE token_hash = ?", (_token_hash(token),)).fetchone()
            if row is None:
                return
            chain(db, [audit_entry(None, {"kind": "signed_out", "actor": row[0], "summary": f"{row[0]} signed out"})])
            self._delete_token(db, _token_hash(token), str(row[0]), by=str(row[0]), why="signed out")

    def _delete_token(self, db: Any, token_hash: str, name: str, *, by: str, why: str) -> None:
        db.execute("DELETE FROM api_tokens WHERE token_hash = ?", (token_hash,))
        version = records.next_version(db, self.store.audit, TOKENS.name, token_hash)
        records.record(db, TOKENS.name, token_hash, version, None, actor=by, why=why, label=f"API token of {name}")


def sso_account(claims: Mapping[str, Any], roster: Mapping[str, str], domains: Iterable[str]) -> str | None:
    """The account a single-sign-on user signs in as: the local part of a *verified* e-mail whose domain is one of
    ``domains`` (the configured ones), when an account has that name; None otherwise. ``fiona@elsewhere.example``
    is not ``fiona``, and a ``preferred_username`` (which the user may choose) is never used."""
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is not True or email.count("@") != 1:
        return None
    name, domain = email.split("@")
    if domain not in {d.lower() for d in domains}:
        return None
    return name if name in roster else None


# -- the CLI's saved token ---------------------------------------------------------------------------------------
def saved_token(home: Path) -> str | None:
    if token := os.environ.get(TOKEN_ENV):
        return token
    path = home / CREDENTIALS_FILE
    if not path.exists():
        return None
    try:
        return str(json.loads(path.read_text())["token"])
    except (ValueError, KeyError, TypeError):
        return None


def save_token(home: Path, name: str, token: str) -> Path:
    path = home / CREDENTIALS_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"name": name, "token": token}, out)
    return path


def forget_token(home: Path) -> None:
    (home / CREDENTIALS_FILE).unlink(missing_ok=True)


def signed_in(home: Path, store: RunStore) -> Account:
    """The account of the CLI's saved token (or ``MISSIONS_TOKEN``)."""
    return Accounts(store).account_for_token(saved_token(home))
