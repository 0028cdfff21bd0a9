"""What the pages show, shaped from the run store's rows and a run's graph state: plain data, no Streamlit.

Nothing here decides anything: deciding goes through :meth:`ai_missions.client.MissionClient.decide`, whose rules
(roles, the guard, exactly-once claims) live below the UI. What the card says the reviewer may do ("may approve",
the submit button, the hand-off list) is the authorization point's answer (:mod:`ai_missions.services.authorization`),
the one ``decide`` asks.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ai_missions.kernel.decisions import request_hash
from ai_missions.kernel.missions import ToolPolicy
from ai_missions.kernel.store import Decision
from ai_missions.services import authorization
from ai_missions.services.authorization import DecisionResource, Identity, Person
from ai_missions.services.review import AUTOMATIC_WORDS

#: Pending decisions grouped by how long they have waited: (label, upper bound).
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1 h", timedelta(hours=1)),
    ("1-4 h", timedelta(hours=4)),
    ("4-24 h", timedelta(hours=24)),
    ("1-3 d", timedelta(days=3)),
    ("> 3 d", None),
)

#: How a reviewer's answer to one action reads.
ANSWER_LABELS = {"accept": "approved", "edit": "edited and approved", "response": "rejected"}

#: Run status -> (label, streamlit badge colour).
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "running": ("running", "blue"),
    "executing": ("executing", "blue"),
    "awaiting_decision": ("awaiting decision", "orange"),
    "outcome_unknown": ("outcome unknown: resume to retry", "orange"),
    "closed": ("closed", "green"),
    "closed_partially": ("closed partially", "violet"),
    "escalated": ("escalated", "red"),
    "failed": ("failed", "red"),
    "abandoned": ("abandoned by a reviewer", "gray"),
}

#: Verdict outcome -> streamlit badge colour.
OUTCOME_COLOR = {"proceed": "green", "hold": "orange", "cancel": "gray", "escalate": "red"}

#: Action status -> (icon, label); the icons are Streamlit material icons, coloured.
ACTION_STATUS: dict[str, tuple[str, str]] = {
    "done": (":green[:material/check_circle:]", "done"),
    "failed": (":red[:material/error:]", "failed"),
    "unknown": (":orange[:material/help:]", "outcome unknown (retried safely on resume)"),
    "skipped": (":gray[:material/skip_next:]", "skipped"),
    "rejected": (":red[:material/block:]", "rejected"),
    "awaiting": (":orange[:material/hourglass_top:]", "awaiting review"),
    "not_run": (":gray[:material/remove:]", "not run"),
}

#: Streamlit colour names as the hex colours charts and table cells use.
HEX = {
    "blue": "#2457c5",
    "orange": "#d97706",
    "green": "#1f9254",
    "violet": "#7c3aed",
    "red": "#d33f3f",
    "gray": "#7a7f87",
}


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The store's timestamp format (UTC, milliseconds), so string comparisons in SQL order correctly."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def start_of_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def duration_text(seconds: float | None) -> str:
    """``42 s``, ``7 min``, ``3 h 5 min``, ``2 d 4 h``."""
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


#: A decision due within this many seconds is flagged "due soon".
DUE_SOON_S = 2 * 3600


def due_text(due_at: str | None, now: datetime | None = None) -> tuple[str, str]:
    """A decision's deadline as a badge: ``("late 3 h", "red")``, ``("due in 40 min", "orange")``, ``("due in 20 h",
    "gray")``, or ``("", "")`` when no deadline applies."""
    if not due_at:
        return "", ""
    left = (parse_time(due_at) - (now or now_utc())).total_seconds()
    if left < 0:
        return f"late {duration_text(-left)}", "red"
    return f"due in {duration_text(left)}", "orange" if left < DUE_SOON_S else "gray"


def age_text(created_at: str, now: datetime | None = None) -> str:
    return duration_text(((now or now_utc()) - parse_time(created_at)).total_seconds())


def age_buckets(created: Iterable[str], now: datetime | None = None) -> list[tuple[str, int]]:
    """How many pending decisions fall in each :data:`AGE_BUCKETS` bucket (every bucket listed, in order)."""
    now = now or now_utc()
    counts = dict.fromkeys((label for label, _ in AGE_BUCKETS), 0)
    for value in created:
        age = now - parse_time(value)
        for label, bound in AGE_BUCKETS:
            if bound is None or age < bound:
                counts[label] += 1
                break
    return list(counts.items())


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def clock(value: str | None) -> str:
    """``11:11:14.955`` (UTC) from a stored timestamp."""
    return parse_time(value).strftime("%H:%M:%S.%f")[:-3] if value else ""


def when(value: str | None) -> str:
    """``2026-11-21 11:11`` (UTC) from a stored timestamp."""
    return parse_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def status_label(status: str | None) -> str:
    return STATUS_STYLE.get(status or "", (status or "unknown", "gray"))[0]


def policy_markdown(text: str) -> str:
    """Policy markdown with its headings as bold lines, to sit inside a card or an expander."""
    return re.sub(r"^#{1,6} +(.+?) *#*$", r"**\1**\n", text, flags=re.MULTILINE)


def status_color(status: str | None) -> str:
    """The hex colour of a run status (for charts and table cells)."""
    return HEX[STATUS_STYLE.get(status or "", ("", "gray"))[1]]


def label_color(label: str) -> str:
    """The hex colour of a status label (``awaiting decision``), for styling table cells."""
    for name, color in STATUS_STYLE.values():
        if name == label:
            return f"color: {HEX[color]}; font-weight: 600"
    return ""


def value_text(value: Any) -> str:
    """One argument or fact as a person reads it: text as written (its line breaks and runs of spaces as one space),
    money-like numbers with two decimals, lists joined with commas, an object as ``name: value`` pairs (`` · ``
    between them); never a Python repr or a JSON escape."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if value != int(value) or abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "none"
    if isinstance(value, Mapping):  # " · " between pairs: a sentence ended by "." then "; " read ".;"
        return " · ".join(f"{k}: {value_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(value_text(v) for v in value) or "none"
    return " ".join(str(value).split())


def args_text(args: Mapping[str, Any], *, limit: int | None = None) -> str:
    """``order_id SO-1 · amount 10.00 · tags double_charge, refunded``: each argument as a person reads it
    (:func:`value_text`); with ``limit``, each value cut to that many characters."""
    parts = []
    for key, value in args.items():
        text = value_text(value)
        if limit is not None and len(text) > limit:
            text = text[: limit - 1] + "…"
        parts.append(f"{key} {text}")
    return " · ".join(parts)


# -- the Explain rail -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Observation:
    at: str
    node: str
    source: str
    finding: str
    data: dict[str, Any]


def observations(events: Iterable[Mapping[str, Any]]) -> list[Observation]:
    """The observation events of an audit trail, in order."""
    return [
        Observation(
            at=str(e.get("at") or ""),
            node=str(e.get("node") or ""),
            source=str(e.get("source") or ""),
            finding=str(e.get("summary") or ""),
            data=dict(e.get("data") or {}),
        )
        for e in events
        if e.get("kind") == "observation"
    ]


def verdict_of(events: Iterable[Mapping[str, Any]], state: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The run's verdict: from its graph state when known, else from the audit trail's verdict event."""
    if state and state.get("verdict"):
        return dict(state["verdict"])
    found = [e for e in events if e.get("kind") == "verdict"]
    return dict(found[-1]["data"]) if found else None


@dataclass(frozen=True, slots=True)
class CitedPolicy:
    policy_id: str
    version: int
    title: str
    domain: str
    sections: list[str]
    text: str
    cited: bool


def split_citation(citation: str) -> tuple[str, int | None]:
    """``PAY-001@3`` -> (``PAY-001``, 3)."""
    policy_id, _, version = citation.partition("@")
    return policy_id, int(version) if version.isdigit() else None


def policies_of(state: Mapping[str, Any] | None, verdict: Mapping[str, Any] | None) -> list[CitedPolicy]:
    """The policies the run retrieved (with the text relied on), those its verdict cites first."""
    cited = {split_citation(c) for c in (verdict or {}).get("policy_ids", [])}
    cited_ids = {policy_id for policy_id, _ in cited}
    found = [
        CitedPolicy(
            policy_id=str(p["policy_id"]),
            version=int(p["version"]),
            title=str(p.get("title", "")),
            domain=str(p.get("domain", "")),
            sections=list(p.get("sections", [])),
            text=str(p.get("text", "")),
            cited=p["policy_id"] in cited_ids,
        )
        for p in (state or {}).get("policies", [])
    ]
    known = {p.policy_id for p in found}
    for policy_id, version in sorted(cited):
        if policy_id not in known:  # the state is gone or never had it: still say what was cited
            found.append(CitedPolicy(policy_id, version or 0, "", "", [], "", True))
    return sorted(found, key=lambda p: (not p.cited, p.policy_id))


@dataclass(frozen=True, slots=True)
class ActionRow:
    number: int
    tool: str
    args: dict[str, Any]
    why: str
    policy_ids: list[str]
    tier: str
    status: str  # a key of ACTION_STATUS
    detail: str = ""


def action_rows(
    verdict: Mapping[str, Any] | None,
    results: Sequence[Mapping[str, Any]],
    run_status: str | None,
    decisions: Sequence[Decision] = (),
) -> list[ActionRow]:
    """Every action of the verdict with where it stands: done, failed, skipped, rejected, awaiting or not run."""
    by_index = {int(r["index"]): r for r in results}
    pending = any(d.status == "pending" for d in decisions)
    rows = []
    for index, action in enumerate((verdict or {}).get("actions", [])):
        result = by_index.get(index)
        if result is not None:
            status, detail = str(result["status"]), str(result.get("detail") or "")
            args = dict(result.get("args") or action.get("args") or {})
        else:
            waiting = pending or run_status in ("awaiting_decision", "running", "executing")
            status = "awaiting" if waiting and action.get("tier") == "review" else "not_run"
            if run_status == "outcome_unknown" and action.get("tier") == "review":
                status = "unknown"  # the execute step stopped on a write it could not confirm: resume retries it
            detail, args = "", dict(action.get("args") or {})
        rows.append(
            ActionRow(
                number=index + 1,
                tool=str(action.get("tool")),
                args=args,
                why=str(action.get("why") or ""),
                policy_ids=list(action.get("policy_ids") or []),
                tier=str(action.get("tier") or ""),
                status=status if status in ACTION_STATUS else "not_run",
                detail=detail,
            )
        )
    return rows


# -- the Decision Queue -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReviewAction:
    """One action awaiting review, as the reviewer sees it."""

    number: int  # 1-based, as ``decide(edits=...)`` and the CLI number them
    tool: str
    args: dict[str, Any]
    why: str
    policy_ids: list[str]


@dataclass(frozen=True, slots=True)
class QueueCard:
    decision: Decision
    summary: str
    outcome: str
    confidence: float | None
    actions: list[ReviewAction]
    case_types: list[str] = field(default_factory=list)
    #: The digest of the actions shown (``decisions.request_hash``): decide refuses if they changed since.
    actions_hash: str = ""


def queue_card(decision: Decision, run: Mapping[str, Any] | None, verdict: Mapping[str, Any] | None) -> QueueCard:
    """A pending decision with its summary and every action, the reasons taken from the run's verdict."""
    interrupts = decision.request.get("interrupts", [])
    verdict_actions = list((verdict or {}).get("actions", []))
    actions: list[ReviewAction] = []
    for interrupt in interrupts:
        meta = interrupt.get("metadata", {})
        index = int(meta.get("action_index", len(actions)))
        why = verdict_actions[index].get("why", "") if index < len(verdict_actions) else ""
        if not why:
            description = str(interrupt.get("description", ""))
            why = description.split(" — ", 1)[1].rsplit(" (policies:", 1)[0] if " — " in description else ""
        actions.append(
            ReviewAction(
                number=index + 1,
                tool=str(interrupt["action_request"]["action"]),
                args=dict(interrupt["action_request"].get("args") or {}),
                why=str(why),
                policy_ids=list(meta.get("policy_ids") or []),
            )
        )
    first = interrupts[0] if interrupts else {}
    meta = first.get("metadata", {})
    summary = (verdict or {}).get("summary") or str(first.get("description", "")).split("\n\nAction", 1)[0]
    return QueueCard(
        decision=decision,
        summary=str(summary),
        outcome=str(meta.get("outcome") or (verdict or {}).get("outcome") or ""),
        confidence=meta.get("confidence", (verdict or {}).get("confidence")),
        actions=actions,
        case_types=list((run or {}).get("case_types") or []),
        actions_hash=request_hash(interrupts) if interrupts else "",
    )


def evidence(events: Iterable[Mapping[str, Any]]) -> list[Observation]:
    """What a reviewer needs to see before deciding: the systems' findings, the clauses that matched, the guard."""
    return [
        o
        for o in observations(events)
        if o.node in ("gather", "reason", "validate") and o.source != "mission" and not o.source.startswith("reasoner:")
    ]


def response_for(choice: str, *, reason: str = "", tool: str = "", args: Mapping[str, Any] | None = None) -> dict:
    """One agent-inbox HumanResponse: ``approve`` -> accept, ``reject`` -> response, ``edit`` -> edit."""
    if choice == "approve":
        return {"type": "accept"}
    if choice == "reject":
        return {"type": "response", "args": reason}
    if choice == "edit":
        return {"type": "edit", "args": {"action": tool, "args": dict(args or {})}}
    raise ValueError(f"unknown choice {choice!r}")


def plan_text(choices: Sequence[str]) -> str:
    """What the submit button will do, e.g. ``Approve 2, reject 1``."""
    words = {"approve": "approve", "edit": "edit and approve", "reject": "reject"}
    counts = {w: sum(1 for c in choices if c == w) for w in ("approve", "edit", "reject")}
    parts = [f"{words[w]} {n}" for w, n in counts.items() if n]
    text = ", ".join(parts) or "nothing"
    return text[0].upper() + text[1:] + (" action" if len(choices) == 1 else " actions")


def decision_summary(decision: Decision) -> str:
    """``release_payment_hold approved; confirm_reservation rejected (stock unclear)``."""
    interrupts = decision.request.get("interrupts", [])
    answers = (decision.response or {}).get("responses", [])
    parts = []
    for interrupt, answer in zip(interrupts, answers, strict=False):
        part = f"{interrupt['action_request']['action']} {ANSWER_LABELS.get(answer.get('type'), '?')}"
        if answer.get("type") == "response":
            part += f" ({answer.get('args')})"
        parts.append(part)
    return "; ".join(parts)


# -- the decision card's header and body ---------------------------------------------------------------------------
def amount_at_stake(amounts: Sequence[float | None], facts: Mapping[str, Any], kind: str) -> tuple[float | None, bool]:
    """The most one action moves, and True; else the subject's own total as its facts hold it (``order.total``: a
    hold's release moves no sum itself), and False; else (None, False)."""
    moved = [a for a in amounts if a is not None]
    if moved:
        return max(moved), True
    total = facts.get(f"{kind}.total")
    if isinstance(total, int | float) and not isinstance(total, bool):
        return float(total), False
    return None, False


def money_text(amounts: Sequence[float | None], facts: Mapping[str, Any], kind: str) -> str:
    """The card header's money: ``2,523.93 USD`` (moved by an action), ``order of 409.31 USD`` or ``moves no
    money``."""
    value, moved = amount_at_stake(amounts, facts, kind)
    if value is None:
        return "moves no money"
    currency = facts.get(f"{kind}.currency") or facts.get("order.currency")
    unit = f" {currency}" if isinstance(currency, str) and currency else ""
    return f"{value:,.2f}{unit}" if moved else f"{kind} of {value:,.2f}{unit}"


def key_args(args: Mapping[str, Any], shown_apart: Iterable[str]) -> dict[str, Any]:
    """The arguments shown on the action's line: all but the idempotency key and the text shown apart (a message
    as its reader will read it)."""
    skip = {*shown_apart, "idempotency_key"}
    return {k: v for k, v in args.items() if k not in skip}


def text_args(args: Mapping[str, Any], free_text: Iterable[str]) -> dict[str, str]:
    """The free-text arguments (a message's subject and body, a reason), in the tool's order."""
    names = set(free_text) - {"idempotency_key"}
    return {k: v for k, v in args.items() if k in names and isinstance(v, str)}


def due_cell(due_at: str | None, now: datetime | None = None) -> str:
    """A deadline for the queue table's ``due`` column: ``in 1 h 56 min``, ``late 3 h`` or ``—``."""
    text = due_text(due_at, now)[0]
    return text.removeprefix("due ") if text else "—"


def shown_evidence(found: Sequence[Observation], summary: str) -> list[Observation]:
    """The evidence a card lists: a matched clause whose words the summary already says is named, not repeated."""
    said = " ".join(summary.split())
    shown = []
    for o in found:
        head, colon, words = o.finding.partition(" matches: ")
        if colon and o.source.startswith("policy:") and " ".join(words.split()) in said:
            o = Observation(o.at, o.node, o.source, f"{head} matches (its words are the summary above)", o.data)
        shown.append(o)
    return shown


# -- what the signed-in reviewer may do on a card: the authorization point's answers, in the card's words --------
def automatic_line(result: Mapping[str, Any]) -> str:
    """One action that ran without a reviewer, as the card lists it: its number, tool, status and how its text was
    written (an automatic note waits for the decision when the plan does)."""
    how = AUTOMATIC_WORDS.get(str(result.get("automatic")), "")
    said = f" :gray[· {how}]" if how else ""
    return f"**{int(result['index']) + 1}. {result['tool']}**: {result['status']}{said}"


def may_approve_line(
    who: Identity | None, case: DecisionResource | None, position: int, args: Mapping[str, Any]
) -> str:
    """The card's line under an action: whether the signed-in reviewer may approve it with these arguments (the
    person an ``approver_fact`` names, the amount limit and escalation included), as ``decide`` will answer."""
    if who is None:
        return ":gray[choose a reviewer in the sidebar]"
    if case is None:
        return ":gray[approval rules unavailable (knowledge index not built)]"
    proposed = case.actions[position]
    edited = None if dict(args) == dict(proposed["args"]) else {"tool": proposed["tool"], "args": dict(args)}
    said = authorization.answer(who, "edit" if edited else "approve", case, action=position, edited=edited)
    if not said and case.shared and not edited:  # another signer's part of a shared plan: theirs to sign
        return ":orange[:material/group: another role signs this part]"
    if not said:
        return f":red[:material/block: {who.role} may not approve: {said.reason}]"  # tools, roles, amounts, owners
    return f":green[:material/check_circle: {who.role} may approve]"


def plan_problem(
    who: Identity, case: DecisionResource, responses: Sequence[Mapping[str, Any]], waiting_for: Sequence[str] = ()
) -> str | None:
    """Why the submit button stays off for these answers (None when ``decide`` would take them). A co-signer who
    signed her part is told so, and whom the rest waits for (``waiting_for``: the roles still needed)."""
    said = authorization.decide_answer(who, case, responses)
    if said:
        return None
    open_ = [r for p, r in enumerate(responses) if p not in case.answered]
    approving = any(r.get("type") in ("accept", "edit") for r in open_)
    if case.shared or case.answered:
        if approving and all(r.get("type") == "accept" for r in open_):
            if who.name and who.name in case.answered.values():
                return f"Your part is signed; waiting for {' + '.join(waiting_for) or 'the other roles'}"
            return f"{who.role} may approve none of the actions still open: pass the decision on"
        return f"{who.role} may not answer this part so: {said.reason.split(': ', 1)[-1]}"
    if approving:
        return f"{who.role} may not approve this plan as chosen: pass it on"
    return f"{who.role} may not reject this plan: rejecting takes the standing to approve; pass it on"


def hand_off_targets(who: Identity, case: DecisionResource, roster: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The roles and the people (other than ``who``) the decision may be handed to: those who may approve at least
    one open action; both empty when ``who`` may not hand it off at all."""
    if not authorization.answer(who, "see", case):
        return [], []
    roles = sorted(r for r in set(roster.values()) if authorization.answer(who, "hand_off", case, to=Person("", r)))
    people = sorted(
        n for n, r in roster.items() if n != who.name and authorization.answer(who, "hand_off", case, to=Person(n, r))
    )
    return roles, people


# -- how much of a card's plan fits one 1280x800 screen ------------------------------------------------------------
#: About how many characters of the card's text fit one line of its actions' column at 1280 px.
LINE_CHARS = 76
#: ... and of a message quoted on the card (a smaller type).
QUOTE_CHARS = 86
#: A folded action's height (its one-line expander), in px.
FOLDED_HEIGHT = 56


def text_lines(text: str, width: int = LINE_CHARS) -> int:
    """How many lines ``text`` takes in the actions' column (its own line breaks kept)."""
    return sum(max(1, math.ceil(len(line) / width)) for line in (text.splitlines() or [""]))


def message_height(text: str, width: int = QUOTE_CHARS) -> int:
    """A message's height as the card quotes it, in px: a short one-line text on its own line; else its label, each
    written line (wrapped), and a small gap for each blank line between paragraphs."""
    if "\n" not in text and len(text) <= 70:
        return 24
    lines = text.replace("\r\n", "\n").strip().split("\n")
    written = sum(math.ceil(len(line) / width) for line in lines if line.strip())
    return 26 + 20 * written + 6 * sum(1 for line in lines if not line.strip())


def action_height(title: str, why: str, messages: Mapping[str, str], *, cut: bool = False) -> int:
    """An open action's height on the card, in px, as Chromium draws it at 1280 px (estimated, on the safe side:
    its border and padding, its title and arguments, its reason, the button to all its arguments when they were
    ``cut`` short, each message as its reader will read it, and the row of choices)."""
    height = 30 + 21 * text_lines(title) + (20 * text_lines(why) if why else 0) + 40 + (46 if cut else 0)
    return height + sum(message_height(text) for text in messages.values())


def folded(heights: Sequence[int], with_message: Sequence[bool], room: int, mine: Sequence[bool] = ()) -> set[int]:
    """The positions of the actions a card folds (one line each, opened on a click) so its plan fits ``room`` px:
    none when every action fits open; else, until the rest fits, first those that are not the reviewer's to answer
    (``mine`` false: another signer's part of a shared plan, or one already signed), then the tallest without a
    message to a customer (a message is what its approver reads), then the tallest with one."""
    total = sum(heights)
    theirs = [not m for m in mine] if mine else [False] * len(heights)
    shut: set[int] = set()
    order = sorted(range(len(heights)), key=lambda p: (not theirs[p], with_message[p], -heights[p]))
    for position in order:
        if total <= room:
            break
        shut.add(position)
        total += FOLDED_HEIGHT - heights[position]
    return shut


def plan_totals(actions: Sequence[ReviewAction], tools: ToolPolicy, currency: str = "", messages: int = 0) -> str:
    """A folded plan's totals, so nothing it does hides behind a fold: ``5 actions · moves 1,277.61 USD
    (refund_payment 1,000.00, capture_payment 277.61) · 2 stock moves · 1 message``."""
    unit = f" {currency}" if currency else ""
    plan = [{"tool": a.tool, "args": a.args} for a in actions]
    money = [(p["tool"], amount) for p in plan if (amount := tools.amount_of(p)) is not None]
    stock = sum(1 for p in plan if tools.stock_of(p) is not None)
    parts = [f"{len(actions)} action{'s' if len(actions) != 1 else ''}"]
    if money:
        each = ", ".join(f"{tool} {amount:,.2f}" for tool, amount in money)
        parts.append(f"moves {sum(a for _, a in money):,.2f}{unit} ({each})")
    if stock:
        parts.append(f"{stock} stock move{'s' if stock != 1 else ''}")
    if messages:
        parts.append(f"{messages} message{'s' if messages != 1 else ''} sent")
    return " · ".join(parts)


def confirm_text(approved: Sequence[Mapping[str, Any]], tools: ToolPolicy) -> str:
    """What the reviewer confirms before approving a plan that moves money or stock (empty when it moves neither):
    ``I confirm the money this moves: refund_payment 1,020.58 · and the stock this moves: ...``."""
    money = [f"{a['tool']} {amount:,.2f}" for a in approved if (amount := tools.amount_of(a)) is not None]
    stock = [moved for a in approved if (moved := tools.stock_of(a)) is not None]
    moves = [f"the money this moves: {'; '.join(money)}"] * bool(money)
    moves += [f"the stock this moves: {'; '.join(stock)}"] * bool(stock)
    return f"I confirm {' · and '.join(moves)}" if moves else ""
