"""The platform's signing key and HMAC signatures: reviewer answers, approval grants, rows of record and the audit
chain are signed with it.

One key per deployment: every home and host that shares a database (``MISSIONS_DATABASE_URL``) must sign with the
same key, so it comes from settings when they are set: ``MISSIONS_PLATFORM_KEY`` (64 hex characters, e.g. from a
secret store) or ``MISSIONS_PLATFORM_KEY_FILE`` (a file holding them, never created). Without either, the key lives
under ``MISSIONS_HOME`` (``platform.key``, mode 0600), created on first use: the embedded default, one home, one
key. A store records its key's id (:func:`key_id`, an HMAC that reveals nothing of the key), so a home signing with
another key is told so in one line (:class:`KeyMismatchError`), not that every row "was changed".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from ai_missions.kernel.errors import ForbiddenError, MissionsError

KEY_FILE = "platform.key"
#: Settings that give every home and host of a deployment the same key: the key itself, or a file holding it.
KEY_ENV, KEY_FILE_ENV = "MISSIONS_PLATFORM_KEY", "MISSIONS_PLATFORM_KEY_FILE"


class KeyMismatchError(MissionsError):
    """The key this home signs with is not the key the database was written with."""


def canonical(value: Any) -> bytes:
    """One byte string per JSON value (sorted keys, no spaces): what is hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


#: Bytes of a platform key (64 hex characters in the file).
KEY_BYTES = 32


#: Keys read, per file, with the identity of the file they came from (inode, size, modification time).
_read: dict[str, tuple[tuple[int, int, int], bytes]] = {}
#: Files remembered at once (a process that met many homes, like the tests, keeps the last few).
_MAX_READ = 32


def _read_key(path: str | os.PathLike[str]) -> bytes:
    """The key in ``path``; MissionsError, in one line, for an empty, truncated or unreadable one: signing
    with it would make every signature forgeable (an empty HMAC key is a key anyone has).

    A key is read again only when its file is another one or was changed: signing reads it ~11 times an eval case
    (grants minted, checked and spent, seals), and a read costs ~100 us where a stat costs a few."""
    path = os.fspath(path)
    stat = os.stat(path)
    identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    known = _read.get(path)
    if known is not None and known[0] == identity:
        return known[1]
    with open(path, encoding="utf-8", errors="replace") as file:
        text = file.read().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise MissionsError(
            f"{path} is not a signing key ({len(text)} characters, need {2 * KEY_BYTES} hex): restore it from a "
            "backup; delete it only if nothing it signed (grants, answers, rows) must still verify"
        )
    if len(_read) >= _MAX_READ:
        _read.clear()
    _read[path] = (identity, key)
    return key


def key_source(home: Path) -> str:
    """Where the key of ``home`` comes from, as an error message names it."""
    if os.environ.get(KEY_ENV, "").strip():
        return KEY_ENV
    if file := os.environ.get(KEY_FILE_ENV, "").strip():
        return f"{KEY_FILE_ENV} ({file})"
    return str(Path(home) / KEY_FILE)


def has_key(home: Path) -> bool:
    """Whether a key is there to read (without creating one)."""
    if os.environ.get(KEY_ENV, "").strip():
        return True
    file = os.environ.get(KEY_FILE_ENV, "").strip()
    return Path(file).expanduser().exists() if file else (Path(home) / KEY_FILE).exists()


def key_id(key: bytes) -> str:
    """A key's public name: an HMAC of a fixed text with it (tells two keys apart, reveals neither)."""
    return hmac.new(key, b"ai-missions platform key id", hashlib.sha256).hexdigest()[:16]


def platform_key(home: Path) -> bytes:
    """The deployment's signing key: from ``MISSIONS_PLATFORM_KEY`` or ``MISSIONS_PLATFORM_KEY_FILE`` when set, else
    the home's, created when missing: written to a temporary file, flushed to disk, then linked into place (which
    fails if another process linked first), so the key file is whole or absent, never empty."""
    if text := os.environ.get(KEY_ENV, "").strip():
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise MissionsError(f"{KEY_ENV} is not a signing key ({len(text)} characters, need {2 * KEY_BYTES} hex)")
        return key
    if file := os.environ.get(KEY_FILE_ENV, "").strip():
        try:
            return _read_key(Path(file).expanduser())
        except OSError as exc:
            raise MissionsError(
                f"{KEY_FILE_ENV} names {file}, which cannot be read ({exc.strerror or exc}): every home and host of "
                "a deployment reads its one key there"
            ) from None
    try:  # a string path: a key is read ~11 times an eval case, and building a Path costs more than the stat
        return _read_key(os.path.join(home, KEY_FILE))
    except FileNotFoundError:
        pass
    path = Path(home) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd, temp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(key.hex())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)  # atomic, and never replaces a key another process put there first
        except FileExistsError:
            return _read_key(path)
    finally:
        os.unlink(temp)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name survives a crash too
    finally:
        os.close(directory)
    return key


def sign(key: bytes, value: Any) -> str:
    return hmac.new(key, canonical(value), hashlib.sha256).hexdigest()


def signed(key: bytes, value: Any) -> bool:
    """Whether ``value["signature"]`` is the signature of the rest of ``value``."""
    if not isinstance(value, dict) or not isinstance(value.get("signature"), str):
        return False
    body = {k: v for k, v in value.items() if k != "signature"}
    return hmac.compare_digest(sign(key, body), value["signature"])


def seal(key: bytes, payload: dict[str, Any]) -> str:
    """A compact signed token: ``base64url(json).hmac``."""
    body = base64.urlsafe_b64encode(canonical(payload)).decode().rstrip("=")
    return f"{body}.{hmac.new(key, body.encode(), hashlib.sha256).hexdigest()}"


def unseal(key: bytes, token: Any) -> dict[str, Any]:
    """The payload of a token :func:`seal` made with ``key``; ForbiddenError for anything else."""
    if not isinstance(token, str) or token.count(".") != 1:
        raise ForbiddenError("no valid approval grant")
    body, mac = token.split(".")
    if not hmac.compare_digest(hmac.new(key, body.encode(), hashlib.sha256).hexdigest(), mac):
        raise ForbiddenError("the approval grant's signature is not valid")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        raise ForbiddenError("the approval grant cannot be read") from None
    if not isinstance(payload, dict):
        raise ForbiddenError("the approval grant cannot be read")
    return payload
