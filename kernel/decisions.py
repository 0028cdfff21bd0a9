"""The Decision Queue protocol: what a paused mission asks, and what a reviewer answers. One module owns it.

The question is a list of agent-inbox ``HumanInterrupt`` dicts, one per action awaiting review, each with a
``metadata`` dict naming the decision, mission, subject and the action's place in the plan. The answer is a
:class:`DecisionAnswer`: who decided and one agent-inbox ``HumanResponse`` per action, in order::

    {"decision_id": "D-...", "reviewer": "omar", "role": "ops_lead",
     "responses": [{"type": "accept"} | {"type": "edit", "args": {"action": tool, "args": {...}}}
                   | {"type": "response", "args": "why it is rejected"} | {"type": "ignore"}, ...]}

The graph also takes agent-inbox's own resume value (a bare list of responses, one per action request); reviewer
and role then stay unknown and every action fails closed unless the platform fills them in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import jsonschema_rs

from ai_missions.kernel.errors import ValidationError

ResponseType = Literal["accept", "edit", "response", "ignore"]
#: How a reviewer's answer to one action reads.
ANSWER_WORDS: dict[str, str] = {
    "accept": "approved",
    "edit": "edited and approved",
    "response": "rejected",
    "ignore": "ignored",
}


class ActionRequest(TypedDict):
    action: str
    args: dict[str, Any]


class HumanInterruptConfig(TypedDict):
    allow_ignore: bool
    allow_respond: bool
    allow_edit: bool
    allow_accept: bool


class HumanInterrupt(TypedDict):
    action_request: ActionRequest
    config: HumanInterruptConfig
    description: str
    metadata: dict[str, Any]


class HumanResponse(TypedDict, total=False):
    type: ResponseType
    args: Any  # None | str (a rejection's reason) | ActionRequest (an edit)


class DecisionAnswer(TypedDict):
    decision_id: str
    reviewer: str | None
    role: str | None
    responses: list[HumanResponse]


def build_interrupts(
    decision_id: str,
    *,
    mission: str,
    subject_id: str,
    verdict: Mapping[str, Any],
    pending: Sequence[tuple[int, Mapping[str, Any]]],
    refused: str | None = None,
    roles: Sequence[Sequence[str]] | None = None,
) -> list[HumanInterrupt]:
    """The interrupt payload: one HumanInterrupt per ``(plan index, action)`` awaiting review. ``refused``: why the
    last answer to this same decision was refused (it still awaits someone with the standing to answer it);
    ``roles``: per action, the roles that may approve it in this case (an interrupt is one value for every reader, so
    its ``config`` cannot say what each may do: this says whose answer it takes)."""
    return [
        HumanInterrupt(
            action_request=ActionRequest(action=str(action["tool"]), args=dict(action["args"])),
            config=HumanInterruptConfig(allow_accept=True, allow_edit=True, allow_respond=True, allow_ignore=False),
            description=(
                (f"{refused}\n\n" if refused else "")
                + f"{verdict['summary']}\n\nAction {index + 1}: {action['tool']} — {action.get('why', '')} "
                f"(policies: {', '.join(action.get('policy_ids', []))})"
            ),
            metadata={
                "decision_id": decision_id,
                "mission": mission,
                "subject_id": subject_id,
                "action_index": index,
                "outcome": verdict["outcome"],
                "confidence": verdict["confidence"],
                "policy_ids": list(action.get("policy_ids", [])),
                **({"refused": refused} if refused else {}),
                **({"roles": list(roles[position])} if roles is not None and position < len(roles) else {}),
            },
        )
        for position, (index, action) in enumerate(pending)
    ]


def actions_hash(actions: Sequence[tuple[int, str, Mapping[str, Any]]]) -> str:
    """A short digest of ``(plan index, tool, arguments)`` per action: what a reviewer is shown and approves."""
    canonical = json.dumps([[i, t, dict(a)] for i, t, a in actions], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def request_hash(interrupts: Sequence[Mapping[str, Any]]) -> str:
    """The :func:`actions_hash` of a decision request (its interrupts)."""
    return actions_hash(
        [
            (int(i["metadata"]["action_index"]), str(i["action_request"]["action"]), i["action_request"]["args"])
            for i in interrupts
        ]
    )


def decision_of(interrupts: Sequence[Mapping[str, Any]]) -> str:
    """The decision id an interrupt payload belongs to."""
    return str(interrupts[0]["metadata"]["decision_id"])


def parse_answer(value: Any, decision_id: str = "") -> DecisionAnswer:
    """A resume value as a DecisionAnswer: ours, or agent-inbox's list of responses (reviewer unknown).

    Never raises: what cannot be read becomes no responses, and every action then fails closed.
    """
    if isinstance(value, list):
        return DecisionAnswer(decision_id=decision_id, reviewer=None, role=None, responses=_responses(value))
    if isinstance(value, Mapping):
        return DecisionAnswer(
            decision_id=str(value.get("decision_id") or decision_id),
            reviewer=str(value["reviewer"]) if value.get("reviewer") else None,
            role=str(value["role"]) if value.get("role") else None,
            responses=_responses(value.get("responses")),
        )
    return DecisionAnswer(decision_id=decision_id, reviewer=None, role=None, responses=[])


def _responses(value: Any) -> list[HumanResponse]:
    if not isinstance(value, list):
        return []
    return [HumanResponse(**r) if isinstance(r, Mapping) else HumanResponse() for r in value]


def shorthand(
    interrupts: Sequence[Mapping[str, Any]],
    *,
    approve: bool = False,
    reject_reason: str | None = None,
    edits: Mapping[int, Mapping[str, Any]] | None = None,
    schemas: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[HumanResponse]:
    """Responses from the CLI's shorthand: approve everything (``edits`` changing the named arguments of actions
    by their 1-based number, the others kept), or reject everything with a reason. An edited action is checked
    against its tool's argument schema when ``schemas`` has it (those recorded with the request), so a value the
    system would refuse is refused here, before anything starts."""
    numbers = {int(i["metadata"]["action_index"]) + 1: i for i in interrupts}
    if reject_reason is not None:
        if not reject_reason.strip():
            raise ValidationError("a rejection needs a reason")
        return [HumanResponse(type="response", args=reject_reason) for _ in interrupts]
    if approve or edits:
        unknown = set(edits or {}) - set(numbers)
        if unknown:
            raise ValidationError(f"no action numbered {sorted(unknown)} awaits review (actions: {sorted(numbers)})")
        return [
            HumanResponse(
                type="edit",
                args={"action": i["action_request"]["action"], "args": edited(n, i, edits[n], schemas)},
            )
            if edits and n in edits
            else HumanResponse(type="accept")
            for n, i in numbers.items()
        ]
    raise ValidationError("say what to do: approve, reject with a reason, or edit")


def edited(
    number: int,
    interrupt: Mapping[str, Any],
    changes: Mapping[str, Any],
    schemas: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The action's arguments with ``changes`` applied: only arguments it has, each keeping its kind (a number
    stays a number, text stays text), the result valid against the tool's schema when ``schemas`` has it.
    ValidationError says which argument is wrong, before anything starts."""
    request = interrupt["action_request"]
    args = dict(request["args"])
    where = f"action {number} ({request['action']})"
    for name, value in changes.items():
        if name in args and args[name] == value:
            continue  # named as it stands (a whole argument set given back): nothing to change
        if name not in args or name == "idempotency_key":
            known = ", ".join(k for k in args if k != "idempotency_key")
            raise ValidationError(f"{where} has no argument {name!r} to change (its arguments: {known})")
        if args[name] is not None and _kind(value) != _kind(args[name]):
            raise ValidationError(f"{where}: {name} is {_kind(args[name])}, got {json.dumps(value, default=str)}")
        args[name] = value
    schema = (schemas or {}).get(str(request["action"]))
    if schema is not None and (problems := schema_problems(schema, args)):
        raise ValidationError(f"{where}: {'; '.join(problems)} (nothing was decided)")
    return args


