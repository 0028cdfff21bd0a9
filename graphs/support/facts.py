"""From what the systems returned (and the reading of the message) to the support facts, and the reply draft.

More in docs/support-parse.md (facts.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ai_missions.graphs.support.exchange_list import other_items_facts
from ai_missions.graphs.support.parse import conditions
from ai_missions.graphs.support.parse import methods as paying
from ai_missions.graphs.support.parse.address_reading import AddressReading, places_named, same_place, summary
from ai_missions.graphs.support.parse.methods import Mention
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.resolve import (
    described_by_options,
    lines_named,
    options_by_sku,
    order_items,
    told_apart,
    with_variants,
)
from ai_missions.graphs.support.parse.targets import (
    cancelled_whole,
    changes_asked,
    each_its_own,
    exchange_asked,
    lines_kept,
    methods_said,
    return_asked,
    returned_whole,
    sibling_variants,
)
from ai_missions.graphs.support.parse.understanding import Reading, fold, option_key, read_message
from ai_missions.graphs.support.replies import compose_reply
from ai_missions.graphs.support.vocabulary import INTENTS, TYPES_FACT, VOCABULARY
from ai_missions.graphs.support.words import WORDS

_CENT = 0.005
#: Days after delivery within which a damaged or wrong item is refunded without a return (SUP-005).
DAMAGE_WINDOW_DAYS = 30
#: The intents that are about an order (all but a general question).
ORDER_INTENTS = tuple(i for i in INTENTS if i != "question")
#: Requests made of an order's items: the items a sentence names tell which order it makes them of.
ITEM_INTENTS = ("return_refund", "damaged_item", "wrong_item", "exchange_variant")


def _ts(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def payment_facts(payment: Mapping[str, Any] | None, total: float | None) -> dict[str, Any]:
    """The money facts of an order from its payment record (all unknown when the record is missing)."""
    if payment is None:
        return {}
    captures = payment.get("captures") or []
    captured = float(payment.get("captured_amount") or 0.0)
    refunded = float(payment.get("refunded_amount") or 0.0)
    auths = payment.get("authorizations") or []
    auth = auths[0] if auths else None
    live = [a for a in auths if a.get("status") == "authorized" and a.get("amount") is not None]
    duplicate = 0.0 if total is None else round(max(captured - refunded - total, 0.0), 2)
    later = [c for c in captures[1:] if float(c["refundable_amount"]) + _CENT >= duplicate > 0]
    return {
        "payment.captured": captured,
        "payment.refunded": refunded,
        "payment.refundable": round(captured - refunded, 2),
        "payment.capture_ids": [c["capture_id"] for c in captures],
        "payment.capture_refundables": [[c["capture_id"], float(c["refundable_amount"])] for c in captures],
        "payment.capture_count": len(captures),
        "payment.duplicate": len(captures) >= 2 and duplicate > _CENT,
        "payment.duplicate_amount": duplicate if duplicate > _CENT else 0.0,
        "payment.duplicate_capture_id": later[-1]["capture_id"] if later else None,
        "payment.authorization_id": auth["authorization_id"] if auth else None,
        "payment.uncaptured": auth is not None and auth["status"] == "authorized" and not captures,
        # what the live authorization holds (its amount), when payments says
        "payment.authorized": float(live[-1]["amount"]) if live else None,
        "payment.card_last4": auth["card_last4"] if auth else None,
        "payment.card_brand": auth.get("card_brand") if auth else None,
        "payment.method_id": payment.get("payment_method_id"),
    }


def shipment_facts(shipments: Sequence[Mapping[str, Any]] | None, now: datetime | None) -> dict[str, Any]:
    if shipments is None:
        return {}
    if not shipments:
        return {"shipment.status": None}
    latest = shipments[-1]
    facts: dict[str, Any] = {
        "shipment.status": latest["status"],
        "shipment.carrier": latest["carrier"],
        "shipment.tracking": latest["tracking_number"],
    }
    delivered, shipped = _ts(latest.get("delivered_at")), _ts(latest.get("shipped_at"))
    if now is not None and delivered is not None:
        facts["shipment.days_since_delivery"] = round((now - delivered).total_seconds() / 86400, 1)
    elif now is not None and shipped is not None:
        facts["shipment.days_in_transit"] = round((now - shipped).total_seconds() / 86400, 1)
    return facts


def fits(intent: str, order: Mapping[str, Any]) -> bool:
    """Whether one of the customer's orders could be the one a request is about (no order number given)."""
    status = order["order"]["status"]
    payment = order.get("payment")
    if intent == "double_charge":
        return bool(payment_facts(payment, order["order"]["total"]).get("payment.duplicate"))
    if intent in ("cancel_order", "change_address", "change_payment"):
        return status not in ("shipped", "delivered", "cancelled")
    if intent in ("where_is_order", "not_received"):
        return status in ("shipped", "ready_to_fulfill", "pending", "payment_review", "on_hold")
    if intent in ITEM_INTENTS:
        return status == "delivered"
    return False


#: How many of the customer's recent orders are listed (gather asks the ERP for these) and considered when the message
#: names none: a customer with six or more orders names the oldest by what it holds as well.
RECENT = 10


def orders_to_read(reading: Reading, quoted: Sequence[str], recent: Sequence[str], asks_change: bool) -> list[str]:
    """The orders a request needs read: the ones it quotes; else the customer's most recent when it asks something
    of an order, a question asking to change an item included ("can I change my camera to the 2K one?")."""
    changing = set(reading.intents) <= {"question"} and asks_change
    return list(quoted) or (list(recent[:RECENT]) if set(reading.intents) & set(ORDER_INTENTS) or changing else [])


