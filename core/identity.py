"""Who is signed in: local accounts (argon2 password hashes) and API tokens, kept in the run store.

Roles come from the account, never from a payload, a URL or a flag. The CLI keeps its token in
``$MISSIONS_HOME/credentials.json`` (mode 0600) or reads ``MISSIONS_TOKEN``; tokens are stored only as hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
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

    def authenticate(self, name: str, password: str) -> Account:
        """The account, when the password is right; one error for an unknown name or a wrong password."""
        from argon2.exceptions import InvalidHashError, VerificationError

        row = self.store.read().execute("SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
        try:
            if row is None or not _hasher().verify(row["password_hash"], password):
                raise ForbiddenError("wrong account name or password")
        except (VerificationError, InvalidHashError):
            raise ForbiddenError("wrong account name or password") from None
        return self.get(name)

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
