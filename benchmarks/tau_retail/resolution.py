"""How the support mission's reader resolves the hand-written tau-bench retail first messages against the
benchmark's database, through the CRM's and the ERP's own lookups: who wrote, and whether the orders the ground
truth writes to are the ones the message names. A measure of the reader's own parts (the benchmark adapter itself
is in the eval layer: :mod:`ai_missions.benchmarks.tau_retail`).

    python -m ai_missions.benchmarks.tau_retail.resolution [PATH]
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ai_missions.benchmarks import tau_retail
from ai_missions.graphs.support.parse import resolve
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.integrations import crm, erp

#: The first messages of tasks below this index were read while the item matching was written.
SEEN = 78


def _directory(db: Mapping[str, tau_retail.Database]) -> sqlite3.Connection:
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
    db, tasks = tau_retail.load_database(path), tau_retail.load_tasks(path)
    messages = tau_retail.load_first_messages()
    conn = _directory(db)
    counts: Counter[str] = Counter()
    for index, message in sorted(messages.items()):
        task = tasks[index]
        counts["tasks"] += 1
        claims = resolve.Claims.of(message)
        mails, codes = list(claims.emails), list(claims.postal_codes)
        found = crm.find_customers(conn, mails, codes).customers if mails or codes else []
        who = resolve.recognised(claims, [c.model_dump() for c in found])
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
        quoted = tau_retail.ORDER_ID.findall(task.instruction)
        given = [ref.lstrip("#") if n % 2 else ref for n, ref in enumerate(quoted)]
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


def main(argv: list[str] | None = None) -> int:
    return tau_retail.print_figures(resolution, argv)


if __name__ == "__main__":
    raise SystemExit(main())
