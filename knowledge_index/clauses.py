"""Machine-checkable policy clauses: conditions on facts, the actions they call for, and who may approve.

A policy's front matter carries ``clauses`` (and, for the approval policy, ``approval_rules``). The offline
reasoner evaluates them against the facts a mission gathered; an LLM reads the same policy in prose.

Conditions are three-valued: a leaf on an unknown fact (absent or ``None``) is ``None`` ("undetermined"), and
``all`` / ``any`` / ``not`` follow Kleene logic, so a reasoner can tell "does not apply" from "cannot tell".

Example::

    clauses:
      - id: release-benign-address-change
        when:
          all:
            - {fact: payment.fraud_only_address_change, op: eq, value: true}
            - {fact: customer.tenure_years, op: gte, value: 2}
        then:
          outcome: proceed
          actions:
            - {tool: release_payment_hold, args: {order_id: "{order.id}"}, tier: review}
        priority: 60
        overrides: [hold-high-fraud]

An action may carry its own ``when`` (``{fact: stock.quarantined, op: eq, value: false}``): the clause still decides
the case, and that action is left out where the condition is false (already done there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ai_missions.kernel.missions import all_facts, all_outcomes, all_tool_rules

Operator = Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "exists", "missing"]
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Leaf(_Strict):
    fact: str
    op: Operator
    value: Any = None

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, fact: str) -> str:
        if fact not in all_facts():
            raise ValueError(f"unknown fact {fact!r}")
        return fact


class AllOf(_Strict):
    all: list[Condition]


class AnyOf(_Strict):
    any: list[Condition]


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


Condition = Leaf | AllOf | AnyOf | NotOf


class ClauseAction(_Strict):
    """An action a clause calls for. ``args`` values may hold ``{fact.name}`` placeholders."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    #: ``auto``: the policy allows it to run without a reviewer; ``review``: it waits in the Decision Queue.
    tier: Literal["auto", "review"] = "review"
    why: str = ""
    #: Called for only where this also holds (a quarantine only where the stock is not quarantined already): the
    #: clause decides the case, this one action of it may already be done. Unknown facts leave it in (the system
    #: refuses what is truly a repeat).
    when: Condition | None = None

    @field_validator("tool")
    @classmethod
    def _known_write_tool(cls, tool: str) -> str:
        if tool not in all_tool_rules():
            raise ValueError(f"unknown tool {tool!r}: clauses call for the state-changing actions of a mission")
        return tool

    @model_validator(mode="after")
    def _known_placeholders(self) -> ClauseAction:
        facts = all_facts()
        for value in self.args.values():
            for name in PLACEHOLDER.findall(str(value)):
                if name not in facts:
                    raise ValueError(f"argument placeholder {{{name}}} is not a known fact")
        return self


class Consequence(_Strict):
    outcome: str
    actions: list[ClauseAction] = Field(default_factory=list)

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, outcome: str) -> str:
        if outcome not in all_outcomes():
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(all_outcomes())}")
        return outcome


class Clause(_Strict):
    id: str
    when: Condition
    then: Consequence
    #: Higher wins when matched clauses disagree and neither overrides the other.
    priority: int = 50
    #: Clause ids (``policy-id/clause-id`` or a bare clause id of the same policy) this clause takes precedence over.
    overrides: list[str] = Field(default_factory=list)
    summary: str = ""


class ApprovalRule(_Strict):
    """Who may approve an action: roles, and for money-moving tools an amount ceiling per role.

    A rule with ``when`` (a condition on the case's facts) applies to the cases that meet it and then *replaces*
    the unconditional rules for its tools: "a fraud-hold release on a high-risk or high-value order needs an ops
    lead". Where the facts are not at hand (a pre-check below the UI) it is left to the graph's re-check, which has
    them; an undetermined condition counts as met (fails closed).
    """

    tools: list[str]
    roles: list[str]
    max_amount: float | None = None
    when: Condition | None = None
    #: A fact naming the one reviewer who may approve (an account's owner, say): holding a role is then not
    #: enough, the reviewer must also be the person the case's fact names (``governance.ownership_problems``).
    approver_fact: str | None = None
    #: A fact naming who decides in the place of the person ``approver_fact`` names while that person is marked away
    #: (:mod:`ai_missions.services.absence`): ACC-001's "when the owner is away, their manager decides". Without one,
    #: nobody may approve while they are away. Left out of the rule's dump when unset, so the digest of rules of
    #: record that never had one stays what it was.
    stand_in_fact: str | None = Field(default=None, exclude_if=lambda fact: fact is None)

    @field_validator("approver_fact", "stand_in_fact")
    @classmethod
    def _known_approver_fact(cls, fact: str | None) -> str | None:
        if fact is not None and fact not in all_facts():
            raise ValueError(f"unknown fact {fact!r}")
        return fact

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, tools: list[str]) -> list[str]:
        known = all_tool_rules()
        unknown = [t for t in tools if t != "*" and t not in known]
        if unknown:
            raise ValueError(f"unknown tools {unknown}")
        return tools


