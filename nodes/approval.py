"""The Decision Queue's side of the graph: pause with an agent-inbox request, then apply the reviewer's answer.

The question and the answer follow :mod:`ai_missions.kernel.decisions`. On resume every action is checked again here,
whoever resumed the graph (the runtime, or LangGraph's own server): the answer must be signed with the platform
key (the platform signs it after authenticating the reviewer's account, so a resume sent straight to an exported
graph names nobody), the reviewer's role is looked up on the accounts (never taken from the answer), the role must
be entitled to approve the action (or, to reject it, have the same standing: :mod:`ai_missions.services.authorization`
decides both), and an edit must pass the guard.

An answer given through LangGraph's server (an Agent Inbox or Studio resume) by someone without the standing to give
it (approving, editing or rejecting each action it answers, as the authorization point says), or by nobody the
platform signed in, decides nothing: the step records no disposition and asks again, the same decision with the
refusal in one line (:func:`standing_refusal`), still pending in the queue for the right person; so does an answer
handed to the graph unsigned in-process (an exported graph resumed directly), which leaves the decision pending
rather than closing the run beside a pending queue row (a case locked). An edit is an approval of the new action and
a rejection of the proposed one: it takes the standing for both. The runtime's answers are signed by the platform
after the same check (``missions decide``); there, and for a queue row claimed and edited behind the platform's
back, anything malformed, unknown, unsigned or refused rejects the action concerned (fails closed). An answer
decided on LangGraph's server is recorded on the audit trail by this step (:func:`decision_event`): each action as
answered, an edit with its arguments as proposed and as approved. The decision is sealed with
the platform key for its run; the execute step acts only on a sealed decision, and only there is each approved
action's grant minted (:mod:`ai_missions.kernel.grants`): nothing in the state or its checkpoints lets anyone write to a
system.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ai_missions.kernel.database import database_url
from ai_missions.kernel.decisions import (
    DecisionAnswer,
    HumanInterrupt,
    build_interrupts,
    describe,
    parse_answer,
    plan_answers,
)
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.signing import platform_key, sign, signed, unseal
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.cosign import cosigned
from ai_missions.nodes.guard import Schemas, check_action, review_actions
from ai_missions.nodes.learning import keep_review
from ai_missions.nodes.observe import emit, now_iso, observe
from ai_missions.nodes.resources import home_of, knowledge_of, off_loop, systems_of
from ai_missions.nodes.state import MissionState, Node, ProposedAction, Verdict
from ai_missions.services import absence, coapproval
from ai_missions.services.authorization import Answer, DecisionResource, Person, mission_resource, response_answer
from ai_missions.services.governance import approval_rules, load_roster

UNSIGNED = "refused: the answer is not signed by the platform (reviewers decide through a signed-in account)"
#: How a refused answer is reported (the decision is asked again, unchanged).
REFUSED = "Refused, nothing was decided: {why}. The decision still awaits a reviewer with the standing to answer it."


def decision_id_for(thread_id: str, verdict: Verdict) -> str:
    """Stable id: the same run pausing on the same proposal always names the same decision."""
    digest = hashlib.sha256(
        json.dumps([thread_id, verdict["actions"]], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"D-{digest[:12]}"


def resolve_answer(
    spec: MissionSpec,
    verdict: Verdict,
    answer: DecisionAnswer,
    facts: Mapping[str, Any],
    rules: Sequence[ApprovalRule],
    schemas: Schemas | None = None,
    roles: Sequence[str | None] | None = None,
    away: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Each reviewed action's disposition: ``approved`` (with final args) or ``rejected`` (with the reason).

    ``answer["role"]`` must be the role of record of ``answer["reviewer"]`` (the caller looks it up); a
    co-approved answer gives each action's own signer's role in ``roles`` instead. Whether each signer may give
    their answer is the authorization point's word (:mod:`ai_missions.services.authorization`), asked before anything
    else.
    """
    pending = review_actions(verdict["actions"])
    responses = answer["responses"]
    role = answer["role"] or ""
    reviewer = str(answer["reviewer"] or "")
    case = plan_resource(spec, pending, facts, rules, away=away)
    plan: list[dict[str, Any]] = []
    for position, (index, action) in enumerate(pending):
        response = responses[position] if position < len(responses) else None
        own = (roles[position] if position < len(roles) else None) if roles is not None else role
        standing = response_answer(Person(reviewer, own or ""), case, position, response) if own else None
        plan.append(
            _disposition(
                spec, index, action, response, own or "", reviewer, facts, rules, schemas, plan, standing=standing
            )
        )
    return plan


