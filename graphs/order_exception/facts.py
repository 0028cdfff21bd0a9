"""Derive the order mission's facts (:data:`~ai_missions.graphs.order_exception.vocabulary.FACTS`) from what the
systems returned.

``gathered`` maps ``"system.tool"`` (and ``"inventory.get_stock:SKU"`` / ``"inventory.get_cycle_counts:SKU"``) to
each read's structured result, or ``None`` when the read failed; a fact that cannot be derived is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from ai_missions.graphs.order_exception.vocabulary import EXCEPTION_TYPES, FACTS
from ai_missions.nodes.api import (
    READ,
    THRESHOLD,
    UNEXPLAINED,
    Fact,
    OfflineReader,
    Reading,
    Source,
    Text,
    amounts,
    place_texts,
    read,
    read_facts,
    read_in_order,
    reading_model,
    unexplained_facts,
)

OPEN_STATUSES = frozenset({"pending", "payment_review", "on_hold", "ready_to_fulfill"})
SHIPPED_STATUSES = frozenset({"shipped", "delivered"})
#: Fraud reason codes from the card or the device, which no loyalty exception overrides (PAY-001, CUS-002).
CARD_OR_DEVICE_REASONS = frozenset(
    {"card_country_mismatch", "proxy_ip", "risky_ip", "new_device", "device_mismatch", "card_testing", "bin_mismatch"}
)
AUTH_EXPIRY_WINDOW_HOURS = 24.0
#: The author of the notes this mission writes itself: never evidence of what a customer agreed.
OWN_NOTES = "ai-missions"
#: Staff notes are read by the reading layer (offline reader; quoted data: read, never obeyed).
READER = OfflineReader()
#: Every statement about the order is placed by the rules alone (no embedding model: meaning-matching every note and
#: message cost 15-20 ms of CPU a case, bench/replay_budget.py, and placed nothing the words did not).
PLACER = OfflineReader(semantic=False)
_CENT = 0.005
#: The kinds of fact this mission decides on from what people wrote in notes and messages: every statement about the
#: order is placed against them, or it is unexplained (issue 57). Only kinds a decision uses: one read but decided
#: on by nothing would place a statement the mission then ignores (pickup is read from the ship-to lines alone).
KINDS_READ = ("restock_eta", "upcharge_agreed", "orders_both_wanted", "address_confirmed", "delivery_refused")
#: What the mission reads from what people wrote, as a typed model: a field per kind it decides on, with the words
#: that decide it, and what was not read (issue 57).
READING = reading_model("OrderReading", KINDS_READ)
#: The facts each kind read decides (what a clause must read for a statement of the kind to be acted on).
DERIVES = {
    "restock_eta": ("inventory.restock_scheduled", "inventory.restock_in_days"),
    "upcharge_agreed": ("payment.upcharge_agreed",),
    "orders_both_wanted": ("customer.wants_both_orders",),
    "address_confirmed": ("customer.address_confirmed_on_call",),
    "delivery_refused": ("customer.refused_alternative",),
}
#: Business days between a restock's arrival and the backordered order's shipment (INV-005).
BACKORDER_HANDLING_DAYS = 3
#: Copies of an order placed at most this far apart are one cluster of duplicates (ORD-001).
DUPLICATE_WINDOW_MINUTES = 60.0
#: The parts of an address a "correction" may not change without the customer: it would be another place.
LOCALITY = ("city", "region", "country")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def fulfillment_method(order: Mapping[str, Any]) -> str:
    """The ERP's fulfillment method; a store pickup written only in the address text ("PICKUP @ STORE 112") is a
    pickup too (read by the reading layer, with the words)."""
    method = str(order.get("fulfillment_method") or "ship")
    if method != "ship":
        return method
    ship_to = order.get("ship_to") or {}
    texts = [
        (Source("erp", str(order.get("order_id")), f"ship_to.{part}"), str(ship_to.get(part) or ""))
        for part in ("name", "line1", "line2")
    ]
    return "pickup" if read(texts, ["store_pickup"], READER).affirmed("store_pickup") else method


def _left(capture: Mapping[str, Any]) -> float:
    """What remains to refund on a capture."""
    return _number(capture.get("refundable_amount", capture.get("amount"))) or 0.0


def derive_facts(gathered: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = dict.fromkeys(_all_fact_names())
    order = gathered.get("erp.get_order")
    if order:
        facts.update(_order_facts(order, gathered.get("shipping.list_shipments")))
    facts.update(_customer_facts(gathered.get("crm.get_customer"), gathered.get("crm.get_address_history"), order))
    facts.update(
        _payment_facts(
            gathered.get("payments.get_payment"),
            gathered.get("payments.get_fraud_assessment"),
            order,
            gathered.get("crm.list_notes"),
            gathered.get("crm.list_messages"),
        )
    )
    facts.update(_inventory_facts(gathered))
    if order and (facts.get("inventory.units_short") or 0) > 0 and facts.get("inventory.restock_scheduled") is not True:
        # purchasing often writes the restock date in a note before the PO reaches the stock system
        noted = noted_restock(gathered.get("crm.list_notes"), str(order["order_id"]))
        if noted:
            facts.update(noted)
        elif facts.get("inventory.restock_scheduled") is False and restock_in_doubt(
            gathered.get("crm.list_notes"), str(order["order_id"])
        ):
            facts["inventory.restock_scheduled"] = None  # unknown: a person decides, never "none: cancel"
    facts.update(_address_facts(gathered.get("shipping.get_address_validation")))
    facts.update(_duplicate_facts(gathered.get("erp.find_similar_orders")))
    if facts.get("duplicate.original_order_id") is not None and order:
        copies = [str(order["order_id"]), str(facts["duplicate.original_order_id"])]
        copies += list(facts.get("duplicate.other_copy_ids") or [])
        facts["customer.wants_both_orders"] = customer_wants_both(
            gathered.get("crm.list_notes"), gathered.get("crm.list_messages"), copies
        )
    facts.update(_other_copies_facts(gathered, facts.get("duplicate.other_copy_ids")))
    if order:
        notes, messages = gathered.get("crm.list_notes"), gathered.get("crm.list_messages")
        facts["customer.address_confirmed_on_call"] = address_confirmed_on_call(notes, order)
        facts["customer.refused_alternative"] = said_since_placed(notes, messages, order, "delivery_refused")
    facts["address.known_to_customer"] = _known_to_customer(
        order, gathered.get("crm.get_address_history"), gathered.get("shipping.get_address_validation")
    )
    if order:
        placed = place_texts(texts_about(gathered, str(order["order_id"])), KINDS_READ, PLACER, known=_names(gathered))
        facts[UNEXPLAINED], facts[READ] = unexplained_facts(placed), read_facts(placed, DERIVES)
    types = detect_exceptions(facts)
    facts["exception.types"] = types
    facts["exception.count"] = len(types)
    return facts


def texts_about(gathered: Mapping[str, Any], order_id: str) -> list[Text]:
    """What people wrote about the order: staff notes on it or on its customer (the mission's own excepted), the
    customer's messages about it or about no order. A case's subject is the CRM's title for the case, whose status
    the CRM keeps as data: no statement of anyone's."""
    texts = [
        Text(Source("crm", str(n.get("note_id")), "body", writer="staff"), str(n.get("body") or ""),
             str(n.get("created_at") or ""))
        for n in (gathered.get("crm.list_notes") or {}).get("notes", [])
        if n.get("order_id") in (order_id, None) and n.get("author") != OWN_NOTES
    ]  # fmt: skip
    for m in (gathered.get("crm.list_messages") or {}).get("messages", []):
        if m.get("direction") == "inbound" and m.get("order_id") in (order_id, None):
            body = f"{m.get('subject') or ''}\n{m.get('body') or ''}".strip()
            texts.append(
                Text(Source("crm", str(m.get("message_id")), "body", writer="customer"), body, str(m.get("at") or ""))
            )
    return texts


def _names(gathered: Mapping[str, Any]) -> list[str]:
    """Names the records hold (the customer's, the items'): they tell no language."""
    customer = gathered.get("crm.get_customer") or {}
    lines = (gathered.get("erp.get_order") or {}).get("lines") or []
    return [str(customer.get("name") or ""), *(str(line.get("description") or "") for line in lines)]


def _all_fact_names() -> list[str]:
    return list(FACTS)


def _order_facts(order: Mapping[str, Any], shipments: Mapping[str, Any] | None) -> dict[str, Any]:
    shipped = None
    if shipments is not None:
        shipped = bool(shipments.get("shipped"))
    if order.get("status") in ("shipped", "delivered"):
        shipped = True
    active_holds = [h for h in order.get("holds") or [] if h.get("status") == "active"]
    ship_to = order.get("ship_to") or {}
    return {
        "order.id": order["order_id"],
        "order.status": order.get("status"),
        "order.total": order.get("total"),
        "order.currency": order.get("currency"),
        "order.channel": order.get("channel"),
        "order.age_hours": order.get("age_hours"),
        "order.shipped": shipped,
        "order.active_holds": len(active_holds),
        "order.skus": sorted({str(line["sku"]) for line in order.get("lines", []) if line.get("sku")}),
        "order.ship_city": ship_to.get("city"),
        "order.ship_region": ship_to.get("region"),
        "order.ship_country": ship_to.get("country"),
        "order.fulfillment_method": fulfillment_method(order),
        "order.pickup_location": order.get("pickup_location_id"),
        "customer.id": order.get("customer_id"),
    }


def _known_to_customer(
    order: Mapping[str, Any] | None, history: Mapping[str, Any] | None, validation: Mapping[str, Any] | None
) -> bool | None:
    """The ship-to, or the validator's correction of it, is a place on the customer's record (not a redirect)."""
    if not order or history is None:
        return None
    places = {((order.get("ship_to") or {}).get("fingerprint"))}
    suggestion = (validation or {}).get("suggestion") or {}
    places.add(suggestion.get("fingerprint"))
    known = {(a.get("address") or {}).get("fingerprint") for a in history.get("addresses", [])}
    return bool((places - {None}) & (known - {None}))


def _customer_facts(
    customer: Mapping[str, Any] | None, history: Mapping[str, Any] | None, order: Mapping[str, Any] | None
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if customer:
        facts.update(
            {
                "customer.id": customer["customer_id"],
                "customer.tier": customer.get("tier"),
                "customer.is_vip": customer.get("is_vip"),
                "customer.tenure_years": customer.get("tenure_years"),
                "customer.lifetime_value": customer.get("lifetime_value"),
                "customer.days_since_address_change": customer.get("days_since_address_change"),
                "customer.fraud_flags": customer.get("fraud_flags"),
                "customer.open_cases": customer.get("open_cases"),
            }
        )
    if history and order:
        ship_to = (order.get("ship_to") or {}).get("fingerprint")
        known = {(a.get("address") or {}).get("fingerprint") for a in history.get("addresses", [])}
        facts["customer.order_ship_to_in_history"] = bool(ship_to) and ship_to in known
        if facts.get("customer.days_since_address_change") is None:
            facts["customer.days_since_address_change"] = history.get("days_since_address_change")
    return facts


def _written_on(stamp: str) -> date | None:
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _note_readings(notes: Mapping[str, Any] | None, order_id: str, kind: str) -> list[tuple[Reading, str]]:
    """Each staff note on this order, or on the customer with no order named, read for ``kind`` (the mission's own
    notes are never evidence), with its date; a date a note names is counted from the day it was written."""
    found = []
    for note in (notes or {}).get("notes", []):
        if note.get("order_id") not in (order_id, None) or note.get("author") == OWN_NOTES:
            continue
        source = Source("crm", str(note.get("note_id")), "body", writer="staff")
        written = str(note.get("created_at") or "")
        reading = read([(source, str(note.get("body") or ""))], [kind], READER, today=_written_on(written))
        found.append((reading, written))
    return found


def customer_wants_both(
    notes: Mapping[str, Any] | None, messages: Mapping[str, Any] | None, order_ids: list[str]
) -> bool | None:
    """Whether a staff note or the customer's own message on these orders (or on none) says both near-identical
    orders are wanted, or that one must not be cancelled (ORD-001): True when one says so, False when none does,
    None when the notes could not be read or what one says is unsure."""
    texts = [
        Text(Source("crm", str(n.get("note_id")), "body", writer="staff"), str(n.get("body") or ""),
             str(n.get("created_at") or ""))
        for n in (notes or {}).get("notes", [])
        if n.get("order_id") in (*order_ids, None) and n.get("author") != OWN_NOTES
    ]  # fmt: skip
    texts += [
        Text(Source("crm", str(m.get("message_id")), "body", writer="customer"), str(m.get("body") or ""),
             str(m.get("at") or ""))
        for m in (messages or {}).get("messages", [])
        if m.get("direction") == "inbound" and m.get("order_id") in (*order_ids, None)
    ]  # fmt: skip
    if notes is None:
        return None  # the notes could not be read: whether anyone said so is unknown
    reading = read_in_order(texts, ["orders_both_wanted"], READER)
    if reading.facts.get("orders_both_wanted") is not None and reading.get("orders_both_wanted") is None:
        return None  # said unsurely ("not sure I want both"): a person decides
    return reading.affirmed("orders_both_wanted") is True


def address_confirmed_on_call(notes: Mapping[str, Any] | None, order: Mapping[str, Any]) -> bool | None:
    """Whether a staff note on the order or the customer, written since the order was placed, says the customer
    confirmed the delivery address on a call (CUS-005's accepted channel; PAY-001's confirmation a new customer owes):
    True when one says so, False when none does, None when the notes could not be read or what one says is unsure (a
    call planned, "confirmed" on no call): then a person decides."""
    return said_since_placed(notes, None, order, "address_confirmed")


def said_since_placed(
    notes: Mapping[str, Any] | None, messages: Mapping[str, Any] | None, order: Mapping[str, Any], kind: str
) -> bool | None:
    """Whether staff notes on the order or the customer, or the customer's inbound messages on the order or none,
    written since the order was placed, state a fact of ``kind`` (the reading layer, with its words): True when one
    does, False when none does (or the kind's words are barely there), None when the notes could not be read or what
    one says is unsure: then a person decides."""
    if notes is None:
        return None
    order_id, placed = str(order["order_id"]), str(order.get("placed_at") or "")[:10]
    texts = [
        Text(Source("crm", str(n.get("note_id")), "body", writer="staff"), str(n.get("body") or ""),
             str(n.get("created_at") or ""))
        for n in notes.get("notes", [])
        if n.get("order_id") in (order_id, None)
        and n.get("author") != OWN_NOTES
        and str(n.get("created_at") or "")[:10] >= placed
    ]  # fmt: skip
    texts += [
        Text(Source("crm", str(m.get("message_id")), "body", writer="customer"), str(m.get("body") or ""),
             str(m.get("at") or ""))
        for m in (messages or {}).get("messages", [])
        if m.get("direction") == "inbound"
        and m.get("order_id") in (order_id, None)
        and str(m.get("at") or "")[:10] >= placed
    ]  # fmt: skip
    reading = read_in_order(texts, [kind], READER)
    fact = reading.facts.get(kind)
    if fact is not None and fact.confidence >= THRESHOLD and reading.get(kind) is None:
        return None
    return reading.affirmed(kind) is True


def staff_note_facts(notes: Mapping[str, Any] | None, order_id: str, kind: str) -> list[tuple[Fact | None, str]]:
    """Each staff note on this order read for ``kind``: the fact read with confidence (None: unknown), its date."""
    return [(reading.get(kind), written) for reading, written in _note_readings(notes, order_id, kind)]


def restock_in_doubt(notes: Mapping[str, Any] | None, order_id: str) -> bool:
    """A staff note on the order speaks of a restock without stating one with confidence ("vendor might restock in
    3 wks", "ETA maybe next month?"): the stock system's "none scheduled" may then be wrong, so it is not a fact."""
    return any(
        reading.facts.get("restock_eta") is not None and reading.get("restock_eta") is None
        for reading, _ in _note_readings(notes, order_id, "restock_eta")
    )


def agreed_upcharges(
    notes: Mapping[str, Any] | None, order_id: str, messages: Mapping[str, Any] | None = None
) -> list[float] | None:
    """Amounts that staff notes on this order, or the customer's own messages about it, record as an upcharge agreed
    with the customer, in any words ("cust OK'd gift wrap + express upgrade ... +$12.50 billed sep.", "happy to pay
    fourteen dollars more"); a denied, hedged or withdrawn one counts for nothing. None when the notes could not be
    read."""
    if notes is None:
        return None
    facts = [fact for fact, _ in staff_note_facts(notes, order_id, "upcharge_agreed")]
    for message in (messages or {}).get("messages", []):
        if message.get("direction") == "inbound" and message.get("order_id") == order_id:
            source = Source("crm", str(message.get("message_id")), "body", writer="customer")
            text = f"{message.get('subject') or ''}\n{message.get('body') or ''}".strip()
            facts.append(read([(source, text)], ["upcharge_agreed"], READER).get("upcharge_agreed"))
    found: list[float] = []
    for fact in facts:
        if fact is not None and fact.positive:
            found += [fact.value, *amounts(fact.evidence.words)]
    return found


def noted_restock(notes: Mapping[str, Any] | None, order_id: str) -> dict[str, Any]:
    """A restock a staff note on the order states with a time ("restock ETA 21 days", "PO lands 12/5"), counted from
    the note's date: the restock facts it supports; empty when no note states one with confidence."""
    best: tuple[float, date] | None = None
    for fact, written in staff_note_facts(notes, order_id, "restock_eta"):
        if fact is None or not fact.positive or fact.value is None:
            continue
        base = _written_on(written)
        if base is None:
            continue
        arrives = base + timedelta(days=float(fact.value))
        best = max(best, (float(fact.value), arrives)) if best else (float(fact.value), arrives)
    if best is None:
        return {}
    return _shipping_after({"inventory.restock_scheduled": True, "inventory.restock_in_days": best[0]}, best[1])


def _payment_facts(
    payment: Mapping[str, Any] | None,
    fraud: Mapping[str, Any] | None,
    order: Mapping[str, Any] | None,
    notes: Mapping[str, Any] | None = None,
    messages: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if payment:
        auths = payment.get("authorizations") or []
        live = [a for a in auths if a.get("status") != "voided"] or auths
        auth = live[-1] if live else None
        captures = payment.get("captures") or []
        facts.update(
            {
                "payment.captured_amount": payment.get("captured_amount"),
                "payment.refunded_amount": payment.get("refunded_amount"),
                "payment.capture_count": payment.get("capture_count", len(captures)),
                "payment.capture_ids": [c["capture_id"] for c in captures],
                "payment.capture_refundable": [c.get("refundable_amount", c.get("amount")) for c in captures],
                "payment.unrefunded_capture_ids": [c["capture_id"] for c in captures if _left(c) > _CENT],
                "payment.unrefunded_amounts": [round(_left(c), 2) for c in captures if _left(c) > _CENT],
                "payment.hold_active": payment.get("hold_active"),
            }
        )
        if auth:
            expires = auth.get("expires_in_hours")
            status = auth.get("status")
            if status == "authorized" and expires is not None and expires < 0:
                status = "expired"
            facts.update(
                {
                    "payment.authorization_id": auth["authorization_id"],
                    "payment.auth_status": status,
                    "payment.auth_amount": auth.get("amount"),
                    "payment.auth_expires_in_hours": expires,
                }
            )
        total = (order or {}).get("total")
        net = payment.get("net_captured", (payment.get("captured_amount") or 0) - (payment.get("refunded_amount") or 0))
        if len(captures) >= 2 and total is not None and net > total + _CENT:
            over = round(net - total, 2)
            upcharges = agreed_upcharges(notes, str(order["order_id"]), messages) if order else None
            agreed = None if upcharges is None else any(abs(u - over) < _CENT for u in upcharges)
            facts["payment.over_captured_amount"] = over
            facts["payment.upcharge_agreed"] = agreed
            if not agreed:  # an upcharge the customer agreed to is what they owe, not a second charge
                extra = captures[-1]
                refundable = extra.get("refundable_amount", extra.get("amount"))
                facts["payment.duplicate_capture_id"] = extra["capture_id"]
                # the extra capture must hold all of the over-capture; otherwise which charge is extra is unclear
                covers = refundable is not None and refundable + _CENT >= over
                facts["payment.duplicate_capture_amount"] = over if covers else None
    if fraud:
        codes = list(fraud.get("reason_codes") or [])
        facts.update(
            {
                "payment.fraud_score": fraud.get("score"),
                "payment.fraud_reasons": codes,
                "payment.fraud_only_address_change": codes == ["new_shipping_address"],
                "payment.fraud_card_or_device": bool(set(codes) & CARD_OR_DEVICE_REASONS),
            }
        )
    return facts


def _inventory_facts(gathered: Mapping[str, Any]) -> dict[str, Any]:
    reservations = (gathered.get("inventory.get_reservations") or {}).get("reservations")
    if reservations is None:
        return {}
    active = [r for r in reservations if r.get("status") in ("pending", "confirmed")]
    every = {
        "inventory.reservation_ids": [str(r["reservation_id"]) for r in active],
        "inventory.pending_reservation_ids": [str(r["reservation_id"]) for r in active if r["status"] == "pending"],
        "inventory.locations": sorted(
            {
                str(loc["location_id"])
                for key, stock in gathered.items()
                if key.startswith("inventory.get_stock:") and stock
                for loc in stock.get("locations", [])
            }
        ),
    }
    if not active:
        return {**every, "inventory.units_short": 0, "inventory.phantom": False}
    assessed = [_assess(r, gathered) for r in active]
    if any(a is None for a in assessed):
        return {}  # stock of some SKU is unknown: say nothing rather than something wrong
    worst = max(assessed, key=lambda a: (a["phantom"], a["short"], a["pending"]))  # type: ignore[index]
    assert worst is not None
    return {
        **every,
        **_restock_facts([a for a in assessed if a and a["short"] > 0]),
        "inventory.reservation_id": worst["reservation_id"],
        "inventory.reservation_status": worst["status"],
        "inventory.reservation_location": worst["location"],
        "inventory.sku": worst["sku"],
        "inventory.units_short": sum(a["short"] for a in assessed if a),
        "inventory.counted_short": sum(a["counted_short"] for a in assessed if a),
        "inventory.alternate_location": worst["alternate"],
        # every reservation the order lacks units for could be served from several locations together (FUL-002)
        "inventory.split_can_serve": any(a["short"] > 0 for a in assessed if a)
        and all(a["spread"] for a in assessed if a and a["short"] > 0),
        "inventory.phantom": any(a["phantom"] for a in assessed if a),
        "inventory.counted_available": worst["counted_available"],
        "inventory.counted_on_hand": worst["counted"],
    }


def _assess(reservation: Mapping[str, Any], gathered: Mapping[str, Any]) -> dict[str, Any] | None:
    stock = gathered.get(f"inventory.get_stock:{reservation['sku']}")
    if not stock:
        return None
    by_location = {loc["location_id"]: loc for loc in stock.get("locations", [])}
    here = by_location.get(reservation["location_id"])
    if here is None:
        return None
    quantity = int(reservation["quantity"])
    pending = reservation["status"] == "pending"
    usable_here = int(here["available"]) if pending else int(here["available"]) + quantity
    counted = here.get("last_counted_qty")
    phantom = (
        counted is not None
        and int(counted) < int(here["on_hand"])
        and int(counted) - int(here["reserved"]) < (quantity if pending else 0)
    )
    counted_available = None if counted is None else int(counted) - int(here["reserved"]) + (0 if pending else quantity)
    short = max(0, quantity - usable_here) if pending else 0  # by the system's own numbers; phantom is apart
    counted_short = short if counted_available is None else max(short, quantity - max(counted_available, 0))
    alternate = next(
        (
            loc["location_id"]
            for loc in sorted(stock.get("locations", []), key=lambda loc: -int(loc["available"]))
            if loc["location_id"] != reservation["location_id"]
            and int(loc["available"]) >= quantity
            and (loc.get("last_counted_qty") is None or int(loc["last_counted_qty"]) - int(loc["reserved"]) >= quantity)
        ),
        None,
    )
    usable = [_usable(loc, 0 if loc is not here or pending else quantity) for loc in stock.get("locations", [])]
    return {
        "restock": _restock(stock.get("locations", []), quantity),
        "spread": sum(usable) >= quantity,
        "reservation_id": reservation["reservation_id"],
        "status": reservation["status"],
        "location": reservation["location_id"],
        "sku": reservation["sku"],
        "short": short,
        "counted_short": counted_short,
        "pending": pending,
        "phantom": phantom,
        "counted_available": counted_available,
        "counted": None if counted is None else int(counted),
        "alternate": alternate,
    }


def _usable(location: Mapping[str, Any], own: int) -> int:
    """Units a location could give an order, by the system and by its latest count (``own``: already the order's)."""
    units = int(location["available"]) + own
    counted = location.get("last_counted_qty")
    if counted is not None:
        units = min(units, int(counted) - int(location["reserved"]) + own)
    return max(units, 0)


def _restock(locations: list[Mapping[str, Any]], quantity: int) -> tuple[float, str] | bool | None:
    """The earliest restock after which one location can serve ``quantity`` (what is available there plus what
    arrives): ``(days from now, expected at)``; False when no restock does; None when restocks are not known."""
    best: tuple[float, str] | None = None
    for loc in locations:
        restocks = loc.get("restocks")
        if restocks is None:
            return None
        have = max(int(loc.get("available") or 0), 0)
        for restock in restocks:
            have += int(restock.get("quantity") or 0)
            if have >= quantity:
                due = (float(restock["due_in_days"]), str(restock["expected_at"]))
                best = due if best is None or due < best else best
                break
    return best if best is not None else False


def _restock_facts(short: list[dict[str, Any]]) -> dict[str, Any]:
    """When the short reservations' units arrive (the order ships once the last one does), by restock (INV-005)."""
    if not short or any(a["restock"] is None for a in short):
        return {}
    if any(a["restock"] is False for a in short):
        return {"inventory.restock_scheduled": False}
    days, expected = max(a["restock"] for a in short)
    try:
        arrives = date.fromisoformat(expected[:10])
    except ValueError:
        return {}
    return _shipping_after({"inventory.restock_scheduled": True, "inventory.restock_in_days": days}, arrives)


def _shipping_after(facts: dict[str, Any], arrives: date) -> dict[str, Any]:
    ships = arrives
    for _ in range(BACKORDER_HANDLING_DAYS):  # business days for receiving and shipping
        ships += timedelta(days=1)
        while ships.weekday() >= 5:
            ships += timedelta(days=1)
    return {**facts, "inventory.restock_date": arrives.isoformat(), "inventory.backorder_ship_date": ships.isoformat()}


def _address_facts(validation: Mapping[str, Any] | None) -> dict[str, Any]:
    if not validation:
        return {}
    current, suggestion = validation.get("address") or {}, validation.get("suggestion")
    moves = None
    if suggestion:
        moves = any(
            str(suggestion.get(part) or "").strip().lower() != str(current.get(part) or "").strip().lower()
            for part in LOCALITY
        )
    return {
        "address.status": validation.get("status"),
        "address.has_suggestion": validation.get("has_suggestion"),
        "address.correction_changes_locality": moves if suggestion else False,
    }


def _in_words(ids: list[str]) -> str:
    """``SO-2``, ``SO-2 and SO-3``, ``SO-2, SO-3 and SO-4``: orders named in a sentence to the customer."""
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def _duplicate_facts(similar: Mapping[str, Any] | None) -> dict[str, Any]:
    """The order's copies, settled as one cluster whichever copy is looked at.

    Copies placed at most :data:`DUPLICATE_WINDOW_MINUTES` after the previous one chain into a cluster; the cluster
    keeps its earliest placed copy that is not cancelled (the lower id on a tie), and every other open copy is to
    be cancelled in the same decision. An order that opens its own cluster but follows an earlier copy by more
    than the window may be a deliberate re-order (``minutes_apart`` above the window); one whose only earlier
    copies were cancelled is the one the customer wants (``original_status`` cancelled).
    """
    if similar is None:
        return {}
    me = str(similar.get("order_id") or "")
    # position relative to this order (0), so every copy sorts the same way whichever copy is looked at
    copies = sorted(
        [(0.0, me, None)]
        + [
            (
                -float(m.get("minutes_apart") or 0) if m.get("placed_before") else float(m.get("minutes_apart") or 0),
                str(m["order_id"]),
                m.get("status"),
            )
            for m in similar.get("matches", [])
        ]
    )
    kept = [c for c in copies if c[2] != "cancelled"]
    mine = next(i for i, c in enumerate(kept) if c[1] == me)
    start = mine
    while start > 0 and kept[start][0] - kept[start - 1][0] <= DUPLICATE_WINDOW_MINUTES:
        start -= 1
    stop = mine
    while stop + 1 < len(kept) and kept[stop + 1][0] - kept[stop][0] <= DUPLICATE_WINDOW_MINUTES:
        stop += 1
    cluster = kept[start : stop + 1]
    if start < mine:  # a later copy of its cluster: the first copy is kept
        original, apart = cluster[0], -kept[mine - 1][0]
    elif mine > 0:  # the first of its cluster, after an earlier copy placed more than the window before
        original, apart = kept[mine - 1], -kept[mine - 1][0]
    elif cancelled := [c for c in copies if c[0] < 0 and c[2] == "cancelled"]:
        original, apart = cancelled[-1], -cancelled[-1][0]
    else:
        return {}
    others = [c[1] for c in cluster[1:] if c[1] != me and c[2] in OPEN_STATUSES] if start < mine else []
    return {
        "duplicate.original_order_id": original[1],
        "duplicate.minutes_apart": round(apart, 1),
        "duplicate.original_status": original[2],
        "duplicate.copies": len(cluster),
        "duplicate.other_copy_ids": others,
        "duplicate.cancelled_copies": _in_words([c[1] for c in cluster if c[1] == me or c[1] in others] or [me]),
    }


def _other_copies_facts(gathered: Mapping[str, Any], others: list[str] | None) -> dict[str, Any]:
    """What settling the cluster's other open copies takes, read under ``payments.get_payment:ID`` and
    ``inventory.get_reservations:ID``: their live authorizations (to void), what is left on their captures (to
    refund exactly) and their reservations (to release). Unknown (None) as a whole when a copy's reads failed, so
    the decision escalates rather than cancelling a copy and leaving its money or stock behind."""
    if others is None:
        return {}
    auths: list[str] = []
    captures: list[str] = []
    amounts: list[float] = []
    reservations: list[str] = []
    records: dict[str, str] = {}
    for other in others:
        payment = gathered.get(f"payments.get_payment:{other}")
        held = (gathered.get(f"inventory.get_reservations:{other}") or {}).get("reservations")
        if payment is None or held is None:
            return {}
        live = [
            str(a["authorization_id"]) for a in payment.get("authorizations") or [] if a.get("status") == "authorized"
        ]
        left = [c for c in payment.get("captures") or [] if _left(c) > _CENT]
        held_ids = [str(r["reservation_id"]) for r in held if r.get("status") in ("pending", "confirmed")]
        auths += live
        captures += [str(c["capture_id"]) for c in left]
        amounts += [round(_left(c), 2) for c in left]
        reservations += held_ids
        records |= dict.fromkeys([*live, *(str(c["capture_id"]) for c in left), *held_ids], other)
    return {
        "duplicate.other_authorization_ids": auths,
        "duplicate.other_capture_ids": captures,
        "duplicate.other_refund_amounts": amounts,
        "duplicate.other_reservation_ids": reservations,
        "duplicate.other_copy_records": records,
    }


def detect_exceptions(facts: Mapping[str, Any]) -> list[str]:
    """The exception types the facts show, in the vocabulary's order."""
    open_order = facts.get("order.status") in OPEN_STATUSES
    expires = facts.get("payment.auth_expires_in_hours")
    found = {
        "payment_review": open_order
        and (facts.get("order.status") == "payment_review" or bool(facts.get("payment.hold_active"))),
        # expiring soon, or already expired with nothing captured (the expiry clauses need to see it)
        "auth_expiring": open_order
        and facts.get("payment.auth_status") in ("authorized", "expired")
        and expires is not None
        and expires <= AUTH_EXPIRY_WINDOW_HOURS
        and not (_number(facts.get("payment.captured_amount")) or 0) > 0,
        "oversell": open_order
        and facts.get("inventory.reservation_status") == "pending"
        and (facts.get("inventory.units_short") or 0) > 0,
        "phantom_inventory": open_order and bool(facts.get("inventory.phantom")),
        "address_invalid": open_order and facts.get("address.status") in ("corrected", "undeliverable"),
        "duplicate_order": open_order and facts.get("duplicate.original_order_id") is not None,
        # captured above the total twice or more: a double charge, unless a note records the upcharge as agreed
        # (then its own clause settles it, rather than "no exception detected")
        "double_charge": facts.get("payment.duplicate_capture_id") is not None
        or bool(facts.get("payment.upcharge_agreed")),
        # money kept for an order that will never ship (a capture that raced the cancellation, or was forgotten)
        "capture_on_cancelled": facts.get("order.status") == "cancelled"
        and bool(facts.get("payment.unrefunded_capture_ids")),
    }
    return [t for t in EXCEPTION_TYPES if found[t]]
