"""The solver: replay one recorded case through the mission in a sandbox, then apply the recorded decision.

1. the case's snapshot is loaded into the sandbox's systems;
2. the mission runs through the real MCP interface with the chosen reasoner, to its verdict;
3. the scorers score the verdict against the recorded resolution;
4. the recorded decision is applied to the proposal: each action awaiting review is approved when the people took
   it (same tool and key arguments) and rejected otherwise, by a reviewer whose role may approve it (the case's
   own ``decided_by`` when the roster allows); the mission then runs to its end;
5. the sandbox's end state is compared with the state the recorded actions produce applied directly to the same
   snapshot.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from ai_missions.evals import environment
from ai_missions.evals.profiling import Timings, timed
from ai_missions.evals.sandbox import Sandbox
from ai_missions.evals.scorers import Replayed, action_key, score
from ai_missions.kernel.cases import Case
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import MissionSpec
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.nodes.guard import check_action
from ai_missions.nodes.reading import UNEXPLAINED
from ai_missions.services.authorization import DecisionResource, Person, decide_answer, mission_resource
from ai_missions.services.governance import approval_problems, default_roster


def deciders(named: str | None, roster: Mapping[str, str]) -> list[str]:
    """Who may stand for a case's recorded decider, in the order they are tried: the roster user it names, then the
    rest of the roster; the users of the role it names, and no one else (a role whose users may not decide the case
    fails it, naming the role); anyone on the roster when it names neither (``support team``)."""
    if named is not None and named in roster:
        return [named, *(n for n in roster if n != named)]
    if named and named in set(roster.values()):
        return [n for n, role in roster.items() if role == named]
    return list(roster)


def plan_responses(
    spec: MissionSpec,
    interrupts: Sequence[Mapping[str, Any]],
    gold: Sequence[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    *,
    roster: Mapping[str, str] | None = None,
    preferred: str | None = None,
    facts: Mapping[str, Any] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The reviewer and one response per interrupt: accept what the people did, reject the rest.

    The reviewer is ``preferred`` when their role may approve every accepted action, else the first of
    :func:`deciders` who may; when nobody may approve them all, the one who may approve the most, and the others are
    rejected. With the mission's ``facts``, an accepted action the guard would refuse without the rejected ones is
    rejected too. Whoever it is, the authorization point must let them give those answers (as ``decide`` will ask
    it): else the next is tried, and a ValidationError of one line says when nobody may.
    """
    roster = default_roster() if roster is None else roster
    free = spec.tools.free_text
    remaining = Counter(action_key(str(a["tool"]), a.get("args") or {}, free) for a in gold)
    wanted: list[bool] = []
    for interrupt in interrupts:
        request = interrupt["action_request"]
        key = action_key(request["action"], request["args"], free)
        wanted.append(remaining[key] > 0)
        remaining[key] -= 1 if remaining[key] > 0 else 0
    actions = [
        {
            "tool": i["action_request"]["action"],
            "args": i["action_request"]["args"],
            "policy_ids": i.get("metadata", {}).get("policy_ids", []),
            "tier": "review",
        }
        for i in interrupts
    ]
    names = deciders(preferred, roster)

    @cache
    def allowed_of(role: str) -> list[bool]:  # what a reviewer may approve depends on their role alone
        return [not approval_problems(role, [a], rules, spec.tools, facts) for a in actions]

    def allowed(name: str) -> list[bool]:
        return allowed_of(roster[name])

    def responses_of(reviewer: str) -> list[dict[str, Any]]:
        responses: list[dict[str, Any]] = []
        approved: list[dict[str, Any]] = []
        for action, want, ok in zip(actions, wanted, allowed(reviewer), strict=True):
            problems = (
                check_action(spec, action, facts or {}, earlier=approved) if want and ok and facts is not None else []
            )
            if want and ok and not problems:
                responses.append({"type": "accept"})
                approved.append(action)
            elif problems:  # e.g. a confirmation whose reallocation was rejected: the guard would refuse the plan
                responses.append({"type": "response", "args": f"not on its own: {'; '.join(problems)}"})
            elif want:
                responses.append(
                    {"type": "response", "args": f"taken in the record, but {reviewer} may not approve it"}
                )
            else:
                responses.append({"type": "response", "args": "not what the people did in the recorded resolution"})
        return responses

    accepted = [a for a, w in zip(actions, wanted, strict=True) if w]

    @cache
    def may_all(role: str) -> bool:
        return not approval_problems(role, accepted, rules, spec.tools, facts)

    def candidates() -> Iterator[str]:
        """Who may approve every accepted action, then who may approve the most: worked out as they are tried, so
        a case whose first candidate may decide it checks no other role."""
        yield from (n for n in names if may_all(roster[n]))
        yield from sorted(names, key=lambda n: -sum(w and ok for w, ok in zip(wanted, allowed(n), strict=True)))

    resource = DecisionResource("replay", mission_resource(spec, rules), "pending", tuple(actions), facts)
    refusal, tried = "", set[str]()
    for reviewer in candidates():
        if reviewer in tried:
            continue
        tried.add(reviewer)
        responses = responses_of(reviewer)
        said = decide_answer(Person(reviewer, roster[reviewer]), resource, responses)
        if said:
            return reviewer, responses
        refusal = refusal or said.reason
    if preferred and preferred not in roster and preferred in roster.values():
        raise ValidationError(
            f"the case names the role {preferred} as its decider, and no roster user of it may decide it: {refusal}"
        )
    raise ValidationError(f"nobody on the roster may decide the case (its decider: {preferred or 'none'}): {refusal}")