_validators: dict[str, Any] = {}


def args_validator(schema: Mapping[str, Any]) -> Any:
    """A compiled validator of a tool's arguments without its idempotency key (the mission adds it), closed to
    undeclared arguments unless the schema says otherwise: an argument the tool does not declare is refused, not
    silently dropped by the server (a misnamed ``payment_authorization_id`` must not leave a release that acts on
    the order alone). Cached by the schema's text, so the guard and the CLI compile each schema once."""
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        required = [r for r in schema.get("required", []) if r != "idempotency_key"]
        closed = {"additionalProperties": False} if "properties" in schema else {}
        validator = _validators[key] = jsonschema_rs.Draft202012Validator({**closed, **schema, "required": required})
    return validator


def schema_problems(schema: Mapping[str, Any], args: Mapping[str, Any]) -> list[str]:
    """Why ``args`` do not fit the tool's argument ``schema`` (``argument amount: -5 is less than ...``)."""
    payload = {k: v for k, v in args.items() if k != "idempotency_key"}
    errors = sorted(args_validator(schema).iter_errors(payload), key=lambda e: e.message)
    return [f"argument {'.'.join(map(str, e.instance_path)) or '(all)'}: {e.message}" for e in errors]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return "a list" if isinstance(value, list) else "an object"


def check_responses(
    interrupts: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]
) -> list[HumanResponse]:
    """The responses, validated: one per action, of a known type, a reason for every rejection, arguments as an
    object for every edit (of the same tool). ValidationError names the first problem."""
    if len(responses) != len(interrupts):
        raise ValidationError(f"expected {len(interrupts)} responses (one per action), got {len(responses)}")
    checked: list[HumanResponse] = []
    for number, (interrupt, answer) in enumerate(zip(interrupts, responses, strict=True), start=1):
        if not isinstance(answer, Mapping):
            raise ValidationError(f"response {number} is not an object")
        kind = answer.get("type")
        if kind not in ANSWER_WORDS:
            raise ValidationError(f"unknown response type {kind!r} (accept, edit, response or ignore)")
        if kind == "response" and not str(answer.get("args") or "").strip():
            raise ValidationError("a rejection needs a reason")
        if kind == "edit":
            edited = answer.get("args")
            if not isinstance(edited, Mapping) or not isinstance(edited.get("args"), Mapping):
                raise ValidationError("an edit gives the action's new arguments as an object")
            if edited.get("action", interrupt["action_request"]["action"]) != interrupt["action_request"]["action"]:
                raise ValidationError("an edit may change an action's arguments, not its tool")
        checked.append(HumanResponse(**answer))  # type: ignore[typeddict-item]
    return checked


