"""Cases in several parts: one decision over several records (a customer's two orders), each part decided alone.

A mission whose case touches several records of one kind (two orders in one ticket) gathers the facts of each
record separately and puts them under the ``parts`` fact: a list of fact mappings, each laid over the case's
shared facts (the ticket, the customer) to give that part's complete facts. ``part.label`` names a part for a
person ("order #W123"). Without ``parts`` nothing here applies and a case is decided as one.

- **Reasoning** (:func:`decide_parts`): each part is decided alone by the mission's reasoner, on its own facts.
  Any part that escalates escalates the case, saying which part and why: nothing of the other parts is done
  half. Any part whose outcome waits for the customer (``Vocabulary.asking_outcomes``) makes the plan that
  part's question only; the other parts wait with it, so the answer resumes the whole request. Otherwise the plan
  is every part's actions in the mission's execution order, each still citing its own clause; an action that
  several parts propose alike (the same tool on the same record: one reply, one note on the shared ticket) is
  proposed once, its list-valued free text (tags) joined. Alike actions that differ otherwise (two replies with
  other bodies) escalate: keeping one would drop the other unread.
- **The guard** (:func:`part_indexes`): an action is checked against the facts of the part(s) whose records its
  identifier arguments name, with the earlier actions of the same part(s): never an order of another part's facts,
  never more refunded than that order's own figures allow, one refund per order. An action that names no part's
  record is checked against the shared facts, where it names no record of the case and is refused.
- **Execution** (:func:`part_owner`): for ``ToolPolicy.owner``, an action depends only on the actions of its own
  part (one order's refused cancellation does not skip another order's return).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ai_missions.kernel.missions import ESCALATE, MissionSpec, Owner, ToolPolicy
from ai_missions.nodes.state import ProposedAction, Verdict

#: The fact holding a case's parts (a list of fact mappings, each laid over the shared facts).
PARTS = "parts"
#: Within a part: how it is named for a person.
LABEL = "part.label"


def has_parts(facts: Mapping[str, Any]) -> bool:
    value = facts.get(PARTS)
    return isinstance(value, list) and len(value) > 0


def parts_of(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each part's complete facts: the shared facts with the part's own laid over them (empty: no parts)."""
    if not has_parts(facts):
        return []
    shared = {k: v for k, v in facts.items() if k != PARTS}
    return [{**shared, **part} for part in facts[PARTS] if isinstance(part, Mapping)]


def label_of(facts: Mapping[str, Any], index: int) -> str:
    return str(facts.get(LABEL) or f"part {index + 1}")


