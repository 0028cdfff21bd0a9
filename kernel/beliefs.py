"""What the platform believes about its rows of record, its revocations and whether it ever had an account: derived
from the audit chain as verified, never from a column outside an entry's hash.

A row of record (an account, an API token, a role grant, a meta row of record) is valid only as the chain's latest
version of it; a grant of an abandoned run is revoked because the chain says so; a store has had accounts when the
chain recorded one. Looking those up by an index (columns beside each entry, outside its hash) let a database login
bring back an older version: set the newer entry's index columns to NULL, delete it or move its position, and the
older one was the latest the index found. So nothing is looked up: the chain is read in order, and each entry is
checked before anything it says is believed:

- its position follows the one before (a gap is an entry deleted, a position out of order one moved), its
  ``prev_hash`` is the hash before it, its hash matches its content, and its MAC is the platform key's (an entry
  without one only before the chain was keyed, and never one recording a row, a revocation or an anchoring);
- the end reached is checked against this host's head outside the store (:mod:`ai_missions.kernel.audit_key`): a
  chain that ends before it was cut, an entry at its position with another MAC was cut and appended to. A host
  without its head on a keyed chain believes nothing until an admin re-anchors it (``missions audit anchor``).
  The head then moves to the end verified, so each host's head keeps up with every host's entries, not only its
  own: a cut of entries any host has seen is found by that host at its next command.

A process keeps what it verified and reads only the entries after it at its next call. A new process starts from
the checkpoint: what the platform believed at some entry, written to the store with the platform key's MAC every
:data:`CHECKPOINT_EVERY` entries and bound to that entry (its position, hash and MAC), which must still be there. A
checkpoint put back from earlier only makes the walk longer; deleted, the walk starts at the first entry. An entry
deleted from before where a process starts changes nothing it believes (what it said is in the checkpoint), and
``missions audit verify``, which walks the whole chain, names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ai_missions.kernel.audit_key import AuditKey, Head
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.signing import KeyMismatchError

GENESIS = "0" * 64
#: What an entry says (its body): hashed, and compared with the row it records.
BODY = ("at", "run_id", "kind", "actor", "summary", "data")
#: The kind of the entry that keys an older chain, of the entries recording a decision row, and of those recording a
#: row of record's new version (:mod:`ai_missions.kernel.records`).
KEYED_KIND, DECISION_KIND, ROW_KIND = "audit_keyed", "decision_record", "row_version"
#: Grants revoked (an abandoned run's), and a host's head re-anchored by an admin.
REVOKED_KIND, ANCHORED_KIND = "grants_revoked", "audit_anchored"
#: Entries only the platform key writes: one without a MAC is refused even before the chain was keyed.
KEYED_ONLY = frozenset((ROW_KIND, REVOKED_KIND, ANCHORED_KIND, KEYED_KIND))
#: The meta row holding the latest checkpoint (not a row of record: a copy of what the chain says, with a MAC).
CHECKPOINT_KEY = "audit.checkpoint"
#: How many entries a write transaction lets pass before it writes a new checkpoint.
CHECKPOINT_EVERY = 256
_COLUMNS = f"n, prev_hash, hash, mac, {', '.join(BODY)}"
_RESTORE = "restore the store from a backup (`missions audit verify` names every problem)"
_ACCEPT = (
    "restore the store from a backup, or an admin re-anchors this host at the chain's end, accepting the loss "
    "(`missions audit anchor --admin NAME`)"
)


#: ``json.dumps(..., sort_keys=True, separators=(",", ":"), default=str)`` made once, not per entry (a walk hashes
#: every entry it reads: 21 -> 18 us an entry here).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, n: int, entry: Mapping[str, Any]) -> str:
    """An audit entry's hash: its position, content and the previous entry's hash."""
    body = {k: entry.get(k) for k in BODY}
    return hashlib.sha256(_ENCODER.encode([prev_hash, n, body]).encode()).hexdigest()


class ChainBrokenError(ForbiddenError):
    """The audit chain is not as the platform wrote it (an entry deleted, moved, edited or written without the key;
    its end cut; this host's head unreadable): nothing is believed from it. One line naming the first problem."""

    def __init__(self, problem: str, then: str = _RESTORE) -> None:
        super().__init__(f"{problem}: nothing is believed from the audit chain; {then}")


class UnanchoredHostError(ChainBrokenError):
    """This host keeps no head for a keyed chain (it lost its head file, or joins a deployment): it cannot tell
    whether entries were cut, and refuses until an admin re-anchors it."""

    def __init__(self, where: object) -> None:
        ForbiddenError.__init__(
            self,
            f"this host keeps no audit head for this store ({where}): it cannot tell whether entries were cut, so it "
            "believes nothing from the audit chain; an admin re-anchors it: `missions audit anchor --admin NAME`",
        )


@dataclass(frozen=True, slots=True)
class Recorded:
    """The chain's latest record of a row: at which entry, which version, and its signature (None: deleted)."""

    n: int
    version: int
    signature: str | None


@dataclass(frozen=True, slots=True)
class Beliefs:
    """What the chain says up to entry ``n`` (its hash and MAC), verified. Never changed once made: a walk that
    reads more makes a new one (sharing what did not change)."""

    n: int = 0
    hash: str = GENESIS
    mac: str | None = None
    #: Whether an entry carries the platform key's MAC (the chain is keyed).
    keyed: bool = False
    #: The latest record of each row of record, by table and row key.
    records: Mapping[str, Mapping[str, Recorded]] = field(default_factory=dict)
    #: Each revoked grant scope (a run or a decision id) and the entry that revoked it.
    revoked: Mapping[str, int] = field(default_factory=dict)
    #: The last entry of each kind.
    kinds: Mapping[str, int] = field(default_factory=dict)

    def recorded(self, table: str, key: str) -> Recorded | None:
        return self.records.get(table, {}).get(key)


def believe(db: Any, key: AuditKey) -> Beliefs:
    """What the chain in ``db`` says, verified to its end and against this host's head (see the module's docstring);
    ChainBrokenError naming the first problem, KeyMismatchError when the key is not the database's. Inside a write
    transaction what it read (the transaction's own entries included) is kept for that transaction, and becomes
    this process's, and moves the head, once it commits."""
    writing = bool(getattr(db, "in_transaction", False))
    start = key.believed(writing=writing)
    if start is None:
        if why := key.mismatch(db):
            raise KeyMismatchError(why)
        start = (None if key.anchoring else read_checkpoint(db, key)) or Beliefs()
    head = None if key.anchoring else (writing and key.staged()) or _head(key)  # what this transaction appended
    rows = db.execute(f"SELECT {_COLUMNS} FROM audit WHERE n >= ? ORDER BY n", (start.n,)).fetchall()
    if start.n:
        first = rows[0] if rows else None
        if first is None or (first["n"], first["hash"], first["mac"]) != (start.n, start.hash, start.mac):
            raise ChainBrokenError(
                f"audit entry {start.n}, up to which the chain was verified, is gone or another entry is in its place"
                " (the chain was cut or rewritten)",
                _ACCEPT,
            )
        rows = rows[1:]
    beliefs, at_head = _extend(start, rows, key, head.n if head is not None else None)
    if head is None and not key.anchoring and not writing and beliefs.n and _head(key) is not None:
        # another process committed this home's first entry between the head's read and the chain's (two workers
        # starting on a new home): the head it wrote first is there now. Read again, the head first, as always (a
        # head read after the chain could be ahead of what was read, and look like a cut)
        return believe(db, key)
    if not key.anchoring:
        _check_head(db, key, head, start, beliefs, at_head)
    if writing and beliefs.keyed and beliefs.n - key.checkpoint_n >= CHECKPOINT_EVERY:
        write_checkpoint(db, key, beliefs)
    moved = head is not None and beliefs.mac is not None and beliefs.n > head.n
    key.keep(beliefs, Head(beliefs.n, str(beliefs.mac)) if moved else None, writing=writing)
    return beliefs


def _head(key: AuditKey) -> Head | None:
    try:
        return key.read_head()
    except ValueError as exc:
        raise ChainBrokenError(str(exc), _ACCEPT) from None


def _extend(start: Beliefs, rows: Sequence[Any], key: AuditKey, head_n: int | None) -> tuple[Beliefs, str | None]:
    """``start`` and what each of ``rows`` (the entries after it, in order) says, each checked first; and the MAC of
    the entry at ``head_n`` when it is among them."""
    n, prev, mac, keyed = start.n, start.hash, start.mac, start.keyed
    records: dict[str, Mapping[str, Recorded]] | None = None  # copied on its first change, as is each table
    tables: dict[str, dict[str, Recorded]] = {}
    revoked: dict[str, int] | None = None
    kinds = dict(start.kinds)
    at_head: str | None = None
    for row in rows:
        at = row["n"]
        if not isinstance(at, int) or at <= n:
            raise ChainBrokenError(f"audit entry {at} is out of its place (it comes after entry {n}): it was moved")
        if at > n + 1:
            gone = f"entry {n + 1} was" if at == n + 2 else f"entries {n + 1}-{at - 1} were"
            raise ChainBrokenError(f"audit {gone} deleted (the chain jumps from entry {n} to entry {at})")
        if row["prev_hash"] != prev:
            raise ChainBrokenError(f"audit entry {at} does not follow entry {n} (an entry before it was changed)")
        try:
            data = json.loads(row["data"])
        except (TypeError, ValueError, RecursionError):
            data = None
        entry = {"at": row["at"], "run_id": row["run_id"], "kind": row["kind"], "actor": row["actor"],
                 "summary": row["summary"], "data": data}  # fmt: skip
        if data is None or entry_hash(prev, at, entry) != row["hash"]:
            raise ChainBrokenError(f"audit entry {at} was edited (its hash does not match its content)")
        if row["mac"] is None:
            if keyed or entry["kind"] in KEYED_ONLY:
                raise ChainBrokenError(f"audit entry {at} carries no MAC: written without the platform key")
        elif not key.valid(at, row["hash"], row["mac"]):
            raise ChainBrokenError(
                f"audit entry {at} does not carry the platform's MAC: written or rewritten without the platform key"
            )
        else:
            keyed = True
        kind = str(entry["kind"])
        kinds[kind] = at
        if kind == ROW_KIND and isinstance(data, dict):
            table, name, version = data.get("table"), data.get("key"), data.get("version")
            if isinstance(table, str) and isinstance(name, str) and isinstance(version, int):
                if records is None:
                    records = dict(start.records)
                if table not in tables:
                    tables[table] = dict(start.records.get(table, {}))
                    records[table] = tables[table]
                tables[table][name] = Recorded(at, version, data.get("signature"))
        elif kind == REVOKED_KIND and isinstance(data, dict):
            if revoked is None:
                revoked = dict(start.revoked)
            for scope in data.get("scopes") or ():
                revoked.setdefault(str(scope), at)
        if at == head_n:
            at_head = row["mac"]
        n, prev, mac = at, row["hash"], row["mac"]
    beliefs = Beliefs(
        n, prev, mac, keyed, start.records if records is None else records,
        start.revoked if revoked is None else revoked, kinds,
    )  # fmt: skip
    return beliefs, at_head


def _check_head(
    db: Any, key: AuditKey, head: Head | None, start: Beliefs, beliefs: Beliefs, at_head: str | None
) -> None:
    """The chain's verified end against this host's head: cut before it, or cut and appended to; no head at all on a
    keyed chain (or where this home kept one before) is a host that must be re-anchored."""
    if head is None:
        if key.head_file is not None and (beliefs.keyed or key.had_head()):
            raise UnanchoredHostError(key.head_file)
        return
    if head.n == 0:
        return  # the chain's start, recorded before this host's first entry (AuditKey.open_head): nothing to cut
    if head.n > beliefs.n:
        cut = f"entry {head.n} was" if head.n == beliefs.n + 1 else f"entries {beliefs.n + 1}-{head.n} were"
        raise ChainBrokenError(
            f"audit {cut} cut: the chain ends at entry {beliefs.n} but this host's head outside the store records "
            f"entry {head.n}",
            _ACCEPT,
        )
    if head.n > start.n:
        mac = at_head
    elif head.n == start.n:
        mac = start.mac
    elif key.head_checked == head:
        return
    else:
        row = db.execute("SELECT mac FROM audit WHERE n = ?", (head.n,)).fetchone()
        mac = row[0] if row is not None else None
    if mac != head.mac:
        raise ChainBrokenError(
            f"audit entry {head.n} is not the one this host's head outside the store recorded: the chain was cut and "
            "appended to",
            _ACCEPT,
        )
    key.head_checked = head


# -- checkpoints ----------------------------------------------------------------------------------------------------
def read_checkpoint(db: Any, key: AuditKey) -> Beliefs | None:
    """The latest checkpoint, when its MAC holds (None otherwise: the walk starts at the first entry)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (CHECKPOINT_KEY,)).fetchone()
    if row is None:
        return None
    try:
        stored = json.loads(row[0])
        text, mac = stored["body"], stored["mac"]
        if not (isinstance(text, str) and isinstance(mac, str) and key.checkpoint_valid(text, mac)):
            return None
        body = json.loads(text)
        beliefs = Beliefs(
            n=int(body["n"]),
            hash=str(body["hash"]),
            mac=str(body["mac"]),
            keyed=True,
            records={t: {k: Recorded(*v) for k, v in rows.items()} for t, rows in body["records"].items()},
            revoked=dict(body["revoked"]),
            kinds=dict(body["kinds"]),
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    key.checkpoint_n = max(key.checkpoint_n, beliefs.n)
    return beliefs


def write_checkpoint(db: Any, key: AuditKey, beliefs: Beliefs) -> None:
    """Write ``beliefs`` as the checkpoint (in ``db``'s write transaction)."""
    body = {
        "kind": "audit-checkpoint",
        "n": beliefs.n,
        "hash": beliefs.hash,
        "mac": beliefs.mac,
        "records": {t: {k: [r.n, r.version, r.signature] for k, r in rs.items()} for t, rs in beliefs.records.items()},
        "revoked": beliefs.revoked,
        "kinds": beliefs.kinds,
    }
    text = json.dumps(body, separators=(",", ":"))
    value = json.dumps({"body": text, "mac": key.checkpoint_mac(text)})
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
        (CHECKPOINT_KEY, value, value),
    )
    key.checkpoint_n = beliefs.n
