"""Rows of record: signed, versioned, and valid only in the latest version the audit chain records.

Accounts, API tokens, role grants and the approval rules decide who may do what. Each such row carries a version and
the platform key's HMAC over its fields and that version (a grant's status included), and every change to one (added,
changed, deleted) appends a ``row_version`` entry to the audit chain naming the row, its new version and its
signature. A row is valid only as the chain's latest version of it: an older signed copy put back with a database
login (a role from before a demotion, a password from before a reset, a token deleted at sign-out, rules from before
a controller tightened them, a confirmed grant set back to ``pending``) is refused in one line naming it, and so is a
row the chain holds that was deleted (the other admins, before a grant that would need them).

The chain's latest version of a row is what the chain says as verified (:mod:`ai_missions.kernel.beliefs`): read in
order, every entry checked by its position, link, hash and MAC, its end against this host's head, before anything is
believed. The columns that once found it (``record_table``, ``record_key``) sit outside the entries' hashes and are
no longer read to decide anything: a newer version whose columns were set to NULL, which was deleted or whose
position was moved, is a gap or a broken link the walk refuses, not an older version brought back.
``missions audit verify`` checks every row of record, and those columns, against the whole chain.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ai_missions.kernel.audit_key import AuditKey
from ai_missions.kernel.beliefs import Beliefs, ChainBrokenError, Recorded, believe
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.signing import KeyMismatchError, sign
from ai_missions.kernel.store import ROW_KIND, chain, utc_now


class UnsignedRowError(ForbiddenError):
    """A row of record (an account, an API token, a role grant, the approval rules) that is not the platform's: its
    signature is missing or wrong, or it is not the latest version the audit chain records. Refused."""

    def __init__(
        self,
        what: str,
        *,
        why: str = "not signed by the platform (written or changed outside it)",
        then: str = "restore the store from a backup",
    ) -> None:
        super().__init__(f"{what} in the run store is {why}: refused; {then}")


@dataclass(frozen=True, slots=True)
class Table:
    """A table of rows of record: the column naming a row, the columns its signature covers, how a row is named."""

    name: str
    key: str
    fields: tuple[str, ...]
    what: str
    #: The fields a version before row versions signed (its rows are anchored once, by ``missions audit key``).
    legacy_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.legacy_fields:
            object.__setattr__(self, "legacy_fields", self.fields)


ACCOUNTS = Table(
    "accounts", "name", ("name", "role", "admin", "password_hash", "created_at", "person", "created_by"), "account"
)
TOKENS = Table("api_tokens", "token_hash", ("token_hash", "name", "created_at", "expires_at"), "API token")
GRANTS = Table(
    "role_grants",
    "grant_id",
    (
        "grant_id",
        "name",
        "role",
        "admin",
        "person",
        "password_hash",
        "requested_by",
        "requested_at",
        "status",
        "confirmed_by",
    ),
    "role grant",
    ("grant_id", "name", "role", "admin", "person", "password_hash", "requested_by", "requested_at"),
)
TABLES = (ACCOUNTS, TOKENS, GRANTS)
#: Rows of the ``meta`` table that are of record (their value signed with its version, see :func:`signed_meta`).
META = "meta"
RULES_KEY = "approval_rules.of_record"
HISTORY_KEY = "approval_rules.history"
TIERS_PREFIX = "tiers."
#: Who is away (:mod:`ai_missions.services.absence`): it moves who decides, so it is of record like a role.
ABSENCES_KEY = "absences.of_record"


def is_meta_of_record(key: str) -> bool:
    return key in (RULES_KEY, HISTORY_KEY, ABSENCES_KEY) or key.startswith(TIERS_PREFIX)


# -- signatures ---------------------------------------------------------------------------------------------------
def body(table: Table, row: Mapping[str, Any], version: int) -> dict[str, Any]:
    """What a row's signature covers: its table, every field that says who may do what, and its version."""
    fields = {f: (int(row[f]) if f == "admin" and row[f] is not None else row[f]) for f in table.fields}
    return {"table": table.name, **fields, "version": version}


def signature(key: bytes, table: Table, row: Mapping[str, Any], version: int) -> str:
    return sign(key, body(table, row, version))


def signed_row(key: bytes, table: Table, row: Mapping[str, Any]) -> bool:
    """Whether a stored row carries the platform's signature over its fields and version."""
    version, given = row["version"], row["signature"]
    if not isinstance(version, int) or not isinstance(given, str):
        return False
    return hmac.compare_digest(signature(key, table, row, version), given)


