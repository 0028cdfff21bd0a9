"""What a reviewer needs in view to decide, from the run store alone: each action with its arguments, the money and
stock it moves and who may approve it, the evidence the mission gathered, the policy clauses that matched, and
where a shared plan or a hand-off stands (who signed, who is still needed, to whom it was passed).

The CLI's ``show`` and ``queue`` print it and their ``--json`` carries it; it reads no system and no checkpoint
(the case's facts are the ones the gather step recorded on the audit trail), so a listing stays fast.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ai_missions.kernel.decisions import ANSWER_WORDS, plan_answers, request_hash
from ai_missions.kernel.missions import ToolPolicy, get_mission
from ai_missions.kernel.store import Decision, RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule, evaluate
from ai_missions.services import absence, authorization, coapproval
from ai_missions.services.authorization import case_facts
from ai_missions.services.governance import approval_problems, deciding_person
from ai_missions.services.identity import Accounts


@dataclass(frozen=True, slots=True)
class ActionView:
    """One action of a decision as the reviewer sees it."""

    number: int  # 1-based, as ``missions decide --edit`` numbers them
    tool: str
    args: dict[str, Any]
    why: str
    policy_ids: list[str]
    amount: float | None  # the money it moves
    stock: str | None  # the stock it moves, in words
    roles: list[str]  # every role that may approve it in this case
    approver: str | None  # the one person who decides it (an account's owner), when a rule names one
    signed_by: str | None = None  # "fiona (finance)" once a co-approver answered it
    answer: str | None = None  # "approved", "rejected (why)"... once answered (by a co-approver, or decided)
    changes: dict[str, Any] | None = None  # the arguments an edit changed, with their new values
    #: The arguments as an edit approved them, whole (``args`` stays the action as proposed); None: not edited.
    edited_args: dict[str, Any] | None = None
    #: The money the action moves as edited (``amount`` is the proposed action's), when an edit approved it.
    edited_amount: float | None = None
    #: How the action ran once decided (``done``, ``failed``, ``rejected``...), from its result on the audit trail.
    ran: str | None = None
    #: Its free-text arguments that reach someone outside (a customer's message): shown whole before approval.
    outside_text: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReviewSheet:
    decision_id: str
    mission: str
    subject_id: str
    run_id: str
    status: str
    due_at: str | None
    actions_hash: str
    summary: str
    actions: list[ActionView]
    #: The fewest roles that together may approve the plan (one when one role may approve it all).
    roles_needed: list[str]
    #: The plan needs several roles: each signs their part, and it executes once every action is answered.
    shared: bool
    #: Roles still needed for the actions nobody has answered yet (a shared plan), in cover order.
    still_needed: list[str]
    handed_to: dict[str, Any] | None
    decided_by: str | None
    decided_at: str | None
    evidence: list[dict[str, str]] = field(default_factory=list)
    clauses: list[dict[str, str]] = field(default_factory=list)
    #: What the mission could not read in the text about the subject (:func:`not_understood`).
    not_understood: list[dict[str, Any]] = field(default_factory=list)
    #: The subject's own total as the case's facts hold it (``order.total``), what is at stake where no action moves
    #: money itself (a cancel, a hold's release).
    subject_total: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def at_stake(self) -> tuple[float | None, bool]:
        """The money at stake, as the card's header and the queue's ``AMOUNT`` show it: the most one action moves,
        and True; else the subject's own total, and False (``order of 1,277.61`` for a cancel); else (None, False)."""
        moved = [a.amount for a in self.actions if a.amount is not None]
        if moved:
            return max(moved), True
        return self.subject_total, False

    @property
    def waiting_for(self) -> str:
        """Who the decision waits for, in a few words (``finance`` / ``ops_agent or ops_lead`` / ``ava``)."""
        if self.status != "pending":
            return f"decided by {self.decided_by}"
        if people := sorted({a.approver for a in self.actions if a.approver and a.signed_by is None}):
            return " + ".join(people)
        if self.shared:  # each open action's roles (any one of them signs it): finance + (support_agent or ...)
            groups = list(dict.fromkeys(" or ".join(a.roles) for a in self.actions if a.signed_by is None and a.roles))
            return " + ".join(f"({g})" if " or " in g and len(groups) > 1 else g for g in groups) or "nobody"
        if self.roles_needed:
            common = sorted(set.intersection(*(set(a.roles) for a in self.actions))) if self.actions else []
            return " or ".join(common) or " + ".join(self.roles_needed)
        return "no role may approve it as proposed"