def choose_order(
    ticket: Mapping[str, Any],
    reading: Reading,
    orders: Mapping[str, Mapping[str, Any]],
    recent: Sequence[str],
    customer: str | None = None,
    items_named: Mapping[str, Sequence[int]] | None = None,
    said_apart: Sequence[str] = (),
) -> tuple[str | None, str | None, list[str]]:
    """(order id, why none, candidates): the order the ticket is about, or the case type saying why there is none.

    ``orders`` holds every order read (the customer's recent ones and any quoted), ``recent`` the customer's
    recent order ids newest first; ``customer`` the one identified (the ticket's requester when not given);
    ``items_named`` the lines of each order whose items the message describes: when it names no order, the orders
    holding those items are the candidates (those that fit the request first), before the request's fit alone;
    ``said_apart`` the orders the message tells apart by the city they go to or when they were placed: of several
    candidates, the ones meant."""
    customer = customer or ticket["customer_id"]
    quoted = list(dict.fromkeys(([ticket["order_id"]] if ticket.get("order_id") else []) + list(reading.order_refs)))
    if quoted:
        owned = [o for o in quoted if (orders.get(o) or {}).get("order", {}).get("customer_id") == customer]
        if len(owned) == 1 and len(quoted) == 1:
            return owned[0], None, []
        if len(owned) > 1:
            return None, "which_order", owned
        if owned and all(orders.get(o) is None for o in quoted if o not in owned):
            return owned[0], None, []  # one of theirs and one unknown to us: theirs (one someone else's: not owned)
        return None, ("order_not_owned" if any(orders.get(o) for o in quoted) else "order_not_found"), []
    if reading.loose_refs:
        return None, "order_not_found", []
    wanted = [i for i in reading.intents if i in ORDER_INTENTS]
    if not wanted:
        return None, None, []
    described = [o for o in recent if (items_named or {}).get(o)]
    if len(described) != 1 and said_apart:
        described = [o for o in described if o in said_apart] or described
        recent = [o for o in recent if o in said_apart] or recent
    if described:
        fit = [o for o in described if all(fits(i, orders[o]) for i in wanted if o in orders)]
        if fit and _items_of(described, orders, items_named) - _items_of(fit, orders, items_named):
            # an item is named of an order no request read fits, and of none that fits ("return the tablet, and on
            # my pending order change the helmet" read as the return only): asked, never dropped in silence
            return None, "which_order", described[:5]
        chosen = fit or described
        if len(chosen) > 1:
            # of orders each holding some of the items named, the one holding them all is the one meant ("the
            # water bottle and the keyboard": one order has both, another a keyboard only)
            every = _items_of(chosen, orders, items_named)
            chosen = [o for o in chosen if _items_of([o], orders, items_named) == every] or chosen
        return (chosen[0], None, []) if len(chosen) == 1 else (None, "which_order", chosen[:5])
    fitting = [o for o in recent if all(fits(i, orders[o]) for i in wanted if o in orders)]
    if len(fitting) == 1:
        return fitting[0], None, []
    if not recent:
        return None, "order_not_found", []
    return None, "which_order", (fitting or list(recent))[:5]


#: What asks nothing of an order's items nor changes it: where it is, a general question.
_ASKING_ONLY = frozenset({"where_is_order", "question"})
#: Requests about an order as a whole, none about its items.
_OF_THE_ORDER = frozenset({"change_address", "change_payment"})