def legacy_signed(key: bytes, table: Table, row: Mapping[str, Any]) -> bool:
    """Whether a row without a version carries the signature a version before row versions gave it."""
    if row["version"] is not None or not isinstance(row["signature"], str):
        return False
    fields = {f: (int(row[f]) if f == "admin" and row[f] is not None else row[f]) for f in table.legacy_fields}
    return hmac.compare_digest(sign(key, {"table": table.name, **fields}), row["signature"])


def signed_meta(key: bytes, name: str, value: Any, version: int) -> str:
    """A meta row of record as stored: its value, version and the signature over both and its name."""
    return json.dumps({"value": value, "version": version, "signature": sign(key, _meta_body(name, value, version))})


def _meta_body(name: str, value: Any, version: int) -> dict[str, Any]:
    return {"meta": name, "value": value, "version": version}


def legacy_meta_signed(key: bytes, text: str) -> bool:
    """Whether a meta row carries the signature of a version before row versions (``{"value", "signature"}``)."""
    try:
        stored = json.loads(text)
    except ValueError:
        return False
    if (
        not isinstance(stored, dict)
        or set(stored) != {"value", "signature"}
        or not isinstance(stored["signature"], str)
    ):
        return False
    return hmac.compare_digest(sign(key, {"value": stored["value"]}), stored["signature"])


def read_meta(key: bytes, name: str, text: str) -> tuple[Any, int, str]:
    """A stored meta row of record: (value, version, signature); UnsignedRowError naming it when it is not one."""
    try:
        stored = json.loads(text)
    except ValueError:
        stored = None
    if not isinstance(stored, dict) or not isinstance(stored.get("version"), int) or "value" not in stored:
        raise UnsignedRowError(f"the meta row {name!r}")
    given = stored.get("signature")
    expected = sign(key, _meta_body(name, stored["value"], stored["version"]))
    if not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise UnsignedRowError(f"the meta row {name!r}")
    return stored["value"], int(stored["version"]), given


def meta_value(db: Any, key: AuditKey, name: str, text: str) -> tuple[Any, int]:
    """A meta row of record's value and version, once its signature and the chain's latest version of it hold;
    UnsignedRowError naming it otherwise (KeyMismatchError when the key is not the database's)."""
    try:
        value, version, given = read_meta(key.key, name, text)
    except UnsignedRowError:
        if why := key.mismatch(db):
            raise KeyMismatchError(why) from None
        if legacy_meta_signed(key.key, text):
            raise unversioned(db, key, META, name, f"the meta row {name!r}") from None
        raise
    check(db, key, META, name, version, given, what=f"the meta row {name!r}")
    return value, version


def put_meta(db: Any, key: AuditKey, name: str, value: Any, *, by: str, why: str) -> None:
    """Write a meta row of record at its next version and put that version on the chain (in ``db``'s
    transaction)."""
    version = next_version(db, key, META, name)
    row = signed_meta(key.key, name, value, version)
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?", (name, row, row)
    )
    record(db, META, name, version, json.loads(row)["signature"], actor=by, why=why)


# -- the chain's record of each row ---------------------------------------------------------------------------------
def believed(db: Any, key: AuditKey) -> Beliefs:
    """What the chain says, verified (ChainBrokenError naming the first problem otherwise)."""
    return believe(db, key)


def latest(db: Any, key: AuditKey, table: str, row_key: str | None = None) -> Mapping[str, Recorded]:
    """The chain's latest record of each row of ``table`` (of ``row_key`` only, when given), from the chain as
    verified (ChainBrokenError, naming the first problem, when it does not verify)."""
    rows = believe(db, key).records.get(table, {})
    if row_key is None:
        return rows
    found = rows.get(row_key)
    return {} if found is None else {row_key: found}


def standing(recorded: Recorded | None, version: Any, given: Any) -> str | None:
    """Why a row (its version and signature) is not the chain's latest version of it; None when it is."""
    if recorded is None:
        if version is None:
            return (
                "from before rows of record were versioned: not anchored on the audit chain yet (an admin runs "
                "`missions audit key` once)"
            )
        return "not on the audit chain (written behind the platform's back)"
    if recorded.signature is None:
        return f"deleted (audit entry {recorded.n}, version {recorded.version}) and put back behind the platform's back"
    if version != recorded.version or given != recorded.signature:
        shown = "without a version" if version is None else f"version {version}"
        return (
            f"{shown}, but its latest audited version is {recorded.version} (audit entry {recorded.n}): "
            "an older copy put back behind the platform's back"
        )
    return None


def unversioned(db: Any, key: AuditKey, table: str, row_key: str, what: str) -> UnsignedRowError:
    """The error for a row without a version: one from before row versions, not anchored yet, when the chain holds
    no version of it; an older copy put back when it does."""
    recorded = latest(db, key, table, row_key).get(row_key)
    if recorded is None:
        return UnsignedRowError(what, why=str(standing(None, None, None)), then="see docs/governance.md")
    return UnsignedRowError(what, why=str(standing(recorded, None, None)))


