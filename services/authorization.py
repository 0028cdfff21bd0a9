"""The one authorization point: may this identity see, start, approve, edit, reject or hand off this resource?

Every surface asks it (the CLI, the dashboard, the customer portal, the platform API, the graph's approval step on
resume, LangGraph's server handlers) instead of deciding for itself, so a decision answered on one surface is
answered the same on all. It answers from:

- the signed, current account (:class:`ai_missions.services.identity.Account`: its name and role; never a payload);
- the approval rules of record (roles, amount ceilings, conditions on the case's facts) and the ``approver_fact``
  rules that let only the person a fact names approve (an account's owner, or the manager standing in);
- the mission's escalation roles (an action tiered ``escalate`` takes one of them);
- ownership: a customer sees only runs about their own records, and answers no decision.

The rules, in words:

- **approve** an action: the role may approve it within its amount limit, the account is the person an
  ``approver_fact`` names when a rule names one, and an escalated action takes an escalation role.
- **edit** an action approves the new action and rejects the one proposed: it takes the standing to approve both
  (a reviewer who may not approve a capture of 338.03 may not change it to 150 either).
- **reject** an action takes the same standing as approving it. In a plan that needs several roles (co-approval)
  any reviewer *of that decision* may say no to an open action: one who may approve at least one of its open
  actions.
- **approve a decision** (``decide --approve``, "may approve" on the card, ``queue --can-approve``): every open
  action, or, in a shared plan, at least one (the reviewer signs their part).
- **hand off** a decision: the account sees it, and the target (a person or a role) may approve at least one open
  action (a hand-off to nobody able to act would leave the decision waiting on nobody).
- **mark away** an account (and back): the account itself, or an admin for it (someone who cannot sign in); never
  a customer's account. While an account is away, a rule that names it as the one person who approves lets the
  person its ``stand_in_fact`` names approve instead (ACC-001: the owner's manager), and not it
  (:mod:`ai_missions.services.absence`).
- **see** a decision: a reviewer whose role a rule for one of its actions names (for an ``approver_fact`` rule:
  the person it names), its hand-off target, or one who signed part of it. A customer sees no decision.
- **see / start** a mission (its queue, its runs): a reviewer of it (a role its tools' rules or its escalation
  names). A customer starts no mission; their portal's writes start the support mission as a trigger does.
- **see** a run: a reviewer of its mission; a customer only a run whose case's customer (``customer.id``) is
  theirs (an account ``c-10195`` is customer ``C-10195``).
- **abandon / retry / resume** a run (give up a failed run; run it again from its last checkpoint; finish the
  execution of its decision): a reviewer of its mission who, when it holds a decision, may see that decision. A
  customer does none of these.

:func:`answer` gives an :class:`Answer` (allowed, and one line saying why); :func:`require` raises
:class:`ForbiddenError` with that line. Resources are built from the store by :func:`decision_resource`,
:func:`run_resource` and :func:`mission_resource`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict, Unpack

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.missions import MissionSpec, ToolPolicy, get_mission
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.services import absence, coapproval
from ai_missions.services.governance import approval_problems, deciding_person, ownership_problems
from ai_missions.services.identity import CUSTOMER_ROLE

Verb = Literal["see", "start", "approve", "edit", "reject", "hand_off", "mark_away", "abandon", "retry", "resume"]
#: The verbs that answer a decision (each needs the decision pending).
ANSWERING: tuple[Verb, ...] = ("approve", "edit", "reject", "hand_off")
#: What a person does to a run that stopped: give it up (``abandon``), run a failed one again from its last
#: checkpoint (``retry``), or finish the execution of its decision, interrupted after it was taken (``resume``).
RUN_VERBS: tuple[Verb, ...] = ("abandon", "retry", "resume")


class Identity(Protocol):
    """Who asks: a signed, current account (:class:`ai_missions.services.identity.Account`) or a :class:`Person`."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Person:
    """A name with its role of record (a reviewer named by a signed answer, a hand-off target); a role alone when
    ``name`` is empty (a hand-off to a role: no one person, so no ``approver_fact`` rule is met)."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Answer:
    """Whether it may, and one line saying why (or why not), for a refusal to show as it is."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True, slots=True)
