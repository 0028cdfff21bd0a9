"""A tau-bench retail task as a recorded support case: the task's user as the customer who writes, each of their
orders as the ERP, billing and shipping hold it (lines, captures, shipments, the products' variants), the first
message as the ticket. The shape is the one the support mission's recorded tickets have (``support-case@1``); the
mission decides it through its eval plugin (``EvalPlugin.decide``), never through its modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.benchmarks.tau_retail.emulator import Database, Task

#: The book clock of the cases built from the benchmark, and when their delivered orders were delivered.
NOW, _DELIVERED, _SHIPPED = "2026-03-16T15:00:00Z", "2026-03-10T10:00:00Z", "2026-03-08T10:00:00Z"
#: The benchmark's order statuses as the ERP's (a processed order has left: it can no longer be cancelled).
_STATUS = {"pending": "pending", "pending (item modified)": "pending", "processed": "shipped", "delivered": "delivered",
           "return requested": "delivered", "exchange requested": "delivered", "cancelled": "cancelled"}  # fmt: skip
#: The benchmark's payment sources as payments' kinds of method.
_KIND = {"credit_card": "card", "paypal": "paypal", "gift_card": "gift_card"}


def methods_of(user: Mapping[str, Any], user_id: str) -> dict[str, Any]:
    """The user's payment methods as payments lists them (``list_payment_methods``): the benchmark's own ids, a
    card's brand and last four digits, a gift card's balance."""
    return {
        "customer_id": user_id,
        "methods": [
            {"payment_method_id": method_id, "customer_id": user_id, "kind": _KIND.get(m.get("source"), "card"),
             "brand": m.get("brand"), "last4": m.get("last_four"), "balance": m.get("balance")}
            for method_id, m in user.get("payment_methods", {}).items()
        ],
    }  # fmt: skip


def paying_with(raw: Mapping[str, Any]) -> str:
    """The method an order's payment stands on now: the last payment not refunded since (a changed method's)."""
    history = list(raw["payment_history"])
    refunded = [p["payment_method_id"] for p in history if p["transaction_type"] == "refund"]
    paid = [p["payment_method_id"] for p in history if p["transaction_type"] == "payment"]
    for method in reversed(paid):
        if method not in refunded:
            return str(method)
    return str(paid[0]) if paid else ""


def _address(raw: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {"name": name, "line1": raw["address1"], "line2": raw.get("address2") or None, "city": raw["city"],
            "region": raw["state"], "postal_code": raw["zip"], "country": raw["country"]}  # fmt: skip


def case_of(db: Mapping[str, Database], task: Task, message: str) -> dict[str, Any]:
    """A task as a recorded support case (the shape of the support mission's recorded tickets, which its eval
    plugin's decider takes): the customer (the sender, verified), their orders with lines, captures, shipments and
    their products' variants, and the first message."""
    user = db["users"][task.user_id]
    name = f"{user['name']['first_name']} {user['name']['last_name']}"
    orders: dict[str, Any] = {}
    for order_id in user["orders"]:
        raw = db["orders"][order_id]
        status = _STATUS.get(raw["status"], "cancelled")
        paid = sum(p["amount"] for p in raw["payment_history"] if p["transaction_type"] == "payment")
        refunded = sum(p["amount"] for p in raw["payment_history"] if p["transaction_type"] == "refund")
        total = round(sum(i["price"] for i in raw["items"]), 2)
        paid_with = next(
            (p["payment_method_id"] for p in raw["payment_history"] if p["transaction_type"] == "payment"), ""
        )
        card = user["payment_methods"].get(paid_with, {})
        captures = [
            {"capture_id": f"CAP-{order_id}-{n}", "amount": p["amount"], "refundable_amount": p["amount"]}
            for n, p in enumerate(raw["payment_history"])
            if p["transaction_type"] == "payment"
        ]
        tracking = next((f["tracking_id"][0] for f in raw.get("fulfillments") or [] if f.get("tracking_id")), "")
        shipments = (
            [{"carrier": "UPS", "tracking_number": tracking, "status": "delivered" if status == "delivered" else
              "in_transit", "shipped_at": _SHIPPED, "delivered_at": _DELIVERED if status == "delivered" else None}]
            if status in ("shipped", "delivered")
            else []
        )  # fmt: skip
        variants = [
            {"sku": v["item_id"], "product_id": product_id, "option": " ".join(map(str, v["options"].values())),
             "unit_price": v["price"], "available": 5 if v["available"] else 0}
            for product_id in {i["product_id"] for i in raw["items"]}
            for v in db["products"][product_id]["variants"].values()
        ]  # fmt: skip
        orders[order_id] = {
            "order": {
                "order_id": order_id, "customer_id": task.user_id, "status": status, "total": total,
                "ship_to": _address(raw["address"], name),
                "lines": [{"line_no": n, "sku": i["item_id"], "description": i["name"], "quantity": 1,
                           "unit_price": i["price"], "line_total": i["price"]} for n, i in enumerate(raw["items"], 1)],
            },
            "payment": {
                "authorizations": [{"authorization_id": f"AUTH-{order_id}", "status": "captured",
                                "card_last4": card.get("last_four") if card.get("source") == "credit_card" else None,
                                "card_brand": card.get("brand") if card.get("source") == "credit_card" else None}],
                "captures": captures, "captured_amount": round(paid, 2), "refunded_amount": round(refunded, 2),
                "payment_method_id": paying_with(raw),
            },
            "shipments": shipments, "returns": [], "variants": variants,
        }  # fmt: skip
    return {
        "case_id": f"tau-{task.index}",
        "ticket": {
            "ticket_id": f"TKT-{task.index:06d}", "customer_id": task.user_id,
            "requester": {"customer_id": task.user_id, "name": name, "email": user["email"]},
            "channel": "email", "order_id": None, "status": "new", "updated_at": NOW,
            "messages": [{"direction": "inbound", "body": message, "sent_at": NOW}],
        },
        "customer": {"customer_id": task.user_id, "name": name, "tier": "standard",
                     "current_address": _address(user["address"], name)},
        "orders": orders,
        "recent_orders": list(reversed(user["orders"])),
        "payment_methods": methods_of(user, task.user_id),
    }  # fmt: skip
