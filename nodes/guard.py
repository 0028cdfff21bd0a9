"""The guard: checks a proposal independently of whichever reasoner made it.

It rejects any action that is not one of the mission's write tools, has malformed arguments, names records that
are not this case's, breaks one of the mission's invariants, cites no policy, or would carry a link, markup or
control characters to someone outside the company, and turns such a verdict into an escalation with the reason.
Reviewers' edits pass through the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ai_missions.kernel.decisions import args_validator
from ai_missions.kernel.missions import ESCALATE, MissionSpec
from ai_missions.knowledge_index.clauses import clause_facts
from ai_missions.nodes.parts import PARTS, has_parts, label_of, part_indexes, parts_of, record_ids
from ai_missions.nodes.plain_text import plain_text_problems
from ai_missions.nodes.reading import KINDS, READ, UNEXPLAINED
from ai_missions.nodes.state import ProposedAction, Verdict

Schemas = Mapping[str, Mapping[str, Any]]


class Planned(str):
    """An earlier action of the plan as the mission's invariants see it: its tool name (a ``str``, as invariants
    compare it) carrying its arguments, for an invariant that must know which record an earlier action touched
    (a cancelled copy's void needs that copy's cancellation, not any)."""

    args: Mapping[str, Any]

    def __new__(cls, tool: str, args: Mapping[str, Any]) -> Planned:
        planned = super().__new__(cls, tool)
        planned.args = args
        return planned


def _args_of(action: Mapping[str, Any]) -> Mapping[str, Any]:
    args = action.get("args")
    return args if isinstance(args, Mapping) else {}


def _positive_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def check_action(
    spec: MissionSpec,
    action: Mapping[str, Any],
    facts: Mapping[str, Any],
    *,
    earlier: Sequence[Mapping[str, Any]] = (),
    schemas: Schemas | None = None,
) -> list[str]:
    """Problems with one action in the context of the actions planned before it (empty when it is sound).

    A case in parts (:mod:`ai_missions.nodes.parts`): the action is checked against the facts of each part whose
    records it names, with the earlier actions of that part (and those on the shared record); one that names no
    part's record is checked against the shared facts alone, which hold no such record."""
    if has_parts(facts):
        tool = str(action.get("tool", ""))
        parts = parts_of(facts)
        mine = part_indexes(spec.tools, tool, _args_of(action), facts)
        if not mine:
            shared = {k: v for k, v in facts.items() if k != PARTS}
            return _check_one(spec, action, shared, earlier=earlier, schemas=schemas)
        problems: list[str] = []
        for index in mine:
            before = [a for a in earlier if index in part_indexes(spec.tools, str(a.get("tool")), _args_of(a), facts)]
            label = label_of(parts[index], index)
            found = _check_one(spec, action, parts[index], earlier=before, schemas=schemas)
            problems.extend(p if len(parts) == 1 else f"{label}: {p}" for p in found)
        return list(dict.fromkeys(problems))
    return _check_one(spec, action, facts, earlier=earlier, schemas=schemas)


def _check_one(
    spec: MissionSpec,
    action: Mapping[str, Any],
    facts: Mapping[str, Any],
    *,
    earlier: Sequence[Mapping[str, Any]],
    schemas: Schemas | None,
) -> list[str]:
    tool = str(action.get("tool", ""))
    rule = spec.tools.get(tool)
    if rule is None:
        return [f"unknown tool {tool!r}" + (" (not one of this mission's actions)" if tool else "")]
    args = action.get("args")
    if not isinstance(args, Mapping):
        return [f"{tool}: arguments must be an object"]
    problems: list[str] = []
    if not action.get("policy_ids"):
        problems.append(f"{tool}: cites no policy")
    if action.get("tier") == "auto" and not rule.automatable:
        problems.append(f"{tool}: moves money or stock, changes a record or reaches someone; it needs a reviewer")
    schema = (schemas or {}).get(tool)
    if schema is not None:
        payload = {k: v for k, v in args.items() if k != "idempotency_key"}
        for error in sorted(_validator(tool, schema).iter_errors(payload), key=lambda e: e.message):
            problems.append(f"{tool}: argument {'.'.join(map(str, error.instance_path)) or '(all)'}: {error.message}")
    for arg, fact_names in rule.ids.items():
        if arg in args and str(args[arg]) not in record_ids(facts, fact_names):
            problems.append(f"{tool}: {arg}={args[arg]!r} is not a record of this {spec.subject.kind}")
    if rule.amount_arg is not None and rule.amount_arg in args and not _positive_number(args[rule.amount_arg]):
        problems.append(f"{tool}: {rule.amount_arg} must be a positive number")
    if rule.spec.reaches_outside:
        problems.extend(outside_text_problems(tool, args))
    planned = [Planned(str(a.get("tool")), _args_of(a)) for a in earlier]
    problems.extend(spec.invariants(tool, args, facts, planned))
    return problems