def plan_resource(
    spec: MissionSpec,
    pending: Sequence[tuple[int, ProposedAction]],
    facts: Mapping[str, Any],
    rules: Sequence[ApprovalRule],
    decision_id: str = "",
    *,
    away: frozenset[str] = frozenset(),
) -> DecisionResource:
    """The actions awaiting review, as the authorization point sees a decision (each with its tier; ``away``: the
    accounts marked away, whose stand-ins decide in their place)."""
    actions = tuple(
        {"tool": a["tool"], "args": a["args"], **({"action_tier": a["action_tier"]} if a.get("action_tier") else {})}
        for _, a in pending
    )
    return DecisionResource(decision_id, mission_resource(spec, rules), "pending", actions, facts, away=away)


def authentic(home: Any, value: Any, decision_id: str) -> bool:
    """Whether a resume value is an answer the platform signed for this decision."""
    if not isinstance(value, Mapping) or value.get("decision_id") != decision_id:
        return False
    try:
        return signed(platform_key(home), dict(value))
    except (OSError, ValueError):
        return False


@cache
def _store(path: str) -> RunStore:
    return RunStore(Path(path))


def claimed(home: Any, decision_id: str) -> bool:
    """Whether the Decision Queue records the decision as taken (claimed by a reviewer's answer): an unsigned answer
    to a decision still pending there decides nothing (the decision stays open for a reviewer, and its case is not
    locked by a closed run beside a pending row); one carried in for a claimed row is refused action by action."""
    path = runs_db(Path(home))
    if database_url() is None and not path.exists():  # no queue here (a graph run with no home): nothing claimed
        return False
    try:
        return _store(str(path)).get_decision(decision_id).status != "pending"
    except (MissionsError, OSError):
        return False


def through_server() -> bool:
    """Whether this resume came through LangGraph's server (it names the user it authenticated, or Studio's)."""
    return (get_config().get("configurable") or {}).get("langgraph_auth_user") is not None


def server_reviewer(home: Any) -> str | None:
    """The account LangGraph's server authenticated for this resume (``ai_missions.langgraph_auth``), when its seal
    is the platform's own and still holds; None otherwise (a resume sent straight to the graph names nobody)."""
    user = (get_config().get("configurable") or {}).get("langgraph_auth_user")
    try:
        sealed = user["platform_seal"] if user is not None else None
        payload = unseal(platform_key(home), sealed)
    except (KeyError, TypeError, OSError, ValueError, MissionsError):
        return None
    if str(payload.get("expires", "")) < now_iso() or not payload.get("reviewer"):
        return None
    return str(payload["reviewer"])


def decision_seal(home: Any, thread_id: str, decision: Mapping[str, Any]) -> str:
    """The platform's signature of a decision for one run: what the execute step checks before it mints grants (a
    decision written into the state through LangGraph's API, or copied from another run, has none that holds)."""
    body = {"sealed": "decision", "run": thread_id, **{k: v for k, v in decision.items() if k != "seal"}}
    return sign(platform_key(home), json.loads(json.dumps(body, default=str)))


def sealed(home: Any, thread_id: str, decision: Mapping[str, Any]) -> bool:
    """Whether ``decision`` is one the approval step made for this run, unaltered."""
    seal = decision.get("seal")
    if not isinstance(seal, str):
        return False
    try:
        return hmac.compare_digest(decision_seal(home, thread_id, decision), seal)
    except (OSError, ValueError, MissionsError):
        return False


def _disposition(
    spec: MissionSpec,
    index: int,
    action: ProposedAction,
    response: Any,
    role: str,
    reviewer: str,
    facts: Mapping[str, Any],
    rules: Sequence[ApprovalRule],
    schemas: Schemas | None,
    earlier: list[dict[str, Any]],
    *,
    standing: Answer | None = None,
) -> dict[str, Any]:
    """One action's disposition. The reviewer's standing for their answer (``standing``, the authorization point's
    word on the whole plan; else asked here on this action alone) comes before any disposition: an answer given
    without it, a rejection included, is ``rejected`` with a reason starting ``refused:`` (the decision itself is
    the caller's to keep pending)."""
    base = {"index": index, "tool": action["tool"], "args": action["args"], "policy_ids": action["policy_ids"]}
    kind = response.get("type") if isinstance(response, Mapping) else None
    if kind not in ("accept", "edit", "response", "ignore"):
        return {**base, "status": "rejected", "reason": f"no valid answer for this action ({kind!r})"}
    if not role:  # no reviewer of record: an unsigned resume (the platform says so in the answer), or off the roster
        said = str(response.get("args") or "") if kind == "response" else ""
        why = said if said.startswith("refused:") else "refused: the reviewer is not on the roster"
        return {**base, "status": "rejected", "reason": why}
    if standing is None:
        case = plan_resource(spec, [(index, action)], facts, rules)
        standing = response_answer(Person(reviewer, role), case, 0, response)
    if not standing:
        return {**base, "status": "rejected", "reason": f"refused: {standing.reason}"}
    if kind == "response":
        return {**base, "status": "rejected", "reason": str(response.get("args") or "rejected")}
    if kind == "ignore":
        return {**base, "status": "rejected", "reason": "ignored by the reviewer"}
    final = dict(action)
    if kind == "edit":
        final["args"] = dict(response["args"]["args"])  # its shape and tool were checked with the standing
    approved_before = [e for e in earlier if e["status"] == "approved"]
    if problems := check_action(spec, final, facts, earlier=approved_before, schemas=schemas):
        return {**base, "status": "rejected", "reason": "refused: " + "; ".join(problems)}
    return {**base, "args": final["args"], "status": "approved", "edited": kind == "edit"}


