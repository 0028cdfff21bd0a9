"""Verify and export the audit trail: an append-only chain in the run store (see ``store.chain``), keyed with the
platform key and anchored outside the store (see :mod:`ai_missions.kernel.audit_key`).

Each entry carries its position ``n``, the hash of the entry before it, its own hash over both and its content, and
its MAC with the platform key over its position and hash. Verification walks the chain and names the first entry that
was edited (its hash no longer matches), rewritten (hashes recomputed: its MAC does not match), added without the key
(no MAC), deleted (a gap in the positions, or a broken link) or moved (positions out of order); then checks the
chain's end against its head outside the store (a store that ends before it was cut), and the rows people see
(``missions show``, the dashboard) against the chain: every event row is the entry it was recorded as, every
decision row is what its last record on the chain says, and no entry lost its row; and the rows of record (accounts,
tokens, role grants, approval rules: :mod:`ai_missions.kernel.records`) against the chain's latest version of each (as
the chain says, verified: :mod:`ai_missions.kernel.beliefs`), and the index columns beside the entries. An export is
the chain as JSON lines ending with a head signed with the platform key (how many entries, the last one's MAC), so a
cut export does not verify either.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.kernel import records
from ai_missions.kernel.audit_key import AuditKey
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.signing import has_key, key_source
from ai_missions.kernel.store import (
    BODY,
    DECISION_FIELDS,
    DECISION_KIND,
    GENESIS,
    KEYED_KIND,
    ROW_KIND,
    RunStore,
    canonical_body,
    decision_digest,
    entry_hash,
    event_entry,
    utc_now,
)

FIELDS = ("n", *BODY, "prev_hash", "hash", "mac")


def entries(store: RunStore) -> list[dict[str, Any]]:
    """The chain as stored, by position."""
    rows = store.read().execute(f"SELECT {', '.join(FIELDS)} FROM audit ORDER BY n")
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


def _name(entry: Mapping[str, Any]) -> str:
    run = f", run {entry.get('run_id')}" if entry.get("run_id") else ""
    return f"entry {entry.get('n')} ({entry.get('kind')}{run})"


def problems(chain: Iterable[Mapping[str, Any]], key: AuditKey) -> list[str]:
    """What is wrong with a chain, first problem first; empty when it is intact (its links, hashes and MACs)."""
    chain = list(chain)
    found: list[str] = []
    positions = [e.get("n") for e in chain]
    for before, entry in itertools.pairwise(chain):  # moved entries first: they also break the links
        if isinstance(before.get("n"), int) and isinstance(entry.get("n"), int) and entry["n"] < before["n"]:
            found.append(f"{_name(entry)} is out of order (it comes after entry {before['n']})")
            break
    if found and sorted(p for p in positions if isinstance(p, int)) == list(range(1, len(chain) + 1)):
        chain = sorted(chain, key=lambda e: int(e["n"]))  # a pure reordering: check the content too
    prev_hash, prev_n = GENESIS, 0
    for entry in chain:
        n = entry.get("n")
        if not isinstance(n, int):
            found.append(f"an entry after entry {prev_n} has no position")
            break
        if n <= prev_n:
            found.append(f"{_name(entry)} is out of order (it comes after entry {prev_n})")
        elif n > prev_n + 1:
            missing = f"entry {prev_n + 1}" if n == prev_n + 2 else f"entries {prev_n + 1}-{n - 1}"
            found.append(f"{missing} deleted (the chain jumps from entry {prev_n} to entry {n})")
        elif entry.get("prev_hash") != prev_hash:
            found.append(f"{_name(entry)} does not follow entry {prev_n} (an entry before it was changed)")
        if entry_hash(str(entry.get("prev_hash")), n, entry) != entry.get("hash"):
            found.append(f"{_name(entry)} was edited (its hash does not match its content)")
        prev_hash, prev_n = str(entry.get("hash")), max(n, prev_n)
    return found + mac_problems(chain, key)


def mac_problems(chain: Sequence[Mapping[str, Any]], key: AuditKey) -> list[str]:
    """Entries the platform key did not write: without a MAC, or with one that does not match (their hashes were
    recomputed). Entries before the chain was keyed carry none: they are bound by the hash the ``audit_keyed``
    entry, the first with a MAC, links to, and only that entry may start the keyed part."""
    keyed = [e for e in chain if e.get("mac") is not None]
    if not keyed:
        return (
            [
                f"the audit chain carries no MAC: its {len(chain)} entries were not written with the platform key (an"
                " older store's chain is keyed once, on purpose, by an admin: `missions audit key`)"
            ]
            if chain
            else []
        )
    first = keyed[0]
    found: list[str] = []
    start = first["n"] if isinstance(first.get("n"), int) else 0
    legacy = (first.get("data") or {}).get("legacy_entries") if first.get("kind") == KEYED_KIND else None
    if start > 1 and legacy != start - 1:
        found.append(f"entries 1-{start - 1} carry no MAC: they were not written with the platform key")
    wrong = [
        e
        for e in chain
        if isinstance(e.get("n"), int) and e["n"] >= start and not key.valid(e["n"], e.get("hash"), e.get("mac"))
    ]
    if wrong:
        what = "carries no MAC" if wrong[0].get("mac") is None else "does not carry the platform's MAC"
        more = f" (and {len(wrong) - 1} entries after it)" if len(wrong) > 1 else ""
        found.append(f"{_name(wrong[0])} {what}: written or rewritten without the platform key{more}")
    return found


def head_problems(chain: Sequence[Mapping[str, Any]], key: AuditKey) -> list[str]:
    """The chain's end against its head outside the store: a store ending before the head was cut; an entry at
    the head's position with another MAC was replaced (cut, then appended to)."""
    try:
        head = key.read_head()
    except ValueError as exc:
        return [str(exc)]
    last = chain[-1] if chain else {}
    last_n: int = last["n"] if isinstance(last.get("n"), int) else 0
    if head is None:
        if any(e.get("mac") is not None for e in chain):
            return [
                f"no audit head at {key.head_file}: the chain's end cannot be shown (its last entries may be cut); an "
                "admin re-anchors this host: `missions audit anchor --admin NAME`"
            ]
        return []
    if head.n > last_n:
        cut = f"entry {head.n}" if head.n == last_n + 1 else f"entries {last_n + 1}-{head.n}"
        return [f"{cut} cut: the chain ends at entry {last_n} but its head outside the store records entry {head.n}"]
    at = next((e for e in chain if e.get("n") == head.n), None)
    if at is None or at.get("mac") != head.mac:
        return [f"entry {head.n} is not the one the head outside the store recorded: the chain was cut and appended to"]
    return []


