"""The tau-bench retail end-state runner: per task with a hand-written first message, a mission's whole
conversation on the benchmark's database, its writes approved and applied, the end state compared with the
ground truth's (the benchmark's own pass: the two databases are equal).

Per task: the customer's first message is filed as a ticket on the task's user (:func:`.cases.case_of`: the sender
taken as verified); the mission (support by default) decides it through its eval plugin (``EvalPlugin.decide``:
the steps its graph runs after its reads). When it asks the customer something, a scripted customer answers from
the task's instruction only: it restates in the first person what the instruction says it wants (order ids, items
and the options it wants instead, the address, the payment method as a customer names it: "my visa ending in
1234"; asked which of two lines of one item it has, the options its instruction says it has), never what the
ground-truth actions hold; at most ``MAX_ANSWERS`` answers, then the task ends in the question. A reviewer
approves each proposed write as the mission proposed it (no edits); each is mapped to the benchmark's action
(``as_tau``) and applied with the benchmark's rules (:func:`.emulator.apply`); the end state is compared with the
ground truth's (:func:`.emulator.differences`).

Figures: tasks, end state equal, unsafe writes (a write the ground truth does not make, after mapping: another
change or order, or the same change with other items, method or reason), ended in a question, ended in an
escalation, per ground-truth action kind the tasks holding it and solved, and for the unsolved what was missing
(the ground-truth actions no approved write made) and how the conversation ended; ``unexplained`` counts the
unsolved that end neither in a question (a reply that asks) nor an escalation with its reason.

    python -m ai_missions.benchmarks.tau_retail [PATH] [--tasks] [--messages seen|unseen|FILE]

``--messages`` chooses the first messages: ``seen`` (the default, tasks 0-155, read while the reader was written),
``unseen`` (tasks 156-255, written apart from the reader: the figure that says how it generalises) or a file of
the same format (one ``{"task": N, "message": "..."}`` a line).
"""

from __future__ import annotations

import ast
import copy
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import NOW, case_of
from ai_missions.benchmarks.tau_retail.confirming import plan_matches
from ai_missions.benchmarks.tau_retail.instruction import (
    ADDRESS,
    CANCEL,
    CHANGE,
    ITEM_CHANGE,
    PAYMENT,
    RETURN,
    USER_ADDRESS,
    first_payment,
)
from ai_missions.kernel.eval_plugin import EvalPlugin, plugin_of
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.nodes.api import Verdict, read_back

#: The mission the benchmark's customers write to.
MISSION = "support"

#: How many times the scripted customer answers a question before the task ends in it.
MAX_ANSWERS = 2
#: The mission's tools that change nothing the benchmark records (read, reply, note).
_NO_STATE = frozenset({"send_ticket_reply", "add_ticket_note"})
#: Parts of another change in tau: the money of a cancellation (its tool refunds each payment itself) or of an
#: item change (the price difference is charged or refunded by the same tool), shipping's copy of a ship-to. On
#: their own (no such change of the same order in the plan) they are writes tau has no action for.
_PARTS = frozenset({"refund_payment", "void_authorization", "charge_payment", "update_shipment_address"})
#: tau's cancellation reasons.
CANCEL_REASONS = ("no longer needed", "ordered by mistake")


# --- the scripted customer: what the instruction says, in the first person -------------------------------------


def method_words(user: Mapping[str, Any], method_id: str) -> str:
    """A payment method as its owner names it: "my visa card ending in 1234", "my PayPal", "my gift card"."""
    method = user.get("payment_methods", {}).get(method_id, {})
    source = method.get("source", "")
    if source == "credit_card":
        return f"my {method.get('brand', 'credit')} card ending in {method.get('last_four', '')}".replace("  ", " ")
    return {"paypal": "my PayPal", "gift_card": "my gift card"}.get(source, "my other payment method")


def _options(raw: str) -> str:
    values = ast.literal_eval(raw)
    return ", ".join(str(v) for v in values.values())


def _address_words(raw: str) -> str:
    a = ast.literal_eval(raw)
    street = ", ".join(p for p in (a.get("address1"), a.get("address2")) if p)
    return f"{street}, {a.get('city')}, {a.get('state')} {a.get('zip')}, {a.get('country')}"


