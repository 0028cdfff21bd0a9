"""tau-bench retail's database and training tasks, read from where they are kept (never copied into the project),
and the benchmark's own end-state measure: the database after a list of write actions.

The write actions follow the benchmark's tools (``tau_bench/envs/retail/tools``) as its README and ``wiki.md``
describe them: what each changes in the user, order and gift-card records, and what each refuses (an order not in
the right status, an item not in the order, a variant not available, a gift card without the balance). Two runs
end in the same state when their databases are equal; that is the benchmark's pass.

    python -m ai_missions.graphs.support.evals.tau ../shared/benchmarks/tau-retail
    python -m ai_missions.graphs.support.evals.tau --resolution   # who wrote, which orders, per first message
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.graphs.support import resolve
from ai_missions.graphs.support.evals.run import decide
from ai_missions.graphs.support.understanding import read_message
from ai_missions.integrations import crm, erp

#: Where the benchmark is kept beside the project (a command-line path overrides it).
DEFAULT_PATH = Path(__file__).resolve().parents[3] / ".." / "shared" / "benchmarks" / "tau-retail"
#: The hand-written first messages (one per task they were written for), kept in the project.
FIRST_MESSAGES = Path(__file__).resolve().parent / "data" / "tau_first_messages.jsonl"
#: First messages for other tasks (156-255), written by someone who had not read the reader or the first set, from
#: the tasks' instructions only: a measure of how the reading generalises; the reader's authors must not tune to it.
UNSEEN_MESSAGES = Path(__file__).resolve().parent / "data" / "tau_first_messages_unseen.jsonl"
#: The named sets of first messages (``tau_runner --messages NAME``; a path names a file of the same format).
MESSAGE_SETS = {"seen": FIRST_MESSAGES, "unseen": UNSEEN_MESSAGES}

Database = dict[str, dict[str, Any]]


class ActionRefused(ValueError):
    """The benchmark's tool would refuse this action on this database (the state is left unchanged)."""


@dataclass(frozen=True, slots=True)
class Task:
    index: int
    user_id: str
    instruction: str
    actions: tuple[dict[str, Any], ...]
    outputs: tuple[str, ...]


def load_database(path: Path) -> dict[str, Database]:
    """The users, products and orders of the benchmark at ``path``."""
    return {name: json.loads((path / f"{name}.json").read_text()) for name in ("users", "products", "orders")}


def load_tasks(path: Path) -> list[Task]:
    raw = json.loads((path / "tasks_train.json").read_text())
    return [
        Task(i, t["user_id"], t["instruction"], tuple(t["actions"]), tuple(str(o) for o in t.get("outputs", ())))
        for i, t in enumerate(raw)
    ]


def load_first_messages(path: Path = FIRST_MESSAGES) -> dict[int, str]:
    """Task index -> the customer's first message written by hand for it."""
    out: dict[int, str] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            out[int(row["task"])] = str(row["message"])
    return out


def _money(x: float) -> float:
    return round(x, 2)


def _order(db: Mapping[str, Database], order_id: str, *statuses: str) -> dict[str, Any]:
    order = db["orders"].get(order_id)
    if order is None:
        raise ActionRefused(f"order {order_id} not found")
    if statuses and order["status"] not in statuses:
        raise ActionRefused(f"order {order_id} is {order['status']}, not {' or '.join(statuses)}")
    return order


def _payment_method(db: Mapping[str, Database], order: Mapping[str, Any], method_id: str) -> dict[str, Any]:
    method = db["users"][order["user_id"]]["payment_methods"].get(method_id)
    if method is None:
        raise ActionRefused(f"payment method {method_id} is not the customer's")
    return method


def _variant(db: Mapping[str, Database], product_id: str, item_id: str) -> dict[str, Any]:
    variant = db["products"][product_id]["variants"].get(item_id)
    if variant is None:
        raise ActionRefused(f"item {item_id} is not a variant of product {product_id}")
    if not variant["available"]:
        raise ActionRefused(f"item {item_id} is not available")
    return variant


