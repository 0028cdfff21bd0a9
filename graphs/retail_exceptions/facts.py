"""The retail facts, derived from what the OMS and store inventory returned about one order.

Stock is judged by what the last cycle count supports (counted less sold since), not by the system's on-hand:
units the system shows beyond that are phantom. Every line of the order is judged: the order is short where any
line is, and an alternative must hold every line (the order moves whole). A record that could not be read leaves
its facts unknown (None), and the policies then cannot act on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

#: A return the ledger has not seen this long after it was processed is unreconciled.
RETURN_GRACE_HOURS = 24
#: Phantom units at a location before it is a pattern (one unit is ordinary shrink).
PHANTOM_MIN_UNITS = 2


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def counted(row: Mapping[str, Any]) -> int:
    """What the last cycle count supports: counted less sold since (quarantined or not)."""
    return max(int(row["counted_qty"]) - int(row["sold_since_count"]), 0)


def reliable(row: Mapping[str, Any]) -> int:
    """What may be sold from: what the count supports, nothing while the SKU is quarantined there."""
    return counted(row) if not row.get("quarantined") else 0


def phantom(row: Mapping[str, Any]) -> int:
    """Units the system shows that the count does not see (a quarantine hides none: it does not change the count)."""
    return max(int(row["on_hand"]) - counted(row), 0)


def goodwill(total: float) -> float:
    return round(min(max(total * 0.10, 5.0), 50.0), 2)


def _credited(credits: list[Mapping[str, Any]] | None) -> float | None:
    return round(sum(float(c["amount"]) for c in credits), 2) if credits is not None else None


def goodwill_due(total: float | None, credits: list[Mapping[str, Any]] | None) -> float | None:
    """The goodwill still due on the order: the service policy's allowance (10% of the order, 5 to 50) is per
    order, so credits it already had count against it. Unknown (None) when the total or the credits could not be
    read, or when nothing is left: a further credit is then a person's call, never the policy's."""
    given = _credited(credits)
    if not total or given is None:
        return None
    due = round(goodwill(float(total)) - given, 2)
    return due if due > 0 else None


def best_alternative(
    stock: list[Mapping[str, Any]], current: str | None, needs: Mapping[str, int], region: str | None, pickup: bool
) -> Mapping[str, Any] | None:
    """A store in the region with reliable stock for every line (``needs``: SKU -> units), else the DC, else
    (shipped orders) any store: an order moves whole, so a location that covers only some lines is no alternative."""
    by_location: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in stock:
        by_location.setdefault(row["location_id"], {})[row["sku"]] = row
    able = [
        rows
        for location, rows in by_location.items()
        if location != current and needs and all(sku in rows and reliable(rows[sku]) >= q for sku, q in needs.items())
    ]

    def spare(rows: Mapping[str, Mapping[str, Any]]) -> tuple[int, str]:
        first = next(iter(rows.values()))
        return min(reliable(rows[sku]) for sku in needs), str(first["location_id"])

    for wanted in (
        lambda r: r["kind"] == "store" and r["region"] == region,
        lambda r: r["kind"] == "dc",
        lambda r: r["kind"] == "store" and not pickup,
    ):
        if found := [rows for rows in able if wanted(next(iter(rows.values())))]:
            return next(iter(max(found, key=spare).values()))
    return None


#: A substitute's price may differ from the ordered item's by at most this share (RET-007).
SUBSTITUTE_PRICE_BAND = 0.15


def best_substitute(
    context: Mapping[str, Any], sku: str | None, unit_price: float | None, location: str | None, quantity: int
) -> Mapping[str, Any] | None:
    """The substitute for ``sku`` within the price band with stock its count supports at ``location`` (the pickup
    store: the customer still collects where they chose), closest in price first."""
    if unit_price is None:
        return None
    stock = {(r["location_id"], r["sku"]): r for r in context.get("stock") or []}
    fits = [
        s
        for s in context.get("substitutes") or []
        if s["sku"] == sku
        and abs(float(s["unit_price"]) - unit_price) <= unit_price * SUBSTITUTE_PRICE_BAND + 0.005
        and (row := stock.get((location, s["substitute_sku"]))) is not None
        and reliable(row) >= quantity
    ]
    return min(fits, key=lambda s: (abs(float(s["unit_price"]) - unit_price), s["substitute_sku"])) if fits else None


def context_location(order: Mapping[str, Any]) -> str:
    """Where the alternatives are judged from: a pickup order's store (its region is "nearby", a substitute is held
    there: RET-001, RET-007), whichever location fulfils it; otherwise the location the order is allocated to."""
    pickup = order.get("pickup_store") if order.get("fulfilment") == "pickup" else None
    return str(pickup or order.get("location_id") or "")


def derive_facts(gathered: Mapping[str, Any]) -> dict[str, Any]:
    order = gathered.get("oms.order") or {}
    customer = gathered.get("oms.customer") or {}
    context = gathered.get("stores.stock_context") or {}
    returns = gathered.get("oms.returns") or []
    now = _ts(context.get("book_now"))
    lines = order.get("lines") or [{}]
    location_id = order.get("location_id")
    needs: dict[str, int] = {}
    for each in lines:
        if each.get("sku"):
            needs[each["sku"]] = needs.get(each["sku"], 0) + int(each.get("quantity") or 0)
    held = {r["sku"]: r for r in (context.get("stock") or []) if r["location_id"] == location_id}

    def short_here(each: Mapping[str, Any]) -> bool:
        row = held.get(each.get("sku") or "")
        return row is None or reliable(row) < needs.get(each.get("sku") or "", 0)

    def phantom_here(each: Mapping[str, Any]) -> bool:
        row = held.get(each.get("sku") or "")
        return row is not None and phantom(row) >= PHANTOM_MIN_UNITS

    # every line is judged; the facts about "the" item are the line in trouble: short with phantom units first,
    # then short, else the first line (a generated order has one line, and it is that one)
    line = next(
        (x for x in lines if short_here(x) and phantom_here(x)), next((x for x in lines if short_here(x)), lines[0])
    )
    sku, quantity = line.get("sku"), needs.get(line.get("sku") or "", int(line.get("quantity") or 0))
    several = len(needs) > 1
    pickup = order.get("fulfilment") == "pickup"
    known_location = context.get("location")
    every = [r for r in (context.get("stock") or []) if r["sku"] in needs]
    stock = [r for r in every if r["sku"] == sku]
    here = next((r for r in stock if r["location_id"] == location_id), None)
    region = known_location.get("region") if known_location else None

    facts: dict[str, Any] = dict.fromkeys(
        ["alt.location", "alt.kind", "alt.same_region", "inbound.delay_days", "inbound.after_promise", "promo.id",
         "return.id", "return.refund", "return.age_hours", "sub.exists", "sub.sku", "sub.location",
         "sub.unit_price", "sub.price_difference", "sub.customer_pays", "alt.best"]
    )  # fmt: skip
    facts.update(
        {
            "order.id": order.get("order_id"),
            "order.status": order.get("status"),
            "order.channel": order.get("channel"),
            "order.fulfilment": order.get("fulfilment"),
            "order.pickup_store": order.get("pickup_store"),
            "order.location": location_id,
            "order.sku": sku,
            "order.quantity": quantity,
            "order.total": order.get("total"),
            "order.unit_price": line.get("unit_price"),
            "order.goodwill_amount": goodwill_due(order.get("total"), gathered.get("oms.credits")),
            "order.goodwill_given": _credited(gathered.get("oms.credits")),
            "retail.flags": list(order.get("flags") or []),
            "customer.tier": customer.get("tier"),
            "customer.vip": (customer.get("tier") == "vip") if customer else None,
            "store.known": known_location is not None if context else None,
        }
    )
    promised = _ts(order.get("promised_at"))
    facts["order.days_to_promise"] = round((promised - now).total_seconds() / 86400, 1) if promised and now else None
    if here is not None:
        facts["stock.on_hand"] = here["on_hand"]
        facts["stock.reliable"] = reliable(here)
        facts["stock.phantom_units"] = phantom(here)
        facts["stock.short"] = reliable(here) < quantity or (several and any(short_here(x) for x in lines))
        facts["stock.quarantined"] = bool(here["quarantined"])
    else:
        short = None if not context else True  # no stock row at the location: it holds none
        facts.update({"stock.on_hand": None, "stock.reliable": None, "stock.phantom_units": None})
        facts.update({"stock.short": short, "stock.quarantined": None})
    alternative = best_alternative(every, location_id, needs, region, pickup) if context else None
    facts["alt.exists"] = alternative is not None if context else None
    if context and alternative is None:  # known: there is none (not unknown)
        facts.update({"alt.kind": "none", "alt.same_region": False})
    if alternative is not None:
        facts["alt.location"] = alternative["location_id"]
        facts["alt.kind"] = alternative["kind"]
        facts["alt.same_region"] = alternative["kind"] == "store" and alternative["region"] == region

    if several and context:
        pass  # RET-007 substitutes one item: on an order of several lines whether one fits is a person's call
    elif context and context.get("substitutes") is not None:
        unit = float(line["unit_price"]) if line.get("unit_price") is not None else None
        held_at = context_location(order)
        sub = best_substitute(context, sku, unit, held_at, quantity)
        facts["sub.exists"] = sub is not None
        if sub is not None and unit is not None:
            price = float(sub["unit_price"])
            facts.update({"sub.sku": sub["substitute_sku"], "sub.location": held_at, "sub.unit_price": price})
            facts["sub.price_difference"] = round(price - unit, 2)
            facts["sub.customer_pays"] = round(min(price, unit) * quantity, 2)
    if context:  # the alternatives compared, best first: the same item nearby, from the DC, a substitute here
        if facts["alt.same_region"] or facts["alt.kind"] == "dc":
            facts["alt.best"] = "store" if facts["alt.same_region"] else "dc"
        elif pickup and facts["sub.exists"]:
            facts["alt.best"] = "substitute"
        elif facts["sub.exists"] is None and pickup and alternative is None:
            facts["alt.best"] = None  # a substitute cannot be ruled out
        else:
            facts["alt.best"] = "store" if alternative is not None else "none"

    if order.get("promo_id"):
        promo = next((p for p in context.get("promotions") or [] if p["promo_id"] == order["promo_id"]), None)
        facts["promo.id"] = order["promo_id"] if promo else None
        delayed = [
            s for s in context.get("inbound") or [] if s["sku"] == sku and _at(s["eta"]) > _at(s["original_eta"])
        ]
        if delayed:
            shipment = max(delayed, key=lambda s: s["eta"])
            slipped = _at(shipment["eta"]) - _at(shipment["original_eta"])
            facts["inbound.delay_days"] = round(slipped.total_seconds() / 86400, 1)
            facts["inbound.after_promise"] = promised is not None and _at(shipment["eta"]) > promised
        facts["promo.at_risk"] = bool(promo and delayed and facts["inbound.after_promise"])
    else:
        facts["promo.at_risk"] = False

    # every unposted return counts, not only the first listed: the oldest is the one overdue first
    open_returns = sorted(
        (r for r in returns if not r["posted"]), key=lambda r: (_at(r["processed_at"]), r["return_id"])
    )
    facts["return.unposted"] = False
    if open_returns and now is not None:
        oldest = open_returns[0]
        age = (now - _at(oldest["processed_at"])).total_seconds() / 3600
        facts.update({"return.id": oldest["return_id"], "return.refund": oldest["refund"], "return.age_hours": age})
        facts["return.unposted"] = age > RETURN_GRACE_HOURS

    types: list[str] = []
    # stock is only an exception for an order still to fulfil: a fulfilled order's units left with the customer
    # (its store may well be empty now) and a cancelled one needs none; its returns still reach the ledger
    to_fulfil = order.get("status") == "open"
    short = facts["stock.short"] is True and to_fulfil
    unknown_store = facts["store.known"] is False and to_fulfil
    if pickup and (unknown_store or short):
        types.append("pickup_unfulfillable")
    if (facts.get("stock.phantom_units") or 0) >= PHANTOM_MIN_UNITS and short:
        types.append("phantom_stock")
    if facts["promo.at_risk"] and short:
        types.append("inbound_delay")
    if facts["return.unposted"]:
        types.append("unreconciled_return")
    if facts["customer.vip"] and (short or unknown_store):
        types.append("vip_stock_conflict")

    # RET-006 closes a flag only when stock is in order: an open order its location cannot fulfil is not, whether
    # or not one of the kinds above describes it (unknown when the stock could not be read)
    # (a short line an inbound shipment to that location refills by the promised date is not blocked: RET-003)
    def refilled_in_time(each: Mapping[str, Any]) -> bool:
        row, wanted = held.get(each.get("sku") or ""), needs.get(each.get("sku") or "", 0)
        have = reliable(row) if row is not None else 0
        return promised is not None and any(
            s["sku"] == each.get("sku")
            and s["location_id"] == location_id
            and _at(s["eta"]) <= promised
            and have + int(s["quantity"]) >= wanted
            for s in context.get("inbound") or []
        )

    blocked = facts["stock.short"]
    if blocked is True and context.get("inbound") is not None:
        blocked = not all(refilled_in_time(x) for x in lines if short_here(x))
    facts["stock.blocks_order"] = blocked if to_fulfil else False
    facts["retail.exception_count"] = len(types)
    facts["retail.case_types"] = types or ["no_exception"]
    return facts