def evidence(events: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The systems' findings and the guard's word: what the mission saw before proposing."""
    return [
        {"source": str(e.get("source") or ""), "finding": str(e.get("summary") or "")}
        for e in events
        if e.get("kind") == "observation"
        and e.get("node") in ("gather", "validate")
        and e.get("source") not in (None, "mission")
    ]


def not_understood(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the mission could not read in the text about its subject (issue 57), each statement with its record,
    why, and the words that made it so: while any is there, the mission acted on nothing of its own."""
    found = []
    for e in events:
        if e.get("kind") != "observation" or e.get("node") != "gather":
            continue
        data = e.get("data")
        data = json.loads(data) if isinstance(data, str) else data
        unread = (data or {}).get("unexplained") if isinstance(data, Mapping) else None
        if isinstance(unread, Mapping):
            found.append({"source": str(e.get("source") or ""), **unread})
    return found


def marked(words: str, terms: Sequence[str]) -> str:
    """The statement with the words that made it unexplained set off («...»), as a person reads it."""
    for term in sorted({t for t in terms if t and not t.startswith("(") and t != words}, key=len, reverse=True):
        at = words.lower().find(term.lower())
        if at >= 0:
            words = f"{words[:at]}«{words[at : at + len(term)]}»{words[at + len(term) :]}"
    return words


def clauses(events: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The policy clauses that matched (the reason step's citations), each with the policy and version."""
    return [
        {"policy": str(e.get("source") or "").removeprefix("policy:"), "text": str(e.get("summary") or "")}
        for e in events
        if e.get("kind") == "observation"
        and e.get("node") == "reason"
        and str(e.get("source") or "").startswith("policy:")
    ]


def roles_needed(actions: Sequence[Mapping[str, Any]], rules: Sequence[Any], tools: Any) -> list[str]:
    """The fewest roles that together may approve every action (a greedy cover): one role when a single role
    may approve the whole plan, ``["finance", "ops_lead"]`` when the plan must be handed on; empty when some
    action no role may approve."""
    roles = sorted({role for rule in rules for role in rule.roles})
    may = {role: {i for i, a in enumerate(actions) if not approval_problems(role, [a], rules, tools)} for role in roles}
    left, chosen = set(range(len(actions))), []
    while left:
        best = max(roles, key=lambda r: (len(may[r] & left), -roles.index(r)), default=None)
        if best is None or not may[best] & left:
            return []
        chosen.append(best)
        left -= may[best]
    return chosen


def _approver(
    action: Mapping[str, Any], rules: Sequence[ApprovalRule], facts: Mapping[str, Any], away: Collection[str] = ()
) -> str | None:
    """The person a rule of this case names as the one who decides the action (an account's owner: ``ava
    (account.approver)``; while she is away, her stand-in: ``maya (account.owner_manager, in place of ava, who is
    away)``; ``nobody: ...`` when nobody may)."""
    tool = str(action.get("tool"))
    for rule in rules:
        if tool not in rule.tools or rule.approver_fact is None:
            continue
        if (rule.when is None or evaluate(rule.when, facts) is not False) and facts.get(rule.approver_fact):
            person, named = deciding_person(rule, facts, away)
            return named if person is not None else f"nobody: {named}"
    return None


def review_sheet(
    store: RunStore,
    decision: Decision,
    rules: Sequence[ApprovalRule],
    *,
    events: Sequence[Mapping[str, Any]] | None = None,
    run: Mapping[str, Any] | None = None,
    roster: Mapping[str, str] | None = None,
) -> ReviewSheet:
    """Everything a reviewer needs to decide ``decision``, read from the store. With the ``roster`` (name ->
    role), a hand-off also says which open actions its target may approve (a hand-off changes nobody's rights)."""
    tools: ToolPolicy = get_mission(decision.mission).tools
    events = store.events(decision.run_id) if events is None else events
    run = store.get_run(decision.run_id) if run is None else run
    facts = case_facts(events)
    interrupts = decision.request.get("interrupts", [])
    plan = coapproval.requested(interrupts)
    verdict = next((e.get("data") for e in reversed(events) if e.get("kind") == "verdict"), None) or {}
    planned = list(verdict.get("actions") or []) if isinstance(verdict, dict) else []
    parts = coapproval.signoffs(store, decision.decision_id)
    away = absence.away(store)
    signers = {int(p): f"{s.get('reviewer')} ({s.get('role')})" for s in parts for p in s.get("answers") or {}}
    signed = {int(p): a for s in parts for p, a in (s.get("answers") or {}).items()}
    answers = given_answers(decision.response, len(interrupts))
    ran = {
        int(e["data"]["index"]): str(e["data"].get("status"))
        for e in events
        if e.get("kind") in ("action_result", "action_outcome_unknown")
        and e.get("node") == "execute"
        and isinstance(e.get("data"), dict)
        and isinstance(e["data"].get("index"), int)
    }
    views = []
    for position, (interrupt, action) in enumerate(zip(interrupts, plan, strict=True)):
        index = int(interrupt.get("metadata", {}).get("action_index", position))
        why = str(planned[index].get("why") or "") if index < len(planned) else ""
        answer = answers[position] if position < len(answers) else signed.get(position)
        said, changes = answer_words(action["args"], answer)
        edited = edited_args(answer)
        views.append(
            ActionView(
                number=index + 1,
                tool=action["tool"],
                args=dict(action["args"]),
                why=why,
                policy_ids=list(interrupt.get("metadata", {}).get("policy_ids") or []),
                amount=tools.amount_of(action),
                stock=tools.stock_of(action),
                roles=coapproval.roles_for(action, rules, tools, facts),
                approver=_approver(action, rules, facts, away),
                signed_by=signers.get(position),
                answer=said,
                changes=changes,
                edited_args=edited,
                edited_amount=tools.amount_of({**action, "args": edited}) if edited is not None else None,
                ran=ran.get(index) if decision.status != "pending" else None,
                outside_text=_outside_text(tools, action["tool"]),
            )
        )
    shared = coapproval.shared_plan(plan, rules, tools, facts)
    handed = coapproval.handed_to(store, decision.decision_id)
    if handed is not None and roster is not None and decision.status == "pending":
        case = authorization.decision_resource(store, decision, rules, events=events)
        to = authorization.target(str(handed["to"]), roster)
        handed["may_approve"] = [
            views[p].number
            for p in case.open_positions
            if to is not None and authorization.answer(to, "approve", case, action=p)
        ]
    open_plan = [a for p, a in enumerate(plan) if p not in signers]
    total = facts.get(f"{get_mission(decision.mission).subject.kind}.total")
    return ReviewSheet(
        decision_id=decision.decision_id,
        mission=decision.mission,
        subject_id=decision.subject_id,
        run_id=decision.run_id,
        status=decision.status,
        due_at=decision.due_at,
        actions_hash=decision.request.get("actions_hash") or (request_hash(interrupts) if interrupts else ""),
        summary=str(run.get("summary") or ""),
        actions=views,
        roles_needed=roles_needed(plan, rules, tools),
        shared=shared,
        still_needed=roles_needed(open_plan, rules, tools) if shared else [],
        handed_to=handed,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        evidence=evidence(events),
        not_understood=not_understood(events),
        clauses=clauses(events),
        subject_total=float(total) if isinstance(total, int | float) and not isinstance(total, bool) else None,
    )


#: How an automatic note's text was written (``ai_missions.nodes.notes``), for ``show``.
AUTOMATIC_WORDS = {
    "proposed": "written as proposed (every other action was done)",
    "interim": "said what was true then; the note on the outcome waits for the decision",
    "after_decision": "the note on the outcome, written once every action was done",
    "update": "what the decision did, instead of the note on the outcome",
}


def automatic_actions(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's actions that ran without a reviewer, each as its result recorded it (status, how a note was
    written), in the order they ran."""
    return [
        e["data"]
        for e in events
        if e["kind"] in ("action_result", "action_outcome_unknown")
        and (e["node"] == "execute_automatic" or e["data"].get("automatic"))
    ]


def _outside_text(tools: ToolPolicy, tool: str) -> list[str]:
    rule = tools.get(tool)
    return sorted(rule.free_text) if rule is not None and rule.spec.reaches_outside else []


def hand_off(
    store: RunStore,
    decision: Decision,
    by: authorization.Identity,
    *,
    to: str,
    reason: str,
    roster: Mapping[str, str],
    rules: Sequence[ApprovalRule],
) -> dict[str, Any]:
    """Hand a pending decision on, when the authorization point lets ``by`` hand it off to ``to`` (someone who may
    approve at least one open action); recorded and audited by :func:`coapproval.hand_off`."""
    coapproval.check_hand_off(decision, to=to, reason=reason, roster=roster)
    case = authorization.decision_resource(store, decision, rules)
    authorization.require(by, "hand_off", case, to=authorization.target(to, roster))
    return coapproval.hand_off(store, decision, by=by.name, role=by.role, to=to, reason=reason, roster=roster)


def mark_away(
    store: RunStore, by: authorization.Identity, name: str, *, until: str | None = None, reason: str = ""
) -> absence.Absence:
    """Mark ``name`` away until ``until`` (the last day away; None: until marked back), when the authorization point
    lets ``by`` (the account itself, or an admin); signed and audited by :func:`absence.record`."""
    account = Accounts(store).get(name)
    authorization.require(by, "mark_away", authorization.AccountResource(account.name, account.role))
    marked = absence.record(store, name, by=by.name, until=absence.last_day(until), reason=reason)
    assert marked is not None
    return marked


def mark_back(store: RunStore, by: authorization.Identity, name: str) -> absence.Absence | None:
    """End ``name``'s absence (the absence ended, None when they were not away), when the authorization point lets
    ``by``: signed and audited."""
    account = Accounts(store).get(name)
    authorization.require(by, "mark_away", authorization.AccountResource(account.name, account.role))
    was = absence.recorded(store).get(name)
    absence.record(store, name, by=by.name, back=True)
    return was


def handoff_text(handed: Mapping[str, Any], waiting_for: str) -> str:
    """``handed to maya by ava at 2026-11-25 12:50: ava is out; maya may approve none of the open actions (needs
    ava)``: the target, and whether they can act on it."""
    at = str(handed["at"])[:16].replace("T", " ")
    line = f"handed to {handed['to']} by {handed['by']} at {at}: {handed['reason']}"
    if "may_approve" not in handed:
        return line
    numbers = handed["may_approve"]
    if not numbers:
        return f"{line}; {handed['to']} may approve none of the open actions (needs {waiting_for})"
    return f"{line}; {handed['to']} may approve action(s) {', '.join(map(str, numbers))}"


def given_answers(response: Mapping[str, Any] | None, count: int) -> list[Any]:
    """The reviewer's answer to each action of a decided decision, as agent-inbox responses: the platform's answer
    (``responses``), or the approval step's sealed plan when the answer came through LangGraph's server (each step
    approved, edited or rejected, in the order of the request)."""
    response = response or {}
    if isinstance(answers := response.get("responses"), list):
        return answers
    steps = [s for s in response.get("plan") or [] if isinstance(s, Mapping)]
    return list(plan_answers(steps)) if len(steps) == count else []


def edited_args(answer: Any) -> dict[str, Any] | None:
    """The arguments an edit approved (None when the answer is no edit)."""
    if not isinstance(answer, Mapping) or answer.get("type") != "edit" or not isinstance(answer.get("args"), Mapping):
        return None
    new = answer["args"].get("args")
    return dict(new) if isinstance(new, Mapping) else None


def answer_words(proposed: Mapping[str, Any], answer: Any) -> tuple[str | None, dict[str, Any] | None]:
    """A reviewer's answer to one action in words (``rejected (vendor on hold)``, ``edited and approved
    (amount=10)``; a changed text is named, ``body: below``, since ``show`` prints it whole) and, for an edit, the
    arguments it changed; ``(None, None)`` when unanswered."""
    if not isinstance(answer, Mapping):
        return None, None
    said = ANSWER_WORDS.get(str(answer.get("type")), str(answer.get("type")))
    if answer.get("type") == "response":
        return f"{said} ({answer.get('args')})", None
    new = edited_args(answer)
    if new is None:
        return said, None
    changes = {k: v for k, v in new.items() if k not in proposed or proposed[k] != v}
    if not changes:
        return f"{said} (no argument changed)", changes
    short = {k: v for k, v in changes.items() if not _long_text(v)}
    words = [args_text(short)] if short else []
    words += [f"{k}: below" for k, v in changes.items() if _long_text(v)]
    return f"{said} ({'; '.join(words)})", changes


def _long_text(value: Any) -> bool:
    """Text printed whole below an action's line, never cut into it (a message, a note)."""
    return isinstance(value, str) and (len(value) > CUT - 10 or "\n" in value)


#: A value longer than this is cut in an action's line (``--full`` prints it whole).
CUT = 80
#: Text shown whole is wrapped to this width (under the action's indent).
WRAP = 100


def args_text(
    args: Mapping[str, Any], skip: frozenset[str] = frozenset({"idempotency_key"}), *, full: bool = False
) -> str:
    """``order_id=SO-101851, amount=236.51`` (free text quoted; long values cut unless ``full``; a line break shown
    as ``⏎``, never as a literal ``\\n``)."""
    parts = []
    for key, value in args.items():
        if key in skip:
            continue
        if isinstance(value, str):
            text = "'" + value.replace("\r\n", "\n").replace("\n", " ⏎ ") + "'"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            text = repr(value)
        parts.append(f"{key}={text if full or len(text) <= CUT else text[: CUT - 3] + '...'}")
    return ", ".join(parts) or "(no arguments)"


def whole_text(value: str, indent: str, width: int = WRAP) -> list[str]:
    """Text as its reader reads it: its own line breaks kept, each paragraph wrapped, nothing cut."""
    lines: list[str] = []
    for paragraph in value.replace("\r\n", "\n").split("\n"):
        wrapped = textwrap.wrap(paragraph, width=width, break_long_words=False, break_on_hyphens=False)
        lines += [f"{indent}{line}" for line in wrapped] or [indent.rstrip()]
    return lines


def _shown_whole(action: ActionView, args: Mapping[str, Any], full: bool) -> list[str]:
    """The arguments printed whole below the action's line: the text that reaches someone outside always, and a
    text an edit changed; with ``full``, every text too long for the line or of several lines."""
    changed = action.changes or {}
    return [
        k
        for k, v in args.items()
        if isinstance(v, str)
        and (k in action.outside_text or (k in changed and _long_text(v)) or (full and _long_text(v)))
        and k != "idempotency_key"
    ]


def render(sheet: ReviewSheet, *, indent: str = "  ", full: bool = False) -> list[str]:
    """The sheet as lines for a terminal: text that reaches someone outside whole (wrapped, never cut), and with
    ``full`` every argument whole."""
    due = f", due {sheet.due_at[:16].replace('T', ' ')} UTC" if sheet.due_at else ""
    lines = [f"Decision {sheet.decision_id}: {sheet.status}{due} (actions hash {sheet.actions_hash})"]
    if sheet.status == "pending":
        if sheet.shared:
            signed = [f"action {a.number} by {a.signed_by}" for a in sheet.actions if a.signed_by]
            lines.append(
                f"{indent}co-approval: needs {' + '.join(sheet.roles_needed)} (no single role may approve it all); "
                f"signed: {', '.join(signed) or 'nobody yet'}; still needed: {sheet.waiting_for}"
            )
        else:
            lines.append(f"{indent}needs: {sheet.waiting_for}")
    else:
        lines.append(f"{indent}decided by {sheet.decided_by} at {(sheet.decided_at or '')[:19]}")
    if sheet.handed_to:
        lines.append(f"{indent}{handoff_text(sheet.handed_to, sheet.waiting_for)}")
    for a in sheet.actions:
        lines += _action_lines(a, indent, full)
        moves = []
        if a.edited_amount is not None and a.edited_amount != a.amount:
            moves.append(f"money {a.edited_amount:,.2f} as edited ({a.amount or 0:,.2f} proposed)")
        elif a.amount is not None:
            moves.append(f"money {a.amount:,.2f}")
        if a.stock is not None:
            moves.append(f"stock ({a.stock.removeprefix(a.tool).strip(' ()') or a.tool})")
        who = a.approver or (" or ".join(a.roles) if a.roles else "no role may approve it as given")
        state = f"; signed by {a.signed_by}" if a.signed_by else ""
        state += f"; {a.answer}" if a.answer else ""
        lines.append(f"{indent}   moves: {', '.join(moves) or 'no money or stock'}; may approve: {who}{state}")
        if a.why:
            lines.append(f"{indent}   why: {a.why}")
        if a.policy_ids:
            lines.append(f"{indent}   policy: {', '.join(a.policy_ids)}")
    return lines


def _call_lines(a: ActionView, args: Mapping[str, Any], indent: str, full: bool, *, head: str) -> list[str]:
    """``head`` then the action's call on one line (``N. tool(args)``), and below it the texts shown whole."""
    whole = _shown_whole(a, args, full)
    shown = {k: v for k, v in args.items() if k not in whole}
    below = ", ".join(f"{k}=(below)" for k in whole)
    inline = ", ".join(t for t in (args_text(shown, full=full) if shown else "", below) if t)
    lines = [f"{head}{a.tool}({inline or '(no arguments)'})"]
    edited = a.edited_args is not None and args is a.edited_args
    for k in whole:
        marks = []
        if edited and k in (a.changes or {}):
            marks.append("edited by the reviewer" + ("; as sent" if a.ran == "done" and a.outside_text else ""))
        if k in a.outside_text:
            marks.append("as the recipient reads it")
        said = f" ({'; '.join(marks)})" if marks else ""
        lines.append(f"{indent}   {k}{said}:")
        lines += whole_text(str(args[k]), f"{indent}     ")
    return lines


def _action_lines(a: ActionView, indent: str, full: bool) -> list[str]:
    """One action as ``show`` prints it: after an edit, the action as approved (what ran: the edited text whole,
    marked as edited), with the action as proposed below it; else the action as proposed."""
    if a.edited_args is None:
        return _call_lines(a, a.args, indent, full, head=f"{indent}{a.number}. ")
    lines = _call_lines(a, a.edited_args, indent, full, head=f"{indent}{a.number}. (edited) ")
    changed = [k for k in (a.changes or {}) if k in a.args]
    short = {k: a.args[k] for k in changed if not _long_text(a.args[k])}
    head = f"{indent}   as proposed, before the edit{' (not sent)' if a.outside_text and a.ran == 'done' else ''}"
    lines.append(f"{head}: {args_text(short, full=True)}" if short else f"{head}:")
    for k in changed:
        if _long_text(a.args[k]):
            lines.append(f"{indent}     {k}:")
            lines += whole_text(str(a.args[k]), f"{indent}       ")
    return lines