def _to_confirm(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The item changes resolved, asked as the one choice to confirm (SUP-012's question) instead of made."""
    return {
        "modify.ambiguous": True,
        "modify.choices": [str(facts.get("modify.summary") or "")],
        "modify.changes": [],
        "modify.line_count": 0,
        "modify.method_asked": False,
    }


def _items_of(
    order_ids: Sequence[str], orders: Mapping[str, Mapping[str, Any]], named: Mapping[str, Sequence[int]] | None
) -> set[str]:
    """The items (folded descriptions) the message names in these orders."""
    return {
        fold(str(line.get("description") or line["sku"]))
        for o in order_ids
        for line in (orders.get(o) or {}).get("order", {}).get("lines") or []
        if int(line["line_no"]) in set((named or {}).get(o) or ())
    }


def _which_is_which() -> dict[str, Any]:
    """A return and an exchange asked of one order whose items cannot be told apart: neither made, the customer
    asked which items go back and which are exchanged (never one request's items given to the other)."""
    unknown = ("exchange.line_no", "exchange.sku", "modify.difference", "modify.charge_amount", "modify.refund_amount")
    return {
        **dict.fromkeys(("return.which_is_which", "return.which_items", "modify.ambiguous"), True),
        "modify.method_asked": False,
        **dict.fromkeys(unknown),
        **{"return.lines": [], "modify.changes": [], "modify.choices": [], "modify.summary": ""},
        **{"return.line_count": 0, "modify.line_count": 0, "return.open_value": 0.0},
    }


def derive_facts(gathered: Mapping[str, Any], request: SupportRequest) -> dict[str, Any]:
    """Every support fact (``None`` = unknown) from the gathered records and the customer's request (the whole
    ticket's, or one part's of a request about several orders: :mod:`ai_missions.graphs.support.split`)."""
    ticket = gathered.get("helpdesk.get_ticket") or {}
    customer = gathered.get("crm.get_customer") or {}
    orders: Mapping[str, Mapping[str, Any]] = gathered.get("orders") or {}
    recent: list[str] = list(gathered.get("recent_orders") or [])
    now = _ts(request.sent_at or ticket.get("updated_at"))
    reading, parts = request.reading, request.parts
    identity = gathered.get("identity") or {"customer_id": ticket.get("customer_id"), "how": "sender"}
    facts: dict[str, Any] = {
        **_DEFAULTS,
        "customer.identified_by": identity.get("how"),
        "ticket.id": ticket.get("ticket_id"),
        "ticket.status": ticket.get("status"),
        "ticket.channel": ticket.get("channel"),
        "ticket.open": ticket.get("status") in ("new", "open"),
        "customer.id": identity.get("customer_id"),
        "customer.name": customer.get("name")
        if identity.get("how") == "message"
        else (ticket.get("requester") or {}).get("name") or customer.get("name"),
        "customer.tier": customer.get("tier"),
        "message.intents": list(reading.intents),
        "message.intent_count": len(reading.intents),
        "message.order_refs": list(reading.order_refs),
        "message.problem": reading.problem,
        "message.angry": reading.angry,
        "message.language": reading.language,
        "claim.words": reading.claim,
        "order.ref": ticket.get("order_id")
        or (reading.order_refs[0] if reading.order_refs else None)
        or (f"#{reading.loose_refs[0]}" if reading.loose_refs else None),
        "order.candidates": [],
        "order.lines_named": [],
        "message.gives_address": reading.gives_address,
        # the plan last read back and the customer's yes to it (read_back.py: the plan goes on if it is the same)
        "readback.said": request.confirmed[0] if request.confirmed else None,
        "readback.yes": request.confirmed[1] if request.confirmed else None,
    }
    wanted = parts.addresses  # the address the thread asks for
    on_file = list(gathered.get("addresses_on_file") or addresses_on_file(customer, orders))
    unsure = request.untaken or request.unread
    if unsure and (not reading.intents or set(reading.intents) - {"question", "where_is_order"}):
        # a want said with irony, or words in a language not read, are asked about plainly (all the message said,
        # maybe, so nothing is left to read): nothing is done on them
        types = ["unclear_request"]
        facts["message.untaken"], facts["message.unread"] = list(request.untaken), list(request.unread)
    elif reading.problem:
        types = ["unreadable_message"]
    elif identity.get("customer_id") is None and not (reading.intents and set(reading.intents) <= {"question"}):
        # a general question is answered from the published terms to anyone; nothing else without knowing who
        types = ["identify_customer"]
    elif parts.corrected and reading.intents:
        types = ["corrected_request"]  # which request stands after "wait, no, not that one": a person reads it
    elif set(reading.intents) == {"change_address"} and wanted.for_account and not wanted.for_order:
        # "update my default address to ...": the account's own address, no order to choose (SUP-006)
        types = ["change_address"]
        facts.update(address_facts(None, customer, wanted, on_file, gathered.get("address_validation"), recent))
    else:
        items_named: Mapping[str, Sequence[int]] = gathered.get("items_named") or {}
        asked_in_question: dict[str, list[int]] = {}
        # a change asked in words no request is read from ("could you please change it?"), beside only a question
        unplaced = list(request.unplaced) if set(reading.intents) <= _ASKING_ONLY else []
        if set(reading.intents) <= {"question"} or unplaced:
            # the orders it quotes, else (no number that is none of theirs) their recent ones
            candidates = reading.order_refs or (() if reading.loose_refs else recent)
            # "can I change my camera to the 2K one?": the order -> the lines a change is asked of
            per_order = {o: changes_asked(request, orders[o], wanting=False) for o in candidates if orders.get(o)}
            asked_in_question = {o: lines for o, lines in per_order.items() if lines}
        if asked_in_question:
            # a change of their items asked as a question, in words no request phrase holds: the items resolved on
            # their orders make it a request (confirmed before anything changes), never a general answer
            reading = replace(reading, intents=("exchange_variant",))
            items_named = asked_in_question
        elif unplaced:  # not resolved on their items: asked about plainly, never answered past
            reading = replace(reading, intents=())
            facts["message.unplaced"] = unplaced
        aside = parts.spared | (parts.sources if set(reading.order_refs) - parts.sources else set())
        if aside:
            # an order said not to be meant, or the one an address is taken from, is not the one to change: the
            # others quoted are (or, said not to be meant, none)
            reading = replace(reading, order_refs=tuple(o for o in reading.order_refs if o not in aside))
        read = {o: r for o, r in orders.items() if r}
        items_named = told_apart(parts.items, {o: n for o, n in items_named.items() if o in read}, read)
        order_id, condition, candidates = choose_order(
            ticket, reading, orders, recent, identity["customer_id"], items_named, gathered.get("orders_said") or ()
        )
        wanted_elsewhere = [o for o in gathered.get("items_wanted") or () if o != order_id]
        if order_id is not None and wanted_elsewhere and not reading.order_refs:
            # a want said of another order's item ("... I need dark") is not dropped while this one is worked: which
            # orders the message is about is read apart (one part each), or asked
            candidates = [order_id, *wanted_elsewhere]
            order_id, condition = None, "which_order"
        facts["order.candidates"], facts["order.candidate_count"] = candidates, len(candidates)
        if condition is not None:
            types = [condition]
            facts["order.owned"] = False if condition in ("order_not_owned", "order_not_found") else None
        elif order_id is not None:
            types = list(reading.intents) or ["unclear_request"]
            confirming = bool(asked_in_question)  # an item change read from few words, confirmed before it is made
            record = orders[order_id]
            unshipped = fits("cancel_order", record)
            if "not_received" in types and len(types) > 1 and unshipped:
                types.remove("not_received")  # "the luggage set that hasn't arrived yet: change it" of an order not
                # shipped tells which it is; no parcel is lost
            lines, options = order_items(record)
            said = parts.items
            # what tells the order apart by its items, or says an item is kept or not meant, names no item asked
            named = list(items_named.get(order_id) or [])
            meant = lines_named(said, lines, options) if named else []
            named = [n for n in named if n in meant]
            facts["order.lines_named"] = named
            line_count = len(lines)
            if {"cancel_order", "wrong_item"} <= set(types) and unshipped:
                types.remove("wrong_item")  # "I hit buy on the wrong one, cancel it": nothing came, their choice
            if "cancel_order" in types and set(types) & _CHANGES and len(recent) > 1:
                # cancelling an order and changing it cannot both be meant of one order: ask which is which
                types = ["which_order"]
                facts["order.candidates"], facts["order.candidate_count"] = list(recent[:5]), len(recent[:5])
            else:
                if types == ["change_address"] and named:
                    # items of the order named in what they ask: more than a new address ("ship it to my other
                    # address and change the helmet"); the item change is read too, never dropped in silence
                    types.append("exchange_variant")
                elif set(types) <= _OF_THE_ORDER | _ASKING_ONLY and (asked := changes_asked(request, record)):
                    # "pay with my gift card, also change the kettle": a change said of the order's items in a clause
                    # of its own, beside requests about the order as a whole; read, never dropped in silence, and
                    # confirmed with the customer before anything changes (read from fewer words than a request)
                    types.append("exchange_variant")
                    confirming = True
                    named = sorted({*named, *asked})
                    facts["order.lines_named"] = named
                elif "wrong_item" in types and unshipped and (asked := changes_asked(request, record)):
                    # "I think I got the wrong storage, can it still be changed?" of an order not shipped: nothing
                    # came, the wrong choice was theirs; the change asked (read back before anything changes)
                    types = list(dict.fromkeys("exchange_variant" if t == "wrong_item" else t for t in types))
                    facts["order.lines_named"] = named = sorted({*named, *asked})
                elif types == ["return_refund"] and (
                    changed := [n for n in changes_asked(request, record, wanting=False) if n not in named]
                ):
                    # "return the earbuds. The speaker should really be the red one": another item wanted otherwise,
                    # in words no request phrase holds, is the exchange's; read back, never dropped in silence
                    types.append("exchange_variant")
                    confirming = True
                    named = sorted({*named, *changed})
                    facts["order.lines_named"] = named
                if "cancel_order" in types and 0 < len(named) < line_count:
                    # "cancel the air purifier in it": an item, never the whole order for it. Items described by
                    # their variant ("the red mountain bike") count as named: the order listed whole is the order
                    described = described_by_options(said, lines, options)
                    # "the bookshelf order": the item names the order, every item of it is cancelled with it
                    if len({*named, *described}) < line_count and not cancelled_whole(request, record, named):
                        types = ["cancel_item" if t == "cancel_order" else t for t in types]
                if set(types) & {"return_refund", "exchange_variant"} == {"return_refund"} and (
                    (whole := returned_whole(request, record, named)) is not None
                ):
                    # "return everything from the order with the lamp": every item of it, less those said kept
                    named = whole
                    facts["order.lines_named"] = named
                damage = line_count > 1 and {"damaged_item", "wrong_item"} & set(types)
                if damage and not {"return_refund", "exchange_variant"} & set(types) and parts.refund_only and named:
                    # "the toaster came cracked, I just want my money back" of one item among several, no replacement:
                    # the item goes back on a return refunded on receipt (SUP-005), not a person choosing a remedy
                    types.append("return_refund")
                facts.update(order_facts(record, now))
                facts.update(return_facts(record))
                others = [x for o, r in orders.items() if o != order_id for x in r["order"].get("lines") or []]
                others += list(gathered.get("other_lines") or [])  # a part of a request about several orders
                returning, exchanging = each_its_own(record, types, named, request)
                if returning.sure and exchanging.sure and bool(returning.lines) != bool(exchanging.lines):
                    # of a return and an exchange, their answer names items for one only: the other is not asked
                    types = [t for t in types if t != ("exchange_variant" if returning.lines else "return_refund")]
                facts.update(return_asked(record, returning, others, request))
                damaged = {n for before, s in parts.stating
                           for n in lines_named(s, lines, options) or lines_named(before, lines, options)}  # fmt: skip
                facts.update(_claim_returned(types, facts, damaged))
                facts.update(exchange_facts(record, reading))
                methods = gathered.get("payments.list_payment_methods")
                facts.update(
                    paymethod_facts(methods, methods_said(request, record.get("variants") or []), types, facts)
                )
                if "exchange_variant" in types and _changes_items(facts):
                    facts.update(exchange_asked(record, exchanging, facts, methods, request, others))
                    # the claim said in no sentence of its own ("... looks wrong, can I exchange it for ..."): of
                    # the items the request names
                    facts.update(_claim_exchanged(types, facts, damaged or set(named)))
                    if confirming and facts.get("modify.changes"):
                        facts.update(_to_confirm(facts))
                if {"return_refund", "exchange_variant"} <= set(types) and (
                    not returning.sure or facts.get("exchange.line_no") in (facts.get("return.lines") or [])
                ):
                    facts.update(_which_is_which())
                if "exchange_variant" in types:
                    facts.update(other_items_facts(record, facts, ticket, lines_kept(request, record)))
                validation = gathered.get("address_validation")
                facts.update(address_facts(record, customer, wanted, on_file, validation, recent))
                if order_id in parts.sources:  # the order the address is taken from is never sent elsewhere
                    facts["address.status"] = "unclear"
        else:
            types = list(reading.intents) or ["unclear_request"]  # a question that needs no order
    if reading.condition and set(types) & ({*ORDER_INTENTS, "cancel_item"} - {"where_is_order"}):
        # a request on a condition is acted on only when the systems show it holds (a total or price against an
        # amount, stock, status); one read whole that does not hold changes nothing (said); any other to a person
        held = orders.get(str(facts.get("order.id")))
        lines = (held or {}).get("order", {}).get("lines") or []
        paying_with = (gathered.get("payments.list_payment_methods") or {}).get("methods") or ()
        settled = conditions.settle(reading.condition, held, paying_with) if parts.branches else None
        branch = parts.branches[0 if settled.holds else 1] if settled and parts.branches else None
        if settled and branch is not None:
            # an else-branch said: the request of the branch the systems choose, read on its own words
            chosen = derive_facts(gathered, request.of_part(branch, read_message(branch)))
            chosen.update(replace(settled, branch="then" if settled.holds else "else").facts())
            chosen["message.condition"] = reading.condition
            chosen["message.condition_holds"] = settled.holds
            chosen["reply.text"] = compose_reply(chosen)
            return chosen
        holds = settled.holds if settled else condition_holds(reading.condition, facts.get("order.total"), lines)
        facts.update(settled.facts() if settled else {})
        facts["message.condition"], facts["message.condition_holds"] = reading.condition, holds
        if holds is None or (holds is False and settled is None):
            types = ["conditional_request"]
        elif holds is False:
            types = ["condition_not_met"]
    facts[TYPES_FACT] = types
    # why the customer cancels, from the whole thread (their answer to "why?" included); unknown: asked (SUP-002)
    facts["cancel.reason"] = parts.reason if "cancel_order" in types else None
    facts.update(resolution_facts(facts))
    # the ticket waits for the customer when the reply asks them something (which order, which in-stock option)
    asking = [t for t in types if t in _ASKING or any(t == k and asked(facts) for k, asked in _ASKED_WHEN)]
    facts["reply.asking"] = asking  # a reply that asks says only that: the rest is read back with the answer
    facts["reply.status"] = "pending" if asking else "solved"
    facts["reply.text"] = compose_reply(facts)
    facts["note.text"] = compose_note(facts)
    return facts


#: The case types whose reply asks the customer something: who they are, which order, what they mean.
_ASKING = frozenset(
    {"identify_customer", "which_order", "unclear_request", "unreadable_message", "order_not_found", "order_not_owned"}
)
#: The address statuses the reply asks the customer about (SUP-006 ``address-asked``).
_ADDRESS_ASKED = ("incomplete", "which", "corrected", "undeliverable")
#: A request, and when its reply asks the customer something (then the ticket waits for their answer).
_ASKED_WHEN: tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...] = (
    # which option in stock, which variant, which method takes the difference
    ("exchange_variant", lambda f: f.get("exchange.sku") and f.get("exchange.in_stock") is False),
    ("exchange_variant", lambda f: f.get("modify.ambiguous") is True),
    ("exchange_variant", lambda f: f.get("modify.method_asked") is True),
    ("return_refund", lambda f: f.get("return.which_items") is True),  # which items go back
    ("cancel_order", lambda f: f.get("order.cancellable") is True and f["cancel.reason"] is None),  # why (SUP-002)
    # an address that cannot be used as written: what is missing, which one, or shipping's finding is asked
    ("change_address", lambda f: f.get("address.status") in _ADDRESS_ASKED),
    (
        "change_payment",
        lambda f: f.get("paymethod.known") and not (f.get("paymethod.ready") or f.get("paymethod.stays")),
    ),
    # a single item cannot be cancelled out of its order: the reply asks what they want instead (SUP-011)
    ("cancel_item", lambda f: f.get("order.owned") is True),
)

#: What the condition is said of: the order as a whole, not one of its items.
_THE_ORDER = WORDS.pattern("the_order")


def condition_holds(condition: str, total: float | None, lines: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether a condition on the order's amount holds by the ERP's total ("if it's over $300": the total is above
    300); None when it is about something else (an item, a date, a refund method) or there is no total to check."""
    match = conditions.AMOUNT.search(condition)
    if match is None or total is None or not _THE_ORDER.search(condition[: match.start()]):
        return None
    if lines_named(condition, lines, {}):
        return None  # "if the kettle is over $50": an item's price, not the order's
    return conditions.compare_amount(match, total)[1]


#: Requests that change an order, which a request to cancel it contradicts.
_CHANGES = frozenset(
    {"change_address", "exchange_variant", "return_refund", "damaged_item", "wrong_item", "change_payment"}
)


def line_names(lines: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each line's item by name, as the ERP describes it; with its variant where the order holds another of that
    name ("Backpack (black small nylon laptop)"), so that what is read back tells them apart."""
    options = options_by_sku(variants)
    named = [(str(x["line_no"]), str(x.get("description") or x["sku"]), str(x["sku"])) for x in lines]
    kinds: dict[str, set[str]] = {}
    for _n, name, sku in named:
        kinds.setdefault(name, set()).add(sku)
    return {
        n: f"{name} ({options[sku]})" if len(kinds[name]) > 1 and options.get(sku) else name for n, name, sku in named
    }


def order_facts(record: Mapping[str, Any], now: datetime | None) -> dict[str, Any]:
    order = record["order"]
    status = order["status"]
    return {
        "order.id": order["order_id"],
        "order.owned": True,
        "order.status": status,
        "order.shipped": status in ("shipped", "delivered"),
        "order.cancellable": status not in ("shipped", "delivered", "cancelled"),
        "order.total": float(order["total"]),
        "order.line_count": len(order.get("lines") or []),
        "order.line_names": line_names(order.get("lines") or [], record.get("variants") or []),
        **payment_facts(record.get("payment"), float(order["total"])),
        **shipment_facts(record.get("shipments"), now),
    }


def return_facts(record: Mapping[str, Any]) -> dict[str, Any]:
    """The order's returns as the ERP shows them: received (the latest received one, and the value of every
    received item), or registered and still on its way back, or none (all unknown when they could not be read)."""
    returns = record.get("returns")
    if returns is None:
        return {"return.received": None}
    received = [r for r in returns if r.get("received_at")]
    if not received:
        latest = returns[-1] if returns else None
        return {"return.received": False, "return.id": latest["return_id"] if latest else None}
    last = received[-1]
    out: dict[str, Any] = {
        "return.received": True,
        "return.id": last["return_id"],
        "return.received_at": last["received_at"],
        "return.condition": last.get("condition"),
        "return.value": round(sum(float(r["value"]) for r in received), 2),
    }
    delivered = _ts((record.get("shipments") or [{}])[-1].get("delivered_at")) if record.get("shipments") else None
    if delivered is not None:
        out["return.days_after_delivery"] = round((_ts(last["received_at"]) - delivered).total_seconds() / 86400, 1)  # type: ignore[operator]
    return out


def _claim_returned(types: Sequence[str], facts: Mapping[str, Any], damaged: set[int]) -> dict[str, Any]:
    """``claim.returned``: the items the customer says arrived damaged or wrong (``damaged``: the lines named in the
    sentences stating the damage) are exactly the ones going back on the return they ask for; then the return is
    the remedy, as for a single item (SUP-005). A return asked only as a refund of them counts as asked."""
    if not damaged or "return_refund" not in types or not facts.get("return.lines"):
        return {"claim.returned": False}
    # only the items said to be damaged or wrong go back: another item on the same return is asked of a person
    returned = damaged == set(facts["return.lines"])
    out: dict[str, Any] = {"claim.returned": returned}
    if returned and not facts.get("return.requested"):
        out["return.requested"] = True  # "just refund me" of a damaged item: its return is what refunds it
    return out


def _claim_exchanged(types: Sequence[str], facts: Mapping[str, Any], damaged: set[int]) -> dict[str, Any]:
    """``claim.exchanged``: the items the customer says arrived damaged or wrong are all on the exchange they ask for
    (a new one of the same, or another variant): the exchange is the remedy they named (SUP-005)."""
    changes = facts.get("modify.changes") or []
    if not damaged or "exchange_variant" not in types or not changes or not facts.get("modify.resolved"):
        return {"claim.exchanged": False}
    return {"claim.exchanged": damaged <= {int(c["line_no"]) for c in changes}}


def exchange_facts(record: Mapping[str, Any], reading: Reading) -> dict[str, Any]:
    """Which line the customer wants in which other variant (one named in the message, of exactly one line's
    product), its price and stock; unknown when the message names none or the ERP has no variants."""
    variants = record.get("variants")
    lines = record["order"].get("lines") or []
    if not variants or not lines:
        return {}
    picks: list[tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]] = []
    in_stock: list[str] = []
    for line, own in with_variants(lines, variants):
        siblings = sibling_variants(own, variants)
        in_stock += [v["option"] for v in siblings if int(v["available"]) >= int(line.get("quantity") or 1)]
        named = {option_key(o) for o in reading.options}
        picks += [(line, own, v) for v in siblings if option_key(v["option"]) in named]
    out: dict[str, Any] = {"exchange.options_in_stock": sorted(set(in_stock))}
    if len(picks) != 1:
        return out
    line, own, wanted = picks[0]
    quantity = int(line.get("quantity") or 1)
    price = float(line.get("unit_price", wanted["unit_price"]))
    return {
        **out,
        "exchange.line_no": line["line_no"],
        "exchange.from_sku": own["sku"],
        "exchange.from_option": own["option"],
        "exchange.sku": wanted["sku"],
        "exchange.option": wanted["option"],
        "exchange.available": int(wanted["available"]),
        "exchange.in_stock": int(wanted["available"]) >= quantity,
        "exchange.same_price": abs(float(wanted["unit_price"]) - price) < _CENT,
    }


def _changes_items(facts: Mapping[str, Any]) -> bool:
    """Whether the order's items are changed (not shipped yet, SUP-012) or exchanged at a price difference or several
    at once (delivered within 30 days, SUP-007); one line for a variant at the same price keeps SUP-007's exchange."""
    if facts.get("order.cancellable") is True:
        return True
    days = facts.get("shipment.days_since_delivery")
    delivered = facts.get("shipment.status") == "delivered" and days is not None and days <= DAMAGE_WINDOW_DAYS
    return delivered and not (facts.get("exchange.sku") and facts.get("exchange.same_price") is True)


#: The kinds of fact (the vocabulary's) read from the records, and those of them only set when found.
_RECORD_KINDS = ("order.", "return.", "exchange.", "address.", "modify.", "paymethod.", "condition.")
_SET_WHEN_FOUND = ("order.line_names", "return.refund_due", "exchange.others", "exchange.list_asked")
#: Every fact as it stands until a record or the message says otherwise: None (unknown), or nothing found yet.
_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(f for f in VOCABULARY.facts if f.startswith(_RECORD_KINDS) and f not in _SET_WHEN_FOUND),
    **dict.fromkeys(("message.condition", "message.condition_holds")),
    "order.candidate_count": 0,
    "claim.returned": False,
    "claim.exchanged": False,
    "return.received": False,
    "modify.resolved": False,
    "modify.replacement": False,
    "modify.payment_unresolved": False,
    "modify.method_short": False,
    "modify.method_covers": True,
    "modify.method_asked": False,
    "paymethod.known": False,
    "paymethod.blocks_items": False,
    "paymethod.stays": False,
    "paymethod.after_refunds": False,
}