class MissionResource:
    """A mission as authorization sees it: its write tools, the approval rules in force and its escalation roles."""

    name: str
    tools: ToolPolicy
    rules: tuple[ApprovalRule, ...]
    escalation_roles: tuple[str, ...] = ()

    @property
    def reviewer_roles(self) -> frozenset[str]:
        """The roles some rule for one of its tools names, and its escalation roles: its reviewers."""
        named = {
            role
            for rule in self.rules
            if "*" in rule.tools or any(tool in self.tools for tool in rule.tools)
            for role in rule.roles
        }
        return frozenset(named | set(self.escalation_roles))


@dataclass(frozen=True, slots=True)
class RunResource:
    """A run: its mission, the customer its case is about (``customer.id`` of its facts; None when unknown) and,
    when built for a verb of :data:`RUN_VERBS`, its latest decision (None when it has none)."""

    run_id: str
    mission: MissionResource
    customer: str | None
    decision: DecisionResource | None = None


@dataclass(frozen=True, slots=True)
class DecisionResource:
    """A decision: its plan as requested (by position, each with its ``tool``, ``args`` and, when tiered,
    ``action_tier``), the case's facts, who signed which position so far, and to whom it was handed."""

    decision_id: str
    mission: MissionResource
    status: str
    actions: tuple[Mapping[str, Any], ...]
    facts: Mapping[str, Any] | None = None
    #: Position -> who signed it (a co-approver's part).
    answered: Mapping[int, str] = field(default_factory=dict)
    #: The latest hand-off's target (a person or a role), if any.
    handed_to: str | None = None
    #: The accounts marked away today: a rule naming one of them as the approver lets its stand-in approve instead.
    away: frozenset[str] = frozenset()

    @property
    def open_positions(self) -> list[int]:
        return [p for p in range(len(self.actions)) if p not in self.answered]

    @property
    def shared(self) -> bool:
        """Whether the plan needs several roles (co-approval): each signs their part."""
        plan = [{"tool": a["tool"], "args": a["args"]} for a in self.actions]
        return coapproval.shared_plan(plan, self.mission.rules, self.mission.tools, self.facts)


@dataclass(frozen=True, slots=True)
class AccountResource:
    """An account, as marking it away (or back) sees it: its name and role of record."""

    name: str
    role: str


Resource = MissionResource | RunResource | DecisionResource | AccountResource


# -- building resources ------------------------------------------------------------------------------------------
def mission_resource(spec: MissionSpec | str, rules: Iterable[ApprovalRule]) -> MissionResource:
    spec = get_mission(spec) if isinstance(spec, str) else spec
    escalation = tuple(spec.tiers.escalation_roles) if spec.tiers is not None else ()
    return MissionResource(spec.name, spec.tools, tuple(rules), escalation)