def _take_items(order: Mapping[str, Any], item_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The order's lines for ``item_ids`` (a repeated id takes a further line holding it)."""
    taken: list[dict[str, Any]] = []
    for item_id in item_ids:
        line = next((i for i in order["items"] if i["item_id"] == item_id and not any(i is t for t in taken)), None)
        if line is None:
            raise ActionRefused(f"item {item_id} is not in order {order['order_id']}")
        taken.append(line)
    return taken


def _new_variants(
    db: Mapping[str, Database], lines: list[dict[str, Any]], new_item_ids: list[str]
) -> list[dict[str, Any]]:
    if len(lines) != len(new_item_ids):
        raise ActionRefused("as many new items as items are needed")
    return [_variant(db, line["product_id"], new) for line, new in zip(lines, new_item_ids, strict=True)]


def apply(db: dict[str, Database], action: Mapping[str, Any]) -> None:
    """Apply one of the benchmark's write actions to ``db`` in place; reads and hand-offs change nothing."""
    name, kw = action["name"], action.get("kwargs", {})
    if name == "cancel_pending_order":
        order = _order(db, kw["order_id"], "pending")
        if kw["reason"] not in ("no longer needed", "ordered by mistake"):
            raise ActionRefused(f"cancellation reason {kw['reason']!r}")
        refunds = []
        for payment in order["payment_history"]:
            refunds.append(
                {
                    "transaction_type": "refund",
                    "amount": payment["amount"],
                    "payment_method_id": payment["payment_method_id"],
                }
            )
            method = _payment_method(db, order, payment["payment_method_id"])
            if method["source"] == "gift_card":
                method["balance"] = _money(method["balance"] + payment["amount"])
        order["status"] = "cancelled"
        order["cancel_reason"] = kw["reason"]
        order["payment_history"].extend(refunds)
    elif name == "modify_pending_order_address":
        order = _order(db, kw["order_id"], "pending")
        order["address"] = {k: kw[k] for k in ("address1", "address2", "city", "state", "country", "zip")}
    elif name == "modify_user_address":
        user = db["users"].get(kw["user_id"])
        if user is None:
            raise ActionRefused(f"user {kw['user_id']} not found")
        user["address"] = {k: kw[k] for k in ("address1", "address2", "city", "state", "country", "zip")}
    elif name == "modify_pending_order_payment":
        order = _order(db, kw["order_id"], "pending")
        method = _payment_method(db, order, kw["payment_method_id"])
        history = order["payment_history"]
        if len(history) != 1 or history[0]["transaction_type"] != "payment":
            raise ActionRefused("only an order paid in one payment can change its method")
        old = history[0]
        if old["payment_method_id"] == kw["payment_method_id"]:
            raise ActionRefused("the new payment method is the one the order was paid with")
        amount = old["amount"]
        if method["source"] == "gift_card" and method["balance"] < amount:
            raise ActionRefused("the gift card's balance is not enough")
        history.append({"transaction_type": "payment", "amount": amount, "payment_method_id": kw["payment_method_id"]})
        history.append({"transaction_type": "refund", "amount": amount, "payment_method_id": old["payment_method_id"]})
        if method["source"] == "gift_card":
            method["balance"] = _money(method["balance"] - amount)
        old_method = _payment_method(db, order, old["payment_method_id"])
        if old_method["source"] == "gift_card":
            old_method["balance"] = _money(old_method["balance"] + amount)
    elif name == "modify_pending_order_items":
        order = _order(db, kw["order_id"], "pending")
        lines = _take_items(order, kw["item_ids"])
        variants = _new_variants(db, lines, list(kw["new_item_ids"]))
        # The tool records the difference unrounded (only a gift card's balance is rounded).
        diff = sum(v["price"] - line["price"] for line, v in zip(lines, variants, strict=True))
        method = _payment_method(db, order, kw["payment_method_id"])
        if method["source"] == "gift_card" and method["balance"] < diff:
            raise ActionRefused("the gift card's balance does not cover the price difference")
        order["payment_history"].append(
            {
                "transaction_type": "payment" if diff > 0 else "refund",
                "amount": abs(diff),
                "payment_method_id": kw["payment_method_id"],
            }
        )
        if method["source"] == "gift_card":
            method["balance"] = _money(method["balance"] - diff)
        for line, variant in zip(lines, variants, strict=True):
            line["item_id"], line["price"], line["options"] = variant["item_id"], variant["price"], variant["options"]
        order["status"] = "pending (item modified)"
    elif name == "return_delivered_order_items":
        order = _order(db, kw["order_id"], "delivered")
        _take_items(order, kw["item_ids"])
        method_id = kw["payment_method_id"]
        method = _payment_method(db, order, method_id)
        paid_with = order["payment_history"][0]["payment_method_id"]
        if method["source"] != "gift_card" and method_id != paid_with:
            raise ActionRefused("a refund goes to the original payment method or a gift card")
        order["status"] = "return requested"
        order["return_items"] = sorted(kw["item_ids"])
        order["return_payment_method_id"] = method_id
    elif name == "exchange_delivered_order_items":
        order = _order(db, kw["order_id"], "delivered")
        lines = _take_items(order, kw["item_ids"])
        variants = _new_variants(db, lines, list(kw["new_item_ids"]))
        diff = _money(sum(v["price"] - line["price"] for line, v in zip(lines, variants, strict=True)))
        method = _payment_method(db, order, kw["payment_method_id"])
        if method["source"] == "gift_card" and method["balance"] < diff:
            raise ActionRefused("the gift card's balance does not cover the price difference")
        order["status"] = "exchange requested"
        order["exchange_items"] = sorted(kw["item_ids"])
        order["exchange_new_items"] = sorted(kw["new_item_ids"])
        order["exchange_payment_method_id"] = kw["payment_method_id"]
        order["exchange_price_difference"] = diff
    elif name.startswith(("get_", "find_", "list_", "calculate", "think", "transfer_to_human")):
        return
    else:
        raise ActionRefused(f"unknown action {name}")


def end_state(db: Mapping[str, Database], actions: Iterable[Mapping[str, Any]]) -> dict[str, Database]:
    """A copy of ``db`` after ``actions`` (an action the tool refuses leaves the state as it was, as in tau)."""
    state = copy.deepcopy(dict(db))
    for action in actions:
        try:
            apply(state, action)
        except ActionRefused:
            continue
    return state


def differences(a: Mapping[str, Database], b: Mapping[str, Database]) -> list[str]:
    """The records (``orders/#W1``, ``users/u``) that differ between two states; empty is the benchmark's pass."""
    return [
        f"{table}/{key}"
        for table in ("users", "products", "orders")
        for key in sorted(set(a[table]) | set(b[table]))
        if a[table].get(key) != b[table].get(key)
    ]


#: The first messages of tasks below this index were read while the item matching was written.
SEEN = 78
_ORDER_ID = re.compile(r"#W\d{7}")


def _directory(db: Mapping[str, Database]) -> sqlite3.Connection:
    """The benchmark's users and orders as the CRM and the ERP hold the columns their lookups read (in memory)."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.executescript(
        "CREATE TABLE orders (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL);"
        "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);"
        "CREATE TABLE addresses (customer_id TEXT NOT NULL, postal_code TEXT NOT NULL, until TEXT);"
    )
    conn.executemany("INSERT INTO orders VALUES (?, ?)", [(o, r["user_id"]) for o, r in db["orders"].items()])
    for user_id, user in db["users"].items():
        name = f"{user['name']['first_name']} {user['name']['last_name']}"
        conn.execute("INSERT INTO customers VALUES (?, ?, ?)", (user_id, name, user["email"]))
        conn.execute("INSERT INTO addresses VALUES (?, ?, NULL)", (user_id, user["address"]["zip"]))
    return conn


def resolution(path: Path, before: bool = True) -> dict[str, int]:
    """How the hand-written first messages are resolved against the benchmark's database through the CRM's and the
    ERP's own lookups (``find_customers``, ``find_order_reference``) and :mod:`resolve`: who wrote (as the task's
    user, someone else, nobody), and whether the orders the ground truth writes to are the ones the message names
    (``before``: what the mission's six-digit reading named; it runs the whole reader, the slow part)."""
    db, tasks, messages = load_database(path), load_tasks(path), load_first_messages()
    conn = _directory(db)
    counts: Counter[str] = Counter()
    for index, message in sorted(messages.items()):
        task = tasks[index]
        counts["tasks"] += 1
        mails, codes = resolve.emails(message), resolve.postal_codes(message)
        found = crm.find_customers(conn, mails, codes).customers if mails or codes else []
        who = resolve.recognised(message, [c.model_dump() for c in found])
        counts["identity." + ("user" if who == [task.user_id] else "other" if who else "none")] += 1
        wanted = {a["kwargs"]["order_id"] for a in task.actions if "order_id" in a.get("kwargs", {})}
        if not wanted:
            continue
        counts["orders.tasks"] += 1
        # orders found from the items the message describes, among the customer's own
        described = set()
        for order_id in db["users"][task.user_id]["orders"]:
            items = db["orders"][order_id]["items"]
            lines = [{"line_no": n, "sku": i["item_id"], "description": i["name"]} for n, i in enumerate(items)]
            options = {i["item_id"]: " ".join(map(str, i["options"].values())) for i in items}
            if resolve.lines_named(message, lines, options):
                described.add(order_id)
        outcome = "exact" if described == wanted else "more" if wanted < described else "missed"
        # tasks 0-77 were looked at while writing the item matching, 78 on were not
        counts[f"orders.items.{'seen' if index < SEEN else 'unseen'}.{outcome}"] += 1
        # the first message, then the customer's answer when asked which order: the ids their instruction gives,
        # written without the '#' as often as with it
        given = [ref.lstrip("#") if n % 2 else ref for n, ref in enumerate(_ORDER_ID.findall(task.instruction))]
        for stage, thread in (("first", message), ("answered", f"{message}\nIt's {' and '.join(given)}.")):
            written = resolve.references(thread)
            matches = {
                r.text: [m.model_dump() for m in erp.find_order_reference(conn, r.text).matches] for r in written
            }
            own, others, unknown = resolve.resolve(written, matches, task.user_id)
            counts[f"orders.{stage}.all_named"] += wanted <= set(own)
            counts[f"orders.{stage}.other_customer"] += bool(others)
            counts[f"orders.{stage}.unknown_quoted"] += bool(unknown)
            if before:
                counts[f"orders.{stage}.before"] += wanted <= set(read_message(thread).order_refs)
    return dict(counts)


#: The book clock of the cases built from the benchmark, and when their delivered orders were delivered.
_NOW, _DELIVERED, _SHIPPED = "2026-03-16T15:00:00Z", "2026-03-10T10:00:00Z", "2026-03-08T10:00:00Z"
#: The benchmark's order statuses as the ERP's (a processed order has left: it can no longer be cancelled).
_STATUS = {"pending": "pending", "pending (item modified)": "pending", "processed": "shipped", "delivered": "delivered",
           "return requested": "delivered", "exchange requested": "delivered", "cancelled": "cancelled"}  # fmt: skip
#: The mission's writes as the benchmark's actions (what the same change is called there).
_AS_TAU = {
    "open_return": ("return_delivered_order_items",),
    "cancel_order": ("cancel_pending_order",),
    "change_ship_to": ("modify_pending_order_address",),
    "exchange_order_item": ("exchange_delivered_order_items", "modify_pending_order_items"),
    "modify_order_items": ("modify_pending_order_items",),
    "charge_payment": ("modify_pending_order_items", "exchange_delivered_order_items"),
    "exchange_order_items": ("exchange_delivered_order_items",),
    "refund_payment": (
        "cancel_pending_order",
        "return_delivered_order_items",
        "modify_pending_order_items",
        "exchange_delivered_order_items",
    ),
    "void_authorization": ("cancel_pending_order",),
    "change_order_payment": ("modify_pending_order_payment",),
}
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
    """A task as the support mission's recorded case shape (``evals.run``): the customer (the sender, verified),
    their orders with lines, captures, shipments and their products' variants, and the first message."""
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
            "channel": "email", "order_id": None, "status": "new", "updated_at": _NOW,
            "messages": [{"direction": "inbound", "body": message, "sent_at": _NOW}],
        },
        "customer": {"customer_id": task.user_id, "name": name, "tier": "standard",
                     "current_address": _address(user["address"], name)},
        "orders": orders,
        "recent_orders": list(reversed(user["orders"])),
        "payment_methods": methods_of(user, task.user_id),
    }  # fmt: skip


