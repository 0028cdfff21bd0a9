"""Gather: read the ticket, understand the message, then read the customer and their orders, concurrently.

More in docs/support-parse.md (gather.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from langgraph.runtime import Runtime

from ai_missions.graphs.support.facts import ITEM_INTENTS, RECENT, addresses_on_file, orders_to_read
from ai_missions.graphs.support.parse.address_reading import AddressReading, same_place
from ai_missions.graphs.support.parse.request import SupportRequest, request_of
from ai_missions.graphs.support.parse.resolve import (
    called_by_own_words,
    identify,
    items_of_request,
    lines_named_apart,
    order_items,
    placed_when,
    recognised,
    resolve,
    sent_to,
)
from ai_missions.graphs.support.parse.understanding import Reading
from ai_missions.graphs.support.split import case_facts
from ai_missions.graphs.support.vocabulary import TYPES_FACT
from ai_missions.mission_api import LABEL, PARTS, MissionsError, MissionSpec
from ai_missions.nodes.api import MissionContext, MissionState, Observation, SystemError_, observe, read_subject

#: How many candidate order references of a thread are looked up in the ERP.
MAX_REFERENCES = 8


async def _ready(value: Any) -> Any:
    """A value already known, where the other branch reads a system."""
    return value


class Reads(Protocol):
    """What the gather step reads the systems through: a tool's answer to its arguments, or a
    :class:`~ai_missions.nodes.api.SystemError_` when the system refuses. The graph reads over MCP (the run's
    systems); the recorded decider answers from what a recorded case holds (``evals/recorded.py``)."""

    async def call(self, tool_name: str, args: Mapping[str, Any]) -> Any: ...


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    systems, ticket = await read_subject(runtime.context, mission, state["subject_id"])
    return await gathered_from(systems, ticket)


async def gathered_from(systems: Reads, ticket: Mapping[str, Any]) -> dict[str, Any]:
    """The gather step's update once the ticket is read: the customer, their orders and what else the message
    needs, read through ``systems``; the facts; the observations; the customer's text for the guard. The one way a
    support case is gathered, by the graph and by the recorded decider alike."""
    request = request_of(ticket)
    parts, reading = request.parts, request.reading
    errors: dict[str, str] = {}

    async def call(key: str, tool: str, args: dict[str, Any]) -> Any:
        try:
            return await systems.call(tool, args)
        except (SystemError_, MissionsError) as exc:
            errors[key] = f"{exc.code}: {exc}" if isinstance(exc, SystemError_) else str(exc)
            return None

    sender = ticket["customer_id"]
    mails, codes = parts.claims.emails, parts.claims.postal_codes
    written = parts.references[:MAX_REFERENCES] if not reading.problem else ()
    claims = {"emails": list(mails[:5]), "postal_codes": list(codes[:5])}
    sender_record, claimed, *found = await asyncio.gather(
        call("crm.get_customer", "get_customer", {"customer_id": sender}),
        call("crm.find_customers", "find_customers", claims) if mails or codes else _ready({"customers": []}),
        *(call(f"erp.find_order_reference:{r.text}", "find_order_reference", {"reference": r.text}) for r in written),
    )
    requester = ticket.get("requester") or {}
    crm_down = sender_record is None and not errors.get("crm.get_customer", "").startswith("not_found")
    # the portal signs the customer in; an e-mail is theirs when it comes from the address on file; with the CRM
    # unreadable the helpdesk's own requester stands (as before), and what the message claims is still checked
    mail_on_file = str((sender_record or {}).get("email", "")).lower()
    from_it = sender_record is not None and mail_on_file == str(requester.get("email", "")).lower()
    verified = ticket.get("channel") == "portal" or crm_down or from_it
    identity = identify(sender, verified, recognised(parts.claims, (claimed or {}).get("customers", [])))
    customer_id = identity.customer_id
    customer = sender_record if customer_id == sender else None
    listed: Any = None
    methods: Any = None
    if customer_id is not None:
        whom = {"customer_id": customer_id}
        customer, listed, methods = await asyncio.gather(
            _ready(customer) if customer is not None else call("crm.get_customer", "get_customer", whom),
            call("erp.list_orders", "list_orders", {**whom, "limit": RECENT}),
            # the customer's payment methods on file (billing), read with the orders: a request to pay another way
            # or to settle a price difference on another method is resolved against them
            call("payments.list_payment_methods", "list_payment_methods", whom),
        )
    own, others, unknown = resolve(
        written, {r.text: (f or {}).get("matches", []) for r, f in zip(written, found, strict=True)}, customer_id
    )
    named = [*own, *others]
    # the orders the ERP resolved come first; what the reader read that the ERP does not know stays, as a number
    # quoted ("SO-199999": not found) or a loose one ("order 12": not one of theirs), never dropped in silence
    refs = [*named, *(o for o in reading.order_refs if o not in named)]
    loose = [*(u.lstrip("#") for u in unknown), *(x for x in reading.loose_refs if not any(x in o for o in named))]
    reading = replace(reading, order_refs=tuple(dict.fromkeys(refs)), loose_refs=tuple(dict.fromkeys(loose)))
    recent = [o["order_id"] for o in (listed or {}).get("orders", [])]
    quoted = list(dict.fromkeys(([ticket["order_id"]] if ticket.get("order_id") else []) + list(reading.order_refs)))
    quoted = [o for o in quoted if o not in request.not_meant(quoted)]  # "all of them except #W2": theirs
    wanted = orders_to_read(reading, quoted, recent, parts.asks_change) if customer_id is not None else []
    if wanted and request.asks_apart(named):  # an order asked of by what it holds, beside the one quoted
        wanted += [o for o in recent[:RECENT] if o not in wanted]
    contexts = await asyncio.gather(*(call(f"erp.get_order:{o}", "get_order_context", {"order_id": o}) for o in wanted))
    headers = [c["order"] if c is not None else None for c in contexts]
    owned = [h["order_id"] for h in headers if h is not None and h["customer_id"] == customer_id]
    extras = {c["order"]["order_id"]: c for c in contexts if c is not None}
    payments, shipments = await asyncio.gather(
        asyncio.gather(*(call(f"payments.get_payment:{o}", "get_payment", {"order_id": o}) for o in owned)),
        asyncio.gather(
            *(call(f"shipping.get_shipping_context:{o}", "get_shipping_context", {"order_id": o}) for o in owned)
        ),
    )
    orders: dict[str, Any] = {o: None for o in wanted} | {h["order_id"]: {"order": h} for h in headers if h is not None}
    for order_id, payment, shipping in zip(owned, payments, shipments, strict=True):
        listed_shipments = (shipping or {}).get("shipments")
        validation = (shipping or {}).get("address_validation")
        orders[order_id] = {
            "order": orders[order_id]["order"],
            "payment": payment,
            "shipments": listed_shipments.get("shipments") if listed_shipments is not None else None,
            # shipping's own copy of the ship-to (what the label will carry); None: it could not be read
            "shipping_address": validation.get("address") if validation is not None else None,
            "returns": extras[order_id].get("returns"),
            "variants": extras[order_id].get("variants"),
        }
    # the items the customer describes in what they ask for, matched to each of their orders' lines and variants
    mine = {o: order_items(r) for o, r in orders.items() if r is not None and o in owned}
    if called := called_by_own_words(parts.sentences, mine):
        # "the bike" of a Bicycle: the request is read again with the names of the items it stands for
        request = request_of(ticket, called)
        parts = request.parts
        reading = replace(request.reading, order_refs=reading.order_refs, loose_refs=reading.loose_refs)
    items_named = lines_named_apart(parts.asking, mine)  # "the digital camera": not another order's Action Camera
    # what they want of an item in words no request phrase holds ("the kit I got is the light tone, I need dark"):
    # the order of that item is never left out in silence while another one is worked
    wanting = "\n".join(s for s in parts.wanting if s.strip() not in parts.asking)
    items_wanted = lines_named_apart(wanting, mine) if wanting else {}
    if not any(items_named.values()):
        # "The RGB keyboard I received is too big. Could I exchange it?", "I need to return a few things. The pet bed
        # and the tablet.": the items said apart from the request
        of_items = bool(set(reading.intents) & set(ITEM_INTENTS))
        items_named = {
            o: items_of_request(parts.sentences, parts.asking, *x, of_items=of_items) for o, x in mine.items()
        }
    on_file, validation = await _addresses(call, parts.addresses, reading, customer, orders, customer_id)
    not_found = {k for k, v in errors.items() if k.startswith("erp.get_order:") and v.startswith("not_found")}
    gathered: dict[str, Any] = {
        "helpdesk.get_ticket": ticket,
        "identity": {"customer_id": customer_id, "how": identity.how, "problem": identity.problem},
        "crm.get_customer": customer,
        "erp.list_orders": listed,
        "payments.list_payment_methods": methods,
        "recent_orders": [o for o in recent if o in orders],
        "items_named": {o: lines for o, lines in items_named.items() if lines},
        # the orders told apart by the city they go to ("the Chicago order") or when they were placed ("my most recent
        # order"): which one is meant when items do not say
        "orders_said": _said_apart(
            sent_to(parts.asking, {o: r["order"].get("ship_to") for o, r in orders.items() if o in mine}),
            placed_when(parts.asking, [o for o in recent if o in mine]),
        ),
        "items_wanted": [o for o, lines in items_wanted.items() if lines],
        "orders": orders,
        "missing": {k: v for k, v in errors.items() if k not in not_found},
        "addresses_on_file": on_file,
        "address_validation": validation,
    }
    request = replace(request, reading=reading)
    facts = case_facts(gathered, request)
    observations = findings(gathered, request, facts)
    observations.extend(
        observe("gather", key.split(".")[0], f"{key} failed: {reason}", {"read": key, "error": reason})
        for key, reason in gathered["missing"].items()
    )
    # what the customer wrote, for the guard's echo check (less addresses and the company's own words: echo.py)
    # the company's own names the reply may repeat: the items and options of the orders read, the streets on file
    read = [r for r in orders.values() if r is not None]
    catalogue = [str(v.get("option") or "") for r in read for v in r.get("variants") or []]
    catalogue += [str(x.get("description") or "") for r in read for x in (r.get("order") or {}).get("lines") or []]
    catalogue += [str(f["address"].get(k) or "") for f in on_file or [] for k in ("line1", "line2")]
    text = request.echoed(catalogue)
    return {"gathered": gathered, "facts": facts, "customer_text": text, "observations": observations}


async def _addresses(
    call: Any,
    said: AddressReading,
    reading: Reading,
    customer: Mapping[str, Any] | None,
    orders: Mapping[str, Any],
    customer_id: str | None,
) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
    """For an address change (SUP-006): the addresses on file (the CRM's history of the account, the ship-to of
    each order read) and, when the thread writes out one whole address that is none of them, shipping's validation
    of it (``validate_address``, a read: it changes nothing). Nothing is read when no address change is asked and
    none is written out; a read that fails leaves it unknown (None), and nothing is proposed on an unknown address."""
    # (an address written out whole may be asked for by a part of a request about several orders, read on its own
    # sentences: "Please ship order #W1 to 111 Sunset Drive, ...")
    if ("change_address" not in reading.intents and not said.written) or customer_id is None or customer is None:
        return None, None
    history = await call("crm.get_address_history", "get_address_history", {"customer_id": customer_id})
    on_file = addresses_on_file(customer, orders, history)
    name = str(customer.get("name") or "Customer")
    places = [w.as_address(name) for w in said.written if w.whole]
    # one address, written whole, once or for each order it is asked for ("ship #W1 to ..., ship #W2 to ...")
    if not places or len(places) != len(said.written) or any(not same_place(p, places[0]) for p in places):
        return on_file, None
    given = places[0]
    if any(same_place(f["address"], given) for f in on_file):
        return on_file, None
    args = {k: v for k, v in given.items() if v is not None}
    answer = await call("shipping.validate_address", "validate_address", args)
    return on_file, ({"address": given, **answer} if answer is not None else None)


def findings(gathered: Mapping[str, Any], request: SupportRequest, facts: Mapping[str, Any]) -> list[Observation]:
    """One line per system for a person, with the facts it contributed as data."""
    reading = request.reading
    out: list[Observation] = []

    def add(source: str, finding: str, *prefixes: str) -> None:
        data = {k: v for k, v in facts.items() if k.startswith(prefixes) and v is not None}
        out.append(observe("gather", source, finding, data))

    ticket = gathered["helpdesk.get_ticket"]
    due = f", due {ticket['sla_due_at']}" if ticket.get("sla_due_at") else ""  # a recorded ticket may hold none
    add(
        "helpdesk",
        f"Ticket {ticket['ticket_id']} ({ticket['channel']}, {ticket['status']}{due}) from "
        f"{(ticket.get('requester') or {}).get('name')} ({ticket['customer_id']}): {request.parts.sent} "
        "message(s) from the customer",
        "ticket.",
    )
    if reading.problem:
        said = f"the message cannot be read ({reading.problem})"
    else:
        asks = ", ".join(reading.intents) or "nothing recognisable"
        refs = ", ".join(reading.order_refs + tuple(f"#{r}" for r in reading.loose_refs)) or "no order number"
        tone = "; angry tone" if reading.angry else ""
        said = f"the customer asks for {asks}; quotes {refs}; language {reading.language}{tone}"
    add("mission", f"Reading of the message: {said}", "message.")
    if request.untaken:  # named on the rail, each as written: why the customer is asked instead
        words = "; ".join(f'"{w}"' for w in request.untaken)
        add("mission", f"Said with irony, so not taken at its word but asked: {words}",
            "message.untaken")  # fmt: skip
    if request.unplaced:
        words = "; ".join(f'"{w}"' for w in request.unplaced)
        add("mission", f"A change asked in words not read as a request, so asked: {words}", "message.unplaced")
    if request.unread:
        words = "; ".join(f'"{w}"' for w in request.unread)
        add("mission", f"In a language we do not read, so not acted on but asked: {words}", "message.unread")
    if customer := gathered.get("crm.get_customer"):
        history = (
            f", {customer['order_count']} order(s), {customer['tenure_years']:.1f} years"
            if customer.get("order_count") is not None and customer.get("tenure_years") is not None
            else ""  # a recorded customer may hold neither
        )
        add("crm", f"Customer {customer['customer_id']}: {customer.get('tier')}{history}", "customer.")
    if facts.get("order.id"):
        add(
            "erp",
            f"Order {facts['order.id']} belongs to the customer: {facts['order.status']}, total "
            f"{facts['order.total']:.2f}, {facts['order.line_count']} line(s)",
            "order.",
        )
    elif facts.get("order.owned") is False:
        add("erp", f"Order {facts.get('order.ref')} is not an order of this customer", "order.")
    elif facts.get("order.candidate_count"):
        add("erp", f"Several orders could be meant: {', '.join(facts['order.candidates'])}", "order.")
    if facts.get("payment.captured") is not None:
        dup = (
            f"; duplicate of {facts['payment.duplicate_amount']:.2f} on {facts['payment.duplicate_capture_id']}"
            if facts.get("payment.duplicate")
            else ""
        )
        add(
            "payments",
            f"Billing: {facts['payment.capture_count']} capture(s), captured {facts['payment.captured']:.2f}, "
            f"refunded {facts['payment.refunded']:.2f}, refundable {facts['payment.refundable']:.2f}{dup}",
            "payment.",
            "refund.",
        )
    if facts.get("order.id") and "shipment.status" in facts:
        status = facts.get("shipment.status") or "nothing shipped"
        carrier = (
            f" with {facts['shipment.carrier']} ({facts['shipment.tracking']})" if facts.get("shipment.carrier") else ""
        )
        add("shipping", f"Shipping: {status}{carrier}", "shipment.")
    for part in facts.get(PARTS) or []:
        out.append(
            observe(
                "gather",
                "mission",
                f"Part of the request: {part[LABEL]} ({part.get('order.status')}): {', '.join(part[TYPES_FACT])}",
                {k: v for k, v in part.items() if k.startswith(("order.", "payment.", TYPES_FACT)) and v is not None},
            )
        )
    add("mission", f"Case types: {', '.join(facts.get(TYPES_FACT) or [])}", TYPES_FACT)
    return out


def _said_apart(*ways: list[str]) -> list[str]:
    """The orders kept by every way of telling them apart that says any (the city they go to, when placed)."""
    said = [w for w in ways if w]
    return [o for o in said[0] if all(o in w for w in said[1:])] if said else []