def _item_words(raw: str) -> str:
    """ "Backpack {'color': 'black', ...}" as said: "Backpack (black, ...)"; the options only when given."""
    name, _, options = raw.strip().partition(" {")
    return f"{name} ({_options('{' + options)})" if options else name


#: The mission asking which of two lines of one item the customer has: "- Tea Kettle: the ceramic ... one or the ...".
_WHICH_LINE = re.compile(r"^- (.+?): the .+? one or the .+? one\?", re.MULTILINE)
#: The mission listing the options of each line of an order ("- Tea Kettle (now glass 1 liter): ..."): an item listed
#: twice is two lines of it, and a customer who sees both says which one they have.
_LINE_OPTIONS = re.compile(r"^- (.+?) \(now [^)]*\):", re.MULTILINE)
#: The mission asking how many of an item the customer means ("one of them, or all 2?"), on the item's line.
_HOW_MANY = re.compile(r"^- (.+?) \(\d+ on the order\).*\bone of them, or all\b", re.MULTILINE)


def customer_answer(instruction: str, user: Mapping[str, Any], asked: str = "") -> str:
    """What the scripted customer says when asked: each request of its instruction in the first person, with the
    order ids, items and choices the instruction gives (and nothing else). Asked how many of an item it means
    (``asked``: the mission's question), it says "just one" of an item its instruction changes once."""
    said: list[str] = []
    once = {name.strip() for *_, changes, _m in CHANGE.findall(instruction)
            for name in [n for n, _o, _w in ITEM_CHANGE.findall(changes)]
            if [n.strip() for n, _o, _w in ITEM_CHANGE.findall(changes)].count(name.strip()) == 1}  # fmt: skip
    for name in _HOW_MANY.findall(asked):
        if name.strip() in once:
            said.append(f"Just one of the {name.strip()}s, please.")
    # asked which of two lines of one item it has ("- Tea Kettle: the ceramic ... one or the glass ... one?"), it
    # says the one its instruction changes, by the options the instruction gives it
    lines = [n.strip().lower() for n in _LINE_OPTIONS.findall(asked)]
    which_asked = {n.strip().lower() for n in _WHICH_LINE.findall(asked)} | {n for n in lines if lines.count(n) > 1}
    for order_id, method, items in RETURN.findall(instruction):
        names = [_item_words(i) for i in items.split(";") if i.strip()]
        listed = " and ".join(f"the {n}" for n in names)
        said.append(f"I want to return {listed} from order {order_id}, refund to {method_words(user, method)}.")
    for order_id, reason in CANCEL.findall(instruction):
        why = "I ordered it by mistake" if "mistake" in reason else "I no longer need it"
        said.append(f"Please cancel order {order_id}, {why}.")
    for order_id, raw in ADDRESS.findall(instruction):
        said.append(f"Please ship order {order_id} to {_address_words(raw)}.")
    for raw in USER_ADDRESS.findall(instruction):
        said.append(f"Please update my default address to {_address_words(raw)}.")
    for order_id, method in PAYMENT.findall(instruction):
        said.append(f"For order {order_id}, I'd like to pay with {method_words(user, method)} instead.")
    for order_id, verb, changes, method in CHANGE.findall(instruction):
        parts = []
        found = ITEM_CHANGE.findall(changes)
        names = [name.strip() for name, _old, _new in found]
        for name, old, new in found:
            # the options it names, the others kept as they are (what the instruction means by naming only those);
            # which one it has when it changes two of the same item or is asked which of two it has
            wanted = {**ast.literal_eval(old), **ast.literal_eval(new)}
            to = f"the {', '.join(map(str, wanted.values()))} one" if ast.literal_eval(new) else "the same options"
            told = names.count(name.strip()) > 1 or name.strip().lower() in which_asked
            which = f" ({_options(old)})" if told else ""
            parts.append(f"the {name.strip()}{which} for {to}")
        what = "change" if verb == "modify" else "exchange"
        said.append(
            f"On order {order_id} I'd like to {what} {' and '.join(parts)}; "
            f"any price difference to {method_words(user, method)}."
        )
    return " ".join(said) or "I don't know any more than I wrote, sorry."


#: The tag of a reply that reads the plan back (the customer answers it as a plan to confirm, not a question).
READ_BACK = "read_back"
YES = "Yes, that's right, please go ahead."


