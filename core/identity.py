"""Who is signed in: local accounts (argon2 password hashes) and API tokens, kept in the run store.

Roles come from the account, never from a payload, a URL or a flag. The CLI keeps its token in
``$MISSIONS_HOME/credentials.json`` (mode 0600) or reads ``MISSIONS_TOKEN``; tokens are stored only as hashes.

Signing in is throttled per account name: after :data:`FREE_FAILURES` wrong passwords in a row the name is locked
for :data:`LOCK_SECONDS`, doubling with each further failure up to :data:`MAX_LOCK_SECONDS`; a right password
resets it. The count lives in the store (``sign_in_failures``), so every process and session shares it, and an
unknown name is counted like a known one (the answer says nothing about which names exist).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from ai_missions.store import RunStore, audit_entry, chain, utc_now

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


@cache
def _hasher() -> Any:
    """argon2's hasher, imported when a password is set or checked (a token check needs only SHA-256)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    admin: bool


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Local accounts of one store."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def count(self) -> int:
        return int(self.store.read().execute("SELECT count(*) FROM accounts").fetchone()[0])

    def list(self) -> list[Account]:
        rows = self.store.read().execute("SELECT name, role, admin FROM accounts ORDER BY name")
        return [Account(r["name"], r["role"], bool(r["admin"])) for r in rows]

    def roster(self) -> dict[str, str]:
        return {a.name: a.role for a in self.list()}

    def get(self, name: str) -> Account:
        row = self.store.read().execute("SELECT name, role, admin FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown account {name!r}")
        return Account(row["name"], row["role"], bool(row["admin"]))

    def add(self, name: str, role: str, password: str, *, admin: bool = False, by: str | None = None) -> Account:
        """Create an account; the first account of a store is always an admin."""
        if not NAME.match(name or ""):
            raise ValidationError(f"account name {name!r}: lower-case letters, digits, '.', '_' or '-'")
        if not ROLE.match(role or ""):
            raise ValidationError(f"role {role!r}: lower-case letters, digits or '_', e.g. finance")
        if len(password or "") < 8:
            raise ValidationError("a password needs at least 8 characters")
        hashed = _hasher().hash(password)
        with self.store.transaction() as db:
            first = db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise ConflictError(f"account {name!r} already exists")
            db.execute(
                "INSERT INTO accounts (name, role, admin, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, role, int(admin or first), hashed, utc_now()),
            )
            event = {"kind": "account_added", "actor": by or name, "summary": f"account {name} ({role})"}
            chain(db, [audit_entry(None, {**event, "data": {"name": name, "role": role, "admin": admin or first}})])
        return Account(name, role, admin or first)

    def authenticate(self, name: str, password: str, *, now: datetime | None = None) -> Account:
        """The account, when the password is right; one error for an unknown name or a wrong password. A name
        locked by earlier failures is refused without checking the password (see the module's docstring)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        now = now or datetime.now(UTC)
        self._refuse_if_locked(name, now)
        row = self.store.read().execute("SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
        try:
            right = row is not None and _hasher().verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            right = False
        if not right:
            self._count_failure(name, now)
            raise ForbiddenError("wrong account name or password")
        with self.store.transaction() as db:
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
        return self.get(name)

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
            db.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (hashed, name))
            db.execute("DELETE FROM api_tokens WHERE name = ?", (name,))
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
            event = {"kind": "password_changed", "actor": by, "summary": f"password of {name} changed"}
            chain(db, [audit_entry(None, {**event, "data": {"name": name}})])

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
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO api_tokens (token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (_token_hash(token), name, utc_now(), expires),
            )
            chain(db, [audit_entry(None, {"kind": "signed_in", "actor": name, "summary": f"{name} signed in"})])
        return token

    def account_for_token(self, token: str | None) -> Account:
        if not token:
            raise ForbiddenError("not signed in: run `missions login NAME`")
        row = (
            self.store.read()
            .execute("SELECT name, expires_at FROM api_tokens WHERE token_hash = ?", (_token_hash(token),))
            .fetchone()
        )
        if row is None or row["expires_at"] < datetime.now(UTC).isoformat(timespec="seconds"):
            raise ForbiddenError("the saved sign-in is not valid (expired or signed out): run `missions login NAME`")
        return self.get(row["name"])

    def revoke(self, token: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM api_tokens WHERE token_hash = ?", (_token_hash(token),))


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