async def replay(
    sandbox: Sandbox, case: Case, rules: Sequence[ApprovalRule], scorers: Sequence[str], timings: Timings | None
) -> dict[str, Any]:
    """Replay one case in a sandbox; returns its result (scores, end-state comparison, latency, usage)."""
    spec = sandbox.spec
    result: dict[str, Any] = {
        "case_id": case.case_id,
        "mission": case.mission,
        "subject_id": case.subject_id,
        "kind": case.kind,
        "types": list(case.trigger.case_types),
        "tags": list(case.tags),
        "gold_outcome": case.resolution.outcome,
    }
    started = time.perf_counter()
    runtime = sandbox.runtime
    run_id: str | None = None
    try:
        if case.environment != sandbox.kind:
            raise ValidationError(f"a case of the {case.environment} environment, in a run of {sandbox.kind} cases")
        with timed(timings, "snapshot load"):
            sandbox.load(case.snapshot)
        gold = [a.model_dump() for a in case.resolution.actions]
        with timed(timings, "end-state comparison"):  # what the people's actions make of the starting state
            expected, problems = sandbox.expected(gold)
        trigger = {"source": "eval", "case_id": case.case_id, **case.trigger.model_dump()}
        outcome = await runtime.start(case.subject_id, trigger=trigger)
        run_id = outcome.run_id
        result["latency_ms"] = (time.perf_counter() - started) * 1000
        values = outcome.state
        facts = values.get("facts", {})
        replayed = Replayed(spec, case.resolution.outcome, gold, outcome.verdict, values.get("proposal"), facts, values)
        if any(t.startswith("noise:") for t in case.tags):  # the record contradicts the rules: the facts judge
            replayed.reference_actions = plugin_of(spec.name).rulebook_actions(
                case.snapshot, case.subject_id, case.trigger.case_types
            )
        result.update(score(scorers, replayed))
        # what the mission could not read, so a run's escalations can be told apart (issue 57): "record: words"
        result["unexplained"] = [f"{u['source']}: {u['words']}" for u in facts.get(UNEXPLAINED) or []]
        result["mission_run_id"] = run_id
        if outcome.decision_id is not None:
            decided = time.perf_counter()
            interrupts = runtime.store.get_decision(outcome.decision_id).request["interrupts"]
            reviewer, responses = plan_responses(
                spec, interrupts, gold, rules, preferred=case.resolution.decided_by, facts=facts
            )
            outcome = await runtime.decide(outcome.decision_id, reviewer, responses=responses)
            result["reviewer"] = reviewer
            result["decide_ms"] = (time.perf_counter() - decided) * 1000
        result["status"] = outcome.status
        result["executed"] = [f"{r['tool']}:{r['status']}" for r in outcome.results]
        with timed(timings, "end-state comparison"):
            differences = environment.diff(expected, sandbox.state())
            result.update(state_match=not differences, state_diff=differences, expected_problems=problems)
    except Exception as exc:  # one broken case must not stop the run: it is recorded as an error
        result.update(error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=6))
        result.setdefault("agree", False)
    finally:
        if run_id is not None:
            sandbox.forget(run_id)
    result["total_ms"] = (time.perf_counter() - started) * 1000
    return result
