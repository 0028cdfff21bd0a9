"""Verify and export the audit trail: an append-only hash chain in the run store (see ``store.chain``).

Each entry carries its position ``n``, the hash of the entry before it and its own hash over both and its
content. Verification walks the chain and names the first entry that was edited (its hash no longer matches),
deleted (a gap in the positions, or a broken link) or moved (positions out of order). An export is the chain as
JSON lines, which verifies on its own.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ai_missions.errors import ValidationError
from ai_missions.store import GENESIS, RunStore, entry_hash

FIELDS = ("n", "at", "run_id", "kind", "actor", "summary", "data", "prev_hash", "hash")


def entries(store: RunStore) -> list[dict[str, Any]]:
    """The chain as stored, by position."""
    rows = store.read().execute(f"SELECT {', '.join(FIELDS)} FROM audit ORDER BY n")
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


def _name(entry: Mapping[str, Any]) -> str:
    run = f", run {entry.get('run_id')}" if entry.get("run_id") else ""
    return f"entry {entry.get('n')} ({entry.get('kind')}{run})"


def problems(chain: Iterable[Mapping[str, Any]]) -> list[str]:
    """What is wrong with a chain, first problem first; empty when it is intact."""
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
    return found


def export(store: RunStore, path: Path) -> int:
    """Write the chain as JSON lines; returns how many entries."""
    chain = entries(store)
    with path.open("w", encoding="utf-8") as out:
        for entry in chain:
            out.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
    return len(chain)


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
