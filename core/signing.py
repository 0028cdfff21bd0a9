"""The platform's signing key and HMAC signatures: reviewer answers and approval grants are signed with it.

The key lives under ``MISSIONS_HOME`` (``platform.key``, mode 0600), created on first use. Whoever can sign is
the platform: the runtime after authenticating a reviewer, and the systems that verify grants from the same home.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from ai_missions.errors import ForbiddenError

KEY_FILE = "platform.key"


def canonical(value: Any) -> bytes:
    """One byte string per JSON value (sorted keys, no spaces): what is hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def platform_key(home: Path) -> bytes:
    """The home's signing key, created (atomically, owner-only) when missing."""
    path = Path(home) / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return bytes.fromhex(path.read_text().strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as out:
        out.write(key.hex())
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
