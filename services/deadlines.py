"""When a decision is due, from the policies' text of record (their ``deadlines``), for every decision of every mission.

A policy states how fast the decisions on the cases it governs are due (GOV-005 for the order exceptions; each
mission's own policies for the rest) in its front matter, beside the prose that says the same::

    deadlines:
      - {case_types: [payment_review], hours: 24}
      - {case_types: [auth_expiring], before: payment.auth_expires_in_hours, ahead_hours: 4, hours: 24}
    deadline_factors:
      - {when: {fact: order.channel, op: eq, value: marketplace}, factor: 0.5}

A decision is due by the earliest deadline any applicable entry gives, each scaled by its own policy's factors whose
condition the case's facts meet (marketplace orders get half the times). An entry with ``before`` never dates a
decision after what it protects expires: an authorization expiring in 2.7 hours is due in 2.7 hours, not in the 4
hours the margin would want (then "at least 4 hours ahead" cannot be kept, and the expiry itself is the deadline).
The times count from the case being found (the run's start; the facts were read then). The indexed policies are read
(the index's manifest, as deciding reads the approval rules): an edited policy file changes nothing until the index
is rebuilt from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import MissionSpec, all_case_types, fact_number, governing_missions
from ai_missions.knowledge_index.clauses import EVERY_CASE, Deadline, evaluate
from ai_missions.knowledge_index.policies import Policy

#: Hours in a unit a ``before`` fact counts in.
HOURS_IN = {"hours": 1.0, "days": 24.0}


@cache
def _governs(path: str, applies_to: tuple[str, ...]) -> frozenset[str]:
    """The missions a policy governs: its folder's mission, or the missions of the case types it applies to."""
    types = all_case_types() if EVERY_CASE in applies_to else applies_to
    return frozenset(m.name for m in governing_missions(types, Path(path)))


def entry_hours(deadline: Deadline, facts: Mapping[str, Any]) -> float | None:
    """Hours from the case being found to the deadline one entry gives (None: it gives none for these facts: what
    it protects already expired, and it sets no hours of its own)."""
    found = [deadline.hours] if deadline.hours is not None else []
    if deadline.before is not None and (left := fact_number(facts.get(deadline.before))) is not None:
        left *= HOURS_IN[deadline.before_unit]
        if left > 0:  # the margin ahead when it can still be kept, else the expiry itself
            found.append(left - deadline.ahead_hours if left > deadline.ahead_hours else left)
    return min(found) if found else None


def applies(policy: Policy, deadline: Deadline, mission: str, case_types: Sequence[str]) -> bool:
    """Whether a policy's deadline entry governs a decision of ``mission`` on a case of these types."""
    if mission not in _governs(str(policy.path), tuple(policy.applies_to)):
        return False
    return EVERY_CASE in deadline.case_types or bool(set(deadline.case_types) & set(case_types))


def due_in_hours(
    spec: MissionSpec, case_types: Sequence[str], facts: Mapping[str, Any], policies: Iterable[Policy]
) -> float | None:
    """Hours from the case being found until its decision is due, by the policies' deadlines (None: no policy
    gives one)."""
    found: list[float] = []
    for policy in policies:
        factor = 1.0
        for scale in policy.deadline_factors:
            if evaluate(scale.when, facts) is True:
                factor *= scale.factor
        for deadline in policy.deadlines:
            if not applies(policy, deadline, spec.name, case_types):
                continue
            if deadline.when is not None and evaluate(deadline.when, facts) is False:
                continue
            if (hours := entry_hours(deadline, facts)) is not None:
                found.append(hours * factor)
    return min(found) if found else None


def due_at(
    spec: MissionSpec, started: datetime, case_types: Sequence[str], facts: Mapping[str, Any], knowledge: Any
) -> datetime | None:
    """When a case found at ``started`` must be decided, by the indexed policies of ``knowledge`` (None when no
    deadline applies, or the index cannot be read)."""
    try:
        policies = knowledge.policies()
    except (MissionsError, OSError):  # no index (before `missions knowledge build`): the queue lists it undated
        return None
    hours = due_in_hours(spec, case_types, facts, policies)
    return started + timedelta(hours=hours) if hours is not None else None