def check(db: Any, key: AuditKey, table: str, row_key: str, version: Any, given: Any, *, what: str) -> None:
    """UnsignedRowError, naming the row, unless it is the chain's latest version of it."""
    if why := standing(latest(db, key, table, row_key).get(row_key), version, given):
        raise UnsignedRowError(what, why=why)


def missing(db: Any, key: AuditKey, table: Table, present: Iterable[str]) -> list[tuple[str, Recorded]]:
    """Rows the chain holds (their latest version is not a deletion) that the table no longer has."""
    have = set(present)
    return sorted(
        (name, recorded)
        for name, recorded in latest(db, key, table.name).items()
        if recorded.signature is not None and name not in have
    )


def deleted_error(table: Table, name: str, recorded: Recorded) -> UnsignedRowError:
    return UnsignedRowError(
        f"{table.what} {name!r}",
        why=(
            f"missing: deleted behind the platform's back (audit entry {recorded.n} holds its version "
            f"{recorded.version})"
        ),
    )


def next_version(db: Any, key: AuditKey, table: str, row_key: str) -> int:
    """The version a row's next change gets: one past the chain's latest (a deleted and re-made row goes on)."""
    recorded = latest(db, key, table, row_key).get(row_key)
    return 1 if recorded is None else recorded.version + 1


def record(
    db: Any,
    table: str,
    row_key: str,
    version: int,
    given: str | None,
    *,
    actor: str | None,
    why: str,
    label: str | None = None,
) -> None:
    """Append a row's new version (``given`` None: deleted) to the audit chain, in the writing transaction."""
    state = "deleted" if given is None else f"version {version}"
    entry = {
        "at": utc_now(),
        "run_id": None,
        "kind": ROW_KIND,
        "actor": actor,
        "summary": f"{label or f'{table} {row_key}'}: {state} ({why})",
        "data": {"table": table, "key": row_key, "version": version, "signature": given},
    }
    chain(db, [entry])


# -- the whole store against the chain (``missions audit verify``) ----------------------------------------------------
def problems(db: Any, key: AuditKey) -> tuple[int, list[str]]:
    """Every row of record against the chain's latest version of it, and every row the chain holds that is gone.
    Returns how many rows were checked, and the problems (the first problem of the chain itself, alone, when it does
    not verify: then it says nothing about any row)."""
    try:
        beliefs = believe(db, key)
    except ChainBrokenError as exc:
        return 0, [str(exc)]
    found: list[str] = []
    checked = 0
    for table in TABLES:
        recorded = beliefs.records.get(table.name, {})
        columns = ", ".join((*table.fields, "version", "signature"))
        rows = db.execute(f"SELECT {columns} FROM {table.name}").fetchall()
        for row in rows:
            checked += 1
            name = str(row[table.key])
            what = f"{table.what} {_label(table, row)}"
            if not (signed_row(key.key, table, row) or legacy_signed(key.key, table, row)):
                found.append(f"{what} is not signed by the platform (written or changed outside it)")
            elif why := standing(recorded.get(name), row["version"], row["signature"]):
                found.append(f"{what} is {why}")
        have = {str(r[table.key]) for r in rows}
        for name, rec in sorted(recorded.items()):
            if rec.signature is not None and name not in have:
                label = f"of {name[:12]}…" if table is TOKENS else repr(name)
                found.append(f"{table.what} {label} was deleted behind the platform's back (audit entry {rec.n})")
    for name, text in db.execute("SELECT key, value FROM meta ORDER BY key").fetchall():
        if not is_meta_of_record(str(name)):
            continue
        checked += 1
        try:
            _, version, given = read_meta(key.key, str(name), str(text))
        except UnsignedRowError:
            legacy = legacy_meta_signed(key.key, str(text))
            why = standing(None, None, None) if legacy else "not signed by the platform (written or changed outside it)"
            found.append(f"the meta row {name!r} is {why}")
            continue
        if why := standing(beliefs.recorded(META, str(name)), version, given):
            found.append(f"the meta row {name!r} is {why}")
    present = {str(r[0]) for r in db.execute("SELECT key FROM meta").fetchall()}
    for name, rec in sorted(beliefs.records.get(META, {}).items()):
        if rec.signature is not None and name not in present:
            found.append(f"the meta row {name!r} was deleted behind the platform's back (audit entry {rec.n})")
    return checked, found


def _label(table: Table, row: Any) -> str:
    if table is TOKENS:
        return f"of {row['name']!r} issued {row['created_at']}"
    return repr(str(row[table.key]))
