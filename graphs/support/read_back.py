"""Nothing is written before the customer's yes (SUP-010 v8, issue 58): a plan that changes what the customer ordered
or holds (:data:`CHOSEN`) is first read back to them in plain words (per order what changes, the amounts and where
the money goes) and goes to the Decision Queue only once their next message says yes to that very plan.

The plan is the verdict the policies reach; this step decides what of it may go on. When the thread's last reply
was the read-back of the same plan and the customer's answer to it is a yes (:mod:`.parse.confirmation`), the plan
goes on with the customer's words in its summary (what the reviewer sees). Otherwise the verdict becomes the
question: the read-back is the reply, the writes wait, and an answer that corrects the plan is read with the whole
thread, so the plan is made again and read back again. The mission's spec declares :func:`read_back`; the graph's
reason step applies it to every proposal (:func:`ai_missions.nodes.api.read_back`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.support.exchange_list import LIST_ASKED
from ai_missions.graphs.support.parse.address_reading import summary
from ai_missions.graphs.support.parse.folding import same_text
from ai_missions.graphs.support.replies import (
    language_of,
    letter,
    line_names,
    method_words,
    money_text,
    say,
    standing,
)
from ai_missions.mission_api import ProposedAction, Verdict, parts_of

#: The outcome of a question to the customer (the read-back is one).
ASKING = "ask_customer"
#: The tools that only speak (to the customer, or in the ticket's notes): what is read back is everything else.
SPEAKING = frozenset({"send_ticket_reply", "add_ticket_note"})
#: The writes that change what the customer ordered or holds (an order, its items, where it ships, how it is paid,
#: their account): the customer chose them, so they hear the plan and say yes first. Money the company owes back to
#: where it came from (a duplicate charge, a received return, a damaged item) changes nothing they chose: it goes on.
CHOSEN = frozenset({"cancel_order", "change_ship_to", "update_customer_address", "open_return", "exchange_order_item",
                    "exchange_order_items", "modify_order_items", "change_order_payment"})  # fmt: skip
#: A part of another change the plan reads back already (shipping's copy of the order's new ship-to).
_PART_OF_ANOTHER = frozenset({"update_shipment_address"})
#: The identifiers of another record an action names its order by.
_ORDER_OF = {"capture_id": ("payment.capture_ids",), "authorization_id": ("payment.authorization_id",)}


def writes(verdict: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The verdict's actions that change something (not a reply, not a note)."""
    return [a for a in verdict["actions"] if a["tool"] not in SPEAKING]


def read_back(facts: Mapping[str, Any], verdict: Verdict) -> Verdict:
    """The verdict as it may go on: unchanged when it changes nothing the customer chose (:data:`CHOSEN`) or the
    customer said yes to its read-back, else the read-back asked instead (the writes wait for the yes); a question
    holds every write until it is answered."""
    planned = writes(verdict)
    if not planned:
        return verdict
    if verdict["outcome"] == ASKING:  # a question first: what it would write waits, and is read back with the answer
        return Verdict(**{**verdict, "actions": [a for a in verdict["actions"] if a not in planned]})
    if not any(a["tool"] in CHOSEN for a in planned):
        return verdict
    text = plan_text(facts, planned)
    told, yes = facts.get("readback.said"), facts.get("readback.yes")
    if told and yes and same_text(text, str(told)):
        said = " ".join(str(yes).split())
        confirmed = f"{verdict['summary']} The customer said yes to the plan read back to them: «{said}»."
        return Verdict(**{**verdict, "summary": confirmed})
    others = _others_named(facts, planned)
    tags = ["read_back", *([LIST_ASKED] if others else [])]
    reply = ProposedAction(
        tool="send_ticket_reply",
        args={
            "ticket_id": facts.get("ticket.id"),
            "body": letter(facts, language_of(facts), text + others),
            "status": "pending",
            "tags": tags,
        },
        tier="review",
        why="Read the plan back to the customer: nothing is written before their yes (SUP-010).",
        policy_ids=sorted({p for a in verdict["actions"] if a["tool"] == "send_ticket_reply" for p in a["policy_ids"]}),
    )
    notes = [a for a in verdict["actions"] if a["tool"] == "add_ticket_note"]
    return Verdict(
        outcome=ASKING,
        actions=[reply, *notes],
        confidence=verdict["confidence"],
        summary=f"The plan is read back to the customer first; nothing is written before their yes. The plan: "
        f"{verdict['summary']}",
        policy_ids=list(dict.fromkeys([*verdict["policy_ids"], "SUP-010"])),
        reasoner=verdict["reasoner"],
    )


