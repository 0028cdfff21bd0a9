"""Approval grants: proof, checked by the systems themselves, that exactly this write was approved.

The execute step mints a grant for each approved action just before it calls the system (never earlier, and never
into the run's state or checkpoint), bound to the run, the decision, the action (plan index and tool), a hash of
its exact arguments and the idempotency key it runs with, with a short expiry, sealed with the platform key
(:mod:`signing`). The platform sends it with the call as MCP ``_meta`` (``{"grant": ...}``); every system's write
tools refuse a call without a valid grant for exactly those arguments.

A grant is single use and revocable. A system marks a grant spent after its first successful use, and afterwards
accepts it only to replay that same write (its idempotency key already recorded: the first answer, nothing
changed); abandoning a run revokes its grants (its id and its decisions' ids), so one taken from memory, a log or an
old checkpoint moves nothing once the run is given up. A revocation is an entry of the audit chain
(``grants_revoked``), what every host believes as verified (:mod:`ai_missions.kernel.beliefs`), and a row of the
ledger every system host consults first: deleting the row revives nothing, the chain still says it. With
``MISSIONS_DATABASE_URL`` the ledger is two tables of that database (``grant_spent``, ``grant_revoked``) and the
chain that database's, so a system served from another home or host with the same key sees the same revocations
and spends; without it, they are ``grants.sqlite`` and the run store in the home the systems read the key from.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.kernel.audit_key import head_path
from ai_missions.kernel.database import PgConnection, database_url, lock_key
from ai_missions.kernel.errors import CorruptStoreError, ForbiddenError
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.signing import digest, platform_key, seal, unseal
from ai_missions.kernel.store import RunStore

#: How long a grant stays valid (seconds): one call and its reconciliation (a resume mints new ones).
DEFAULT_TTL_S = 15 * 60
TTL_ENV = "MISSIONS_GRANT_TTL_S"
META_KEY = "grant"
LEDGER_FILE = "grants.sqlite"
#: A home holding this file keeps its grants to itself (:func:`keep_grants_private`).
PRIVATE_MARK = "grants.private"
#: The open ledger of each home this process uses, with the lock that lets one thread use it at a time.
_open: OrderedDict[str, tuple[sqlite3.Connection, threading.Lock]] = OrderedDict()
MAX_OPEN_LEDGERS = 8
_lock = threading.Lock()
LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS spent (grant_id TEXT PRIMARY KEY, tool TEXT, idempotency_key TEXT, spent_at REAL);
CREATE TABLE IF NOT EXISTS revoked (scope TEXT PRIMARY KEY, reason TEXT, revoked_at REAL);
"""
#: The same ledger in a shared Postgres database (named for what they hold among the run store's tables).
PG_LEDGER_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS grant_spent"
    " (grant_id TEXT PRIMARY KEY, tool TEXT, idempotency_key TEXT, spent_at DOUBLE PRECISION)",
    "CREATE TABLE IF NOT EXISTS grant_revoked (scope TEXT PRIMARY KEY, reason TEXT, revoked_at DOUBLE PRECISION)",
)
#: The open shared ledger of each database URL this process uses.
_open_pg: dict[str, tuple[PgConnection, threading.Lock]] = {}
#: The run store whose audit chain holds each home's revocations (what it verified kept between checks), with the
#: identity of its SQLite file (a store moved aside and made anew is opened anew).
_chains: OrderedDict[tuple[str, str | None], tuple[RunStore, int]] = OrderedDict()


def idempotency_key(scope: str, index: int, tool: str) -> str:
    return f"{scope}:{index}:{tool}"


def args_digest(args: Mapping[str, Any]) -> str:
    """The hash a grant binds: every argument except the idempotency key (bound on its own)."""
    return digest({k: v for k, v in args.items() if k != "idempotency_key"})


def ttl_s() -> float:
    try:
        return float(os.environ.get(TTL_ENV, DEFAULT_TTL_S))
    except ValueError:
        return DEFAULT_TTL_S


def mint(
    home: Path,
    *,
    decision_id: str,
    index: int,
    tool: str,
    args: Mapping[str, Any],
    key: str,
    by: str,
    ttl: float | None = None,
    run: str | None = None,
) -> str:
    """A grant for one approved action, as it will run (``run``: the run it is for, which abandoning revokes)."""
    payload = {
        "v": 1,
        "grant_id": f"G-{uuid.uuid4().hex[:16]}",
        "run": run,
        "decision_id": decision_id,
        "index": index,
        "tool": tool,
        "args_sha256": args_digest(args),
        "idempotency_key": key,
        "by": by,
        "expires": time.time() + (ttl_s() if ttl is None else ttl),
    }
    return seal(platform_key(home), payload)