def paymethod_facts(
    methods: Mapping[str, Any] | None, spoken: list[Mention], types: Sequence[str], facts: Mapping[str, Any]
) -> dict[str, Any]:
    """The order's payment moved to another of the customer's methods on file (SUP-013): the one method the
    message names other than the order's own (exactly one, never guessed), what the payment holds now (what moves),
    whether the method can take it (a gift card: its balance), and the customer's other methods by kind and last
    digits to ask with. Unknown when payments' methods could not be read."""
    asked = "change_payment" in types
    out: dict[str, Any] = {"paymethod.with_items": "exchange_variant" in types}
    if methods is None:
        # nothing known to change to: the item change cannot wait on a method it cannot resolve either
        return {**out, "paymethod.known": False, "paymethod.blocks_items": asked}
    listed = list(methods.get("methods") or [])
    current = facts.get("payment.method_id")
    method_id, _named = paying.chosen(spoken, listed, current)
    method = next((m for m in listed if m.get("payment_method_id") == method_id), None)
    amount = payment_amount(facts)

    def takes(m: Mapping[str, Any]) -> bool:  # the whole payment (a gift card: with the balance for it)
        return m.get("kind") != "gift_card" or float(m.get("balance") or 0.0) + _CENT >= amount

    balance = float(method["balance"]) if method is not None and method.get("balance") is not None else None
    covers = method is not None and takes(method)
    ready = asked and method is not None and covers and facts.get("order.cancellable") is True
    # a method named that cannot take the whole payment (a gift card short of it) and no other of theirs that could:
    # nothing to choose among, so nothing is asked; the order keeps its payment (an item change goes ahead)
    could_pay = any(takes(m) for m in listed if m.get("payment_method_id") != current)
    stays = asked and method is not None and not covers and not could_pay and facts.get("order.cancellable") is True
    own = next((m for m in listed if m.get("payment_method_id") == current), None)
    return {
        **out,
        "paymethod.known": True,
        "paymethod.others": [
            {k: m.get(k) for k in ("payment_method_id", "kind", "brand", "last4", "balance")}
            for m in listed
            if m.get("payment_method_id") != current
        ],
        "paymethod.method_id": method_id if asked else None,
        "paymethod.ambiguous": asked and method is None,
        **{f"paymethod.{k}": method.get(k) if method is not None else None for k in ("kind", "brand", "last4")},
        "paymethod.balance": balance,
        "paymethod.amount": amount,
        "paymethod.covers": covers if asked else None,
        "paymethod.ready": ready,
        "paymethod.stays": stays,
        "paymethod.current": {k: own.get(k) for k in ("kind", "brand", "last4")} if own is not None else None,
        "paymethod.blocks_items": asked and not ready and not stays,
    }


