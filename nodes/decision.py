"""A case decided from its facts, as the graph's reason (offline) and validate steps decide it: the offline
reasoner's proposal over the policies that apply to the case types, then the guard. The graph's steps call the same
two functions (:func:`~ai_missions.nodes.offline_reasoner.reason` and :func:`~ai_missions.nodes.guard.guard`); a
mission's recorded decider calls :func:`decide` after its own gather step, so a recorded case is decided by the
mission's one gather and the platform's one reasoner and guard, never by a copy beside the graph.

The guard checks each action's arguments against its tool's schema from the systems' checked-in contracts, as the
graph's guard does against what the servers list. Retrieval is the one part it leaves out (the ``recorded``
environment runs a recorded case through the graph itself, retrieval included: :mod:`ai_missions.evals.recorded`):
Enterprise Knowledge's search ranks and caps the sections per case type, where a recorded case is decided on every
policy of the mission that applies to its types (what the search filters on), read from the mission's own policy
files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.contracts import contract
from ai_missions.kernel.missions import MissionSpec
from ai_missions.knowledge_index.policies import Policy, parse_policy
from ai_missions.nodes.guard import fail_closed, guard
from ai_missions.nodes.offline_reasoner import reason
from ai_missions.nodes.state import Verdict


@cache
def _policies_in(folder: Path) -> tuple[Policy, ...]:
    return tuple(parse_policy(p) for p in sorted(folder.glob("*.md")))


def mission_policies(spec: MissionSpec) -> tuple[Policy, ...]:
    """The mission's own policies, parsed from its policy files (read once a process)."""
    return _policies_in(Path(spec.policies)) if spec.policies is not None else ()


def policies_for(spec: MissionSpec, case_types: Sequence[str]) -> list[Policy]:
    """The mission's policies that apply to any of the case types (what retrieval filters on)."""
    return [p for p in mission_policies(spec) if any(p.applies(t) for t in case_types)]


def decide(spec: MissionSpec, facts: Mapping[str, Any], *, untrusted: Sequence[str] = ()) -> tuple[Verdict, list[str]]:
    """The verdict on these facts and the guard's problems with the proposal (an escalation when there are any).
    ``untrusted``: the text the gather step read from outside the company (the state's ``customer_text``), which
    no argument may repeat."""
    policies = policies_for(spec, facts.get(spec.vocabulary.types_fact) or [])
    proposal = fail_closed(spec, reason(spec, policies, facts), facts, policies)
    return guard(spec, proposal, facts, schemas=tool_schemas(spec.systems), untrusted=untrusted)


@cache
def tool_schemas(systems: tuple[str, ...]) -> dict[str, Mapping[str, Any]]:
    """The input schemas of the systems' tools, from their checked-in contracts (what their servers list): the
    guard's schema check on a recorded case's proposal, as on a served one's."""
    return {t.name: t.input_schema for system in systems for t in contract(system).tools if t.input_schema}