def check(
    home: Path,
    grant: Any,
    tool: str,
    args: Mapping[str, Any],
    *,
    now: float | None = None,
    replay: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """The grant's payload when it allows exactly this call; ForbiddenError naming the first problem otherwise.

    The ledger is consulted last: a revoked grant is refused; a spent one only when ``replay(idempotency key)``
    (the system has that key's write recorded, so the call returns its first answer) says this is not a replay."""
    if grant is None:
        raise ForbiddenError(f"{tool} changes state and needs an approval grant; none was given")
    payload = unseal(platform_key(home), grant)
    if payload.get("tool") != tool:
        raise ForbiddenError(f"the approval grant is for {payload.get('tool')!r}, not {tool!r}")
    if payload.get("args_sha256") != args_digest(args):
        raise ForbiddenError(f"the approval grant does not cover these arguments of {tool}")
    if payload.get("idempotency_key") != args.get("idempotency_key"):
        raise ForbiddenError("the approval grant was issued for another idempotency key (a grant is single-use)")
    expires = payload.get("expires")
    if not isinstance(expires, int | float) or expires < (time.time() if now is None else now):
        raise ForbiddenError(f"the approval grant {payload.get('grant_id')} has expired")
    standing(home, payload, replay)
    return payload


@dataclass(frozen=True, slots=True)
class Ledger:
    """An open ledger: its connection (sqlite3, or Postgres speaking the same SQL) and its two tables' names."""

    db: Any
    spent: str = "spent"
    revoked: str = "revoked"


@contextmanager
def ledger(home: Path, *, durable: bool = False) -> Iterator[Ledger]:
    """The grant ledger every system host consults: the shared database's (``MISSIONS_DATABASE_URL``), or the one
    under ``home`` (created on first use; each statement commits on its own). One connection per database and
    process, kept open (closing the last SQLite one checkpoints the WAL with an fsync: 8 ms a write), used by one
    thread at a time. ``durable`` syncs a SQLite commit to disk (a revocation); a spend is as durable as the
    systems' own writes (WAL, synchronous NORMAL: it survives a killed process). Postgres commits every statement
    durably. A home marked private (:func:`keep_grants_private`: an eval sandbox) keeps its ledger in its own file
    whatever the setting."""
    if (url := database_url()) is not None and not is_private(home):
        with _lock:
            if url not in _open_pg:
                _open_pg[url] = (_connect_pg(url), threading.Lock())
            shared, shared_busy = _open_pg[url]
        with shared_busy:
            yield Ledger(shared, "grant_spent", "grant_revoked")
        return
    where = os.fspath(home)
    path = _ledger_path(where, "" if os.path.isabs(where) else os.getcwd())
    try:
        with _lock:
            if path not in _open:
                _open[path] = (_connect(path), threading.Lock())
                while len(_open) > MAX_OPEN_LEDGERS:  # a process that met many homes (tests) keeps the last few
                    old, old_busy = _open.pop(next(iter(_open)))
                    with old_busy:
                        old.close()
            _open.move_to_end(path)
            conn, busy = _open[path]
        with busy:
            conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            yield Ledger(conn)
    except sqlite3.DatabaseError as exc:  # fails closed: a ledger that cannot be read grants nothing
        raise CorruptStoreError(path, exc) from None


@functools.lru_cache(maxsize=64)
def _ledger_path(home: str, cwd: str) -> str:
    """The ledger file of ``home``, resolved once per home (and working directory, ``cwd``, for a relative one): a
    resolve is a stat per part of the path, and a grant is checked and spent on every write."""
    return str(Path(cwd, home).resolve() / LEDGER_FILE)


def keep_grants_private(home: Path) -> None:
    """Mark ``home`` as one whose systems are its own (an eval sandbox's scratch book): its grants are spent and
    revoked in its own ledger file, never in the shared database's, which holds the grants of the real systems.
    Without the mark, a sandbox on a worker with ``MISSIONS_DATABASE_URL`` spent every replayed write's grant in the
    shared ledger (two round trips a write, 7% of an eval worker's time)."""
    Path(home).mkdir(parents=True, exist_ok=True)
    (Path(home) / PRIVATE_MARK).touch()


def is_private(home: Path) -> bool:
    """Whether ``home`` keeps its grants, and what it believes of them, to itself (:func:`keep_grants_private`)."""
    return (Path(home) / PRIVATE_MARK).exists()


def _connect_pg(url: str) -> PgConnection:
    """The shared ledger's connection, its tables created once (under a lock: two hosts starting at once)."""
    conn = PgConnection(url)
    with conn.transaction(lock_key(f"missions-grant-ledger:{conn.schema}")):
        for statement in PG_LEDGER_SCHEMA:
            conn.execute(statement)
    return conn


def _connect(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(LEDGER_SCHEMA)
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def standing(home: Path, payload: Mapping[str, Any], replay: Callable[[str], bool] | None = None) -> None:
    """ForbiddenError when the ledger revoked the grant (its run or decision was abandoned) or spent it on a write
    this call does not replay."""
    grant_id = str(payload.get("grant_id"))
    scopes = [str(payload.get("run") or ""), str(payload.get("decision_id") or "")]
    with ledger(home) as book:
        gone = book.db.execute(f"SELECT scope FROM {book.revoked} WHERE scope IN (?, ?)", scopes).fetchone()
        spent = book.db.execute(f"SELECT 1 FROM {book.spent} WHERE grant_id = ?", (grant_id,)).fetchone()
    if gone is not None:
        raise ForbiddenError(f"the approval grant {grant_id} was revoked: {gone[0]} was abandoned")
    if (store := _chain_of(home, create=False)) is not None:  # the ledger's rows may have been deleted: the chain
        revoked = store.beliefs().revoked
        for scope in filter(None, scopes):
            if scope in revoked:
                raise ForbiddenError(
                    f"the approval grant {grant_id} was revoked: {scope} was abandoned (audit entry {revoked[scope]})"
                )
    key = payload.get("idempotency_key")
    if spent is not None and not (isinstance(key, str) and replay is not None and replay(key)):
        raise ForbiddenError(f"the approval grant {grant_id} was already used (a grant is single-use)")


def spend(home: Path, payload: Mapping[str, Any]) -> None:
    """Record the grant as used: from now on it only replays the write it made."""
    with ledger(home) as book:
        book.db.execute(
            f"INSERT OR IGNORE INTO {book.spent} (grant_id, tool, idempotency_key, spent_at) VALUES (?, ?, ?, ?)",
            (str(payload.get("grant_id")), payload.get("tool"), payload.get("idempotency_key"), time.time()),
        )


def revoke(home: Path, scopes: Iterable[str], reason: str) -> None:
    """Revoke every grant minted for these runs or decisions, whenever it was or will be minted: on the audit chain
    first (what is believed), then in the ledger (what the systems read first)."""
    scopes = list(scopes)
    try:
        if (store := _chain_of(home, create=True)) is not None:
            store.record_revocation(scopes, reason)
    finally:  # in the ledger even when the chain refuses it (cut, or this host unanchored): never lost
        with ledger(home, durable=True) as book:
            book.db.executemany(
                f"INSERT OR IGNORE INTO {book.revoked} (scope, reason, revoked_at) VALUES (?, ?, ?)",
                [(scope, reason, time.time()) for scope in scopes],
            )


def _chain_of(home: Path, *, create: bool) -> RunStore | None:
    """The run store whose audit chain records ``home``'s revocations (the shared database's, or the home's own),
    kept open per process; None for a home that keeps its grants to itself (an eval sandbox: its chain records none),
    and, unless ``create``, for a home with no store and no audit head yet (nothing was ever revoked there; a store
    deleted behind the platform's back leaves its head, so it is opened and found cut)."""
    home = Path(home)
    if is_private(home):
        return None
    url, path = database_url(), runs_db(home)
    try:
        made = path.stat().st_ino if url is None else 0
    except FileNotFoundError:
        head = head_path(path, None, None)
        if not create and head is not None and not head.exists() and not head.with_name(head.name + ".lock").exists():
            return None
        made = -1
    with _lock:
        key = (str(path.resolve()), url)
        cached = _chains.get(key)
        if cached is None or made != cached[1]:  # -1: no file (a store made anew, or deleted: then found cut)
            store = RunStore(path, url=url)
            cached = _chains[key] = (store, path.stat().st_ino if url is None else 0)
            while len(_chains) > MAX_OPEN_LEDGERS:
                _chains.pop(next(iter(_chains)))
        _chains.move_to_end(key)
        return cached[0]


def revoked(home: Path, scope: str) -> bool:
    """Whether grants of ``scope`` (a run or a decision) were revoked: in the ledger, or on the audit chain."""
    with ledger(home) as book:
        if book.db.execute(f"SELECT 1 FROM {book.revoked} WHERE scope = ?", (scope,)).fetchone() is not None:
            return True
    store = _chain_of(home, create=False)
    return store is not None and scope in store.beliefs().revoked
