"""What no plan may do to an account, whoever proposed or edited it: an email states only what the evidence
holds and goes to the account's own primary contact; only an open renewal is escalated, once; an account is never
given to an owner who is not the manager of record. The guard checks these on proposals and on owners' edits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.account_save.drafts import draft_problems


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    problems: list[str] = []
    if tool == "send_account_email":
        if facts.get("account.contact_id") is None:
            problems.append("send_account_email: the account has no contact on record")
        for part in ("subject", "body"):
            text = args.get(part)
            if isinstance(text, str):
                problems += [f"send_account_email: the {part} {p}" for p in draft_problems(text, facts)]
        if "send_account_email" in earlier:
            problems.append("send_account_email: the plan already emails this account")
    if tool == "escalate_renewal":
        if facts.get("renewal.opportunity_id") is None:
            problems.append("escalate_renewal: the account has no open renewal")
        if facts.get("renewal.escalated") is True:
            problems.append("escalate_renewal: the renewal is already escalated")
    if tool == "reassign_account_owner" and facts.get("account.owner_manager") is None:
        problems.append("reassign_account_owner: the owner has no manager of record to take the account")
    return problems
