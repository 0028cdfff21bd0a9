"""Co-approval and hand-off: plans that no single role may approve (a large refund or capture, which only finance
signs, beside operations or customer actions, which finance may not approve).

Each reviewer signs the part of the plan their role may approve (and, being a reviewer of that decision, may reject
any action still open: :mod:`ai_missions.services.authorization` says who may); the
platform keeps each part as a *sign-off* signed with the platform key and bound to the decision, the actions hash
shown and exactly the answers given. Nothing executes and no grant is minted until every action has an answer: the
sign-off that completes the plan claims the decision (in the same transaction as its own insert, so two signers at
once cannot both complete it, nor sign the same action twice), and the graph's approval node checks every
sign-off's signature again and the signer's role of record for each action it covers (a sign-off edited, or
replayed from another decision, refuses the whole plan). The signers must be two people, not two accounts of one:
not the same person behind both, and neither created by the other (:meth:`Accounts.not_two_people`). A reviewer may
also hand a decision on, with a reason, to a role or a person who may approve at least one of its open actions
(the authorization point says who): recorded, audited and shown on the card; it changes nobody's rights.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.kernel.decisions import approves, final_action
from ai_missions.kernel.errors import ConflictError, ForbiddenError, ValidationError
from ai_missions.kernel.missions import ToolPolicy
from ai_missions.kernel.signing import platform_key, sign, signed
from ai_missions.kernel.store import Decision, RunStore, utc_now
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services.governance import approval_problems
from ai_missions.services.identity import Accounts

REFUSED = "refused: a co-approval sign-off is missing, altered or from another decision; nothing was approved"


@dataclass(frozen=True, slots=True)
class Part:
    """What one reviewer's answer does to a shared plan: the actions they answer (approvals their role may give,
    rejections) by position, and the positions left for other roles."""

    answers: dict[int, dict[str, Any]]
    left: list[int]


def roles_for(
    action: Mapping[str, Any], rules: Sequence[ApprovalRule], tools: ToolPolicy, facts: Mapping[str, Any] | None
) -> list[str]:
    """Every role that may approve ``action`` in this case."""
    roles = sorted({role for rule in rules for role in rule.roles})
    return [r for r in roles if not approval_problems(r, [action], rules, tools, facts)]


def shared_plan(
    actions: Sequence[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    tools: ToolPolicy,
    facts: Mapping[str, Any] | None = None,
) -> bool:
    """Whether the plan needs more than one role: every action has a role that may approve it, none has them all."""
    if not actions:
        return False
    able = [set(roles_for(a, rules, tools, facts)) for a in actions]
    return all(able) and not set.intersection(*able)


def requested(interrupts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The plan as the mission proposed it (whether it needs several roles is judged on it, not on an edit)."""
    return [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in interrupts]


def split(
    interrupts: Sequence[Mapping[str, Any]],
    answers: Sequence[Mapping[str, Any]],
    taken: Mapping[int, Any],
    rules: Sequence[ApprovalRule],
    tools: ToolPolicy,
    facts: Mapping[str, Any] | None,
    standing: Callable[[int, Mapping[str, Any]], tuple[bool, str]],
) -> Part:
    """The reviewer's part of a shared plan: positions already answered by others are not theirs to answer.
    ``standing(position, answer)`` is the authorization point's word (allowed, why) on the reviewer giving that
    answer: a rejection without it, or an edit, refuses the whole part; an approval without it is left for others."""
    mine: dict[int, dict[str, Any]] = {}
    left: list[int] = []
    for position, (interrupt, answer) in enumerate(zip(interrupts, answers, strict=True)):
        if position in taken:
            continue
        allowed, why = standing(position, answer)
        if not approves(answer):
            if not allowed:  # only a reviewer of this decision may say no
                raise ForbiddenError(why)
            mine[position] = dict(answer)
            continue
        if allowed:
            mine[position] = dict(answer)
            continue
        action = final_action(interrupt, answer)
        if answer.get("type") == "edit":  # an edit is approved by whoever makes it, never left for others
            raise ForbiddenError(f"this edit is refused: {why}")
        if not roles_for(action, rules, tools, facts):
            raise ForbiddenError(f"no role may approve {action['tool']} as given")
        left.append(position)
    return Part(mine, left)


