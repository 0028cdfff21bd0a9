"""Decision Queue filters, the same for the CLI (``missions queue --type --min-amount --max-amount
--can-approve``) and the dashboard: by case type, by the money the plan moves, "I can approve" (the signed-in
account may approve what is still open: the whole plan, or its part of a plan that needs several roles) and, for a
signed-in viewer, only the decisions they may see.

Both questions are the authorization point's (:mod:`ai_missions.services.authorization`), asked with the case's facts as
the gather step recorded them, so "I can approve" is what ``decide --approve`` would say (an account owner's queue
lists their own accounts' decisions, not every owner's).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services import authorization

#: How many pending decisions a filtered queue reads at a time.
BATCH = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    case_type: str | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    #: The account whose approvals count for "I can approve" (the signed-in one), or None for everyone's.
    approver: authorization.Identity | None = None
    #: The account whose sight limits the queue (the signed-in one): only the decisions it may see.
    viewer: authorization.Identity | None = None

    @property
    def active(self) -> bool:
        return any(
            v is not None for v in (self.case_type, self.min_amount, self.max_amount, self.approver, self.viewer)
        )


def plan_actions(decision: Decision) -> list[dict[str, Any]]:
    return [
        {"tool": i["action_request"]["action"], "args": i["action_request"]["args"]}
        for i in decision.request.get("interrupts", [])
    ]


def plan_amount(decision: Decision) -> float | None:
    """The largest sum of money one of the plan's actions moves (None when none moves money)."""
    tools = get_mission(decision.mission).tools
    amounts = [a for action in plan_actions(decision) if (a := tools.amount_of(action)) is not None]
    return max(amounts) if amounts else None


def can_approve(
    store: RunStore, decision: Decision, who: authorization.Identity, rules: Sequence[ApprovalRule]
) -> bool:
    """Whether ``who`` may approve what is still open: all of it, or their part of a plan needing several roles."""
    return authorization.may_approve(who, authorization.decision_resource(store, decision, rules))


def matches(
    store: RunStore, decision: Decision, run: dict[str, Any], wanted: QueueFilter, rules: Sequence[ApprovalRule]
) -> bool:
    if wanted.case_type is not None and wanted.case_type not in (run.get("case_types") or []):
        return False
    if wanted.min_amount is not None or wanted.max_amount is not None:
        amount = plan_amount(decision)
        if amount is None:
            return False
        if wanted.min_amount is not None and amount < wanted.min_amount:
            return False
        if wanted.max_amount is not None and amount > wanted.max_amount:
            return False
    if wanted.approver is None and wanted.viewer is None:
        return True
    case = authorization.decision_resource(store, decision, rules)
    if wanted.viewer is not None and not authorization.answer(wanted.viewer, "see", case):
        return False
    return wanted.approver is None or authorization.may_approve(wanted.approver, case)


def filtered(
    store: RunStore, wanted: QueueFilter, rules: Sequence[ApprovalRule], *, mission: str | None = None
) -> Iterator[Decision]:
    """Pending decisions in queue order (GOV-005) that pass the filter."""
    offset = 0
    while batch := store.pending_decisions(mission=mission, limit=BATCH, offset=offset):
        for decision in batch:
            if matches(store, decision, store.get_run(decision.run_id), wanted, rules):
                yield decision
        offset += len(batch)


def pending(
    store: RunStore,
    wanted: QueueFilter,
    rules: Sequence[ApprovalRule],
    *,
    mission: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Decision], int]:
    """One page of the filtered queue and how many pass the filter in all."""
    if not wanted.active:
        return store.pending_decisions(mission=mission, limit=limit, offset=offset), store.count_pending(
            mission=mission
        )
    everything = list(filtered(store, wanted, rules, mission=mission))
    return everything[offset : offset + limit], len(everything)
