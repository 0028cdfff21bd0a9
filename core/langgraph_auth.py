"""Sign-in for LangGraph's own server (``langgraph dev``, named in ``langgraph.json``): a request carries a
platform API token (``Authorization: Bearer mst_...``, what ``missions login`` issues) and is served as that
account; anything else is refused.

The account's name and role of record ride with the server's user, and with them a seal made with the platform key
(``reviewer``, ``expires``): the approval node takes a reviewer from a resume (an Agent Inbox "accept") only with
that seal, so an exported graph resumed directly, without the platform's key, still names nobody.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph_sdk import Auth

from ai_missions.errors import MissionsError
from ai_missions.identity import Account, Accounts
from ai_missions.settings import missions_home, runs_db
from ai_missions.signing import platform_key, seal
from ai_missions.store import RunStore

#: How long the server's word for a reviewer holds (a run resumed later needs a fresh request).
SEAL_MINUTES = 30

auth = Auth()


def _account(token: str) -> tuple[Account, str]:
    home = missions_home()
    account = Accounts(RunStore(runs_db(home))).account_for_token(token)
    expires = (datetime.now(UTC) + timedelta(minutes=SEAL_MINUTES)).isoformat(timespec="seconds")
    return account, seal(platform_key(home), {"reviewer": account.name, "role": account.role, "expires": expires})


@auth.authenticate
async def authenticate(authorization: str | None) -> dict[str, Any]:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith("mst_"):
        raise Auth.exceptions.HTTPException(status_code=401, detail="sign in: Authorization: Bearer <missions token>")
    try:
        account, sealed = await asyncio.to_thread(_account, token.strip())
    except MissionsError as exc:
        raise Auth.exceptions.HTTPException(status_code=401, detail=str(exc)) from None
    return {"identity": account.name, "role": account.role, "platform_seal": sealed, "is_authenticated": True}
