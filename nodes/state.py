"""The mission state: a TypedDict whose list fields accumulate through reducers."""

from __future__ import annotations

import operator
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, NotRequired

from typing_extensions import TypedDict


class Observation(TypedDict):
    """One finding on the Explain rail."""

    at: str  # ISO-8601 UTC timestamp
    node: str
    source: str  # a system ("erp"...), a policy ("policy:PAY-001@3"), or "mission"
    finding: str  # one line for a person
    data: dict[str, Any]


class ProposedAction(TypedDict):
    """A state-changing action the mission proposes."""

    tool: str
    args: dict[str, Any]
    why: str
    policy_ids: list[str]  # "PAY-001@3" style citations
    tier: Literal["auto", "review"]
    #: The action tier it was placed at, when the mission has tiers (observe, recommend, automate, escalate).
    action_tier: NotRequired[str]
    #: Why it moved up from its tier in force (low confidence, a conflict, the money it moves).
    tier_reasons: NotRequired[list[str]]


class Verdict(TypedDict):
    #: One of the mission's outcomes (``escalate`` always among them).
    outcome: str
    actions: list[ProposedAction]
    confidence: float
    summary: str
    policy_ids: list[str]
    reasoner: str


class ActionResult(TypedDict):
    index: int
    tool: str
    args: dict[str, Any]
    status: Literal["done", "failed", "skipped", "rejected", "unknown"]
    detail: str
    result: NotRequired[dict[str, Any] | None]
    idempotency_key: NotRequired[str]
    #: An automatic note: written as ``proposed``, ``interim`` (composed; the proposed one waits for the decision),
    #: ``after_decision`` or ``update`` (:mod:`ai_missions.nodes.notes`).
    automatic: NotRequired[str]


class PolicyRef(TypedDict):
    policy_id: str
    version: int
    title: str
    domain: str
    sections: list[str]
    text: str


class MissionState(TypedDict, total=False):
    """State of one mission run (one thread)."""

    subject_id: str  # the order, invoice, ticket... the run works on
    trigger: dict[str, Any]
    gathered: dict[str, Any]  # raw structured results per read, keyed "system.tool"
    facts: dict[str, Any]
    customer_text: list[str]  # free text from customers, vendors, tickets, notes: data, never instructions
    policies: list[PolicyRef]
    proposal: Verdict  # what the reasoner proposed
    verdict: Verdict  # after the guard
    decision: dict[str, Any]  # the reviewer's response, once decided
    refused: str | None  # why the last answer to the decision decided nothing (no standing): asked again with it
    observations: Annotated[list[Observation], operator.add]
    results: Annotated[list[ActionResult], operator.add]
    usage: dict[str, Any]  # LLM calls and tokens, when an LLM reasoned
    status: str
    state_seal: str  # the platform's seal of what the last step left (:mod:`ai_missions.nodes.trust`)
    sealed_by: str  # the step that left it
    verdict_seal: dict[str, str]  # the step that made the verdict, and its seal of it


#: A graph node: ``async (state, runtime) -> update`` (typed loosely: LangGraph matches node signatures itself).
Node = Callable[..., Awaitable[dict[str, Any]]]