def record_ids(facts: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """The record ids the facts ``names`` hold (each a value or a list of them): what an action's identifier
    argument may name (``ToolRule.ids``)."""
    ids: set[str] = set()
    for name in names:
        value = facts.get(name)
        if isinstance(value, list | tuple | set):
            ids.update(str(v) for v in value)
        elif value is not None:
            ids.add(str(value))
    return ids


def names_records_of(tools: ToolPolicy, tool: str, args: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Whether every identifier argument of the action names a record of these facts."""
    rule = tools.get(tool)
    if rule is None:
        return False
    return all(str(args[arg]) in record_ids(facts, names) for arg, names in rule.ids.items() if arg in args)


def part_indexes(tools: ToolPolicy, tool: str, args: Mapping[str, Any], facts: Mapping[str, Any]) -> list[int]:
    """The parts whose records the action names (every part for an action on the shared record, a ticket)."""
    return [i for i, part in enumerate(parts_of(facts)) if names_records_of(tools, tool, args, part)]


def part_owner(tools: Callable[[], ToolPolicy]) -> Owner:
    """A ``ToolPolicy.owner`` telling the parts apart: the one part whose records an action names, or None (no
    parts, or an action on the shared record, which then depends on every part's actions). ``tools`` gives the
    policy itself (the owner is built before it)."""

    def owner(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any]) -> str | None:
        found = part_indexes(tools(), tool, args, facts)
        return f"part-{found[0]}" if len(found) == 1 and len(parts_of(facts)) > 1 else None

    return owner


def decide_parts(
    spec: MissionSpec, facts: Mapping[str, Any], decide_one: Callable[[Mapping[str, Any]], Verdict]
) -> Verdict:
    """The case's verdict: each part decided by ``decide_one`` on its own facts, then combined."""
    return combine(spec, [(part, decide_one(part)) for part in parts_of(facts)])


def joined(parts: Iterable[str]) -> str:
    """Clauses' or parts' summaries as one text a person reads: after one that ends a sentence the next starts a
    sentence, else ``; `` (joining sentences with ``; `` read ``.;``, issue 60 item 4)."""
    text = ""
    for part in (p.strip() for p in parts):
        if part:
            text += ("" if not text else " " if text.endswith((".", "!", "?")) else "; ") + part
    return text


def combine(spec: MissionSpec, decided: Sequence[tuple[Mapping[str, Any], Verdict]]) -> Verdict:
    """One verdict from the parts' verdicts (``(part facts, verdict)`` in part order); see the module's rules."""
    labelled = [(label_of(facts, i), v) for i, (facts, v) in enumerate(decided)]
    cited = sorted({p for _, v in decided for p in v["policy_ids"]})
    confidence = min((v["confidence"] for _, v in decided), default=0.5)
    reasoner = next((v["reasoner"] for _, v in decided), "offline")
    if escalating := [(label, v) for label, v in labelled if v["outcome"] == ESCALATE]:
        why = joined(f"{label}: {v['summary']}" for label, v in escalating)
        return Verdict(
            outcome=ESCALATE,
            actions=[],
            confidence=confidence,
            summary=f"{len(escalating)} of {len(decided)} parts escalate ({why}); nothing is done on any part.",
            policy_ids=cited,
            reasoner=reasoner,
        )
    asking = [(label, v) for label, v in labelled if v["outcome"] in spec.vocabulary.asking_outcomes]
    actions, differing = _united(spec, [v for _, v in (asking or labelled)])
    if differing:
        return Verdict(
            outcome=ESCALATE,
            actions=[],
            confidence=confidence,
            summary=f"The parts propose one action each on the shared record but differ in it "
            f"({', '.join(differing)}); a person writes it; nothing is done on any part.",
            policy_ids=cited,
            reasoner=reasoner,
        )
    if asking:
        waiting = [label for label, v in labelled if v["outcome"] not in spec.vocabulary.asking_outcomes]
        later = f"; waiting with it: {', '.join(waiting)}" if waiting else ""
        questions = joined(f"{label}: {v['summary']}" for label, v in asking)
        return Verdict(
            outcome=asking[0][1]["outcome"],
            actions=actions,
            confidence=confidence,
            summary=f"Asks ({questions}){later}.",
            policy_ids=sorted({p for _, v in asking for p in v["policy_ids"]}),
            reasoner=reasoner,
        )
    return Verdict(
        outcome=_leading_outcome(spec, decided),
        actions=actions,
        confidence=confidence,
        summary=joined(f"{label}: {v['summary']}" for label, v in labelled),
        policy_ids=cited,
        reasoner=reasoner,
    )


def _leading_outcome(spec: MissionSpec, decided: Sequence[tuple[Mapping[str, Any], Verdict]]) -> str:
    """The outcome of the first part that acts on a record of its own (one the other parts do not hold), else the
    first part's: a cancellation and an answer about another order is a cancellation."""
    for facts, verdict in decided:
        others = [f for f, _ in decided if f is not facts]
        for action in verdict["actions"]:
            tool, args = str(action["tool"]), action["args"]
            if names_records_of(spec.tools, tool, args, facts) and not all(
                names_records_of(spec.tools, tool, args, other) for other in others
            ):
                return verdict["outcome"]
    return decided[0][1]["outcome"]


def _identity(spec: MissionSpec, action: Mapping[str, Any]) -> tuple[str, str]:
    """Alike actions: the same tool on the same records (its identifier arguments; without a rule, every argument
    but free text). Two alike actions whose other arguments differ are two answers to one question."""
    rule = spec.tools.get(str(action["tool"]))
    keep = set(rule.ids) if rule is not None and rule.ids else set(action["args"]) - spec.tools.free_text
    return str(action["tool"]), repr(sorted((k, v) for k, v in action["args"].items() if k in keep))


def _united(spec: MissionSpec, verdicts: Sequence[Verdict]) -> tuple[list[ProposedAction], list[str]]:
    """Every part's actions once, in execution order; alike actions merged (their list-valued free text joined).
    Also the alike actions whose other free text differs (two replies with different bodies on one ticket): one
    of them would be dropped unread, so the caller escalates instead."""
    merged: dict[tuple[str, str], ProposedAction] = {}
    differing: list[str] = []
    for verdict in verdicts:
        for action in verdict["actions"]:
            key = _identity(spec, action)
            if key not in merged:
                merged[key] = ProposedAction(**{**action, "args": dict(action["args"])})
                continue
            kept = merged[key]
            for name, value in action["args"].items():
                if isinstance(value, list) and isinstance(kept["args"].get(name), list):
                    kept["args"][name] = kept["args"][name] + [x for x in value if x not in kept["args"][name]]
                elif value != kept["args"].get(name):
                    differing.append(f"{action['tool']} {name}")
            kept["policy_ids"] = sorted({*kept["policy_ids"], *action["policy_ids"]})
    return spec.tools.in_execution_order(list(merged.values())), sorted(set(differing))