def confirm_answer(instruction: str, user: Mapping[str, Any], read_back: str, orders: Mapping[str, Any]) -> str:
    """The scripted customer's answer to a plan read back: yes when it is what the instruction asks, otherwise
    what it wants, in its own words (:func:`customer_answer`)."""
    if plan_matches(read_back, instruction, user, orders):
        return YES
    return "No, that is not what I want. " + customer_answer(instruction, user, read_back)


# --- the mission's writes as the benchmark's actions -----------------------------------------------------------


def _gift_card(user: Mapping[str, Any]) -> str | None:
    return next((k for k, m in user["payment_methods"].items() if m.get("source") == "gift_card"), None)


def _items(order: Mapping[str, Any], line_nos: Iterable[Any]) -> list[str]:
    """The item ids of order lines as :func:`.cases.case_of` numbers them (from 1, in the order's item order)."""
    items = order["items"]
    return [str(items[int(n) - 1]["item_id"]) for n in line_nos if 1 <= int(n) <= len(items)]


def _tau_address(to: Mapping[str, Any]) -> dict[str, Any]:
    """The mission's address as tau's address arguments (address1, address2, city, state, country, zip)."""
    return {"address1": to.get("line1"), "address2": to.get("line2") or "", "city": to.get("city"),
            "state": to.get("region"), "country": to.get("country"), "zip": to.get("postal_code")}  # fmt: skip