def condition_facts(condition: Condition) -> set[str]:
    """The facts a condition reads."""
    if isinstance(condition, Leaf):
        return {condition.fact}
    parts = condition.all if isinstance(condition, AllOf) else condition.any if isinstance(condition, AnyOf) else []
    parts = [condition.not_] if isinstance(condition, NotOf) else parts
    return set().union(*(condition_facts(c) for c in parts))


def clause_facts(clause: Clause) -> set[str]:
    """The facts a clause decides on: its condition's, its actions' conditions' and the facts its arguments name."""
    found = condition_facts(clause.when)
    for action in clause.then.actions:
        found |= condition_facts(action.when) if action.when is not None else set()
        for value in action.args.values():
            found |= set(PLACEHOLDER.findall(str(value)))
    return found


#: A deadline's ``case_types`` value meaning every case type of the missions its policy governs.
EVERY_CASE = "all"


class Deadline(_Strict):
    """How fast a decision on cases of some types is due, as a policy states it (its ``deadlines``): within
    ``hours`` of the case being found, and, with ``before``, before what the decision protects expires (a fact
    giving the time left, in ``before_unit``), ``ahead_hours`` ahead when that can still be kept, else by the expiry
    itself. ``when``: only for cases whose facts meet it (an unknown fact counts as met: the earlier deadline)."""

    case_types: list[str]
    hours: float | None = Field(default=None, gt=0)
    before: str | None = None
    before_unit: Literal["hours", "days"] = "hours"
    ahead_hours: float = Field(default=0, ge=0)
    when: Condition | None = None

    @field_validator("before")
    @classmethod
    def _known_before(cls, fact: str | None) -> str | None:
        if fact is not None and fact not in all_facts():
            raise ValueError(f"unknown fact {fact!r}")
        return fact

    @model_validator(mode="after")
    def _says_how_fast(self) -> Deadline:
        if self.hours is None and self.before is None:
            raise ValueError("a deadline gives hours, or the fact it must come before, or both")
        if not self.case_types:
            raise ValueError(f"a deadline names the case types it governs (or {EVERY_CASE!r})")
        return self


class DeadlineFactor(_Strict):
    """Scales the deadlines of its own policy for cases whose facts meet ``when`` ("Marketplace orders get half of
    these times": ``factor: 0.5``). An unknown fact leaves the times as they are."""

    when: Condition
    factor: float = Field(gt=0, le=1)


def evaluate(condition: Condition, facts: Mapping[str, Any]) -> bool | None:
    """Evaluate a condition against facts: True, False, or None when it depends on an unknown fact."""
    if isinstance(condition, Leaf):
        return _leaf(condition, facts)
    if isinstance(condition, NotOf):
        inner = evaluate(condition.not_, facts)
        return None if inner is None else not inner
    results = [evaluate(c, facts) for c in (condition.all if isinstance(condition, AllOf) else condition.any)]
    if isinstance(condition, AllOf):
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _leaf(leaf: Leaf, facts: Mapping[str, Any]) -> bool | None:
    value = facts.get(leaf.fact)
    if leaf.op == "exists":
        return value is not None
    if leaf.op == "missing":
        return value is None
    if value is None:
        return None
    target = leaf.value
    try:
        match leaf.op:
            case "eq":
                return bool(value == target)
            case "ne":
                return bool(value != target)
            case "lt":
                return bool(value < target)
            case "lte":
                return bool(value <= target)
            case "gt":
                return bool(value > target)
            case "gte":
                return bool(value >= target)
            case "in":
                return value in target
            case "not_in":
                return value not in target
            case "contains":
                return target in value
    except TypeError:
        return None
    raise AssertionError(leaf.op)


def fill_arguments(args: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any] | None:
    """Fill ``{fact}`` placeholders. A whole-value placeholder keeps the fact's type; None if a fact is unknown."""
    filled: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, str) and (names := PLACEHOLDER.findall(value)):
            if any(facts.get(n) is None for n in names):
                return None
            whole = PLACEHOLDER.fullmatch(value)
            filled[key] = facts[whole.group(1)] if whole else PLACEHOLDER.sub(lambda m: str(facts[m.group(1)]), value)
        else:
            filled[key] = value
    return filled