def case_facts(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The facts the gather step recorded (each system's observation carries the facts it read)."""
    facts: dict[str, Any] = {}
    for event in events:
        if event.get("kind") == "observation" and event.get("node") == "gather" and isinstance(event.get("data"), dict):
            facts.update(event["data"])
    return facts


def run_resource(
    store: RunStore,
    run: Mapping[str, Any],
    rules: Iterable[ApprovalRule],
    *,
    events: Sequence[Mapping[str, Any]] | None = None,
    with_decision: bool = False,
) -> RunResource:
    """A run of the store (its record), with the customer its recorded facts name, and with ``with_decision`` its
    latest decision (what abandoning, retrying or resuming the run would settle)."""
    rules = tuple(rules)
    events = store.events(str(run["run_id"])) if events is None else events
    customer = case_facts(events).get("customer.id")
    decisions = store.decisions_of(str(run["run_id"])) if with_decision else []
    return RunResource(
        str(run["run_id"]),
        mission_resource(str(run["mission"]), rules),
        str(customer) if customer else None,
        decision_resource(store, decisions[-1], rules, events=events) if decisions else None,
    )


def decision_resource(
    store: RunStore,
    decision: Decision,
    rules: Iterable[ApprovalRule],
    *,
    events: Sequence[Mapping[str, Any]] | None = None,
    facts: Mapping[str, Any] | None = None,
    verdict: Mapping[str, Any] | None = None,
) -> DecisionResource:
    """A decision of the store: its requested plan, the case's facts (``facts`` when given, as the paused run's
    checkpoint holds them, else those the gather step recorded), each action's tier (from ``verdict``, else the
    recorded verdict), its sign-offs so far and its latest hand-off."""
    if facts is None or verdict is None:
        events = store.events(decision.run_id) if events is None else events
        facts = case_facts(events) if facts is None else facts
        if verdict is None:
            verdict = next((e.get("data") for e in reversed(events) if e.get("kind") == "verdict"), None) or {}
    planned = list(verdict.get("actions") or []) if isinstance(verdict, Mapping) else []
    actions: list[dict[str, Any]] = []
    for interrupt in decision.request.get("interrupts", []):
        action: dict[str, Any] = {
            "tool": interrupt["action_request"]["action"],
            "args": interrupt["action_request"]["args"],
        }
        index = int(interrupt.get("metadata", {}).get("action_index", len(actions)))
        if index < len(planned) and isinstance(planned[index], Mapping) and planned[index].get("action_tier"):
            action["action_tier"] = planned[index]["action_tier"]
        actions.append(action)
    handed = coapproval.handed_to(store, decision.decision_id)
    return DecisionResource(
        decision_id=decision.decision_id,
        mission=mission_resource(decision.mission, rules),
        status=decision.status,
        actions=tuple(actions),
        facts=facts,
        answered=coapproval.taken_by(coapproval.signoffs(store, decision.decision_id)),
        handed_to=handed["to"] if handed else None,
        away=absence.away(store),
    )


def visible_runs(
    store: RunStore, identity: Identity, rules: Iterable[ApprovalRule], *, limit: int, **filters: Any
) -> list[dict[str, Any]]:
    """The newest runs (``store.list_runs`` filters) that ``identity`` may see, at most ``limit``: a reviewer's
    sight is per mission, a customer's per run (only runs about their own records)."""
    rules = tuple(rules)
    shown: list[dict[str, Any]] = []
    missions: dict[str, bool] = {}
    offset = 0
    while len(shown) < limit and (batch := store.list_runs(**filters, limit=200, offset=offset)):
        offset += len(batch)
        for run in batch:
            if identity.role == CUSTOMER_ROLE:
                if not answer(identity, "see", run_resource(store, run, rules)):
                    continue
            else:
                name = str(run["mission"])
                if name not in missions:
                    missions[name] = answer(identity, "see", mission_resource(name, rules)).allowed
                if not missions[name]:
                    continue
            shown.append(run)
            if len(shown) == limit:
                break
    return shown


def target(to: str, roster: Mapping[str, str]) -> Person | None:
    """A hand-off target: a reviewer of ``roster`` (name -> role), or a role some reviewer holds; None otherwise."""
    to = to.strip()
    if to in roster:
        return Person(to, roster[to])
    if to in roster.values():
        return Person("", to)
    return None


def customer_of(identity: Identity) -> str | None:
    """The customer a ``customer`` account is bound to (account ``c-10195`` is customer ``C-10195``); None for staff."""
    return identity.name.upper() if identity.role == CUSTOMER_ROLE else None


# -- the answers -------------------------------------------------------------------------------------------------
class Asked(TypedDict, total=False):
    """What a question about a decision names besides its verb (see :func:`answer`)."""

    action: int | None
    edited: Mapping[str, Any] | None
    to: Identity | None


def answer(identity: Identity, verb: Verb, resource: Resource, **asked: Unpack[Asked]) -> Answer:
    """May ``identity`` ``verb`` ``resource``?

    - a :class:`MissionResource`: ``see`` (its queue and runs) or ``start`` it;
    - a :class:`RunResource`: ``see`` it, or ``abandon``, ``retry`` or ``resume`` it (built ``with_decision``);
    - a :class:`DecisionResource`: ``see`` it; ``approve``/``edit``/``reject`` one action (``action``: its
      0-based position; ``edited``: the action as an edit would run it) or, without ``action``, the decision as a
      whole (what ``decide --approve`` / ``--reject`` would do); ``hand_off`` it ``to`` someone.
    """
    if isinstance(resource, MissionResource):
        return _mission(identity, verb, resource)
    if isinstance(resource, RunResource):
        return _run(identity, verb, resource)
    if isinstance(resource, AccountResource):
        return _account(identity, verb, resource)
    return _decision(identity, verb, resource, **asked)


def require(identity: Identity, verb: Verb, resource: Resource, **asked: Unpack[Asked]) -> Answer:
    """:func:`answer`, raising :class:`ForbiddenError` (its one line) when it is a refusal."""
    said = answer(identity, verb, resource, **asked)
    if not said.allowed:
        raise ForbiddenError(said.reason)
    return said


def response_answer(
    identity: Identity, resource: DecisionResource, position: int, response: Mapping[str, Any] | None
) -> Answer:
    """May ``identity`` give this agent-inbox response to the action at ``position``: ``accept`` (approve), ``edit``
    (approve as edited), ``response`` or ``ignore`` (reject)? Anything else is no answer, refused."""
    kind = response.get("type") if isinstance(response, Mapping) else None
    if kind == "accept":
        return answer(identity, "approve", resource, action=position)
    if kind == "edit" and isinstance(response, Mapping):
        edit = response.get("args")
        args = edit.get("args") if isinstance(edit, Mapping) else None
        if not isinstance(args, Mapping):
            return Answer(False, "an edit gives the action's new arguments")
        tool = edit.get("action") if isinstance(edit, Mapping) else None
        edited = (
            {"tool": tool or resource.actions[position]["tool"], "args": args}
            if 0 <= position < len(resource.actions)
            else None
        )
        return answer(identity, "edit", resource, action=position, edited=edited)
    if kind in ("response", "ignore"):
        return answer(identity, "reject", resource, action=position)
    return Answer(False, f"no valid answer for this action ({kind!r})")


def decide_answer(identity: Identity, resource: DecisionResource, responses: Sequence[Mapping[str, Any]]) -> Answer:
    """Would ``decide`` accept these agent-inbox responses (one per action) from ``identity``? Every answer needs
    its standing (:func:`response_answer`); in a shared plan (co-approval) an approval the reviewer may not give is
    left for another role instead, so it is enough to give at least one, with every rejection and edit allowed."""
    if identity.role == CUSTOMER_ROLE:
        return Answer(False, f"{_who(identity)} may not answer decision {resource.decision_id}: a customer answers "
                      "no decision")  # fmt: skip
    if resource.status != "pending":
        return Answer(False, f"decision {resource.decision_id} is {resource.status}, no longer open")
    said = {
        p: response_answer(identity, resource, p, r)
        for p, r in enumerate(responses)
        if p not in resource.answered and p < len(resource.actions)
    }
    if not said:
        return Answer(False, f"every action of decision {resource.decision_id} is already answered")
    refused = {p: a for p, a in said.items() if not a}
    approving = any(r.get("type") in ("accept", "edit") for r in responses)
    if not refused:
        return Answer(True, f"{_who(identity)} may give every answer to decision {resource.decision_id}")
    reasons = "; ".join(dict.fromkeys(a.reason for a in refused.values()))
    if not (resource.shared or resource.answered):
        if approving and len(refused) == len(said):
            return Answer(
                False, f"{_who(identity)} may not approve any open action of decision {resource.decision_id}: {reasons}"
            )
        return Answer(False, f"{_who(identity)} may not {'approve' if approving else 'reject'} this: {reasons}")
    if blocking := [a.reason for p, a in refused.items() if responses[p].get("type") != "accept"]:
        return Answer(False, f"{_who(identity)} may not answer this so: {'; '.join(blocking)}")
    if len(refused) == len(said):
        return Answer(
            False, f"{_who(identity)} may not approve any open action of decision {resource.decision_id}: {reasons}"
        )
    mine = ", ".join(str(p + 1) for p, a in said.items() if a)
    return Answer(True, f"{_who(identity)} may sign action(s) {mine} of this shared plan (each role signs its part)")


def require_decide(identity: Identity, resource: DecisionResource, responses: Sequence[Mapping[str, Any]]) -> Answer:
    """:func:`decide_answer`, raising :class:`ForbiddenError` (its one line) when it is a refusal."""
    said = decide_answer(identity, resource, responses)
    if not said.allowed:
        raise ForbiddenError(said.reason)
    return said


def may_approve(identity: Identity, resource: DecisionResource) -> bool:
    """Whether ``decide --approve`` by ``identity`` would be accepted: "may approve" on the card, ``--can-approve``."""
    return answer(identity, "approve", resource).allowed


def _who(identity: Identity) -> str:
    return f"{identity.name} ({identity.role})" if identity.name else f"the role {identity.role}"


def _mission(identity: Identity, verb: Verb, mission: MissionResource) -> Answer:
    if verb not in ("see", "start"):
        return Answer(False, f"a mission is seen or started, not {verb.replace('_', ' ')}d")
    if identity.role == CUSTOMER_ROLE:
        return Answer(
            False,
            f"{_who(identity)} may not {verb} the {mission.name} mission: a customer sees their own orders and "
            "tickets only",
        )
    if identity.role in mission.reviewer_roles:
        return Answer(True, f"{identity.role} reviews the {mission.name} mission")
    return Answer(
        False,
        f"{_who(identity)} may not {verb} the {mission.name} mission: its reviewers are "
        f"{', '.join(sorted(mission.reviewer_roles)) or 'nobody'}",
    )


def _run(identity: Identity, verb: Verb, run: RunResource) -> Answer:
    if verb in RUN_VERBS:
        return _run_verb(identity, verb, run)
    if verb != "see":
        return Answer(False, f"a run is seen, abandoned, retried or resumed, not {verb.replace('_', ' ')}d (its "
                      "decision is answered)")  # fmt: skip
    if (customer := customer_of(identity)) is not None:
        if run.customer is not None and run.customer == customer:
            return Answer(True, f"run {run.run_id} is about customer {customer}'s own records")
        return Answer(False, f"run {run.run_id} is not about your own orders or tickets")
    mission = _mission(identity, "see", run.mission)
    if mission.allowed:
        return mission
    return Answer(False, f"{_who(identity)} may not see run {run.run_id}: {mission.reason.split(': ', 1)[-1]}")


def _run_verb(identity: Identity, verb: Verb, run: RunResource) -> Answer:
    """Abandon, retry or resume a run: a reviewer of its mission and, when it holds a decision, a reviewer of that
    decision (abandoning settles it unexecuted and revokes its grants; retrying or resuming carries out what its
    approver approved). A customer does none of these, on their own case either."""
    if identity.role == CUSTOMER_ROLE:
        return Answer(False, f"{_who(identity)} may not {verb} run {run.run_id}: a customer abandons, retries or "
                      "resumes no run (its mission's reviewers do)")  # fmt: skip
    mission = _mission(identity, "see", run.mission)
    if not mission:
        return Answer(False, f"{_who(identity)} may not {verb} run {run.run_id}: {mission.reason.split(': ', 1)[-1]}")
    if run.decision is not None and not (sees := _sees(identity, run.decision)):
        return Answer(
            False,
            f"{_who(identity)} may not {verb} run {run.run_id}: it holds decision {run.decision.decision_id}, and "
            f"{sees.reason.split(': ', 1)[-1]}",
        )
    return Answer(True, f"{_who(identity)} reviews run {run.run_id} ({run.mission.name}), so may {verb} it")


def _decision(
    identity: Identity,
    verb: Verb,
    decision: DecisionResource,
    *,
    action: int | None = None,
    edited: Mapping[str, Any] | None = None,
    to: Identity | None = None,
) -> Answer:
    if verb == "start":
        return Answer(False, "a decision is answered, not started")
    if identity.role == CUSTOMER_ROLE:
        return Answer(False, f"{_who(identity)} may not {_word(verb)} decision {decision.decision_id}: a customer "
                      "answers no decision")  # fmt: skip
    if verb == "see":
        return _sees(identity, decision)
    if decision.status != "pending":
        return Answer(False, f"decision {decision.decision_id} is {decision.status}, no longer open")
    if verb == "hand_off":
        return _hand_off(identity, decision, to)
    if action is not None:
        if not 0 <= action < len(decision.actions):
            return Answer(False, f"decision {decision.decision_id} has no action {action + 1}")
        if verb == "reject":
            return _reject_one(identity, decision, action)
        return _approve_one(identity, decision, action, edited if verb == "edit" else None)
    kind = "response" if verb == "reject" else "accept"
    return decide_answer(identity, decision, [{"type": kind, "args": ""} for _ in decision.actions])


def _word(verb: Verb) -> str:
    return {"hand_off": "hand off", "see": "see", "mark_away": "mark away"}.get(verb, verb)


def _approval_problems(
    identity: Identity, decision: DecisionResource, position: int, edited: Mapping[str, Any] | None = None
) -> list[str]:
    """Why ``identity`` may not approve the action at ``position`` (as ``edited`` when given); empty when it may."""
    proposed = decision.actions[position]
    if position in decision.answered:
        return [f"action {position + 1} ({proposed['tool']}) was already answered by {decision.answered[position]}"]
    final = dict(proposed)
    if edited is not None:
        if edited.get("tool", proposed["tool"]) != proposed["tool"]:
            return ["an edit may change arguments, not the tool"]
        final["args"] = dict(edited.get("args") or {})
    mission, facts, role = decision.mission, decision.facts, identity.role
    problems = approval_problems(role, [final], mission.rules, mission.tools, facts)
    problems += ownership_problems(identity.name, [final], mission.rules, facts, decision.away)
    if proposed.get("action_tier") == "escalate" and mission.escalation_roles and role not in mission.escalation_roles:
        problems.append(f"an escalated action takes one of: {', '.join(mission.escalation_roles)}")
    return problems


def _approve_one(
    identity: Identity, decision: DecisionResource, position: int, edited: Mapping[str, Any] | None = None
) -> Answer:
    """Approve the action (as ``edited``, when given). An edit approves the new action and rejects the one
    proposed, so it takes the standing for both: a reviewer who may not approve the proposed amount may not change
    it (to an amount within their limit, say), whatever a shared plan lets its reviewers reject."""
    tool = decision.actions[position]["tool"]
    if edited is not None and (proposed := _approval_problems(identity, decision, position)):
        why = "; ".join(proposed).replace(f"{tool} ", f"{tool} (action {position + 1}) ", 1)
        return Answer(False, f"an edit rejects the action as proposed, which takes the standing to approve it: {why}")
    if problems := _approval_problems(identity, decision, position, edited):
        return Answer(False, "; ".join(problems).replace(f"{tool} ", f"{tool} (action {position + 1}) ", 1))
    return Answer(True, f"{_who(identity)} may {'edit' if edited is not None else 'approve'} {tool} "
                  f"(action {position + 1})")  # fmt: skip


def _reject_one(identity: Identity, decision: DecisionResource, position: int) -> Answer:
    """Same standing as approving it; in a shared plan, any reviewer of this decision (one who may approve at
    least one of its open actions) may say no to an open action."""
    tool = decision.actions[position]["tool"]
    if position in decision.answered:
        return Answer(False, f"action {position + 1} ({tool}) was already answered by {decision.answered[position]}")
    if not (problems := _approval_problems(identity, decision, position)):
        return Answer(True, f"{_who(identity)} may approve {tool}, so may reject it")
    if decision.shared and any(not _approval_problems(identity, decision, p) for p in decision.open_positions):
        return Answer(True, f"{_who(identity)} reviews this shared plan: any of its reviewers may say no")
    return Answer(False, f"rejecting {tool} takes the standing to approve it: {'; '.join(problems)}")


def _sees(identity: Identity, decision: DecisionResource) -> Answer:
    if decision.handed_to is not None and decision.handed_to in (identity.name, identity.role):
        return Answer(True, f"decision {decision.decision_id} was handed to {decision.handed_to}")
    if identity.name in decision.answered.values():
        return Answer(True, f"{identity.name} signed part of decision {decision.decision_id}")
    facts = decision.facts or {}
    for position, action in enumerate(decision.actions):
        if action.get("action_tier") == "escalate" and identity.role in decision.mission.escalation_roles:
            return Answer(True, f"{identity.role} decides escalated actions")
        for rule in decision.mission.rules:
            if identity.role not in rule.roles or not (action["tool"] in rule.tools or "*" in rule.tools):
                continue
            if rule.approver_fact is None:
                return Answer(
                    True, f"{identity.role} may approve {action['tool']} (action {position + 1}) in some case"
                )
            if facts.get(rule.approver_fact) == identity.name:  # away or not: their own accounts' decisions
                return Answer(True, f"{identity.name} is {rule.approver_fact} for {action['tool']}")
            person, named = deciding_person(rule, facts, decision.away)
            if person == identity.name:
                return Answer(True, f"{action['tool']} is decided by {named}")
    return Answer(
        False,
        f"{_who(identity)} may not see decision {decision.decision_id}: no rule for its actions "
        f"({', '.join(a['tool'] for a in decision.actions) or 'none'}) names them",
    )


def _hand_off(identity: Identity, decision: DecisionResource, to: Identity | None) -> Answer:
    sees = _sees(identity, decision)
    if not sees:
        return Answer(False, sees.reason.replace("may not see", "may not hand off", 1))
    if to is None:
        return Answer(False, "say whom the decision is handed to: a reviewer or a role")
    able = [p for p in decision.open_positions if not _approval_problems(to, decision, p)]
    if not able:
        needs = _said_once(decision, {p: _approval_problems(to, decision, p) for p in decision.open_positions})
        nobody = "nobody holding it may approve any" if not to.name else "they may approve none"
        return Answer(False, f"cannot hand off to {_who(to)}: {nobody} of the open actions ({needs})")
    return Answer(True, f"{_who(to)} may approve action(s) {', '.join(str(p + 1) for p in able)}")


def _said_once(decision: DecisionResource, problems: Mapping[int, Sequence[str]]) -> str:
    """Each action's problems, the ones several actions share said once for them all: ``escalate_renewal (action
    1) and send_account_email (action 2) are decided by ava (account.approver), not maya``."""
    shared: dict[str, list[str]] = {}
    for position, said in problems.items():
        tool = decision.actions[position]["tool"]
        for problem in said:
            text = problem.removeprefix(f"{tool} ") if problem.startswith(f"{tool} ") else f"- {problem}"
            shared.setdefault(text, []).append(f"{tool} (action {position + 1})")
    lines = []
    for text, actions in shared.items():
        if text.startswith("- "):
            lines.append(text[2:])
        elif len(actions) == 1:
            lines.append(f"{actions[0]} {text}")
        else:
            names = ", ".join(actions[:-1]) + f" and {actions[-1]}"
            lines.append(f"{names} {'are ' + text[3:] if text.startswith('is ') else text}")
    return "; ".join(lines)


def _account(identity: Identity, verb: Verb, account: AccountResource) -> Answer:
    if verb != "mark_away":
        return Answer(False, f"an account is marked away or back, not {_word(verb)}ed")
    if identity.role == CUSTOMER_ROLE:
        return Answer(False, f"{_who(identity)} may not mark anyone away: a customer account decides nothing")
    if account.role == CUSTOMER_ROLE:
        return Answer(False, f"{account.name} is a customer's account: nothing waits for it, so it is never away")
    if identity.name == account.name:
        return Answer(True, f"{identity.name} marks their own absence")
    if getattr(identity, "admin", False):
        return Answer(True, f"{identity.name} is an admin: they mark an absence for someone who cannot sign in")
    return Answer(
        False,
        f"{_who(identity)} may not mark {account.name} away or back: an account marks its own absence, or an admin "
        "does for someone who cannot sign in",
    )


def record_arguments(args: Mapping[str, Any]) -> list[str]:
    """The arguments of a customer's write that name records of a system (``ticket_id``, ``order_id``): each must
    be the customer's own (``customer_id`` names the customer, checked as such; ``idempotency_key`` is no record)."""
    return [k for k in args if k.endswith("_id") and k != "customer_id"]


def own_write_answer(
    identity: Identity,
    spec: MissionSpec,
    tool: str,
    args: Mapping[str, Any],
    *,
    owners: Mapping[str, str | None],
) -> Answer:
    """May ``identity`` make this write of their own through the mission's portal (a message about their order)?

    Only a ``customer`` account; only a tool the mission declares its customers write (``customer_tools``, never
    one of its own actions, which a reviewer decides); when the write names a customer, only themselves; and every
    record it names (:func:`record_arguments`: a ticket, an order) theirs, as ``owners`` says (argument -> the
    customer its system of record holds it for, None when it holds none): a record whose owner is unknown is not
    theirs. Checked here, for every surface, where the portal page alone checked before (a customer wrote on
    another customer's ticket through ``add_customer_message``, which names no customer)."""
    customer = customer_of(identity)
    if customer is None:
        return Answer(False, f"{_who(identity)} is not a customer: the portal writes only as the signed-in customer")
    if tool not in spec.customer_tools or tool in spec.tools:
        return Answer(False, f"{tool} is not a write {spec.name}'s customers make themselves")
    named = args.get("customer_id")
    if named is not None and named != customer:
        return Answer(False, f"{_who(identity)} writes as customer {customer} only, not {named}")
    for name in record_arguments(args):
        if owners.get(name) != customer:
            return Answer(False, f"{_who(identity)} may not write about {name.removesuffix('_id')} {args[name]}: it "
                          f"is not one of customer {customer}'s")  # fmt: skip
    return Answer(True, f"{_who(identity)} writes as customer {customer}")