def _texts(value: Any) -> Iterable[str]:
    """Every string in an argument's value (a list of tags, a nested object)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def outside_text_problems(tool: str, args: Mapping[str, Any]) -> list[str]:
    """Why an action that reaches a customer or a vendor may not send its text: every string argument must be plain
    (no link, markup or control character), whoever wrote it (a template, a model, a reviewer's edit)."""
    problems: list[str] = []
    for name in sorted(k for k in args if k != "idempotency_key"):
        found = [p for text in _texts(args[name]) for p in plain_text_problems(text)]
        problems.extend(f"{tool}: {name} reaches outside the company and {p}" for p in dict.fromkeys(found))
    return problems


_validators: dict[str, tuple[Mapping[str, Any], Any]] = {}


def _validator(tool: str, schema: Mapping[str, Any]) -> Any:
    """``tool``'s compiled argument validator (:func:`args_validator`: closed to undeclared arguments, the
    idempotency key left to the mission), kept while the gateway's schema object stands."""
    cached = _validators.get(tool)
    if cached is None or cached[0] is not schema:
        cached = _validators[tool] = (schema, args_validator(schema))
    return cached[1]


def check_actions(
    spec: MissionSpec,
    actions: Sequence[Mapping[str, Any]],
    facts: Mapping[str, Any],
    *,
    schemas: Schemas | None = None,
) -> list[str]:
    """Problems across a whole plan, each action checked against those before it."""
    problems: list[str] = []
    for index, action in enumerate(actions):
        problems.extend(
            f"action {index + 1}: {p}"
            for p in check_action(spec, action, facts, earlier=actions[:index], schemas=schemas)
        )
    return problems


#: Windows of untrusted text looked for in free-text arguments, taken every ECHO_CHARS // 2 characters: any run of
#: 48 or more repeated characters is caught, while an order id, a name or a street quoted in a reply is not.
ECHO_CHARS = 32


def _normalized(text: str) -> str:
    return " ".join(text.casefold().split())


def echoed_text(spec: MissionSpec, actions: Sequence[Mapping[str, Any]], untrusted: Sequence[str]) -> list[str]:
    """Free-text arguments that repeat what a customer, vendor or note wrote, verbatim.

    Text from outside is data: a plan that copies it into a message, a reason or a note is carrying someone else's
    words into a system of record or to a customer, which is how an injected instruction would get out."""
    sources = [_normalized(t) for t in untrusted if len(t.strip()) >= ECHO_CHARS]
    problems: list[str] = []
    for index, action in enumerate(actions):
        rule = spec.tools.get(str(action.get("tool", "")))
        args = action.get("args")
        if rule is None or not isinstance(args, Mapping) or not sources:
            continue
        for name in sorted(rule.free_text & set(args)):
            value = _normalized(str(args[name]))
            if any(
                source[start : start + ECHO_CHARS] in value
                for source in sources
                for start in range(0, len(source) - ECHO_CHARS + 1, ECHO_CHARS // 2)
            ):
                problems.append(
                    f"action {index + 1}: {action['tool']}: {name} repeats text written outside the company"
                )
    return problems


def acts(spec: MissionSpec, action: Mapping[str, Any]) -> bool:
    """Whether an action, proposed as the mission's own, acts on the world: it moves money or stock, reaches someone
    outside the company, cannot be taken back, or moves the subject forward. Holds, notes and requests for a check
    do none of these."""
    rule = spec.tools.get(str(action.get("tool")))
    if rule is None or action.get("tier") == "auto":
        return False
    return bool(rule.amount_arg or rule.irreversible or rule.spec.reaches_outside or rule.moves_stock or rule.advancing)


def not_decided_on(facts: Mapping[str, Any], policies: Sequence[Any]) -> list[dict[str, Any]]:
    """Statements read as a fact that withholds consent or changes what someone wants done (``KindSpec.withholds``),
    affirmed, that no rule for this case decides on (none of the mission's facts derived from its kind is read by a
    clause of ``policies``): a refusal of delivery read on a payment review would otherwise be placed and ignored."""
    cited = {f for policy in policies for clause in policy.clauses for f in clause_facts(clause)}
    return [
        {**entry, "why": f"read as {entry['kind'].replace('_', ' ')}, which no rule for this case decides on"}
        for entry in facts.get(READ) or []
        if entry["polarity"] == "affirmed" and KINDS[entry["kind"]].withholds and not set(entry["facts"]) & cited
    ]


def fail_closed(spec: MissionSpec, verdict: Verdict, facts: Mapping[str, Any], policies: Sequence[Any] = ()) -> Verdict:
    """The proposal as the mission may make it its own (issue 57): while text about the subject is unexplained (the
    reader could not place a statement, or it is in a language the reader does not claim, or it was read as a fact
    no rule of ``policies``, the case's, decides on), it proposes no action that acts on the world; it escalates,
    naming the words. A question to the customer (an asking outcome) acts on nothing. Applied to what the reasoner
    proposes, never to what a reviewer decides."""
    unread = [*(facts.get(UNEXPLAINED) or []), *not_decided_on(facts, policies)]
    if not unread or verdict["outcome"] in spec.vocabulary.asking_outcomes:
        return verdict
    if not any(acts(spec, action) for action in verdict["actions"]):
        return verdict
    said = "; ".join(f"«{u['words'].strip(' ;,')}» ({u['source']}: {u['why']})" for u in unread[:3])
    more = f" and {len(unread) - 3} more" if len(unread) > 3 else ""
    return Verdict(
        outcome=ESCALATE,
        actions=[],
        confidence=verdict["confidence"],
        summary=f"Text about the {spec.subject.kind} was not understood, so nothing is done on the mission's own: "
        f"{said}{more}. Without it the policies would say: {verdict['summary']}",
        policy_ids=verdict["policy_ids"],
        reasoner=verdict["reasoner"],
    )


def guard(
    spec: MissionSpec,
    verdict: Verdict,
    facts: Mapping[str, Any],
    *,
    schemas: Schemas | None = None,
    untrusted: Sequence[str] = (),
) -> tuple[Verdict, list[str]]:
    """The verdict as it may proceed, and the problems found (an escalation carrying them when there are any).

    ``untrusted`` is the free text the mission read (customers' messages, notes, documents): no argument may
    repeat it."""
    problems = check_actions(spec, verdict["actions"], facts, schemas=schemas)
    problems.extend(echoed_text(spec, verdict["actions"], untrusted))
    if verdict["outcome"] not in spec.vocabulary.outcomes:
        problems.append(f"{verdict['outcome']!r} is not an outcome of this mission")
    going_ahead = verdict["outcome"] in spec.vocabulary.advancing_outcomes
    if verdict["outcome"] != ESCALATE and not verdict["actions"] and not going_ahead:
        problems.append(f"a {verdict['outcome']} verdict proposes no action")
    if verdict["outcome"] != ESCALATE and not verdict["policy_ids"]:
        problems.append("the verdict cites no policy")
    if not problems:
        return verdict, []
    escalation = Verdict(
        outcome=ESCALATE,
        actions=[],
        confidence=verdict["confidence"],
        summary=f"Escalated by the guard: {'; '.join(problems)}. The reasoner proposed: {verdict['summary']}",
        policy_ids=verdict["policy_ids"],
        reasoner=verdict["reasoner"],
    )
    return escalation, problems


def review_actions(actions: Sequence[ProposedAction]) -> list[tuple[int, ProposedAction]]:
    """The actions (with their plan index) that wait in the Decision Queue."""
    return [(i, a) for i, a in enumerate(actions) if a["tier"] != "auto"]
