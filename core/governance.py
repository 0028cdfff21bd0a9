"""Who may approve what: the reviewer roster and the approval policy's rules (roles and amount ceilings).

The same check runs in ``decide`` (below any UI) and again inside the graph when a decision resumes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.missions import ToolPolicy

#: The roster used until ``$MISSIONS_HOME/reviewers.json`` (``{"name": "role", ...}``) says otherwise.
DEFAULT_ROSTER: dict[str, str] = {
    "ana": "ops_agent",
    "omar": "ops_lead",
    "fiona": "finance",
    "cole": "customer_care",
    "priya": "ap_clerk",
    "marco": "ap_manager",
    "chen": "controller",
}


def load_roster(home: Path) -> dict[str, str]:
    """Reviewer name -> role: the store's accounts once there are any; before that ``reviewers.json`` or the
    default roster (for platform code that names a reviewer in-process; people sign in with an account)."""
    from ai_missions.identity import Accounts
    from ai_missions.settings import runs_db
    from ai_missions.store import RunStore

    if (home / "runs.sqlite").exists() and (accounts := Accounts(RunStore(runs_db(home))).roster()):
        return accounts
    path = home / "reviewers.json"
    if not path.exists():
        return dict(DEFAULT_ROSTER)
    try:
        roster = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(roster, dict) or not all(isinstance(v, str) for v in roster.values()):
        raise ValidationError(f"{path}: expected an object of reviewer name -> role")
    return roster


def role_of(reviewer: str, roster: Mapping[str, str]) -> str:
    try:
        return roster[reviewer]
    except KeyError:
        raise NotFoundError(f"unknown reviewer {reviewer!r} (known: {', '.join(sorted(roster))})") from None


def approval_rules(knowledge: Any) -> list[ApprovalRule]:
    """Every approval rule of the indexed policies (the approval policy carries them)."""
    return [rule for policy in knowledge.policies() for rule in policy.approval_rules]


def approval_problems(
    role: str, actions: Iterable[Mapping[str, Any]], rules: Sequence[ApprovalRule], tools: ToolPolicy
) -> list[str]:
    """Why ``role`` may not approve these actions (empty when it may); ``tools`` says which argument is money."""
    problems = []
    for action in actions:
        tool = str(action.get("tool"))
        applicable = [r for r in rules if tool in r.tools or "*" in r.tools]
        if not applicable:
            problems.append(f"no approval rule covers {tool}")
            continue
        amount = tools.amount_of(action)
        permitted = [r for r in applicable if role in r.roles]
        if not permitted:
            roles = sorted({x for r in applicable for x in r.roles})
            problems.append(f"{tool} needs one of the roles {', '.join(roles)}; {role} may not approve it")
        elif amount is not None and not any(r.max_amount is None or amount <= r.max_amount for r in permitted):
            ceiling = max(r.max_amount or 0 for r in permitted)
            problems.append(f"{tool} of {amount:.2f} exceeds the {role} approval limit of {ceiling:.2f}")
    return problems


def authorize(
    role: str, actions: Iterable[Mapping[str, Any]], rules: Sequence[ApprovalRule], tools: ToolPolicy
) -> None:
    if problems := approval_problems(role, actions, rules, tools):
        raise ForbiddenError("; ".join(problems))