def payment_amount(facts: Mapping[str, Any]) -> float:
    """What the order's payment holds now: the authorization not yet captured, else what was captured and kept."""
    if facts.get("payment.authorized") is not None:
        return round(float(facts["payment.authorized"]), 2)
    return round(float(facts.get("payment.captured") or 0.0) - float(facts.get("payment.refunded") or 0.0), 2)


_PLACE = ("line1", "line2", "city", "region", "postal_code", "country")


def addresses_on_file(
    customer: Mapping[str, Any], orders: Mapping[str, Any], history: Any = None
) -> list[dict[str, Any]]:
    """The addresses the systems hold for the customer, each with where it is held: the account's (CRM), the ones
    the CRM's history shows they used, and the ship-to of each of their orders read (ERP)."""
    found: list[dict[str, Any]] = []
    if current := customer.get("current_address"):
        found.append({"source": "account", "address": dict(current)})
    for past in (history or {}).get("addresses") or []:
        if past.get("address"):
            found.append({"source": "history", "address": dict(past["address"])})
    for order_id, record in orders.items():
        ship_to = ((record or {}).get("order") or {}).get("ship_to")
        if ship_to and record["order"].get("customer_id") == customer.get("customer_id"):
            found.append({"source": f"order {order_id}", "address": dict(ship_to)})
    return found