def plan_text(facts: Mapping[str, Any], planned: Sequence[Mapping[str, Any]]) -> str:
    """The plan in the customer's language: the opening, one line per order (and the account), the closing."""
    lang = language_of(facts)
    per_order: dict[str, list[str]] = {}
    account: list[str] = []
    for action in planned:
        if action["tool"] in _PART_OF_ANOTHER:
            continue
        if action["tool"] == "update_customer_address":
            account.append(say(lang, "rb_account", address=summary(action["args"].get("address") or {})))
            continue
        own = _facts_of(facts, action)
        per_order.setdefault(str(own.get("order.id")), []).append(_said(action, own, lang))
    # beside what changes, what stays as it is and why ("your gift card cannot pay for it"), per order
    stays = {str(part.get("order.id")): standing(part) for part in parts_of(facts) or [dict(facts)]}
    lines = [
        f"- {say(lang, 'rb_order', order=order)} {'; '.join(said)}.{' ' + stays[order] if stays.get(order) else ''}"
        for order, said in per_order.items()
    ]
    lines += [f"- {line}" for line in account]
    lines += [f"- {text}" for order, text in stays.items() if text and order not in per_order]
    return "\n".join([say(lang, "readback_open"), *lines, say(lang, "readback_close")])


def _facts_of(facts: Mapping[str, Any], action: Mapping[str, Any]) -> Mapping[str, Any]:
    """The facts of the order an action is about: its part's, when the request is about several orders."""
    args = action.get("args") or {}
    for part in parts_of(facts) or [dict(facts)]:
        if args.get("order_id") is not None and args["order_id"] == part.get("order.id"):
            return part
        for arg, names in _ORDER_OF.items():
            held = [part.get(n) for n in names]
            if args.get(arg) is not None and any(args[arg] == h or args[arg] in (h or ()) for h in held):
                return part
    return facts


def _said(action: Mapping[str, Any], facts: Mapping[str, Any], lang: str) -> str:
    """One write in words: what it changes, the amount and where the money goes."""
    tool, args = action["tool"], action.get("args") or {}
    amount = money_text(float(args.get("amount") or 0.0))
    method = method_words(lang, facts, args.get("payment_method_id")) or say(lang, "rb_paid")
    if tool == "cancel_order":
        return say(lang, "rb_cancel", reason=say(lang, str(args.get("reason"))))
    money = {"refund_payment": "rb_refund", "charge_payment": "rb_charge", "change_order_payment": "rb_pay"}
    if tool in money:
        return say(lang, money[tool], amount=amount, method=method)
    if tool == "void_authorization":
        return say(lang, "rb_void")
    if tool == "change_ship_to":
        return say(lang, "rb_ship", address=summary(args.get("ship_to") or {}))
    if tool == "open_return":
        value = money_text(float(facts.get("return.open_value") or 0.0))
        to = say(lang, str(args.get("refund_to") or "original_payment"))
        return say(lang, "rb_return", items=line_names(facts, args.get("line_nos") or []), amount=value, method=to)
    if tool == "exchange_order_item":
        changes = f"{facts.get('exchange.from_option')} -> {facts.get('exchange.option')}"
        return say(lang, "rb_exchange", changes=changes)
    key = "rb_exchange" if tool == "exchange_order_items" else "rb_change"
    return say(lang, key, changes=facts.get("modify.summary") or "")


def _others_named(facts: Mapping[str, Any], planned: Sequence[Mapping[str, Any]]) -> str:
    """Each item is exchanged once: the other items of an order the plan exchanges on, named once per ticket."""
    said = []
    for action in planned:
        if action["tool"] not in ("exchange_order_item", "exchange_order_items"):
            continue
        own = _facts_of(facts, action)
        if (others := own.get("exchange.others")) and not own.get("exchange.list_asked"):
            listed = ", ".join(dict.fromkeys(others))
            said.append(say(language_of(facts), "readback_others", order=own.get("order.id"), others=listed))
    return "".join(f"\n{line}" for line in dict.fromkeys(said))