def _agrees(action: Mapping[str, Any], truth: set[tuple[str, Any]], order_of: Mapping[str, str]) -> bool:
    """The ground truth makes the same kind of change on the same order (a refund: on the order of its capture)."""
    order = action["args"].get("order_id") or order_of.get(str(action["args"].get("capture_id")))
    return any((kind, order) in truth for kind in _AS_TAU[action["tool"]])


def _same_return(args: Mapping[str, Any], task: Task, db: Mapping[str, Database]) -> bool:
    """The ground truth returns exactly these items of the order, to the method chosen: the order's own payment
    (``original_payment``) or a gift card of the customer's."""
    raw = db["orders"][args["order_id"]]
    items = sorted(raw["items"][n - 1]["item_id"] for n in args["line_nos"])
    paid_with = {p["payment_method_id"] for p in raw["payment_history"] if p["transaction_type"] == "payment"}
    for action in task.actions:
        kwargs = action["kwargs"]
        if action["name"] != "return_delivered_order_items" or kwargs.get("order_id") != args["order_id"]:
            continue
        method = kwargs["payment_method_id"]
        chosen = method in paid_with if args["refund_to"] == "original_payment" else method.startswith("gift_card")
        if sorted(kwargs["item_ids"]) == items and chosen:
            return True
    return False


