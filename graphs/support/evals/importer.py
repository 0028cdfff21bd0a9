"""Import resolved tickets from a helpdesk export (CSV or JSON) and an external order database (JSON) as support
cases (``ai-missions/support-case@1``), so the mission can be scored on a company's own history.

The mapping is documented in ``docs/support-import.md``. In short: each export row is one ticket (its first
customer message and the team's resolution); the order database gives the customer's orders as the ERP, billing
and shipping would return them. A row that cannot be mapped is one clear error naming the row.

    python -m ai_missions.graphs.support.evals.importer EXPORT.csv ORDERS.json OUT.jsonl.gz
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.evals.generate import FORMAT, write
from ai_missions.graphs.support.vocabulary import CASE_TYPES, OUTCOMES
from ai_missions.mission_api import ValidationError

#: External order status -> the ERP's.
STATUS = {
    "pending": "pending",
    "authorized": "pending",
    "paid": "ready_to_fulfill",
    "processing": "ready_to_fulfill",
    "fulfilled": "shipped",
    "shipped": "shipped",
    "in_transit": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


def order_id_of(order: Mapping[str, Any]) -> str:
    number = str(order.get("number") or order["id"]).lstrip("#")
    return number if number.upper().startswith("SO-") else f"SO-{number}"


def _days(later: str, earlier: str | None) -> float | None:
    if not earlier:
        return None
    a = datetime.fromisoformat(later.replace("Z", "+00:00"))
    b = datetime.fromisoformat(earlier.replace("Z", "+00:00"))
    return round((a - b).total_seconds() / 86400, 1)


#: Fields that may hold a variant's option, and its stock, in the order database (first found wins).
OPTION_FIELDS = ("option", "color", "colour", "size", "title", "name")
STOCK_FIELDS = ("available", "inventory_quantity", "stock")


def address_of(raw: Mapping[str, Any] | None, name: str) -> dict[str, Any] | None:
    """An external address as the ERP's ship-to (None when there is none)."""
    if not raw:
        return None
    return {
        "name": str(raw.get("name") or name),
        "line1": str(raw.get("line1") or raw.get("address1") or ""),
        "line2": raw.get("line2") or raw.get("address2"),
        "city": str(raw.get("city") or ""),
        "region": str(raw.get("region") or raw.get("state") or raw.get("province") or ""),
        "postal_code": str(raw.get("postal_code") or raw.get("zip") or ""),
        "country": str(raw.get("country") or "US"),
    }