@dataclass(frozen=True, slots=True)
class Checked:
    """What a verification covered."""

    entries: int
    events: int
    decisions: int
    head: int | None


def row_problems(store: RunStore, chain: Sequence[Mapping[str, Any]]) -> tuple[int, int, list[str]]:
    """The rows ``show`` and the dashboard display against the chain: each event row is the entry it was recorded
    as (same content, its run's order), each decision row what its last record says, and every entry of an event
    or a decision still has its row. Returns how many events and decisions were checked, and the problems."""
    found: list[str] = []
    by_n = {e["n"]: e for e in chain if isinstance(e.get("n"), int)}
    keyed = next((e for e in chain if e.get("kind") == KEYED_KIND and e.get("mac") is not None), None)
    excused = set((keyed or {}).get("data", {}).get("entries_without_event") or [])
    db = store.read()
    rows = db.execute(
        "SELECT run_id, seq, at, kind, node, source, summary, actor, data, audit_n FROM events ORDER BY run_id, seq"
    ).fetchall()
    claimed: set[int] = set()
    last: tuple[Any, int] = (None, 0)
    for row in rows:
        where = f"event {row['seq']} of run {row['run_id']} ({row['kind']})"
        n = row["audit_n"]
        entry = by_n.get(n) if isinstance(n, int) else None
        if entry is None or entry.get("kind") in (KEYED_KIND, DECISION_KIND) or entry.get("run_id") != row["run_id"]:
            found.append(f"{where} is not on the audit chain: written behind the platform's back")
        elif canonical_body(entry) != canonical_body(event_entry(row)):
            found.append(f"{where} differs from audit entry {n}: edited behind the platform's back")
        elif n in claimed or (last[0] == row["run_id"] and n <= last[1]):
            found.append(
                f"{where} is out of its place on the audit chain (entry {n}): moved behind the platform's back"
            )
        if isinstance(n, int):
            claimed.add(n)
            last = (row["run_id"], n)
    for entry in chain:
        if entry.get("run_id") is None or entry.get("kind") in (KEYED_KIND, DECISION_KIND):
            continue
        if entry["n"] not in claimed and entry["n"] not in excused:
            found.append(f"{_name(entry)} has no event row: deleted from what `missions show` displays")
    records: dict[str, Mapping[str, Any]] = {}
    for entry in chain:
        if entry.get("kind") == DECISION_KIND and isinstance(entry.get("data"), dict):
            records[str(entry["data"].get("decision_id"))] = entry
    decisions = db.execute(f"SELECT {', '.join(DECISION_FIELDS)} FROM decisions ORDER BY decision_id").fetchall()
    for row in decisions:
        record = records.pop(row["decision_id"], None)
        if record is None:
            found.append(f"decision {row['decision_id']} is not on the audit chain: written behind the platform's back")
        elif record["data"].get("row") != decision_digest(row):
            found.append(
                f"decision {row['decision_id']} ({row['status']}) differs from its audit record (entry {record['n']},"
                f" {record['data'].get('status')}): edited behind the platform's back"
            )
    for decision_id, record in records.items():
        found.append(f"decision {decision_id} was deleted (its audit record is entry {record['n']})")
    return len(rows), len(decisions), found


