"""From what the systems returned (and the reading of the message) to the support facts, and the reply draft.

Which order a ticket is about: the one the portal filed it under, else the ones the message quotes, else the
customer's recent orders that fit the request (one: that one; several: ask which). An order is worked only when
the customer who wrote owns it; an order that is someone else's is treated exactly like one that does not exist,
so the reply reveals nothing about it. The reply states only what the systems showed (amounts, card digits,
carriers, tracking numbers, statuses) and what the proposed actions do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ai_missions.graphs.support.understanding import Reading
from ai_missions.graphs.support.vocabulary import TYPES_FACT

_CENT = 0.005
#: Days after delivery within which a damaged or wrong item is refunded without a return (SUP-005).
DAMAGE_WINDOW_DAYS = 30
#: Days after the carrier's delivery scan before "not received" is a carrier trace (SUP-004).
DELIVERY_GRACE_DAYS = 2
ORDER_INTENTS = (
    "double_charge",
    "return_refund",
    "where_is_order",
    "not_received",
    "cancel_order",
    "change_address",
    "damaged_item",
    "wrong_item",
    "exchange_variant",
)


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _money(value: float) -> str:
    return f"{value:,.2f}"


def payment_facts(payment: Mapping[str, Any] | None, total: float | None) -> dict[str, Any]:
    """The money facts of an order from its payment record (all unknown when the record is missing)."""
    if payment is None:
        return {}
    captures = payment.get("captures") or []
    captured = float(payment.get("captured_amount") or 0.0)
    refunded = float(payment.get("refunded_amount") or 0.0)
    auths = payment.get("authorizations") or []
    auth = auths[0] if auths else None
    duplicate = 0.0 if total is None else round(max(captured - refunded - total, 0.0), 2)
    later = [c for c in captures[1:] if float(c["refundable_amount"]) + _CENT >= duplicate > 0]
    return {
        "payment.captured": captured,
        "payment.refunded": refunded,
        "payment.refundable": round(captured - refunded, 2),
        "payment.capture_ids": [c["capture_id"] for c in captures],
        "payment.capture_count": len(captures),
        "payment.duplicate": len(captures) >= 2 and duplicate > _CENT,
        "payment.duplicate_amount": duplicate if duplicate > _CENT else 0.0,
        "payment.duplicate_capture_id": later[-1]["capture_id"] if later else None,
        "payment.authorization_id": auth["authorization_id"] if auth else None,
        "payment.uncaptured": auth is not None and auth["status"] == "authorized" and not captures,
        "payment.card_last4": auth["card_last4"] if auth else None,
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
    if intent in ("cancel_order", "change_address"):
        return status not in ("shipped", "delivered", "cancelled")
    if intent in ("where_is_order", "not_received"):
        return status in ("shipped", "ready_to_fulfill", "pending", "payment_review", "on_hold")
    if intent in ("return_refund", "damaged_item", "wrong_item", "exchange_variant"):
        return status == "delivered"
    return False


def choose_order(
    ticket: Mapping[str, Any], reading: Reading, orders: Mapping[str, Mapping[str, Any]], recent: Sequence[str]
) -> tuple[str | None, str | None, list[str]]:
    """(order id, why none, candidates): the order the ticket is about, or the case type saying why there is none.

    ``orders`` holds every order read (the customer's recent ones and any quoted), ``recent`` the customer's
    recent order ids newest first."""
    customer = ticket["customer_id"]
    quoted = ([ticket["order_id"]] if ticket.get("order_id") else []) + list(reading.order_refs)
    quoted = list(dict.fromkeys(quoted))
    if quoted:
        owned = [o for o in quoted if (orders.get(o) or {}).get("order", {}).get("customer_id") == customer]
        if len(owned) == 1 and len(quoted) == 1:
            return owned[0], None, []
        if len(owned) > 1:
            return None, "which_order", owned
        if owned:  # one of theirs and one that is not: work theirs only if the other is unknown to us
            return (
                (owned[0], None, [])
                if all(orders.get(o) is None for o in quoted if o not in owned)
                else (
                    None,
                    "order_not_owned",
                    [],
                )
            )
        return None, ("order_not_owned" if any(orders.get(o) for o in quoted) else "order_not_found"), []
    if reading.loose_refs:
        return None, "order_not_found", []
    wanted = [i for i in reading.intents if i in ORDER_INTENTS]
    if not wanted:
        return None, None, []
    fitting = [o for o in recent if all(fits(i, orders[o]) for i in wanted if o in orders)]
    if len(fitting) == 1:
        return fitting[0], None, []
    if not recent:
        return None, "order_not_found", []
    return None, "which_order", (fitting or list(recent))[:5]


def derive_facts(gathered: Mapping[str, Any], reading: Reading) -> dict[str, Any]:
    """Every support fact (``None`` = unknown) from the gathered records and the reading of the message."""
    ticket = gathered.get("helpdesk.get_ticket") or {}
    customer = gathered.get("crm.get_customer") or {}
    orders: Mapping[str, Mapping[str, Any]] = gathered.get("orders") or {}
    recent: list[str] = list(gathered.get("recent_orders") or [])
    inbound = [m for m in ticket.get("messages", []) if m["direction"] == "inbound"]
    now = _ts(inbound[-1]["sent_at"]) if inbound else _ts(ticket.get("updated_at"))
    facts: dict[str, Any] = dict.fromkeys(
        ("order.id", "order.status", "order.shipped", "order.cancellable", "order.total", "order.line_count")
    )
    facts.update(
        {
            "ticket.id": ticket.get("ticket_id"),
            "ticket.status": ticket.get("status"),
            "ticket.channel": ticket.get("channel"),
            "ticket.open": ticket.get("status") in ("new", "open"),
            "customer.id": ticket.get("customer_id"),
            "customer.name": (ticket.get("requester") or {}).get("name") or customer.get("name"),
            "customer.tier": customer.get("tier"),
            "message.intents": list(reading.intents),
            "message.intent_count": len(reading.intents),
            "message.order_refs": list(reading.order_refs),
            "message.problem": reading.problem,
            "message.angry": reading.angry,
            "message.language": reading.language,
            "order.ref": ticket.get("order_id")
            or (reading.order_refs[0] if reading.order_refs else None)
            or (f"#{reading.loose_refs[0]}" if reading.loose_refs else None),
            "order.owned": None,
            "order.candidates": [],
            "order.candidate_count": 0,
            "return.received": False,
        }
    )
    if reading.problem:
        types = ["unreadable_message"]
    else:
        order_id, condition, candidates = choose_order(ticket, reading, orders, recent)
        facts["order.candidates"], facts["order.candidate_count"] = candidates, len(candidates)
        if condition is not None:
            types = [condition]
            facts["order.owned"] = False if condition in ("order_not_owned", "order_not_found") else None
        elif order_id is not None:
            types = list(reading.intents) or ["unclear_request"]
            facts.update(order_facts(orders[order_id], now))
        elif reading.intents:
            types = list(reading.intents)  # a question that needs no order
        else:
            types = ["unclear_request"]
    facts[TYPES_FACT] = types
    facts.update(resolution_facts(facts))
    asking = {"which_order", "unclear_request", "unreadable_message", "order_not_found", "order_not_owned"}
    facts["reply.status"] = "pending" if set(types) & asking else "solved"  # the ticket waits for the customer
    facts["reply.text"] = compose_reply(facts)
    facts["note.text"] = compose_note(facts)
    return facts


def order_facts(record: Mapping[str, Any], now: datetime | None) -> dict[str, Any]:
    order = record["order"]
    status = order["status"]
    facts: dict[str, Any] = {
        "order.id": order["order_id"],
        "order.owned": True,
        "order.status": status,
        "order.shipped": status in ("shipped", "delivered"),
        "order.cancellable": status not in ("shipped", "delivered", "cancelled"),
        "order.total": float(order["total"]),
        "order.line_count": len(order.get("lines") or []),
    }
    facts.update(payment_facts(record.get("payment"), float(order["total"])))
    facts.update(shipment_facts(record.get("shipments"), now))
    return facts


def resolution_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """What a refund would be for the ticket's request: the amount and the capture (never above refundable)."""
    types = facts.get(TYPES_FACT) or []
    refundable = facts.get("payment.refundable")
    captures = facts.get("payment.capture_ids") or []
    amount: float | None = None
    capture: str | None = None
    if "double_charge" in types and facts.get("payment.duplicate"):
        amount, capture = facts.get("payment.duplicate_amount"), facts.get("payment.duplicate_capture_id")
    elif ("cancel_order" in types or "damaged_item" in types or "wrong_item" in types) and refundable:
        amount = min(float(refundable), float(facts.get("order.total") or 0.0))
        capture = captures[0] if len(captures) == 1 else None
    if amount is not None and refundable is not None:
        amount = round(min(float(amount), float(refundable)), 2)
    return {"refund.amount": amount if amount else None, "refund.capture_id": capture}


def _fragment(intent: str, facts: Mapping[str, Any]) -> str | None:
    """One sentence or two about a request, from the facts only (None: this request escalates)."""
    order = facts.get("order.id")
    card = f" to the card ending {facts['payment.card_last4']}" if facts.get("payment.card_last4") else ""
    amount = facts.get("refund.amount")
    carrier, tracking = facts.get("shipment.carrier"), facts.get("shipment.tracking")
    status = facts.get("shipment.status")
    if intent == "double_charge":
        if facts.get("payment.duplicate") and amount:
            return (
                f"You were right: order {order} was charged twice. We have refunded the duplicate charge of "
                f"{_money(amount)}{card}; your order stays active. Refunds usually show within 5-10 business days."
            )
        if facts.get("payment.capture_count") is not None:
            return (
                f"We checked order {order}: it shows {facts['payment.capture_count']} charge(s) totalling "
                f"{_money(facts.get('payment.captured') or 0.0)} for an order of "
                f"{_money(facts.get('order.total') or 0.0)}, "
                "so we do not see a duplicate charge. A pending card authorization can look like a second charge "
                "for a few days and then disappears."
            )
        return None
    if intent == "cancel_order":
        if not facts.get("order.cancellable"):
            return (
                f"Order {order} has already shipped, so it can no longer be cancelled; you can return it once it "
                "arrives."
            )
        money = ""
        if amount:
            money = f" and refunded {_money(amount)}{card}"
        elif facts.get("payment.uncaptured"):
            money = " and released the payment authorization on your card"
        return f"We have cancelled order {order}{money}."
    if intent in ("where_is_order", "not_received"):
        if facts.get("order.status") == "cancelled":
            return f"Order {order} was cancelled, so it will not be delivered."
        if status == "in_transit":
            return f"Order {order} is on its way with {carrier}, tracking number {tracking}."
        if status == "delivered" and intent == "where_is_order":
            return f"{carrier} shows order {order} as delivered (tracking number {tracking})."
        if status is None and facts.get("order.status") and not facts.get("order.shipped"):
            return f"Order {order} has not shipped yet; we will send you the tracking number as soon as it does."
        return None
    if intent == "change_address":
        if facts.get("order.shipped"):
            return f"Order {order} has already shipped, so its delivery address can no longer be changed."
        return None
    if intent in ("damaged_item", "wrong_item"):
        if amount and facts.get("refund.capture_id"):
            what = "arrived damaged" if intent == "damaged_item" else "was not what you ordered"
            return (
                f"We are sorry your order {order} {what}. We have refunded {_money(amount)}{card}; no need to send it "
                "back."
            )
        return None
    if intent == "return_refund":
        return (
            f"We do not see the return of order {order} as received yet. As soon as it arrives at our warehouse "
            "we refund it, usually within 5 business days."
        )
    if intent == "question":
        return (
            "Thank you for your question. Items can be returned within 30 days of delivery, and refunds show on "
            "your card within 5-10 business days. If it is about a specific order, reply with its number "
            "(for example SO-100123) and we will look it up."
        )
    return None


def compose_reply(facts: Mapping[str, Any]) -> str | None:
    """The reply draft for the whole ticket (None when some request must go to a person instead)."""
    types = facts.get(TYPES_FACT) or []
    name = str(facts.get("customer.name") or "").split(" ")[0] or "there"
    opening = f"Hello {name},"
    sorry = " We are sorry for the trouble this caused." if facts.get("message.angry") else ""
    ref = facts.get("order.ref")
    if "unreadable_message" in types:
        body = [
            "We could not read your message (it was empty, too long or not text). Could you write again in a few "
            "sentences and tell us the order number it is about?"
        ]
    elif "order_not_found" in types or "order_not_owned" in types:
        quoted = f"order {ref}" if ref else "that order"
        body = [
            f"We could not find {quoted} on your account. Could you check the order number in your confirmation "
            "e-mail and reply with it? We can only help with orders placed with your account."
        ]
    elif "which_order" in types:
        listed = ", ".join(facts.get("order.candidates") or [])
        body = [
            f"Which order is your message about? On your account we see {listed}. Reply with its number and we will "
            "take care of it."
        ]
    elif "unclear_request" in types:
        body = [
            "Thank you for your message. Could you tell us a little more about what you need (a refund, a "
            "cancellation, where your order is...) and the order number it is about?"
        ]
    else:
        parts = [_fragment(t, facts) for t in types]
        if any(p is None for p in parts):
            return None
        body = [p for p in parts if p]
    return f"{opening}\n\n{' '.join(body)}{sorry}\n\nKind regards,\nCustomer Support"


def compose_note(facts: Mapping[str, Any]) -> str:
    types = ", ".join(facts.get(TYPES_FACT) or []) or "nothing"
    order = facts.get("order.id") or facts.get("order.ref") or "no order"
    refund = f"; refundable {facts['payment.refundable']:.2f}" if facts.get("payment.refundable") is not None else ""
    return f"Support mission read the ticket as: {types} (order {order}{refund})."