def _differs(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    return not same_place(a or {}, b or {})


def target_address(
    wanted: AddressReading,
    this: Mapping[str, Any] | None,
    customer: Mapping[str, Any],
    on_file: Sequence[Mapping[str, Any]],
    validation: Mapping[str, Any] | None,
    others_newest_first: Sequence[str] = (),
) -> dict[str, Any]:
    """Which address the customer wants (SUP-006): one written in the thread, whole and validated by shipping (or
    the same place as one on file); one on file they point at ("my other address", "my default address"); or,
    naming none, the account's. ``address.status``: ``resolved`` (``address.new`` holds it), ``incomplete`` (parts
    missing, asked), ``which`` (several fit, asked), ``corrected`` / ``undeliverable`` (shipping's answer, asked),
    ``unclear`` (an address written but not as the one wanted: a person), ``none_other`` (nothing on file but
    this order's own), or None when shipping's validation is not known."""
    account = customer.get("current_address")
    out: dict[str, Any] = {"address.source": None, "address.status": None, "address.new": None,
                           "address.missing": [], "address.issues": [], "address.suggestion": None,
                           "address.choices": [], "address.evidence": None}  # fmt: skip
    name = (this or {}).get("name") or (account or {}).get("name") or customer.get("name") or ""
    if wanted.written:
        whole = [o.as_address(None) for o in wanted.written if o.whole]  # a street written again whole: one place
        places = [w for w in wanted.written if w.whole or not any(map(w.completed_by, whole))]
        first_written = {summary(w.as_address(None)): w.evidence for w in reversed(places)}  # each place once
        if len(first_written) > 1:
            return {**out, "address.status": "which", "address.choices": list(reversed(first_written.values()))}
        written = places[0]
        out["address.evidence"] = written.evidence
        on_street = [f["address"] for f in on_file if written.completed_by(f["address"])]
        if not written.whole and on_street and all(same_place(a, on_street[0]) for a in on_street):
            # a street alone ("my home (178 Lakeview Drive)") of the one place on file on it: that place, as held
            return {**out, **_chosen_on_file(on_street[:1])}
        if not written.whole:
            return {**out, "address.status": "incomplete", "address.missing": list(written.missing)}
        given = written.as_address(name)
        known = [f["address"] for f in on_file if same_place(f["address"], given)]
        if known:  # the same place as one on file: that record, exactly as the systems hold it
            return {**out, **_chosen_on_file(known[:1])}
        out["address.source"] = "message"
        if validation is None or not same_place(validation.get("address") or {}, given):
            return out  # shipping's answer on this address is not known: nothing is proposed
        status = validation.get("status")
        out["address.issues"] = list(validation.get("issues") or [])
        if status == "valid":
            return {**out, "address.status": "resolved", "address.new": given}
        if status == "corrected" and validation.get("suggestion"):
            return {**out, "address.status": "corrected", "address.suggestion": summary(validation["suggestion"])}
        return {**out, "address.status": "undeliverable"}
    if wanted.dropped or wanted.unread:
        # written, but only as one not to use, on a condition, or in a form not read: a person, never the account's
        return {
            **out,
            "address.status": "unclear",
            "address.evidence": wanted.dropped[0][0] if wanted.dropped else None,
        }
    # "my Denver address": the one place on file it names; several named or fitting are asked about
    fitting = places_named([f["address"] for f in on_file], *wanted.places)
    if fitting:
        return {**out, **_chosen_on_file(fitting)}
    if wanted.refers_to == "other_order":
        # "same as my last order": that order's ship-to, as the ERP holds it; else the one other place on file
        newest = [f["address"] for o in others_newest_first for f in on_file if f["source"] == f"order {o}"]
        if wanted.newest and newest:
            return {**out, **_chosen_on_file(newest[:1])}
        elsewhere = [f["address"] for f in on_file if this is None or _differs(f["address"], this)]
        distinct = [a for i, a in enumerate(elsewhere) if not any(same_place(a, b) for b in elsewhere[:i])]
        return (
            {**out, **_chosen_on_file(distinct)}
            if distinct
            else {**out, "address.source": "on_file", "address.status": "none_other"}
        )
    if not account:
        return out
    if wanted.for_account and wanted.refers_to is None:
        # the account's address is what changes, and the one to use is neither written nor one on file: a person
        return {**out, "address.status": "unclear"}
    new = {k: account.get(k) for k in ("name", *_PLACE)}
    status = "resolved" if this is None or _differs(account, this) else "none_other"
    return {**out, "address.source": "account", "address.new": new, "address.status": status}


def _chosen_on_file(addresses: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The one address on file meant, exactly as the systems hold it; of several, which one is asked."""
    if len(addresses) == 1:
        return {"address.source": "on_file", "address.status": "resolved", "address.new": dict(addresses[0])}
    return {"address.source": "on_file", "address.status": "which", "address.choices": [summary(a) for a in addresses]}


def address_facts(
    record: Mapping[str, Any] | None,
    customer: Mapping[str, Any],
    wanted: AddressReading,
    on_file: Sequence[Mapping[str, Any]] = (),
    validation: Mapping[str, Any] | None = None,
    recent: Sequence[str] = (),
) -> dict[str, Any]:
    """The address the customer wants (``target_address``) as the new ship-to of ``record`` (or, with no order,
    the account's new address), whether it differs from the order's (ERP), from shipping's own copy (what the
    label will carry: the ERP's change does not reach it) and from the account's. ``recent``: newest first."""
    ship_to = record["order"].get("ship_to") if record is not None else None
    if record is not None and not ship_to:
        return {}
    own = (record or {}).get("order", {}).get("order_id")
    facts = target_address(wanted, ship_to, customer, on_file, validation, [o for o in recent if o != own])
    new = facts["address.new"]
    # shipping keeps its own copy (the label's); a record without one (recorded and imported sets) has none
    shipping: Any = (record or {}).get("shipping_address", {})
    return {
        **facts,
        "address.differs": None if new is None else (ship_to is None or _differs(new, ship_to)),
        "address.summary": summary(new) if new else None,
        "address.shipping_differs": None
        if shipping is None
        else bool(shipping) and new is not None and _differs(new, shipping),
        "address.account_differs": None if new is None else _differs(new, customer.get("current_address")),
        "address.for_account": wanted.for_account,
        "address.for_order": wanted.for_order,
        "address.written": bool(wanted.written),
    }


def resolution_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """What a refund would be for the ticket's request: the amount and the capture (never above refundable)."""
    types = facts.get(TYPES_FACT) or []
    refundable = facts.get("payment.refundable")
    captures = facts.get("payment.capture_ids") or []
    amount: float | None = None
    capture: str | None = None
    due: float | None = None
    if "double_charge" in types and facts.get("payment.duplicate"):
        amount, capture = facts.get("payment.duplicate_amount"), facts.get("payment.duplicate_capture_id")
    elif refundable and (
        "cancel_order" in types
        # a damaged or wrong item is refunded without a return only on the customer's own words saying so (SUP-005)
        or (("damaged_item" in types or "wrong_item" in types) and facts.get("claim.words"))
    ):
        amount = min(float(refundable), float(facts.get("order.total") or 0.0))
        capture = captures[0] if len(captures) == 1 else None
    elif "return_refund" in types and facts.get("return.received") and refundable is not None:
        # what was refunded on the order already counts against the returned items: a return is never paid twice
        owed = float(facts.get("return.value") or 0.0) - float(facts.get("payment.refunded") or 0.0)
        amount = due = round(min(float(refundable), max(owed, 0.0)), 2)
        fitting = [c for c, left in facts.get("payment.capture_refundables") or [] if left + _CENT >= amount]
        capture = fitting[0] if fitting else None
    if amount is not None and refundable is not None:
        amount = round(min(float(amount), float(refundable)), 2)
    return {"refund.amount": amount if amount else None, "refund.capture_id": capture, "return.refund_due": due}


def compose_note(facts: Mapping[str, Any]) -> str:
    types = ", ".join(facts.get(TYPES_FACT) or []) or "nothing"
    order = facts.get("order.id") or facts.get("order.ref") or "no order"
    refund = f"; refundable {facts['payment.refundable']:.2f}" if facts.get("payment.refundable") is not None else ""
    return f"Support mission read the ticket as: {types} (order {order}{refund})."