def missing_key(key: AuditKey) -> str | None:
    """Why the chain cannot be checked here: the home has no platform key (checking would make a new one)."""
    if key.home is not None and not has_key(key.home):
        return f"no platform key at {key_source(key.home)}: the chain verifies only with the key that wrote it"
    return None


def index_problems(store: RunStore, chain: Sequence[Mapping[str, Any]]) -> list[str]:
    """Whether the index of rows of record (``record_table``, ``record_key``, outside the entries' hashes) says what
    each entry says: an entry dropped from it would make an older version of its row look like the latest."""
    indexed = {
        r[0]: (r[1], r[2])
        for r in store.read().execute(
            "SELECT n, record_table, record_key FROM audit WHERE record_table IS NOT NULL OR record_key IS NOT NULL"
        )
    }
    for entry in chain:
        data = entry.get("data") or {}
        says = (data.get("table"), data.get("key")) if entry.get("kind") == ROW_KIND else None
        if indexed.pop(entry.get("n"), None) != says:
            return [f"{_name(entry)} is not indexed as the row of record it records: the index was edited"]
    return [f"entry {n} is indexed as a row of record it does not record: the index was edited" for n in indexed][:1]


def verify(store: RunStore) -> tuple[Checked, list[str]]:
    """Check a store's chain, its head and the rows it displays; the problems, first first."""
    chain = entries(store)
    if chain and (why := missing_key(store.audit) or store.audit.mismatch(store.read())):
        return Checked(len(chain), 0, 0, None), [why]
    found = problems(chain, store.audit) + head_problems(chain, store.audit)
    events, decisions, rows = row_problems(store, chain)
    rows += index_problems(store, chain)
    try:
        rows += records.problems(store.read(), store.audit)[1]
    except records.UnsignedRowError as exc:
        rows.append(str(exc))
    try:
        head = store.audit.read_head()
    except ValueError:
        head = None
    return Checked(len(chain), events, decisions, head.n if head else None), found + rows


def export(store: RunStore, path: Path) -> int:
    """Write the chain as JSON lines, then its head signed with the platform key (how many entries, the last one's
    position and MAC): what shows the export whole. Returns how many entries."""
    chain = entries(store)
    last = chain[-1] if chain else {}
    head = store.audit.sign(
        {"kind": "audit-export", "entries": len(chain), "n": last.get("n", 0), "mac": last.get("mac"), "at": utc_now()}
    )
    with path.open("w", encoding="utf-8") as out:
        for entry in chain:
            out.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
        out.write(json.dumps({EXPORT_HEAD: head}, sort_keys=True) + "\n")
    return len(chain)


#: The key of an export's last line: its signed head.
EXPORT_HEAD = "export_head"


def verify_export(lines: list[dict[str, Any]], key: AuditKey) -> tuple[int, list[str]]:
    """Check an export (its lines, :func:`read_export`) with the platform key: its entries as a chain, and that it
    ends with the head the platform signed when it wrote it. Returns how many entries, and the problems."""
    chain = [line for line in lines if EXPORT_HEAD not in line]
    if why := missing_key(key):
        return len(chain), [why]
    found: list[str] = []  # whether it is whole first, then its entries
    heads = [i for i, line in enumerate(lines) if EXPORT_HEAD in line]
    if not heads:
        found = ["the export carries no signed head: it cannot be shown whole (was it cut?)"]
        return len(chain), found + problems(chain, key)
    head = lines[heads[-1]][EXPORT_HEAD]
    last = chain[-1] if chain else {}
    if len(heads) > 1 or heads[-1] != len(lines) - 1:
        found.append("the export has entries after its head: appended to after it was written")
    elif not (isinstance(head, dict) and head.get("kind") == "audit-export" and key.signed(head)):
        found.append("the export's head is not signed with the platform key")
    elif head.get("entries") != len(chain) or head.get("n") != last.get("n", 0) or head.get("mac") != last.get("mac"):
        found.append(
            f"the export holds {len(chain)} entries ending at entry {last.get('n', 0)} but its head records "
            f"{head.get('entries')} ending at entry {head.get('n')}: entries were cut"
        )
    return len(chain), found + problems(chain, key)


def read_export(path: Path) -> list[dict[str, Any]]:
    """The entries of an export; a file that is not one (binary, not UTF-8, a line not an entry) is refused in one
    line naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path} is not an audit export: not UTF-8 text (byte {exc.start})") from None
    chain = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{path}: line {number} is not JSON ({exc.msg})") from None
        except RecursionError:
            raise ValidationError(f"{path}: line {number} is nested too deeply to be an audit entry") from None
        if not isinstance(entry, dict):
            raise ValidationError(f"{path}: line {number} is not an audit entry")
        chain.append(entry)
    return chain