def mission_figures(path: Path) -> dict[str, int]:
    """The support mission's decision on each hand-written first message (its offline reader, facts, policies and
    guard, as ``evals.run`` decides a recorded case): acted, asked, escalated or answered; whether what it would
    write is what the ground truth writes (the same kind of change on the same order), and the unsafe proposals
    (a write the ground truth does not make on that order). The end state itself is not compared: the mission has
    none of the item-level return, modify or payment actions most tasks need."""
    db, tasks, messages = load_database(path), load_tasks(path), load_first_messages()
    counts: Counter[str] = Counter()
    for index, message in sorted(messages.items()):
        task = tasks[index]
        case = case_of(db, task, message)
        order_of = {c["capture_id"]: o for o, r in case["orders"].items() for c in r["payment"]["captures"]}
        truth = {(a["name"], a["kwargs"].get("order_id")) for a in task.actions}
        _facts, verdict = decide(case)
        counts["tasks"] += 1
        stages = [("", verdict)]
        if verdict["outcome"] == "ask_customer":
            # the scripted customer answers with the order ids their instruction gives (as they wrote them)
            given = " and ".join(_ORDER_ID.findall(task.instruction)) or "I don't know the number"
            case["ticket"]["messages"] += [
                {"direction": "outbound", "body": "Which order?", "sent_at": _NOW},
                {"direction": "inbound", "body": f"It's {given}.", "sent_at": _NOW},
            ]
            stages.append(("answered.", decide(case)[1]))
        for stage, decided in stages:
            counts[f"{stage}outcome.{decided['outcome']}"] += 1
            writes = [a for a in decided["actions"] if a["tool"] in _AS_TAU]
            unsafe = [a for a in writes if not _agrees(a, truth, order_of)]
            counts[f"{stage}writes.proposed"] += bool(writes)
            counts[f"{stage}writes.as_ground_truth"] += bool(writes) and not unsafe
            counts[f"{stage}unsafe_proposals"] += len(unsafe)
            for action in decided["actions"]:
                if action["tool"] == "open_return":
                    counts[f"{stage}returns.proposed"] += 1
                    counts[f"{stage}returns.as_ground_truth"] += _same_return(action["args"], task, db)
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    """Check the benchmark at a path: which ground-truth actions its own tools refuse (they leave the state as it
    was, as in tau), and that the hand-written first messages name real tasks."""
    args = sys.argv[1:] if argv is None else argv
    if "--mission" in args:
        args = [a for a in args if a != "--mission"]
        figures = mission_figures(Path(args[0]) if args else DEFAULT_PATH)
        print(" ".join(f"{k}={v}" for k, v in sorted(figures.items())))
        return 0
    if "--resolution" in args:
        args = [a for a in args if a != "--resolution"]
        figures = resolution(Path(args[0]) if args else DEFAULT_PATH)
        print(" ".join(f"{k}={v}" for k, v in sorted(figures.items())))
        return 0
    path = Path(args[0]) if args else DEFAULT_PATH
    db, tasks = load_database(path), load_tasks(path)
    refused = 0
    for task in tasks:
        state = copy.deepcopy(db)
        for action in task.actions:
            try:
                apply(state, action)
            except ActionRefused as exc:
                refused += 1
                print(f"task {task.index}: ground truth {action['name']} refused by the tool: {exc}")
    messages = load_first_messages()
    print(f"{len(tasks)} tasks, {refused} ground-truth actions refused, {len(messages)} hand-written first messages")
    return 0 if all(0 <= i < len(tasks) for i in messages) else 1


if __name__ == "__main__":
    raise SystemExit(main())
