"""What makes the audit chain unforgeable and its end provable: each entry's MAC with the platform key, and the
chain's head kept outside the store.

A hash chain alone proves nothing to someone who can write the store: they edit an entry and recompute every hash
after it, or cut the last entries. So each entry also carries ``mac``, an HMAC with the platform key (``platform.key``
under the home) over its position and hash; whoever holds only the store cannot make one. The head, the last entry
this home appended (its position and MAC, signed with the key), is a file next to the key, not a row of the store:
a store that ends before its head was cut, and an entry at the head's position with another MAC was replaced.

The head file is a log of signed lines, the last one the head. A line is appended after the appending transaction
commits (a crash in between leaves the head one batch behind, never ahead of what was committed), under a file lock,
only forward, and only while the store still holds the entry the head recorded: once a store was cut, the head keeps
what it recorded, so ``missions audit verify`` keeps saying so.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ai_missions.signing import canonical, platform_key, sign, signed


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
        self._read: tuple[tuple[int, int, int], Head] | None = None
        self._staged = threading.local()

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = secrets.token_bytes(32) if self.home is None else platform_key(self.home)
        return self._key

    def mac(self, n: int, entry_hash: str) -> str:
        """An entry's MAC: over its position and its hash (which covers its content and the entry before it)."""
        return hmac.new(self.key, canonical(["audit-entry", n, entry_hash]), hashlib.sha256).hexdigest()

    def valid(self, n: Any, entry_hash: Any, mac: Any) -> bool:
        return isinstance(n, int) and isinstance(mac, str) and hmac.compare_digest(self.mac(n, str(entry_hash)), mac)

    # -- the head, outside the store ---------------------------------------------------------------------------
    def read_head(self) -> Head | None:
        """The head as last recorded; None when there is none. ValueError when the file holds a head the platform
        key did not sign (written by hand, or with another key)."""
        if self.head_file is None:
            return self._memory_head
        try:
            stat = os.stat(self.head_file)
        except FileNotFoundError:
            return None
        seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._read is not None and self._read[0] == seen:
            return self._read[1]  # the file as this process last read or wrote it: no need to check it again
        try:
            with self.head_file.open("rb") as file:
                size = file.seek(0, os.SEEK_END)
                file.seek(max(0, size - _TAIL))
                tail = file.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ValueError(f"the audit head {self.head_file} cannot be read ({exc})") from None
        for line in reversed(tail.splitlines()):
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                continue  # a line a crash cut short (or the start of the tail read): the one before it holds
            good = signed(self.key, value) and value.get("kind") == "audit-head"
            if not (good and isinstance(value.get("n"), int) and isinstance(value.get("mac"), str)):
                raise ValueError(f"the audit head {self.head_file} is not signed with the platform key")
            head = Head(int(value["n"]), str(value["mac"]))
            self._read = (seen, head)
            return head
        return None

    def stage(self, head: Head | None) -> None:
        """What this thread's transaction appended up to (None: it may not move the head), written on commit."""
        self._staged.head = head

    def publish(self) -> None:
        """Write the staged head (after the transaction committed), unless another writer already moved it past."""
        head: Head | None = getattr(self._staged, "head", None)
        self._staged.head = None
        if head is None:
            return
        if self.head_file is None:
            if self._memory_head is None or self._memory_head.n < head.n:
                self._memory_head = head
            return
        with _locked(self.head_file.with_name(self.head_file.name + ".lock")):
            try:
                current = self.read_head()
            except ValueError:
                return  # a head the key did not sign stays, as evidence, until someone with the home removes it
            if current is not None and current.n >= head.n:
                return
            self._write_head(head)

    def discard(self) -> None:
        self._staged.head = None

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with its signature by the platform key (an export's head)."""
        return {**body, "signature": sign(self.key, body)}

    def signed(self, value: Any) -> bool:
        return signed(self.key, value)

    def _write_head(self, head: Head) -> None:
        """Append the new head as a signed line (a rename per append costs a flush on ext4; an append does not); a
        crash leaves at worst a cut last line, which :meth:`read_head` skips. Past ``_COMPACT`` bytes the file is
        replaced by its last line, written to a temporary file and renamed over it."""
        assert self.head_file is not None
        body = {"kind": "audit-head", "n": head.n, "mac": head.mac}
        line = json.dumps({**body, "signature": sign(self.key, body)}, sort_keys=True) + "\n"
        fd = os.open(self.head_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            stat = os.fstat(fd)  # under the lock: no other writer moved it since
        finally:
            os.close(fd)
        self._read = ((stat.st_ino, stat.st_size, stat.st_mtime_ns), head)
        if stat.st_size <= _COMPACT:
            return
        fd, temp = tempfile.mkstemp(prefix=f".{self.head_file.name}.", dir=self.head_file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.head_file)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self._read = None


#: How much of the head file's end is read (a head line is under 300 bytes), and the size past which it is compacted.
_TAIL, _COMPACT = 4096, 256 * 1024


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created when missing) across processes on this machine."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
