"""tau-bench retail's database and training tasks, read from where they are kept (never copied into the project),
and the benchmark's own end-state measure: the database after a list of write actions.

The write actions follow the benchmark's tools (``tau_bench/envs/retail/tools``) as its README and ``wiki.md``
describe them: what each changes in the user, order and gift-card records, and what each refuses (an order not in
the right status, an item not in the order, a variant not available, a gift card without the balance). Two runs
end in the same state when their databases are equal; that is the benchmark's pass. Nothing here knows a mission.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Where the benchmark is kept beside the project (a command-line path overrides it).
DEFAULT_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "tau-retail"
DATA = Path(__file__).resolve().parent / "data"
#: The hand-written first messages (one per task they were written for), kept in the project.
FIRST_MESSAGES = DATA / "first_messages_seen.jsonl"
#: First messages for other tasks (156-255), written by someone who had not read the reader or the first set, from
#: the tasks' instructions only: a measure of how the reading generalises; the reader's authors must not tune to it.
UNSEEN_MESSAGES = DATA / "first_messages_unseen.jsonl"
#: The named sets of first messages (``--messages NAME``; a path names a file of the same format).
MESSAGE_SETS = {"seen": FIRST_MESSAGES, "unseen": UNSEEN_MESSAGES}
#: The benchmark's actions that read or hand off (they change nothing).
READS = ("get_", "find_", "list_", "calculate", "think", "transfer_to_human")
#: The benchmark's order ids as its task instructions write them (its own format, not a customer's wording).
ORDER_ID = re.compile(r"#W\d{7}")

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
    elif name.startswith(READS):
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


def messages_path(choice: str) -> Path:
    """The file of first messages ``--messages`` names: a set's name (:data:`MESSAGE_SETS`) or a path."""
    return MESSAGE_SETS.get(choice) or Path(choice)


def refused_ground_truth(db: Mapping[str, Database], tasks: Iterable[Task]) -> list[str]:
    """The ground-truth actions the benchmark's own tools refuse (they leave the state as it was, as in tau)."""
    refused = []
    for task in tasks:
        state = copy.deepcopy(dict(db))
        for action in task.actions:
            try:
                apply(state, action)
            except ActionRefused as exc:
                refused.append(f"task {task.index}: ground truth {action['name']} refused by the tool: {exc}")
    return refused


def print_figures(figures_of: Callable[[Path], Mapping[str, int]], argv: list[str] | None = None) -> int:
    """A figures command: ``figures_of`` the benchmark at the path the command line gives (or beside the project),
    printed as ``name=value`` on one line; 2 and one line when the benchmark is not there."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    if not (path / "tasks_train.json").exists():
        print(f"no tau-bench retail data at {path} (tasks_train.json missing)", file=sys.stderr)
        return 2
    print(" ".join(f"{k}={v}" for k, v in sorted(figures_of(path).items())))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Check the benchmark at a path: which ground-truth actions its own tools refuse (they leave the state as it
    was, as in tau), and that the hand-written first messages name real tasks."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    if not (path / "tasks_train.json").exists():
        print(f"no tau-bench retail data at {path} (tasks_train.json missing)", file=sys.stderr)
        return 2
    db, tasks = load_database(path), load_tasks(path)
    refused = refused_ground_truth(db, tasks)
    print("\n".join(refused))
    messages = {**load_first_messages(FIRST_MESSAGES), **load_first_messages(UNSEEN_MESSAGES)}
    print(
        f"{len(tasks)} tasks, {len(refused)} ground-truth actions refused, {len(messages)} hand-written first messages"
    )
    return 0 if all(0 <= i < len(tasks) for i in messages) else 1
