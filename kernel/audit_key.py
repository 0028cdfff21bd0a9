"""What makes the audit chain unforgeable and its end provable: each entry's MAC with the platform key, and the
chain's head kept outside the store, by every host that uses it.

A hash chain alone proves nothing to someone who can write the store: they edit an entry and recompute every hash
after it, or cut the last entries. So each entry also carries ``mac``, an HMAC with the platform key over its
position and hash; whoever holds only the store cannot make one. The head, the furthest entry this host verified
(its position and MAC, signed with the key), is a file next to the store (for a shared database, in the home), not
a row of it: a store that ends before its head was cut, and an entry at the head's position with another MAC was
replaced. The head moves to the end of the chain each time the platform reads it (:mod:`ai_missions.kernel.beliefs`)
or appends to it, so a host's head covers every host's entries it has seen, not only its own; a host without a head
on a keyed chain believes nothing until an admin re-anchors it (``missions audit anchor``, on the chain).

The head file holds no history to roll back to. It is two fixed slots of :data:`SLOT` bytes, each a signed record
with a counter that only grows; a write overwrites the older slot in place (one sector: whole or not at all), and
the reader takes the signed slot with the higher counter. Truncating the file, or writing into it, leaves no older
signed head to fall back on, only a file that does not verify. (The log of signed lines it replaces could be cut back
to one of its own older lines, hiding a cut chain.) A slot is written after the appending transaction commits (a
crash in between leaves the head one batch behind, never ahead of what was committed), under a file lock, only
forward, and only once the chain up to it verified against the head before: once a store was cut, the head keeps
what it recorded, so every command and ``missions audit verify`` keep saying so. Only a copy of the whole file taken
earlier can put an older head back; whoever can copy files of the home at will can copy its key too
(docs/governance.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.signing import (
    KeyMismatchError,
    canonical,
    has_key,
    key_id,
    key_source,
    platform_key,
    sign,
    signed,
)

if TYPE_CHECKING:  # what a store's chain says is kept with its key: the type only (beliefs reads the key)
    from ai_missions.kernel.beliefs import Beliefs


@dataclass(frozen=True, slots=True)
class Head:
    """The last entry a home appended: its position and MAC."""

    n: int
    mac: str


def head_path(store_path: Path, url: str | None, schema: str | None) -> Path | None:
    """Where the head of a store's chain is kept: next to the SQLite file (``runs.sqlite.audit-head``), or for a
    Postgres store in the home, named after its server, database and schema; None for a store in memory."""
    if url is None:
        return None if str(store_path) == ":memory:" else store_path.with_name(store_path.name + ".audit-head")
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port}{parts.path}/{schema}"
    return store_path.parent / f"audit-head.pg-{hashlib.sha256(where.encode()).hexdigest()[:16]}"


class AuditKey:
    """The key and the head of one store's chain. The key is read (or created) on first use; a store in memory
    (an eval sandbox's) gets a key of its own that lives as long as it does."""

    def __init__(self, home: Path | None, head: Path | None) -> None:
        self.home = home
        self.head_file = head
        self._key: bytes | None = None
        self._memory_head: Head | None = None
        self._read: tuple[tuple[int, int, int], tuple[Head | None, int]] | None = None
        self._staged = threading.local()
        self._claimed = False
        #: What this process verified of the chain (committed), and the head it last checked against it.
        self._beliefs: Beliefs | None = None
        self.head_checked: Head | None = None
        #: The position of the latest checkpoint this process read or wrote.
        self.checkpoint_n = 0
        self._anchoring = threading.local()

    @property
    def key(self) -> bytes:
        if self._key is None:
            if (
                self.home is not None
                and not has_key(self.home)
                and self.head_file is not None
                and self.head_file.exists()
            ):
                # a chain was written here with a key that is gone (a home copied without it): a new key would make
                # every entry look edited, and sign what it writes with a key the rest of the chain never had
                raise MissionsError(
                    f"no platform key at {key_source(self.home)}, but the audit chain beside it was written with one: "
                    f"point {_SETTING} at the key that wrote it; nothing was written"
                )
            self._key = secrets.token_bytes(32) if self.home is None else platform_key(self.home)
        return self._key

    def mac(self, n: int, entry_hash: str) -> str:
        """An entry's MAC: over its position and its hash (which covers its content and the entry before it). The
        canonical text of a position and a hash of hex digits is written directly (a walk checks every entry's MAC:
        13 -> 6 us an entry here); anything else, as :func:`canonical` writes it."""
        if type(n) is int and _HEX.fullmatch(entry_hash):
            message = b'["audit-entry",%d,"%s"]' % (n, entry_hash.encode())
        else:
            message = canonical(["audit-entry", n, entry_hash])
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def valid(self, n: Any, entry_hash: Any, mac: Any) -> bool:
        return isinstance(n, int) and isinstance(mac, str) and hmac.compare_digest(self.mac(n, str(entry_hash)), mac)

    # -- the key this database is written with ------------------------------------------------------------------
    def mismatch(self, db: Any) -> str | None:
        """Why this key is not the one the database was written with (its id recorded in ``meta``); None when it is,
        or when the database records none yet."""
        row = db.execute("SELECT value FROM meta WHERE key = ?", (KEY_ID,)).fetchone()
        mine = key_id(self.key)
        if row is None or row[0] == mine:
            return None
        where = key_source(self.home) if self.home is not None else "this process's key"
        return (
            f"the platform key in use ({where}, id {mine}) is not the key this database was written with (id "
            f"{row[0]}): every home and host sharing a database signs with its one key; set {_SETTING} to the "
            "deployment's key file (or copy that file here)"
        )

    def claim(self, db: Any) -> None:
        """Refuse to write with another key than the database's (KeyMismatchError, one line); record this key's id
        in a database that records none yet. Inside a write transaction; checked once per process."""
        if self._claimed:
            return
        if why := self.mismatch(db):
            raise KeyMismatchError(why)
        mine = key_id(self.key)
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (KEY_ID, mine))
        self._claimed = True

    # -- the head, outside the store ---------------------------------------------------------------------------
    def read_head(self, *, fresh: bool = False) -> Head | None:
        """The head as last recorded; None when there is none. ValueError when the file holds a head the platform
        key did not sign (written by hand, or with another key), or was cut or written into. ``fresh`` reads the
        file even when its size and times are as this process last saw them (two writes in one clock tick leave
        them alike: the writer, under the lock, must see the other's)."""
        if self.head_file is None:
            return self._memory_head
        try:
            stat = os.stat(self.head_file)
        except FileNotFoundError:
            self._read = None
            return None
        seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if not fresh and self._read is not None and self._read[0] == seen:
            return self._read[1][0]  # the file as this process last read or wrote it: no need to check it again
        try:
            data = self.head_file.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ValueError(f"the audit head {self.head_file} cannot be read ({exc})") from None
        head, count = self._parse(data)
        self._read = (seen, (head, count))
        return head

    def _parse(self, data: bytes) -> tuple[Head | None, int]:
        """The head a file holds, and its counter (-1: a head file of the older format, a log of lines). Both slots
        must hold a head the key signed for that slot, their counters one apart: a slot blanked, cut or copied over
        the other (to fall back on the older head) is refused, not skipped."""
        if len(data) != 2 * SLOT or data[SLOT - 1 : SLOT] != b"\n":
            return self._parse_log(data), -1
        slots = []
        for index, slot in enumerate((data[:SLOT], data[SLOT:])):
            try:
                value = json.loads(slot.strip(b" \n"))
            except (ValueError, RecursionError):
                value = None
            good = signed(self.key, value) and isinstance(value, dict) and value.get("kind") == "audit-head"
            if not (good and value.get("slot") == index and isinstance(value.get("count"), int)):
                raise ValueError(f"the audit head {self.head_file} is not signed with the platform key")
            slots.append(value)
        newer, older = sorted(slots, key=lambda v: -int(v["count"]))
        if newer["count"] != older["count"] + 1 or newer["count"] % 2 != newer["slot"]:
            raise ValueError(f"the audit head {self.head_file} is not the one the platform wrote (its slots disagree)")
        return Head(int(newer["n"]), str(newer["mac"])), int(newer["count"])

    def _parse_log(self, data: bytes) -> Head | None:
        """A head file as versions before the slots wrote it: signed lines, the last one the head (its next write
        turns it into slots)."""
        for line in reversed(data[-_TAIL:].splitlines()):
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                continue  # a line a crash cut short (or the start of the tail read): the one before it holds
            good = signed(self.key, value) and isinstance(value, dict) and value.get("kind") == "audit-head"
            if not (good and isinstance(value.get("n"), int) and isinstance(value.get("mac"), str)):
                raise ValueError(f"the audit head {self.head_file} is not signed with the platform key")
            if "slot" in value:  # a slot of the new format, cut out of its file
                raise ValueError(f"the audit head {self.head_file} was cut (it holds one slot of two)")
            return Head(int(value["n"]), str(value["mac"]))
        if data.strip():
            raise ValueError(f"the audit head {self.head_file} is not signed with the platform key")
        return None

    def stage(self, head: Head, *, force: bool = False) -> None:
        """What this thread's transaction verified or appended up to, written on commit (``force``: even behind the
        head there is, or over one that does not verify: an admin's re-anchoring)."""
        staged: Head | None = getattr(self._staged, "head", None)
        if force or staged is None or head.n > staged.n:
            self._staged.head = head
        self._staged.force = force or getattr(self._staged, "force", False)

    def staged(self) -> Head | None:
        """What this thread's transaction staged so far."""
        staged: Head | None = getattr(self._staged, "head", None)
        return staged

    def publish(self) -> None:
        """After the transaction committed: what it verified becomes this process's, and the staged head is written,
        unless another writer already moved it past."""
        head: Head | None = getattr(self._staged, "head", None)
        beliefs: Beliefs | None = getattr(self._staged, "beliefs", None)
        force = getattr(self._staged, "force", False)
        self.discard()
        if beliefs is not None and (self._beliefs is None or beliefs.n > self._beliefs.n):
            self._beliefs = beliefs
        if head is not None:
            self.advance(head, force=force)

    def advance(self, head: Head, *, force: bool = False) -> None:
        """Move the head forward to ``head`` now (what it records is committed); ``force``: wherever it was."""
        if self.head_file is None:
            if force or self._memory_head is None or self._memory_head.n < head.n:
                self._memory_head = head
            return
        self.head_file.parent.mkdir(parents=True, exist_ok=True)  # a home that keeps only its head (Postgres)
        with _locked(self.head_file.with_name(self.head_file.name + ".lock")) as lock:
            if force:
                self._read = None  # a whole new file, both slots this head
            else:
                try:
                    current = self.read_head(fresh=True)
                except ValueError:
                    return  # a head the key did not sign stays, as evidence, until an admin re-anchors this host
                if current is not None and current.n >= head.n:
                    return
            self._write_head(head)
            if os.fstat(lock).st_size == 0:  # a head is kept now: said in its lock file (see had_head)
                os.pwrite(lock, _KEPT, 0)
        self.head_checked = head

    def open_head(self) -> None:
        """Record the chain's start (entry 0) as this host's head when it keeps none yet, before its first entry
        commits: a process that dies between that commit and moving the head then leaves a head behind the chain,
        which moves on at the next commit, not a host without one, which only an admin re-anchors."""
        if self.head_file is not None and not self.head_file.exists() and not self.had_head():
            self.advance(Head(0, ""))

    def discard(self) -> None:
        self._staged.head = None
        self._staged.beliefs = None
        self._staged.force = False

    def had_head(self) -> bool:
        """Whether this home kept a head for the store before: the head's lock file stays when the head is lost, and
        says a head was kept once one was in place. A process killed in its first write, before the head was renamed
        into place (with its file written aside, or before it wrote one), leaves it empty: no head was kept."""
        if self.head_file is None:
            return False
        try:
            return self.head_file.with_name(self.head_file.name + ".lock").stat().st_size > 0
        except FileNotFoundError:
            return False

    # -- what the chain says, as this process verified it (:mod:`ai_missions.kernel.beliefs`) -------------------
    def believed(self, *, writing: bool) -> Beliefs | None:
        """Where a walk of the chain starts: what this thread's transaction verified (``writing``), else what this
        process did; None when it verified nothing yet or re-anchors (the whole chain is walked)."""
        if self.anchoring:
            staged: Beliefs | None = getattr(self._staged, "beliefs", None) if writing else None
            return staged or getattr(self._anchoring, "beliefs", None)
        if writing and (staged := getattr(self._staged, "beliefs", None)) is not None:
            return staged
        return self._beliefs

    def keep(self, beliefs: Beliefs, head: Head | None, *, writing: bool) -> None:
        """Keep a walk's result: for the transaction (``writing``), made this process's and the head moved to
        ``head`` when it commits; else at once."""
        if self.anchoring:
            if writing:
                self._staged.beliefs = beliefs
            else:
                self._anchoring.beliefs = beliefs
            return
        if writing:
            self._staged.beliefs = beliefs
            if head is not None:
                self.stage(head)
            return
        if self._beliefs is None or beliefs.n > self._beliefs.n:
            self._beliefs = beliefs
        if head is not None:
            self.advance(head)

    def forget(self) -> None:
        """Verify the chain from the start at the next walk (a store rewritten on purpose, by a test or an upgrade)."""
        self._beliefs = None
        self.head_checked = None

    @property
    def anchoring(self) -> bool:
        """Whether this thread re-anchors the head: the chain is walked whole and not checked against the head."""
        return bool(getattr(self._anchoring, "on", False))

    @contextmanager
    def re_anchoring(self) -> Iterator[None]:
        """While an admin re-anchors this host (:meth:`RunStore.anchor`): walks read the whole chain, from its first
        entry, and do not check it against the head (which is what gets re-anchored)."""
        self._anchoring.on, self._anchoring.beliefs = True, None
        try:
            yield
        finally:
            self._anchoring.on, self._anchoring.beliefs = False, None

    def checkpoint_mac(self, text: str) -> str:
        """A checkpoint's MAC (:mod:`ai_missions.kernel.beliefs`): over its text as stored."""
        return hmac.new(self.key, b"audit-checkpoint\0" + text.encode(), hashlib.sha256).hexdigest()

    def checkpoint_valid(self, text: str, mac: str) -> bool:
        return hmac.compare_digest(self.checkpoint_mac(text), mac)

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with its signature by the platform key (an export's head)."""
        return {**body, "signature": sign(self.key, body)}

    def signed(self, value: Any) -> bool:
        return signed(self.key, value)

    def _write_head(self, head: Head) -> None:
        """Overwrite the older slot with the new head and the next counter (under the lock, after a fresh
        :meth:`read_head`). A new file, or one of the older format, is written whole (both slots) aside and
        renamed into place."""
        assert self.head_file is not None
        count = self._read[1][1] + 1 if self._read is not None and self._read[1][1] >= 1 else 0
        if count == 0:  # no head yet, or one of the older format: a whole new file, both slots this head
            fd, temp = tempfile.mkstemp(prefix=f".{self.head_file.name}.", dir=self.head_file.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(self._slot(head, 0) + self._slot(head, 1))
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, self.head_file)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
            for left in self.head_file.parent.glob(f".{self.head_file.name}.*"):
                left.unlink(missing_ok=True)  # what a first write cut short before left: a head is kept now
            count = 1
        else:
            fd = os.open(self.head_file, os.O_WRONLY)
            try:
                os.pwrite(fd, self._slot(head, count), (count % 2) * SLOT)
            finally:
                os.close(fd)
        stat = os.stat(self.head_file)
        self._read = ((stat.st_ino, stat.st_size, stat.st_mtime_ns), (head, count))

    def _slot(self, head: Head, count: int) -> bytes:
        body = {"kind": "audit-head", "n": head.n, "mac": head.mac, "count": count, "slot": count % 2}
        record = json.dumps({**body, "signature": sign(self.key, body)}, sort_keys=True).encode()
        if len(record) > SLOT - 1:
            raise ValueError("an audit head record outgrew its slot")
        return record.ljust(SLOT - 1) + b"\n"


#: A hash as the chain writes it: 64 hex digits (nothing in it for JSON to escape).
_HEX = re.compile(r"[0-9a-f]{64}")
#: The size of one slot of the head file (a head record is under 300 bytes; 512 is one sector, written whole).
SLOT = 512
#: The meta row recording the id of the key a database is written with.
KEY_ID = "platform_key_id"
_SETTING = "MISSIONS_PLATFORM_KEY_FILE"
#: What a head's lock file holds once a head was kept (an empty one: the first write was cut short).
_KEPT = b"a head was kept\n"
#: How much of an older head file's end is read (a head line is under 300 bytes).
_TAIL = 4096


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An exclusive lock on ``path`` (created when missing) across processes on this machine; its descriptor."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)