def approves(response: Mapping[str, Any]) -> bool:
    return response.get("type") in ("accept", "edit")


def final_action(interrupt: Mapping[str, Any], response: Mapping[str, Any]) -> dict[str, Any]:
    """The action as it would run: the request's arguments, or the edit's."""
    request = interrupt["action_request"]
    args = response["args"]["args"] if response.get("type") == "edit" else request["args"]
    return {
        "tool": request["action"],
        "args": dict(args),
        "policy_ids": list(interrupt["metadata"].get("policy_ids", [])),
        "tier": "review",
    }


def approved_actions(
    interrupts: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The actions a set of responses approves, as they would run."""
    return [final_action(i, r) for i, r in zip(interrupts, responses, strict=True) if approves(r)]


def describe(interrupts: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]) -> str:
    """``release_payment_hold approved; refund_payment rejected (not a duplicate); capture_payment edited and
    approved (amount 338.03 -> 150; as proposed: {...})`` for the audit trail: an edit with the arguments it changed,
    each from the proposed value to the approved one, and the action as proposed beside it."""
    parts = []
    for interrupt, answer in zip(interrupts, responses, strict=True):
        kind = str(answer.get("type"))
        part = f"{interrupt['action_request']['action']} {ANSWER_WORDS.get(kind, kind)}"
        if kind == "response":
            part += f" ({answer.get('args')})"
        elif kind == "edit":
            proposed, edited = interrupt["action_request"]["args"], answer["args"]["args"]
            changed = [
                f"{k} {json.dumps(proposed.get(k), default=str)} -> {json.dumps(v, default=str)}"
                for k, v in edited.items()
                if k not in proposed or proposed[k] != v
            ]
            part += f" ({'; '.join(changed)}; as proposed: {json.dumps(proposed, default=str)})" if changed else ""
        parts.append(part)
    return "; ".join(parts)


def plan_answers(plan: Sequence[Mapping[str, Any]]) -> list[HumanResponse]:
    """The answers a sealed plan of the approval step records (each step approved, edited or rejected), as
    agent-inbox responses in its order: what an answer given through LangGraph's server said, for the queue and the
    audit trail."""
    answers: list[HumanResponse] = []
    for step in plan:
        if step.get("status") != "approved":
            answers.append(HumanResponse(type="response", args=str(step.get("reason") or "rejected")))
        elif step.get("edited"):
            edit = {"action": str(step.get("tool")), "args": dict(step.get("args") or {})}
            answers.append(HumanResponse(type="edit", args=edit))
        else:
            answers.append(HumanResponse(type="accept"))
    return answers