def role_of_record(context: MissionContext, reviewer: str | None) -> str | None:
    """The reviewer's role on the roster of the run's home; None for an unknown reviewer."""
    if not reviewer:
        return None
    try:
        return load_roster(home_of(context)).get(reviewer)
    except MissionsError:
        return None


def standing_refusal(
    spec: MissionSpec,
    verdict: Verdict,
    answer: DecisionAnswer,
    facts: Mapping[str, Any],
    rules: Sequence[ApprovalRule],
    away: frozenset[str] = frozenset(),
) -> str | None:
    """Why the answer's reviewer may not give it (None when they may): the authorization point is asked, for each
    action awaiting review, whether ``answer["reviewer"]`` (with the role of record in ``answer["role"]``) may give
    the response they gave it (:func:`~ai_missions.services.authorization.response_answer`: an accept approves, an edit
    approves as edited, a response or an ignore rejects; a missing or malformed one answers nothing)."""
    reviewer, role = answer["reviewer"], answer["role"]
    if not reviewer or not role:
        return "the answer names no reviewer the platform signed in (reviewers answer through a signed-in account)"
    pending = review_actions(verdict["actions"])
    case = plan_resource(spec, pending, facts, rules, answer["decision_id"], away=away)
    who = Person(reviewer, role)
    problems = []
    for position, (index, action) in enumerate(pending):
        response = answer["responses"][position] if position < len(answer["responses"]) else None
        said = response_answer(who, case, position, response)
        if not said:
            problems.append(f"action {index + 1} ({action['tool']}): {said.reason}")
    return f"{reviewer} ({role}) may not answer this decision: {'; '.join(problems)}" if problems else None


def roster_of(context: MissionContext) -> dict[str, str]:
    """Reviewer -> role on the roster of the run's home (empty when it cannot be read: everything fails closed)."""
    try:
        return load_roster(home_of(context))
    except MissionsError:
        return {}


def decided_plan(
    spec: MissionSpec,
    context: MissionContext,
    state: MissionState,
    value: Any,
    decision_id: str,
    schemas: Mapping[str, dict[str, Any]],
    pending: int,
) -> tuple[dict[str, Any] | None, DecisionAnswer, str | None]:
    """What the reviewer's answer decides, sealed for the run: each action approved or rejected, and by whom. An
    answer the platform signed (the runtime's, after ``missions decide`` checked it) decides; one sent through
    LangGraph's server decides only when its signed-in reviewer has the standing to give it, and one nobody signed
    decides nothing. Returns the decision (None when nothing was decided), the answer as read, and the refusal."""
    verdict = state["verdict"]
    answer = parse_answer(value, decision_id)
    home = home_of(context)
    rules = approval_rules(knowledge_of(context))
    away = absence.away_in(home)  # an owner marked away: her stand-in decides (ACC-001), as `decide` was told
    roles: list[str | None] | None = None
    signers: list[str | None] = []
    if authentic(home, value, decision_id):
        answer["role"] = role_of_record(context, answer["reviewer"])
        if isinstance(value, Mapping) and "signoffs" in value:  # co-approved: each action by its own signer
            answer, roles, signers = cosigned(home, value, answer, roster_of(context), pending)
    elif through_server():  # an Agent Inbox or Studio answer: the account LangGraph's server vouches for, or nobody
        answer["reviewer"] = server_reviewer(home)
        answer["role"] = role_of_record(context, answer["reviewer"])
        if refusal := standing_refusal(spec, verdict, answer, state.get("facts", {}), rules, away):
            return None, answer, REFUSED.format(why=refusal)
    elif not claimed(home, decision_id):  # handed to the graph unsigned (an exported graph resumed in-process):
        answer["reviewer"] = answer["role"] = None  # it decides nothing, and the same decision is asked again
        return None, answer, REFUSED.format(why=UNSIGNED)
    else:  # a queue row claimed and edited behind the platform's back, carried in by the runtime: fails closed
        answer["role"] = None
        answer["responses"] = [{"type": "response", "args": UNSIGNED} for _ in answer["responses"]]
    plan = resolve_answer(spec, verdict, answer, state.get("facts", {}), rules, schemas, roles=roles, away=away)
    for step, signer in zip(plan, signers, strict=False):
        step["signed_by"] = signer
    decision = {
        "decision_id": decision_id,
        "reviewer": answer["reviewer"],
        "role": answer["role"],
        "resumed_at": now_iso(),
        "plan": plan,
    }
    decision["seal"] = decision_seal(home, str(get_config()["configurable"]["thread_id"]), decision)
    return decision, answer, None