def prospective(
    interrupts: Sequence[Mapping[str, Any]],
    signed: Sequence[Mapping[str, Any]],
    answers: Mapping[int, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The plan as it would run if every action still open were approved as proposed: each position's answer is
    the reviewer's own (``answers``), else a stored sign-off's, else an approval. The guard judges a part in it,
    so a reply stating a refund is checked with the refund before it, whoever signs first."""
    given = {int(p): a for s in signed for p, a in (s.get("answers") or {}).items() if str(p).isdigit()}
    plan = []
    for position, interrupt in enumerate(interrupts):
        answer = answers.get(position) or given.get(position) or {"type": "accept"}
        if approves(answer):
            plan.append(final_action(interrupt, answer))
    return plan


def sign_off(
    home: Path, decision_id: str, actions_hash: str, reviewer: str, role: str, answers: Mapping[int, Any]
) -> dict[str, Any]:
    """A sign-off: the reviewer's answers by position, signed with the platform key for this decision only."""
    body = {
        "decision_id": decision_id,
        "actions_hash": actions_hash,
        "reviewer": reviewer,
        "role": role,
        "answers": {str(p): dict(a) for p, a in sorted(answers.items())},
        "at": utc_now(),
    }
    body = json.loads(json.dumps(body, default=str))
    return {**body, "signature": sign(platform_key(home), body)}


def genuine(home: Path, signoff: Any, decision_id: str, actions_hash: str) -> bool:
    """Whether a sign-off is one the platform signed for this decision and these actions."""
    if not isinstance(signoff, Mapping) or not isinstance(signoff.get("answers"), Mapping):
        return False
    if signoff.get("decision_id") != decision_id or signoff.get("actions_hash") != actions_hash:
        return False
    try:
        return signed(platform_key(home), dict(signoff))
    except (OSError, ValueError):
        return False


def combined(
    home: Path, signoffs: Sequence[Mapping[str, Any]], decision_id: str, actions_hash: str, count: int
) -> tuple[list[dict[str, Any]], list[str]] | None:
    """Every action's answer and signer from genuine, non-overlapping sign-offs covering the whole plan; None
    otherwise (fails closed: one bad sign-off refuses the whole plan)."""
    responses: dict[int, dict[str, Any]] = {}
    signers: dict[int, str] = {}
    for signoff in signoffs:
        if not genuine(home, signoff, decision_id, actions_hash):
            return None
        for key, answer in signoff["answers"].items():
            position = int(key) if str(key).isdigit() else -1
            if position in responses or not 0 <= position < count or not isinstance(answer, Mapping):
                return None
            responses[position], signers[position] = dict(answer), str(signoff.get("reviewer"))
    if len(responses) != count:
        return None
    return [responses[p] for p in range(count)], [signers[p] for p in range(count)]


# -- the store's side -------------------------------------------------------------------------------------------
def signoffs(store: RunStore, decision_id: str) -> list[dict[str, Any]]:
    rows = store.read().execute(
        "SELECT signoff FROM decision_signoffs WHERE decision_id = ? ORDER BY at, reviewer", (decision_id,)
    )
    return [json.loads(r[0]) for r in rows]


def taken_by(parts: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Position -> who answered it, over the sign-offs so far."""
    return {int(p): str(s.get("reviewer")) for s in parts for p in (s.get("answers") or {})}


def record(
    store: RunStore,
    decision: Decision,
    signoff: Mapping[str, Any],
    complete: Callable[[list[dict[str, Any]]], dict[str, Any] | None],
) -> tuple[list[dict[str, Any]], Decision | None]:
    """Add a sign-off, atomically: refused when the decision is no longer pending or an action it answers was
    answered meanwhile; the same reviewer's same part again changes nothing. ``complete`` gets every sign-off and
    returns the decision's response when they cover the plan: the decision is then claimed in the same
    transaction. Returns the sign-offs and the decided decision (None while others still have to sign)."""
    reviewer, answers = str(signoff["reviewer"]), dict(signoff["answers"])
    with store.transaction() as db:
        row = db.execute("SELECT status, decided_by FROM decisions WHERE decision_id = ?", (decision.decision_id,))
        status, decided_by = row.fetchone()
        if status != "pending":
            raise ConflictError(f"decision {decision.decision_id} was already decided by {decided_by}")
        rows = db.execute("SELECT signoff FROM decision_signoffs WHERE decision_id = ?", (decision.decision_id,))
        parts = [json.loads(r[0]) for r in rows]
        mine = next((p for p in parts if p.get("reviewer") == reviewer), None)
        if mine is not None:
            if mine["answers"] != answers:
                raise ConflictError(f"{reviewer} already signed a part of decision {decision.decision_id}")
            return parts, None  # idempotent: the same part again
        two_people(store, reviewer, {str(p.get("reviewer")) for p in parts})
        taken = taken_by(parts)
        if clash := sorted(int(p) for p in answers if int(p) in taken):
            who = ", ".join(f"action {p + 1} by {taken[p]}" for p in clash)
            raise ConflictError(f"decision {decision.decision_id}: already signed meanwhile ({who})")
        db.execute(
            "INSERT INTO decision_signoffs (decision_id, reviewer, role, at, signoff) VALUES (?, ?, ?, ?, ?)",
            (decision.decision_id, reviewer, signoff["role"], signoff["at"], json.dumps(signoff, sort_keys=True)),
        )
        parts.append(dict(signoff))
        response = complete(parts)
        if response is None:
            return parts, None
        db.execute(
            "UPDATE decisions SET status = 'decided', decided_by = ?, reviewer_role = ?, decided_at = ?, response = ?"
            " WHERE decision_id = ? AND status = 'pending'",
            (
                response["reviewer"],
                response["role"],
                utc_now(),
                json.dumps(response, default=str),
                decision.decision_id,
            ),
        )
        store.record_decision(db, decision.decision_id)
    return parts, store.get_decision(decision.decision_id)


def two_people(store: RunStore, reviewer: str, others: set[str]) -> None:
    """ForbiddenError when ``reviewer`` and a signer in ``others`` are not two people (one person's two accounts,
    or an account one of them created). A roster without accounts (``reviewers.json``) names people directly."""
    accounts = Accounts(store)
    if accounts.count() == 0:
        return
    for other in sorted(others - {reviewer}):
        if reason := accounts.not_two_people(reviewer, other):
            raise ForbiddenError(f"{reviewer} may not co-approve with {other}: {reason}; co-approval needs two people")


def check_hand_off(decision: Decision, *, to: str, reason: str, roster: Mapping[str, str]) -> None:
    """A hand-off's shape: the decision still pending, a target of ``roster`` (a reviewer or a role; a typo would
    hand it to nobody) and a reason."""
    if decision.status != "pending":
        raise ConflictError(f"decision {decision.decision_id} was already decided by {decision.decided_by}")
    if not to.strip():
        raise ValidationError("say whom the decision is handed to (a role or a reviewer)")
    if to.strip() not in {*roster, *roster.values()}:
        raise ValidationError(
            f"cannot hand off to {to.strip()!r}: not a role or a reviewer (roles: "
            f"{', '.join(sorted(set(roster.values())))}; reviewers: {', '.join(sorted(roster))})"
        )
    if not reason.strip():
        raise ValidationError("a hand-off needs a reason (--reason)")


def hand_off(
    store: RunStore, decision: Decision, *, by: str, role: str, to: str, reason: str, roster: Mapping[str, str]
) -> dict[str, Any]:
    """Pass a pending decision on to a role or a person of ``roster`` (name -> role), with a reason (recorded and
    audited). Who may hand it off, and to whom, is the authorization point's to say first
    (:func:`ai_missions.services.review.hand_off` asks it, then calls this)."""
    check_hand_off(decision, to=to, reason=reason, roster=roster)
    entry = {"by": by, "role": role, "to": to.strip(), "reason": reason.strip(), "at": utc_now()}
    with store.transaction() as db:
        db.execute(
            "INSERT INTO decision_handoffs (decision_id, at, by_reviewer, to_whom, reason) VALUES (?, ?, ?, ?, ?)",
            (decision.decision_id, entry["at"], by, entry["to"], entry["reason"]),
        )
    store.append_events(
        decision.run_id,
        [
            {
                "kind": "handoff",
                "node": "decision_queue",
                "source": "reviewer",
                "actor": f"{by} ({role})",
                "summary": f"Decision {decision.decision_id} handed to {entry['to']} by {by}: {entry['reason']}",
                "data": {"decision_id": decision.decision_id, **entry},
            }
        ],
    )
    return entry


def handed_to(store: RunStore, decision_id: str) -> dict[str, Any] | None:
    """The decision's latest hand-off, if any."""
    row = (
        store.read()
        .execute(
            "SELECT at, by_reviewer, to_whom, reason FROM decision_handoffs WHERE decision_id = ?"
            " ORDER BY at DESC LIMIT 1",  # no rowid: Postgres has none
            (decision_id,),
        )
        .fetchone()
    )
    return None if row is None else {"at": row[0], "by": row[1], "to": row[2], "reason": row[3]}