def variants_of(products: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """SKU -> every variant of its product, as the ERP's order context lists them. Only variants whose stock is
    given are carried (without it an exchange cannot be judged and goes to a person)."""
    by_sku: dict[str, list[dict[str, Any]]] = {}
    for product in products:
        family: list[dict[str, Any]] = []
        for v in product.get("variants", []):
            stock = next((v[f] for f in STOCK_FIELDS if v.get(f) is not None), None)
            option = next((str(v[f]) for f in OPTION_FIELDS if v.get(f)), None)
            price = v.get("price", product.get("price"))
            if stock is None or option is None or price is None:
                continue
            family.append(
                {
                    "sku": str(v["sku"]),
                    "product_id": str(product.get("id")),
                    "option": option.capitalize(),
                    "unit_price": float(price),
                    "available": int(stock),
                }
            )
        for v in family:
            by_sku[v["sku"]] = family
    return by_sku


def returns_of(order: Mapping[str, Any], order_id: str) -> list[dict[str, Any]]:
    """``orders[].returns[]`` (items by SKU, ``received_at``, ``condition``) as the ERP's returns."""
    price = {str(i["sku"]): (n, float(i["price"])) for n, i in enumerate(order.get("items", []), start=1)}
    out = []
    for r in order.get("returns", []):
        lines: list[dict[str, Any]] = []
        for item in r.get("items", []):
            if str(item.get("sku")) not in price:
                raise ValidationError(f"order {order_id}: return {r.get('id')} names {item.get('sku')!r}, not on it")
            line_no, unit = price[str(item["sku"])]
            qty = int(item.get("qty", 1))
            lines.append({"line_no": line_no, "sku": str(item["sku"]), "quantity": qty, "value": round(unit * qty, 2)})
        out.append(
            {
                "return_id": f"RET-{r.get('id')}",
                "order_id": order_id,
                "created_at": r.get("created_at"),
                "received": bool(r.get("received_at")),
                "received_at": r.get("received_at"),
                "condition": r.get("condition"),
                "lines": lines,
                "value": round(sum(line["value"] for line in lines), 2),
            }
        )
    return out


def order_record(
    order: Mapping[str, Any],
    cards: Mapping[str, str],
    at: str,
    variants: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """One external order as the ERP (``get_order_context``: the order, its returns and its products' variants),
    billing (``get_payment``) and shipping (``list_shipments``)."""
    order_id = order_id_of(order)
    status = STATUS.get(str(order.get("status", "")).lower())
    if status is None:
        raise ValidationError(f"order {order_id}: unknown status {order.get('status')!r} (known: {', '.join(STATUS)})")
    charges = [p for p in order.get("payments", []) if p.get("type") == "charge" and p.get("status") == "succeeded"]
    refunds = [p for p in order.get("payments", []) if p.get("type") == "refund" and p.get("status") == "succeeded"]
    refunded_by = {str(r.get("charge_id")): float(r["amount"]) for r in refunds}
    captures = [
        {
            "capture_id": f"CAP-{c['id']}",
            "amount": float(c["amount"]),
            "refundable_amount": round(float(c["amount"]) - refunded_by.get(str(c["id"]), 0.0), 2),
        }
        for c in charges
    ]
    method = next((p.get("payment_method_id") for p in order.get("payments", []) if p.get("payment_method_id")), None)
    authorized = [
        p for p in order.get("payments", []) if p.get("type") == "authorization" and p.get("status") == "open"
    ]
    auth_status = "captured" if charges else ("authorized" if authorized else "voided")
    shipments = [
        {
            "carrier": f.get("carrier", ""),
            "tracking_number": f.get("tracking", ""),
            "status": "delivered" if f.get("delivered_at") else "in_transit",
            "shipped_at": f.get("shipped_at"),
            "delivered_at": f.get("delivered_at"),
            "days_since_delivery": _days(at, f.get("delivered_at")),
        }
        for f in order.get("fulfillments", [])
        if f.get("shipped_at")
    ]
    return {
        "order": {
            "order_id": order_id,
            "customer_id": f"U-{order['user_id']}",
            "status": status,
            "total": float(order["total"]),
            "lines": [
                {
                    "line_no": n,
                    "sku": i["sku"],
                    "quantity": int(i.get("qty", 1)),
                    "unit_price": float(i["price"]),
                    "line_total": round(float(i["price"]) * int(i.get("qty", 1)), 2),
                }
                for n, i in enumerate(order.get("items", []), start=1)
            ],
            "ship_to": address_of(order.get("shipping_address"), ""),
        },
        "payment": {
            "order_id": order_id,
            "authorizations": [
                {
                    "authorization_id": f"AUTH-{order['id']}",
                    "status": auth_status,
                    "card_last4": cards.get(str(method), ""),
                }
            ],
            "captures": captures,
            "captured_amount": round(sum(float(str(c["amount"])) for c in captures), 2),
            "refunded_amount": round(sum(float(r["amount"]) for r in refunds), 2),
        },
        "shipments": shipments,
        "returns": returns_of(order, order_id),
        "variants": [
            v
            for sku in dict.fromkeys(str(i["sku"]) for i in order.get("items", []))
            for v in (variants or {}).get(sku, [])
        ],
    }


def _actions(
    text: str,
    ticket_id: str,
    record: Mapping[str, Any] | None,
    status: str,
    account: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """``refund:12.50; cancel; void; change_address; exchange:SKU; reply`` -> the tools' calls on the ticket's
    order (a ship-to change goes to the address on the user's account)."""
    actions: list[dict[str, Any]] = []
    for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
        verb, _, value = part.partition(":")
        verb = verb.strip().lower()
        if verb == "reply":
            actions.append({"tool": "send_ticket_reply", "args": {"ticket_id": ticket_id, "status": status}})
        elif record is None:
            raise ValidationError(f"ticket {ticket_id}: action {part!r} needs the ticket's order")
        elif verb == "refund":
            capture = (record["payment"]["captures"] or [{}])[-1].get("capture_id")
            actions.append({"tool": "refund_payment", "args": {"capture_id": capture, "amount": float(value)}})
        elif verb == "cancel":
            actions.append({"tool": "cancel_order", "args": {"order_id": record["order"]["order_id"]}})
        elif verb == "change_address":
            if account is None:
                raise ValidationError(f"ticket {ticket_id}: change_address needs an address on the user")
            args = {"order_id": record["order"]["order_id"], "ship_to": account}
            actions.append({"tool": "change_ship_to", "args": args})
        elif verb == "exchange":
            sku = value.strip()
            line = next(
                (
                    line
                    for line in record["order"]["lines"]
                    if any(v["sku"] == sku for v in record["variants"] if v["sku"] != line["sku"])
                    and any(v["sku"] == line["sku"] for v in record["variants"])
                ),
                None,
            )
            if line is None:
                raise ValidationError(f"ticket {ticket_id}: exchange:{sku} is no variant of an item on the order")
            args = {"order_id": record["order"]["order_id"], "line_no": line["line_no"], "sku": sku}
            actions.append({"tool": "exchange_order_item", "args": args})
        elif verb == "void":
            auth = record["payment"]["authorizations"][0]["authorization_id"]
            actions.append({"tool": "void_authorization", "args": {"authorization_id": auth}})
        else:
            raise ValidationError(
                f"ticket {ticket_id}: unknown action {part!r} "
                "(refund:AMOUNT, cancel, void, change_address, exchange:SKU, reply)"
            )
    return actions


def read_export(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data["tickets"] if isinstance(data, dict) else data)


def import_cases(export: Sequence[Mapping[str, Any]], orders_db: Mapping[str, Any]) -> list[dict[str, Any]]:
    users = {str(u["id"]): u for u in orders_db.get("users", [])}
    cards = {str(m["id"]): str(m.get("last4", "")) for u in users.values() for m in u.get("payment_methods", [])}
    by_email = {str(u["email"]).lower(): str(u["id"]) for u in users.values()}
    variants = variants_of(orders_db.get("products", []))
    cases = []
    for n, row in enumerate(export, start=1):
        ticket_id = str(row.get("ticket_id") or "")
        where = f"export row {n} ({ticket_id or 'no ticket id'})"
        user = by_email.get(str(row.get("customer_email", "")).lower()) or str(row.get("user_id") or "")
        if user not in users:
            raise ValidationError(f"{where}: no user with e-mail {row.get('customer_email')!r} in the order database")
        at = str(row.get("created_at") or "")
        try:
            datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{where}: created_at {at!r} is not an ISO-8601 time") from None
        records = {
            order_id_of(o): order_record(o, cards, at, variants)
            for o in orders_db.get("orders", [])
            if str(o["user_id"]) == user
        }
        outcome = str(row.get("resolution_outcome", "")).strip()
        if outcome not in OUTCOMES:
            raise ValidationError(f"{where}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        category = [c.strip() for c in str(row.get("category", "")).split("+") if c.strip()]
        if unknown := [c for c in category if c not in CASE_TYPES]:
            raise ValidationError(f"{where}: category {unknown[0]!r} is not one of {', '.join(CASE_TYPES)}")
        quoted = str(row.get("order_number") or "").strip()
        order_id = (quoted if quoted.upper().startswith("SO-") else f"SO-{quoted}") if quoted else None
        record = records.get(order_id) if order_id else None
        quoted_elsewhere = [o for o in orders_db.get("orders", []) if order_id and order_id_of(o) == order_id]
        if order_id and record is None and quoted_elsewhere:  # someone else's order: the case must show it exists
            records[order_id] = order_record(quoted_elsewhere[0], cards, at, variants)
        status = "pending" if outcome == "ask_customer" else "solved"
        addresses = users[user].get("addresses") or []
        current = next((a for a in addresses if a.get("default")), addresses[0] if addresses else None)
        account = address_of(current, str(users[user].get("name", "")))
        actions = (
            []
            if outcome == "escalate"
            else _actions(str(row.get("resolution_actions", "")), ticket_id, record, status, account)
        )
        customer = f"U-{user}"
        conditions = [c for c in category if c in CASE_TYPES[-5:]]
        cases.append(
            {
                "format": FORMAT,
                "case_id": f"import-{ticket_id}",
                "ticket": {
                    "ticket_id": ticket_id,
                    "customer_id": customer,
                    "requester": {
                        "customer_id": customer,
                        "name": users[user].get("name", ""),
                        "email": users[user]["email"],
                    },
                    "channel": "portal" if row.get("channel") == "portal" else "email",
                    "subject": str(row.get("subject") or "Imported ticket"),
                    "order_id": None,
                    "status": "new",
                    "priority": "normal",
                    "tags": [],
                    "created_at": at,
                    "updated_at": at,
                    "sla_due_at": at,
                    "messages": [
                        {
                            "message_id": "MSG-1",
                            "direction": "inbound",
                            "author": "customer",
                            "body": str(row.get("message", "")),
                            "sent_at": at,
                        }
                    ],
                },
                "customer": {"customer_id": customer, "current_address": account},
                "orders": records,
                "recent_orders": sorted(
                    (o for o, r in records.items() if r["order"]["customer_id"] == customer), reverse=True
                ),
                "truth": {
                    "intents": [c for c in category if c not in conditions],
                    "order_id": order_id if record else None,
                    "condition": conditions[0] if conditions else None,
                },
                "resolution": {
                    "outcome": outcome,
                    "actions": actions,
                    "reply_mentions": [order_id] if order_id and record and outcome != "escalate" else [],
                    "case_types": category,
                    "reply": row.get("reply", ""),
                },
                "tags": ["imported", *(f"kind:{c}" for c in category)],
            }
        )
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print("usage: importer EXPORT.(csv|json) ORDERS.json OUT.jsonl.gz", file=sys.stderr)
        return 2
    try:
        cases = import_cases(read_export(Path(args[0])), json.loads(Path(args[1]).read_text(encoding="utf-8")))
    except (ValidationError, OSError, KeyError, ValueError) as exc:
        print(f"missions: error: {exc}", file=sys.stderr)
        return 2
    print(f"imported {write(cases, Path(args[2]))} case(s) into {args[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
