"""Approval grants: proof, checked by the systems themselves, that exactly this write was approved.

Approving an action mints a grant bound to the decision, the action (plan index and tool), a hash of its exact
arguments and the idempotency key it runs with, with an expiry, sealed with the platform key (:mod:`signing`).
The platform sends it with the call as MCP ``_meta`` (``{"grant": ...}``); every system's write tools refuse a
call without a valid grant for exactly those arguments. A grant is single-use: it names one idempotency key, and
a system performs a key's write once (a repeated call replays the first answer and changes nothing).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_missions.errors import ForbiddenError
from ai_missions.signing import digest, platform_key, seal, unseal

#: How long a grant stays valid (seconds): long enough to finish an interrupted execution with `missions resume`.
DEFAULT_TTL_S = 24 * 3600
TTL_ENV = "MISSIONS_GRANT_TTL_S"
META_KEY = "grant"


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
) -> str:
    """A grant for one approved action, as it will run."""
    payload = {
        "v": 1,
        "grant_id": f"G-{uuid.uuid4().hex[:16]}",
        "decision_id": decision_id,
        "index": index,
        "tool": tool,
        "args_sha256": args_digest(args),
        "idempotency_key": key,
        "by": by,
        "expires": time.time() + (ttl_s() if ttl is None else ttl),
    }
    return seal(platform_key(home), payload)


def check(home: Path, grant: Any, tool: str, args: Mapping[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """The grant's payload when it allows exactly this call; ForbiddenError naming the first problem otherwise."""
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
    return payload
