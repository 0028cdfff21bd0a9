"""The offline reasoner: evaluates policies' machine-checkable clauses against the gathered facts.

Rules, applied to every clause of the retrieved policies at once (so every facet of a combined exception is
weighed together):

1. A clause *matches* when its condition is True, is *undetermined* when it depends on an unknown fact.
2. A matched clause named in another matched clause's ``overrides`` drops out.
3. The highest remaining priority decides the outcome; matched clauses at that priority that disagree are a
   conflict, and the mission escalates; an ``escalate`` among them wins as it stands.
4. An undetermined clause at or above that priority that would change the outcome means a missing fact: escalate.
5. Every exception type must be resolved by a matched clause (scoped to it by ``exception.types contains``, or
   else by its policy's ``applies_to``); otherwise escalate.
6. Actions come from the matched clauses. With an outcome that goes ahead (``proceed``, ``approve``...) every
   matched clause's actions apply; otherwise actions that move the case forward (release, confirm, capture,
   pay...) are dropped and remedial ones (refund, void, cancel, holds, notes) are kept. They run in the
   mission's execution order (its tool policy's phases).
7. A case in several parts (the ``parts`` fact, :mod:`ai_missions.nodes.parts`) is decided part by part with these
   rules, each on its part's facts, and the parts' verdicts combined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ai_missions.kernel.missions import ESCALATE, MissionSpec
from ai_missions.knowledge_index.clauses import AllOf, AnyOf, Clause, Condition, Leaf, NotOf, evaluate, fill_arguments
from ai_missions.nodes.parts import combine, has_parts, joined, parts_of
from ai_missions.nodes.state import ProposedAction, Verdict


class PolicyLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def applies_to(self) -> Sequence[str]: ...
    @property
    def clauses(self) -> Sequence[Clause]: ...


@dataclass(frozen=True, slots=True)
class ClauseResult:
    policy: str  # "PAY-001@3"
    policy_id: str
    clause: Clause
    value: bool | None
    applies_to: frozenset[str]
    types_fact: str = "exception.types"

    @property
    def resolves(self) -> set[str]:
        """Case types this clause settles: its explicit scope, else its policy's ``applies_to``."""
        return scoped_types(self.clause.when, self.types_fact) or set(self.applies_to - {"all"})

    @property
    def key(self) -> str:
        return f"{self.policy_id}/{self.clause.id}"


def cite(policy: PolicyLike) -> str:
    return f"{policy.id}@{policy.version}"


def evaluate_clauses(
    policies: Iterable[PolicyLike], facts: Mapping[str, Any], types_fact: str = "exception.types"
) -> list[ClauseResult]:
    """Every clause of every policy, evaluated against the facts."""
    return [
        ClauseResult(cite(p), p.id, clause, evaluate(clause.when, facts), frozenset(p.applies_to), types_fact)
        for p in policies
        for clause in p.clauses
    ]


def scoped_types(condition: Condition, types_fact: str = "exception.types") -> set[str]:
    """Case types a condition requires through ``<types fact> contains X`` (positively)."""
    if isinstance(condition, Leaf):
        if condition.fact == types_fact and condition.op == "contains":
            return {str(condition.value)}
        if condition.fact == types_fact and condition.op == "in" and isinstance(condition.value, list):
            return {str(v) for v in condition.value}
        return set()
    if isinstance(condition, NotOf):
        return set()
    parts = [scoped_types(c, types_fact) for c in (condition.all if isinstance(condition, AllOf) else condition.any)]
    if isinstance(condition, AnyOf):
        return set().union(*parts) if all(parts) else set()
    return set().union(*parts)


def _escalate(summary: str, cited: list[str], confidence: float = 0.5) -> Verdict:
    return Verdict(
        outcome=ESCALATE,
        actions=[],
        confidence=confidence,
        summary=summary,
        policy_ids=sorted(set(cited)),
        reasoner="offline",
    )


def reason(spec: MissionSpec, policies: Sequence[PolicyLike], facts: Mapping[str, Any]) -> Verdict:
    """Decide what the policies say about these facts."""
    return decide(spec, policies, facts)[0]


