"""Small retail databases in the benchmark's shape, written in the tests (never the benchmark's data), and the
support mission's decision on a first message against one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import NOW, case_of
from ai_missions.kernel.eval_plugin import plugin_of

#: Tools that write nothing of the customer's records (the reply and the note).
NOT_WRITES = ("send_ticket_reply", "add_ticket_note")


def place(line1: str, city: str, state: str, zip_code: str) -> dict[str, str]:
    return {"address1": line1, "address2": "", "city": city, "state": state, "zip": zip_code, "country": "USA"}


def item(name: str, product: str, item_id: str, price: float, **options: str) -> dict[str, Any]:
    """An order's line: a product's variant at its price."""
    return {"name": name, "product_id": product, "item_id": item_id, "price": price, "options": options}


#: The home and the items most support tests' customers have (each test adds the ones its story needs).
HOME = place("9 Elm St", "Boise", "ID", "83702")
LAMP = item("Desk Lamp", "lamp", "LAMP-W", 40.0, color="white")
RUG = item("Area Rug", "rug", "RUG-B", 120.0, color="blue")


def catalogue(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The products holding these items, each item an available variant."""
    products: dict[str, Any] = {}
    for i in items:
        variant = {"item_id": i["item_id"], "price": i["price"], "options": dict(i["options"]), "available": True}
        products.setdefault(i["product_id"], {"variants": {}})["variants"][i["item_id"]] = variant
    return products


def card(method_id: str, last_four: str) -> dict[str, dict[str, str]]:
    """A credit card on file, by its id."""
    return {method_id: {"id": method_id, "source": "credit_card", "last_four": last_four}}


def customer(
    name: str, address: Mapping[str, str], orders: Iterable[str], methods: Mapping[str, Any]
) -> dict[str, Any]:
    """A customer record: ``name`` is "First Last"; the e-mail is made of it."""
    first, last = name.split(" ", 1)
    return {
        "name": {"first_name": first, "last_name": last},
        "email": f"{first}.{last}@example.com".lower(),
        "address": dict(address),
        "orders": list(orders),
        "payment_methods": dict(methods),
    }


def order(
    order_id: str,
    user_id: str,
    status: str,
    address: Mapping[str, str],
    items: Iterable[Mapping[str, Any]],
    paid_with: str,
) -> dict[str, Any]:
    """An order paid in full with one method, nothing fulfilled yet."""
    lines = [dict(i) for i in items]
    paid = {"transaction_type": "payment", "amount": sum(x["price"] for x in lines), "payment_method_id": paid_with}
    return {"order_id": order_id, "user_id": user_id, "status": status, "address": dict(address), "items": lines,
            "fulfillments": [], "payment_history": [paid]}  # fmt: skip


def one_customer(
    orders: Mapping[str, Iterable[Mapping[str, Any]]],
    *more: Mapping[str, Any],
    status: str = "delivered",
    home: Mapping[str, str] = HOME,
) -> dict[str, Any]:
    """A customer (u1, Kim Lane, card ending 1111) with these orders, all in one ``status``; the catalogue holds their
    items and the ``more`` variants."""
    everything = [i for items in orders.values() for i in items]
    return {
        "users": {"u1": customer("Kim Lane", home, list(orders), card("credit_card_1", "1111"))},
        "products": catalogue([*everything, *more]),
        "orders": {o: order(o, "u1", status, home, items, "credit_card_1") for o, items in orders.items()},
    }


def decide(db: dict[str, tau.Database], user_id: str, message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The support mission's facts and verdict on ``message``, the first message of ``user_id``'s ticket."""
    task = tau.Task(index=0, user_id=user_id, instruction="", actions=(), outputs=())
    facts, verdict = plugin_of("support").decide(case_of(db, task, message))
    return facts, verdict


def writes(verdict: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The verdict's writes of the customer's records, by tool."""
    return {a["tool"]: a["args"] for a in verdict["actions"] if a["tool"] not in NOT_WRITES}


def decide_thread(
    db: dict[str, tau.Database], user_id: str, *messages: str, asked: str = "Which one would you like?"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The support mission's facts and verdict after ``user_id``'s messages, each answer after a reply of ours
    (``asked``)."""
    case = case_of(db, tau.Task(index=0, user_id=user_id, instruction="", actions=(), outputs=()), messages[0])
    for answer in messages[1:]:
        case["ticket"]["messages"] += [
            {"direction": "outbound", "body": asked, "sent_at": NOW},
            {"direction": "inbound", "body": answer, "sent_at": NOW},
        ]
    facts, verdict = plugin_of("support").decide(case)
    return facts, verdict
