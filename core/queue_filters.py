"""Decision Queue filters, the same for the CLI (``missions queue --type --min-amount --max-amount
--can-approve``) and the dashboard: by case type, by the money the plan moves, and "I can approve" (the signed-in
account's role may approve what is still open: the whole plan, or its part of a plan that needs several roles).

"I can approve" reads the approval rules without the case's facts (the queue does not open every run's
checkpoint): a conditional rule that narrows a role (a fraud hold on a large order: an ops lead only) is checked
again, with the facts, when the reviewer decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ai_missions.coapproval import shared_plan, signoffs, taken_by
from ai_missions.governance import approval_problems
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.missions import get_mission
from ai_missions.store import Decision, RunStore

#: How many pending decisions a filtered queue reads at a time.
BATCH = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    case_type: str | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    #: The role whose approvals count for "I can approve" (the signed-in account's), or None for everyone's.
    role: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.case_type, self.min_amount, self.max_amount, self.role))


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


def can_approve(store: RunStore, decision: Decision, role: str, rules: Sequence[ApprovalRule]) -> bool:
    """Whether ``role`` may approve what is still open: all of it, or its part of a plan needing several roles."""
    tools = get_mission(decision.mission).tools
    actions = plan_actions(decision)
    taken = taken_by(signoffs(store, decision.decision_id))
    open_ = [a for p, a in enumerate(actions) if p not in taken]
    if not open_:
        return False
    if not approval_problems(role, open_, rules, tools):
        return True
    return shared_plan(actions, rules, tools) and any(not approval_problems(role, [a], rules, tools) for a in open_)


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
    return wanted.role is None or can_approve(store, decision, wanted.role, rules)


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
