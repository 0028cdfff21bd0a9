"""The support team's resolution of a recorded ticket, from what the customer asked (known to whoever recorded
it, not read from the text) and the systems' state: an independent labeller written from the support handbook,
sharing no code with the mission's understanding, facts or policies.

It decides the outcome, the state-changing actions (with the tools' argument names) and what the reply must
mention (the order, the refunded amount).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

#: Free text the team wrote (not compared: what matters is that a reply went out, and what it mentions).
REPLY = "(the support team's reply)"
REASON = "Customer request (support ticket)"
ASK_CONDITIONS = ("order_not_found", "order_not_owned", "which_order", "unclear_request", "unreadable_message")


def _english(case: Mapping[str, Any]) -> bool:
    """Whether the ticket was written in English (the generator's phrase tables record the language in the tags)."""
    return "language:en" in (case.get("tags") or [])


def _refundable(payment: Mapping[str, Any]) -> float:
    return round(float(payment["captured_amount"]) - float(payment["refunded_amount"]), 2)


def _capture_with(payment: Mapping[str, Any], amount: float, *, last: bool) -> str | None:
    captures = list(payment["captures"])
    fitting = [c for c in (captures[1:] if last else captures) if float(c["refundable_amount"]) + 0.005 >= amount]
    if not fitting:
        return None
    return fitting[-1]["capture_id"] if last else fitting[0]["capture_id"]


def _refund(capture_id: str, amount: float) -> dict[str, Any]:
    """The refund action the team takes, whichever request led to it (a double charge, a cancellation, a return)."""
    return {"tool": "refund_payment", "args": {"capture_id": capture_id, "amount": amount, "reason": REASON}}


def _reply(ticket: Mapping[str, Any], status: str) -> dict[str, Any]:
    """The reply that ends every resolution: ``pending`` while the ticket waits for the customer, else ``solved``."""
    return {"tool": "send_ticket_reply", "args": {"ticket_id": ticket["ticket_id"], "body": REPLY, "status": status}}


def label(case: Mapping[str, Any]) -> dict[str, Any]:
    """``{"outcome", "actions", "reply_mentions", "case_types"}`` for a recorded ticket."""
    truth = case["truth"]
    ticket = case["ticket"]
    if truth.get("condition"):
        return {
            "outcome": "ask_customer",
            "actions": [_reply(ticket, "pending")],
            "reply_mentions": [],
            "case_types": [truth["condition"]],
        }
    intents: list[str] = list(truth["intents"])
    if not truth.get("order_id"):  # a question needing no order
        return {
            "outcome": "answer",
            "actions": [_reply(ticket, "solved")],
            "reply_mentions": [],
            "case_types": intents,
        }
    record = case["orders"][truth["order_id"]]
    order, payment, shipments = record["order"], record["payment"], record["shipments"]
    order_id, total = order["order_id"], float(order["total"])
    shipment = shipments[-1] if shipments else None
    delivered_days = shipment.get("days_since_delivery") if shipment else None
    if shipment is not None and delivered_days is None and shipment.get("delivered_at"):
        sent = datetime.fromisoformat(ticket["messages"][-1]["sent_at"].replace("Z", "+00:00"))
        delivered_at = datetime.fromisoformat(str(shipment["delivered_at"]).replace("Z", "+00:00"))
        delivered_days = (sent - delivered_at).total_seconds() / 86400
    outcomes: list[str] = []
    actions: list[dict[str, Any]] = []
    mentions: list[str] = [order_id]
    for intent in intents:
        if intent == "double_charge":
            extra = round(float(payment["captured_amount"]) - float(payment["refunded_amount"]) - total, 2)
            if len(payment["captures"]) >= 2 and extra > 0:
                capture = _capture_with(payment, extra, last=True)
                if capture is None:
                    outcomes.append("escalate")
                    continue
                outcomes.append("refund")
                actions.append(_refund(capture, extra))
                mentions.append(f"{extra:,.2f}")
            else:
                outcomes.append("answer")
        elif intent == "cancel_order":
            if order["status"] in ("shipped", "delivered", "cancelled"):
                outcomes.append("answer")
                continue
            if truth.get("cancel_reason") not in ("no longer needed", "ordered by mistake"):
                outcomes.append("ask_customer")  # a cancellation records the customer's reason: asked, not guessed
                continue
            refundable = _refundable(payment)
            actions.append({"tool": "cancel_order", "args": {"order_id": order_id, "reason": REASON}})
            if refundable > 0 and len(payment["captures"]) == 1:
                amount = round(min(refundable, total), 2)
                actions.append(_refund(payment["captures"][0]["capture_id"], amount))
                mentions.append(f"{amount:,.2f}")
                outcomes.append("cancel")
            elif (
                refundable <= 0 and payment["authorizations"] and payment["authorizations"][0]["status"] == "authorized"
            ):
                actions.append(
                    {
                        "tool": "void_authorization",
                        "args": {"authorization_id": payment["authorizations"][0]["authorization_id"]},
                    }
                )
                outcomes.append("cancel")
            else:
                actions.clear()
                outcomes.append("escalate")
        elif intent in ("where_is_order", "not_received"):
            if (intent == "not_received" and shipment is not None and shipment["status"] == "delivered") or (
                order["status"] in ("shipped", "delivered") and shipment is None
            ):
                outcomes.append("escalate")
            else:
                outcomes.append("answer")
                if shipment is not None and shipment["status"] == "in_transit":
                    mentions.append(shipment["tracking_number"])
        elif intent == "change_address":
            account = (case.get("customer") or {}).get("current_address")
            place = ("line1", "line2", "city", "region", "postal_code", "country")
            if order["status"] in ("shipped", "delivered"):
                outcomes.append("answer")
            elif order["status"] != "cancelled" and truth.get("address_in_message") and _english(case):
                # SUP-006 v4: the generator's English messages write street, city and ZIP but no state: asked for
                outcomes.append("ask_customer")
            elif (
                order["status"] == "cancelled"
                or truth.get("address_in_message")  # the other languages' streets are not read: a person
                or not account
                or all(account.get(k) == order.get("ship_to", {}).get(k) for k in place)
            ):
                outcomes.append("escalate")  # a person takes an address from the message, never the mission
            else:
                ship_to = {k: account.get(k) for k in ("name", *place)}
                actions.append({"tool": "change_ship_to", "args": {"order_id": order_id, "ship_to": ship_to}})
                on_label = record.get("shipping_address")  # shipping's own copy: the label must change too
                if on_label and any(account.get(k) != on_label.get(k) for k in place):
                    args = {"order_id": order_id, "ship_to": ship_to}
                    actions.append({"tool": "update_shipment_address", "args": args})
                outcomes.append("change_address")
        elif intent in ("damaged_item", "wrong_item"):
            single = len(order["lines"]) == 1 and len(payment["captures"]) == 1
            delivered = shipment is not None and shipment["status"] == "delivered"
            refundable = _refundable(payment)
            if single and delivered and delivered_days is not None and delivered_days <= 30 and refundable > 0:
                amount = round(min(refundable, total), 2)
                actions.append(_refund(payment["captures"][0]["capture_id"], amount))
                mentions.append(f"{amount:,.2f}")
                outcomes.append("refund")
            else:
                outcomes.append("escalate")
        elif intent == "return_refund":
            received = [r for r in record.get("returns") or [] if r.get("received_at")]
            if not received:
                outcomes.append("answer")  # not back at the warehouse yet: say so, refund nothing
                continue
            back = datetime.fromisoformat(str(received[-1]["received_at"]).replace("Z", "+00:00"))
            delivered_on = shipment.get("delivered_at") if shipment else None
            if (
                not delivered_on
                or (back - datetime.fromisoformat(str(delivered_on).replace("Z", "+00:00"))).total_seconds()
                > 30 * 86400
            ):
                outcomes.append("escalate")
                continue
            value = sum(float(r["value"]) for r in received)
            amount = round(min(_refundable(payment), max(value - float(payment["refunded_amount"]), 0.0)), 2)
            if amount <= 0:
                outcomes.append("answer")  # earlier refunds already cover the returned items
                continue
            capture = _capture_with(payment, amount, last=False)
            if capture is None:
                outcomes.append("escalate")
                continue
            actions.append(_refund(capture, amount))
            mentions.append(f"{amount:,.2f}")
            outcomes.append("refund")
        elif intent == "exchange_variant":
            wanted = next((v for v in record.get("variants") or [] if v["sku"] == truth.get("variant_sku")), None)
            line = order["lines"][0] if order["lines"] else None
            in_window = (
                shipment is not None
                and shipment["status"] == "delivered"
                and delivered_days is not None
                and delivered_days <= 30
            )
            siblings = [
                v
                for v in record.get("variants") or []
                if line is not None and v["sku"] != line["sku"] and int(v["available"]) >= int(line.get("quantity", 1))
                and v["product_id"] == next((w["product_id"] for w in record.get("variants") or []
                                             if w["sku"] == line["sku"]), None)
            ]  # fmt: skip
            if wanted is None and in_window and len(order["lines"]) == 1 and siblings:
                outcomes.append("ask_customer")  # no variant named: which one, from those in stock (SUP-007)
            elif (
                wanted is None
                or line is None
                or not in_window
                or float(wanted["unit_price"]) != float(line["unit_price"])
            ):
                outcomes.append("escalate")
            elif int(wanted["available"]) >= int(line.get("quantity", 1)):
                actions.append(
                    {
                        "tool": "exchange_order_item",
                        "args": {"order_id": order_id, "line_no": line["line_no"], "sku": wanted["sku"]},
                    }
                )
                outcomes.append("exchange")
            else:
                outcomes.append("answer")  # out of stock: say so honestly
        else:
            outcomes.append("answer")
    if "escalate" in outcomes:
        return {"outcome": "escalate", "actions": [], "reply_mentions": [], "case_types": intents}
    ordered = ("cancel", "refund", "exchange", "change_address", "ask_customer", "answer")
    outcome = next((o for o in ordered if o in outcomes), "answer")
    if len([a for a in actions if a["tool"] == "refund_payment"]) > 1:
        return {"outcome": "escalate", "actions": [], "reply_mentions": [], "case_types": intents}
    # an out-of-stock exchange asks which in-stock option they would like: the ticket waits for the customer
    # and so does a cancellation asking for the customer's reason
    out_of_stock = "exchange_variant" in intents and outcome == "answer" and truth.get("variant_sku")
    waiting = outcome == "ask_customer" or out_of_stock
    actions.append(_reply(ticket, "pending" if waiting else "solved"))
    return {"outcome": outcome, "actions": actions, "reply_mentions": mentions, "case_types": intents}