def decide(spec: MissionSpec, policies: Sequence[PolicyLike], facts: Mapping[str, Any]) -> tuple[Verdict, list[str]]:
    """The verdict, and the clauses (``PAY-001/hold-high-risk``) it rests on: the escalating or conflicting
    clauses that decided an escalation; otherwise the live clauses that call for its outcome or gave it an
    action. An escalation because nothing resolves the case, or a fact is missing, rests on no clause. A case in
    parts: each part decided on its own facts, the verdicts combined, the clauses of every part."""
    if has_parts(facts):
        decided = [(part, decide(spec, policies, part)) for part in parts_of(facts)]
        keys = [k for _, (_, clauses) in decided for k in clauses]
        return combine(spec, [(part, verdict) for part, (verdict, _) in decided]), list(dict.fromkeys(keys))
    results = evaluate_clauses(policies, facts, spec.vocabulary.types_fact)
    matched = [r for r in results if r.value is True]
    exception_types = list(facts.get(spec.vocabulary.types_fact) or [])
    if not exception_types:
        return _escalate(
            f"No exception detected on the {spec.subject.kind}: nothing for policy to resolve.", [], 0.6
        ), []

    overridden = {
        target if "/" in target else f"{r.policy_id}/{target}" for r in matched for target in r.clause.overrides
    }
    live = [r for r in matched if r.key not in overridden]
    if not live:
        return _escalate(_unresolved(exception_types, results, facts), []), []

    top = max(r.clause.priority for r in live)
    leaders = [r for r in live if r.clause.priority == top]
    if escalations := [r for r in leaders if r.clause.then.outcome == ESCALATE]:
        verdict = _escalate(joined(_why(r) for r in escalations), [r.policy for r in live], 0.8)
        return verdict, [r.key for r in escalations]
    outcomes = {r.clause.then.outcome for r in leaders}
    if len(outcomes) > 1:
        sides = "; ".join(f"{r.key} says {r.clause.then.outcome}" for r in leaders)
        return _escalate(f"Policies conflict at equal priority: {sides}.", [r.policy for r in leaders]), [
            r.key for r in leaders
        ]
    outcome = outcomes.pop()

    resolved = set().union(*(r.resolves for r in live))
    if unresolved := [t for t in exception_types if t not in resolved]:
        return _escalate(_unresolved(unresolved, results, facts), [r.policy for r in live], 0.55), []

    blockers = [
        r
        for r in results
        if r.value is None
        and r.key not in overridden
        and r.clause.priority >= top
        and r.clause.then.outcome != outcome
        and set(exception_types) & r.resolves
    ]
    if blockers:
        missing = sorted({f for r in blockers for f in _unknown_facts(r.clause.when, facts)})
        return _escalate(
            f"Cannot rule out {blockers[0].key} ({blockers[0].clause.then.outcome}): unknown {', '.join(missing)}.",
            [r.policy for r in live],
        ), []

    actions: list[ProposedAction] = []
    seen: set[tuple[str, str]] = set()
    acting: set[str] = set()
    for r in sorted(live, key=lambda r: -r.clause.priority):
        for wanted in r.clause.then.actions:
            if wanted.when is not None and evaluate(wanted.when, facts) is False:
                continue  # already done, or not called for here (the clause still decides the case)
            rule = spec.tools.get(wanted.tool)
            if outcome not in spec.vocabulary.advancing_outcomes and rule is not None and rule.advancing:
                continue
            filled = fill_arguments(wanted.args, facts)
            if filled is None:
                return _escalate(
                    f"{r.key} calls for {wanted.tool} but its arguments need facts that are unknown.",
                    [x.policy for x in live],
                ), []
            for args in _each_record(filled, rule.ids if rule is not None else {}):
                # one action per tool and key arguments: two clauses asking for a hold (or a message) on the same
                # order with different wording make one hold, not two stacked ones
                key_args = sorted((k, v) for k, v in args.items() if k not in spec.tools.free_text)
                identity = (wanted.tool, repr(key_args))
                if identity in seen:
                    continue
                seen.add(identity)
                acting.add(r.key)
                actions.append(
                    ProposedAction(
                        tool=wanted.tool, args=args, why=wanted.why or _why(r), policy_ids=[r.policy], tier=wanted.tier
                    )
                )

    actions = spec.tools.in_execution_order(actions)
    cited = sorted({r.policy for r in live})
    undetermined = sum(1 for r in results if r.value is None)
    confidence = round(max(0.5, 0.95 - 0.05 * undetermined - 0.05 * (len(exception_types) - 1)), 2)
    said = outcome.replace("_", " ").capitalize()  # "Approve with note: ..."
    summary = f"{said}: " + joined(_why(r) for r in sorted(live, key=lambda r: -r.clause.priority))
    verdict = Verdict(
        outcome=outcome, actions=actions, confidence=confidence, summary=summary, policy_ids=cited, reasoner="offline"
    )
    return verdict, [r.key for r in live if r.clause.then.outcome == outcome or r.key in acting]


def _each_record(args: dict[str, Any], ids: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One set of arguments per record when an identifier argument was filled with a list fact (every reservation
    of the order, not only one of them); otherwise the arguments as they are. Another argument filled with a list
    of the same length goes with it position by position (each capture with what is left to refund on it)."""
    listed = [k for k, v in args.items() if k in ids and isinstance(v, list)]
    if not listed:
        return [args]
    key = listed[0]
    paired = [k for k, v in args.items() if k != key and isinstance(v, list) and len(v) == len(args[key])]
    return [
        each
        for n, value in enumerate(args[key])
        for each in _each_record({**args, key: value, **{k: args[k][n] for k in paired}}, ids)
    ]


def _unresolved(types: Sequence[str], results: Sequence[ClauseResult], facts: Mapping[str, Any]) -> str:
    missing = sorted({f for r in results if r.value is None for f in _unknown_facts(r.clause.when, facts)})
    detail = f"; unknown facts: {', '.join(missing)}" if missing else ""
    return f"No policy clause resolves {', '.join(types)}{detail}."


def _why(result: ClauseResult) -> str:
    return result.clause.summary or f"{result.key} applies"


def _unknown_facts(condition: Condition, facts: Mapping[str, Any]) -> list[str]:
    if isinstance(condition, Leaf):
        return (
            [condition.fact] if facts.get(condition.fact) is None and condition.op not in ("exists", "missing") else []
        )
    if isinstance(condition, NotOf):
        return _unknown_facts(condition.not_, facts)
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return [f for c in children for f in _unknown_facts(c, facts)]