def decision_request(
    spec: MissionSpec, state: MissionState, decision_id: str, roles: Sequence[Sequence[str]] | None = None
) -> list[HumanInterrupt]:
    """The question the step asks: each action awaiting review, with why the last answer was refused, if it was, and
    (``roles``) the roles that may approve each."""
    verdict = state["verdict"]
    return build_interrupts(
        decision_id,
        mission=spec.name,
        subject_id=state["subject_id"],
        verdict=verdict,
        pending=review_actions(verdict["actions"]),
        refused=state.get("refused"),
        roles=roles,
    )


def approving_roles(spec: MissionSpec, context: MissionContext, state: MissionState) -> list[list[str]]:
    """Per action awaiting review, the roles that may approve it in this case (its amount, the case's facts; an
    escalated action only its escalation roles): what a reader of the interrupt on LangGraph's server is told."""
    rules = approval_rules(knowledge_of(context))
    facts = state.get("facts", {})
    escalation = set(spec.tiers.escalation_roles) if spec.tiers is not None else None
    found = []
    for _, action in review_actions(state["verdict"]["actions"]):
        roles = coapproval.roles_for(action, rules, spec.tools, facts)
        if action.get("action_tier") == "escalate" and escalation is not None:
            roles = [r for r in roles if r in escalation]
        found.append(roles)
    return found


def approval_node(spec: MissionSpec) -> Node:
    """Pause for a reviewer; on resume, record who decided what, or (an answer without standing) nothing, and ask
    again (the graph routes the step back to itself while it has no decision: :func:`answered`)."""

    async def request_approval(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        thread_id = str(get_config()["configurable"]["thread_id"])
        decision_id = decision_id_for(thread_id, state["verdict"])
        # who may answer, for a reader on LangGraph's server (the runtime's queue and card work it out themselves)
        roles = await off_loop(approving_roles, spec, runtime.context, state) if through_server() else None
        request = decision_request(spec, state, decision_id, roles)
        value = interrupt(request)
        systems = await systems_of(runtime.context, spec.systems)
        decision, answer, refused = await off_loop(  # reads the platform key, the roster and the index: off the loop
            decided_plan, spec, runtime.context, state, value, decision_id, systems.schemas(), len(request)
        )
        if decision is None:
            finding = observe("request_approval", "decision_queue", str(refused), {"decision_id": decision_id})
            return {"refused": refused, "status": "awaiting_decision", "observations": [finding]}
        if through_server():  # the runtime records the answers it carries in; one given on the server is recorded
            emit("decision", **decision_event(request, decision))  # here: each action as approved, edited, rejected
        if runtime.context.record_reviews and answer["role"] is not None:
            home = await off_loop(home_of, runtime.context)
            await keep_review(spec, state, answer, request, home, thread_id)
        return {"decision": decision, "refused": None, "status": "executing"}

    return request_approval


def decision_event(request: Sequence[Mapping[str, Any]], decision: Mapping[str, Any]) -> dict[str, Any]:
    """The audit trail's record of a decision the approval step took itself (an answer given on LangGraph's server):
    who, and each action as answered (an edit with its arguments as proposed and as approved)."""
    answers = plan_answers(decision["plan"])
    return {
        "node": "decision_queue",
        "source": "reviewer",
        "actor": f"{decision['reviewer']} ({decision['role']})",
        "summary": describe(request, answers),
        "data": {k: decision[k] for k in ("decision_id", "reviewer", "role", "plan")} | {"responses": answers},
    }


async def answered(state: MissionState) -> Literal["execute", "request_approval"]:
    """Where the graph goes after the approval step: execution once it recorded a decision, else the same step, which
    asks again (an answer refused for want of standing decided nothing). A coroutine, so that LangGraph does not run
    it on a worker thread (:func:`~ai_missions.nodes.pipeline.needs_review`)."""
    return "execute" if state.get("decision") else "request_approval"