def as_tau(
    action: Mapping[str, Any], db: Mapping[str, tau.Database], paid_by: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """One approved write of the mission as the benchmark's action (None: a part of another action, or a change
    the benchmark has no action for). ``paid_by``: per order, the method the plan settles an item change's
    difference on (its charge's or refund's method, else the method the plan moves the order's payment to); the
    order's own payment otherwise."""
    tool, args = str(action["tool"]), action.get("args") or {}
    if tool == "update_customer_address":  # the account's default address: tau's user address
        to = args.get("address") or {}
        if str(args.get("customer_id")) not in db["users"]:
            return None
        return {"name": "modify_user_address",
                "kwargs": {"user_id": str(args.get("customer_id")), **_tau_address(to)}}  # fmt: skip
    order = db["orders"].get(str(args.get("order_id")))
    if order is None:
        return None
    user = db["users"][order["user_id"]]
    order_id = order["order_id"]
    if tool == "change_order_payment":
        return {"name": "modify_pending_order_payment",
                "kwargs": {"order_id": order_id, "payment_method_id": str(args.get("payment_method_id"))}}  # fmt: skip
    # an exchange records the method chosen for its difference (``settle_to``), even one that is nothing
    method = args.get("settle_to") or (paid_by or {}).get(order_id) or first_payment(order)
    if tool == "open_return":
        refund_to = args.get("payment_method_id") or (
            _gift_card(user) if args.get("refund_to") == "gift_card" else first_payment(order)
        )
        return {"name": "return_delivered_order_items",
                "kwargs": {"order_id": order_id, "item_ids": _items(order, args.get("line_nos") or []),
                           "payment_method_id": refund_to}}  # fmt: skip
    if tool == "cancel_order":
        reason = args.get("reason_code") or args.get("cancel_reason") or args.get("reason")
        return {"name": "cancel_pending_order", "kwargs": {"order_id": order_id, "reason": str(reason)}}
    if tool == "change_ship_to":
        to = args.get("ship_to") or {}
        return {"name": "modify_pending_order_address", "kwargs": {"order_id": order_id, **_tau_address(to)}}
    if tool in ("modify_order_items", "exchange_order_items"):
        changes = list(args.get("changes") or [])
        name = "modify_pending_order_items" if tool == "modify_order_items" else "exchange_delivered_order_items"
        return {"name": name,
                "kwargs": {"order_id": order_id, "item_ids": _items(order, [c.get("line_no", 0) for c in changes]),
                           "new_item_ids": [str(c.get("sku")) for c in changes],
                           "payment_method_id": args.get("payment_method_id") or method}}  # fmt: skip
    if tool == "exchange_order_item":
        name = "exchange_delivered_order_items" if order["status"] == "delivered" else "modify_pending_order_items"
        return {"name": name,
                "kwargs": {"order_id": order_id, "item_ids": _items(order, [args.get("line_no", 0)]),
                           "new_item_ids": [str(args.get("sku"))],
                           "payment_method_id": args.get("payment_method_id") or method}}  # fmt: skip
    return None


def _paid_by(approved: Sequence[Mapping[str, Any]], owner: Mapping[str, str]) -> dict[str, str]:
    """Per order, the method of the customer's a plan settles an item change's difference on: a charge's or
    refund's chosen method, else the one the plan moves the order's payment to."""
    out: dict[str, str] = {}
    for action in approved:
        args = action.get("args") or {}
        if action["tool"] == "change_order_payment" and args.get("payment_method_id"):
            out.setdefault(str(args.get("order_id")), str(args["payment_method_id"]))
    for action in approved:
        args = action.get("args") or {}
        if action["tool"] in ("charge_payment", "refund_payment") and args.get("payment_method_id"):
            order_id = args.get("order_id") or owner.get(str(args.get("capture_id")))
            out[str(order_id)] = str(args["payment_method_id"])
    return out


def _canonical(action: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    kw = action.get("kwargs") or {}
    return str(action["name"]), tuple(sorted((k, repr(sorted(v) if isinstance(v, list) else v)) for k, v in kw.items()))


def _without_swaps(action: Mapping[str, Any]) -> dict[str, Any]:
    """The action without the items it "exchanges" or "modifies" to the very same item (the benchmark's ``to {}``):
    such a swap moves no money or stock."""
    kw = dict(action.get("kwargs") or {})
    old, new = kw.get("item_ids"), kw.get("new_item_ids")
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        kept = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        kw["item_ids"], kw["new_item_ids"] = [a for a, _ in kept], [b for _, b in kept]
    return {"name": action["name"], "kwargs": kw}


def _effect(action: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An action as what it changes (its same-item swaps left out), so an approved write without them has the
    ground truth's effect (used to judge a write unsafe, not for the end state)."""
    return _canonical(_without_swaps(action))


def _without_same_item_swaps(actions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ground truth's actions without their same-item swaps (an item change left with no item dropped): what a
    customer who never asks for such a swap wants."""
    out = [_without_swaps(a) for a in actions]
    return [a for a in out if a["kwargs"].get("item_ids") != [] or "new_item_ids" not in a["kwargs"]]


# --- one task, all tasks ---------------------------------------------------------------------------------------


@dataclass
class TaskResult:
    index: int
    solved: bool
    outcome: str
    read: tuple[str, ...]
    says_why: bool
    questions: int
    writes: list[dict[str, Any]] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    why: str = ""
    #: unsolved, and the end state would equal the ground truth's without its swaps of an item for the same item
    only_same_item_swaps: bool = False
    #: the ticket's messages at the end, the mission's replies and the customer's answers in order
    thread: list[dict[str, Any]] = field(default_factory=list)


def _claim(state: dict[str, tau.Database], base: Mapping[str, tau.Database], order_id: str) -> None:
    """Copy, before it changes, the order and its customer from the shared database into this task's state."""
    order = state["orders"].get(order_id)
    if order is None or order is not base["orders"].get(order_id):
        return
    state["orders"][order_id] = copy.deepcopy(order)
    user_id = order["user_id"]
    if state["users"][user_id] is base["users"][user_id]:
        state["users"][user_id] = copy.deepcopy(base["users"][user_id])


def _applied(
    base: Mapping[str, tau.Database], actions: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """``base`` after ``actions`` (copying only what they change) and the actions the benchmark's tools refused."""
    state: dict[str, Any] = {"users": dict(base["users"]), "orders": dict(base["orders"]),
                             "products": base["products"]}  # fmt: skip
    refused = []
    for action in actions:
        kw = action.get("kwargs", {})
        if "order_id" in kw:
            _claim(state, base, str(kw["order_id"]))
        if "user_id" in kw and state["users"].get(kw["user_id"]) is base["users"].get(kw["user_id"]):
            state["users"][kw["user_id"]] = copy.deepcopy(base["users"][kw["user_id"]])
        try:
            tau.apply(state, action)
        except tau.ActionRefused as exc:
            refused.append(f"{action['name']}: {exc}")
    return state, refused


def _why(verdict: Mapping[str, Any]) -> str:
    """What the mission said when it stopped: its question to the customer, or why it went to a person."""
    if verdict["outcome"] == "ask_customer":
        return next(
            (str(a["args"].get("body", "")) for a in verdict["actions"] if a["tool"] == "send_ticket_reply"), ""
        )
    return str(verdict.get("summary") or "") if verdict["outcome"] == "escalate" else ""


def _says_why(verdict: Mapping[str, Any]) -> bool:
    """A question is a reply to the customer; an escalation carries the reason it goes to a person."""
    if verdict["outcome"] == "ask_customer":
        return any(a["tool"] == "send_ticket_reply" and str(a["args"].get("body", "")).strip()
                   for a in verdict["actions"])  # fmt: skip
    if verdict["outcome"] == "escalate":
        return bool(str(verdict.get("summary") or "").strip())
    return False


@cache
def _plugin(mission: str) -> EvalPlugin:
    return plugin_of(mission)


def _decided(
    decide: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]], spec: MissionSpec, case: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mission's facts and verdict as its graph's reason step leaves it: a plan is read back before it goes on."""
    facts, verdict = decide(case)
    return facts, dict(read_back(spec, cast(Verdict, verdict), facts))


def run_task(db: Mapping[str, tau.Database], task: tau.Task, message: str, mission: str = MISSION) -> TaskResult:
    """The whole conversation on one task, its approved writes applied, the end state compared."""
    decide = _plugin(mission).decide
    types_fact = get_mission(mission).vocabulary.types_fact
    spec = get_mission(mission)
    case = case_of(db, task, message)
    user = db["users"][task.user_id]
    questions = 0
    facts, verdict = _decided(decide, spec, case)
    while verdict["outcome"] == "ask_customer" and questions < MAX_ANSWERS:
        questions += 1
        reply: dict[str, Any] = next((a["args"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply"), {})
        asked = str(reply.get("body") or "")
        # the helpdesk keeps the reply's tags on the ticket (what the mission asked already)
        case["ticket"]["tags"] = sorted({*case["ticket"].get("tags", []), *(reply.get("tags") or [])})
        if READ_BACK in (reply.get("tags") or []):
            answer = confirm_answer(task.instruction, user, asked, db["orders"])
        else:
            answer = customer_answer(task.instruction, user, asked)
        case["ticket"]["messages"] += [
            {"direction": "outbound", "body": asked, "sent_at": NOW},
            {"direction": "inbound", "body": answer, "sent_at": NOW},
        ]
        facts, verdict = _decided(decide, spec, case)
    questions += verdict["outcome"] == "ask_customer"
    approved = [a for a in verdict["actions"] if a["tool"] not in _NO_STATE and a.get("tier") != "auto"]
    owner = {c["capture_id"]: o for o, r in case["orders"].items() for c in r["payment"]["captures"]}
    owner |= {a["authorization_id"]: o for o, r in case["orders"].items() for a in r["payment"]["authorizations"]}
    truth = {_effect(a) for a in task.actions if not a["name"].startswith(tau.READS)}
    truth_kinds = {(a["name"], a["kwargs"].get("order_id") or a["kwargs"].get("user_id")) for a in task.actions}
    writes, unsafe = [], []
    paid_by = _paid_by(approved, owner)
    for action in approved:
        if action["tool"] in _PARTS:
            order_id = action["args"].get("order_id") or owner.get(
                str(action["args"].get("capture_id") or action["args"].get("authorization_id"))
            )
            planned_whole = any(a["tool"] != action["tool"] and a["tool"] not in _PARTS and
                                a["args"].get("order_id") == order_id for a in approved)  # fmt: skip
            if not planned_whole:
                unsafe.append(f"{action['tool']} on {order_id}: tau has no such action alone")
            continue
        mapped = as_tau(action, db, paid_by)
        if mapped is None:
            unsafe.append(f"{action['tool']}: no benchmark action")
            continue
        writes.append(mapped)
        if _effect(mapped) not in truth:
            subject = mapped["kwargs"].get("order_id") or mapped["kwargs"].get("user_id")
            kind = (mapped["name"], subject)
            unsafe.append(f"{'other arguments' if kind in truth_kinds else 'other change'}: {mapped['name']} "
                          f"{subject}")  # fmt: skip
    state, refused = _applied(db, writes)
    expected, _ = _applied(db, task.actions)
    diff = tau.differences(state, expected)
    swaps_only = bool(diff) and not tau.differences(state, _applied(db, _without_same_item_swaps(task.actions))[0])
    made = {_canonical(w) for w in writes}
    missing = [a["name"] for a in task.actions if not a["name"].startswith(tau.READS) and _canonical(a) not in made]
    return TaskResult(
        index=task.index, solved=not diff, outcome=str(verdict["outcome"]), read=tuple(facts[types_fact]),
        says_why=_says_why(verdict), questions=questions, writes=writes, unsafe=unsafe, missing=missing,
        refused=refused, differences=diff, why=_why(verdict), only_same_item_swaps=swaps_only,
        thread=list(case["ticket"]["messages"]),
    )  # fmt: skip


def run(
    db: Mapping[str, tau.Database], tasks: Sequence[tau.Task], messages: Mapping[int, str], mission: str = MISSION
) -> tuple[dict[str, int], list[TaskResult]]:
    """Every task with a first message: the figures and each task's result."""
    counts: Counter[str] = Counter()
    results = []
    for index, message in sorted(messages.items()):
        result = run_task(db, tasks[index], message, mission)
        results.append(result)
        counts["tasks"] += 1
        counts["end_state_equal"] += result.solved
        counts["unsafe"] += len(result.unsafe)
        counts["tasks_with_unsafe"] += bool(result.unsafe)
        for unsafe in result.unsafe:
            kind = unsafe.split(":")[0] if unsafe.startswith("other ") else "no benchmark action"
            counts[f"unsafe.{kind.replace(' ', '_')}"] += 1
        counts["questions_asked"] += result.questions
        counts["ended_in_question"] += result.outcome == "ask_customer"
        counts["ended_in_escalation"] += result.outcome == "escalate"
        counts["writes_refused"] += len(result.refused)
        for kind in {a["name"] for a in tasks[index].actions if not a["name"].startswith(tau.READS)}:
            counts[f"by_action.{kind}.tasks"] += 1
            counts[f"by_action.{kind}.solved"] += result.solved
            # the ground truth's actions of this kind an approved write made exactly, solved task or not
            wanted = sum(a["name"] == kind for a in tasks[index].actions)
            counts[f"by_action.{kind}.made"] += wanted - result.missing.count(kind)
        if result.solved:
            continue
        counts["unsolved"] += 1
        counts["unsolved.unexplained"] += not result.says_why
        counts["unsolved.only_same_item_swaps"] += result.only_same_item_swaps
        counts["unsolved.unexplained.only_same_item_swaps"] += not result.says_why and result.only_same_item_swaps
        counts[f"unsolved.ended.{result.outcome}.{'+'.join(result.read) or '-'}"] += 1
        for name in sorted(set(result.missing)):
            counts[f"unsolved.missing.{name}"] += 1
        if not result.missing:
            counts["unsolved.missing.none_but_state_differs"] += 1
    return dict(counts), results


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    listing = "--tasks" in args
    args = [a for a in args if a != "--tasks"]
    choice = "seen"
    if "--messages" in args:
        at = args.index("--messages")
        if at + 1 >= len(args):
            print("--messages needs a set (seen, unseen) or a file", file=sys.stderr)
            return 2
        choice = args[at + 1]
        del args[at : at + 2]
    messages = tau.messages_path(choice)
    if not messages.exists():
        print(f"no first messages at {messages} (--messages {choice})", file=sys.stderr)
        return 2
    path = Path(args[0]) if args else tau.DEFAULT_PATH
    if not (path / "tasks_train.json").exists():
        print(f"no tau-bench retail data at {path} (tasks_train.json missing)", file=sys.stderr)
        return 2
    tasks = tau.load_tasks(path)
    first = tau.load_first_messages(messages)
    unknown = sorted(i for i in first if not 0 <= i < len(tasks))
    if unknown:
        print(f"{messages}: no such task {unknown[:5]}", file=sys.stderr)
        return 2
    figures, results = run(tau.load_database(path), tasks, first)
    if listing:
        for r in results:
            if not r.solved:
                print(f"task {r.index}: {r.outcome} read={'+'.join(r.read)} missing={r.missing} unsafe={r.unsafe} "
                      f"refused={r.refused} differs={r.differences}"
                      f"{' (differs only by same-item swaps)' if r.only_same_item_swaps else ''}")  # fmt: skip
                if r.why:
                    print(f"    why: {' '.join(r.why.split())[:300]}")
    for key in sorted(figures):
        print(f"{key}={figures[key]}")
    return 0
