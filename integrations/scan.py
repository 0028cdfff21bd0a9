"""The trigger scan: which orders are broken right now, and how. Computed from the five systems' current state
(never from stored labels), so an exception disappears once a mission has fixed it.

Rules (``open`` = ERP status not shipped, delivered or cancelled):
- payment_review: open, and ERP status payment_review or an active payment hold.
- auth_expiring: open, an uncaptured authorization expiring within 24 hours of the book clock.
- oversell: open, a pending reservation whose location has fewer units available than it needs while another
  location has enough (by the system and by its latest cycle count, if any).
- phantom_inventory: open, a pending or confirmed reservation at a location whose latest cycle count found fewer
  units than the system's on-hand, too few to serve it (pending: counted - reserved < quantity; confirmed:
  counted < reserved).
- address_invalid: open, the ship-to validates as corrected (fixable) or undeliverable.
- duplicate_order: open, and an earlier open order of the same customer with the same items placed at most
  :data:`DUPLICATE_WINDOW_MINUTES` before it.
- double_charge: two or more captures whose net total (after refunds) exceeds the order total.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel

from ai_missions.integrations.store import book_now, from_ts, hours_between, money
from ai_missions.integrations.systems import connect

#: The kinds of order exception the report knows, in the order it lists them.
EXCEPTION_TYPES: tuple[str, ...] = (
    "payment_review",
    "auth_expiring",
    "oversell",
    "phantom_inventory",
    "address_invalid",
    "duplicate_order",
    "double_charge",
)
AUTH_EXPIRY_HOURS = 24.0
DUPLICATE_WINDOW_MINUTES = 60


class OrderException(BaseModel):
    """One broken order: its exception types (in vocabulary order) and a short detail per type."""

    order_id: str
    customer_id: str
    status: str
    placed_at: str
    total: float
    types: list[str]
    details: dict[str, str]


def scan_exceptions(home: Path | None = None) -> list[OrderException]:
    """Every order in exception in the book under ``home`` (default ``MISSIONS_HOME``), by order id."""
    erp, pay, inv, ship = (connect(s, home) for s in ("erp", "payments", "inventory", "shipping"))
    try:
        now = book_now(erp)
        orders = {r["order_id"]: r for r in erp.execute("SELECT * FROM orders")}
        open_ids = {oid for oid, r in orders.items() if r["status"] not in ("shipped", "delivered", "cancelled")}
        found: dict[str, dict[str, str]] = defaultdict(dict)

        # payment_review
        held = {r[0] for r in pay.execute("SELECT DISTINCT order_id FROM payment_holds WHERE status = 'active'")}
        scores = {
            r[0]: (r[1], json.loads(r[2]))
            for r in pay.execute("SELECT order_id, score, reasons FROM fraud_assessments")
        }
        for oid in sorted(open_ids):
            if orders[oid]["status"] == "payment_review" or oid in held:
                score, reasons = scores.get(oid, (None, []))
                hold = "payment hold active" if oid in held else "no payment hold"
                found[oid]["payment_review"] = f"fraud score {score} ({', '.join(reasons) or 'no reasons'}); {hold}"

        # auth_expiring
        for r in pay.execute(
            "SELECT authorization_id, order_id, expires_at FROM authorizations WHERE status = 'authorized'"
        ):
            left = hours_between(from_ts(r["expires_at"]), now)
            if r["order_id"] in open_ids and 0 <= left <= AUTH_EXPIRY_HOURS:
                found[r["order_id"]]["auth_expiring"] = f"{r['authorization_id']} uncaptured, expires in {left:.1f} h"

        # double_charge
        refunded = dict(pay.execute("SELECT order_id, SUM(amount_cents) FROM refunds GROUP BY order_id").fetchall())
        for r in pay.execute(
            "SELECT order_id, COUNT(*) AS n, SUM(amount_cents) AS total FROM captures GROUP BY order_id HAVING n >= 2"
        ):
            order = orders.get(r["order_id"])
            net = r["total"] - refunded.get(r["order_id"], 0)
            if order is not None and net > order["total_cents"]:
                found[r["order_id"]]["double_charge"] = (
                    f"{r['n']} captures, net {money(net):.2f} captured on an order of {money(order['total_cents']):.2f}"
                )

        # oversell and phantom_inventory
        on_hand = {(r[0], r[1]): r[2] for r in inv.execute("SELECT sku, location_id, on_hand FROM stock")}
        reserved: Counter[tuple[str, str]] = Counter()
        for r in inv.execute(
            "SELECT sku, location_id, SUM(quantity) FROM reservations WHERE status = 'confirmed' "
            "GROUP BY sku, location_id"
        ):
            reserved[(r[0], r[1])] = r[2]
        latest: dict[tuple[str, str], int] = {}
        for r in inv.execute("SELECT sku, location_id, counted_qty FROM cycle_counts ORDER BY counted_at, count_id"):
            latest[(r[0], r[1])] = r[2]
        locations = sorted({loc for _, loc in on_hand})
        for r in inv.execute(
            "SELECT * FROM reservations WHERE status IN ('pending', 'confirmed') ORDER BY order_id, line_no"
        ):
            oid, sku, loc, qty = r["order_id"], r["sku"], r["location_id"], r["quantity"]
            if oid not in open_ids:
                continue
            pending = r["status"] == "pending"
            free = on_hand.get((sku, loc), 0) - reserved[(sku, loc)]
            if pending and free < qty:
                alternates = [
                    x
                    for x in locations
                    if x != loc
                    and on_hand.get((sku, x), 0) - reserved[(sku, x)] >= qty
                    and latest.get((sku, x), qty + reserved[(sku, x)]) - reserved[(sku, x)] >= qty
                ]
                if alternates:
                    found[oid]["oversell"] = (
                        f"{r['reservation_id']} needs {qty} x {sku} at {loc} ({max(free, 0)} available); "
                        f"{alternates[0]} can serve it"
                    )
            counted = latest.get((sku, loc))
            short_by_count = counted is not None and counted - reserved[(sku, loc)] < (qty if pending else 0)
            if counted is not None and counted < on_hand.get((sku, loc), 0) and short_by_count:
                found[oid]["phantom_inventory"] = (
                    f"{sku} at {loc}: system on-hand {on_hand.get((sku, loc), 0)}, latest cycle count {counted}"
                )

        # address_invalid
        for r in ship.execute(
            "SELECT order_id, validation_status, issues FROM order_addresses WHERE validation_status != 'valid'"
        ):
            if r["order_id"] in open_ids:
                issues = ", ".join(json.loads(r["issues"]))
                found[r["order_id"]]["address_invalid"] = f"{r['validation_status']} ({issues})"

        # duplicate_order
        items: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in erp.execute("SELECT order_id, sku, quantity FROM order_lines ORDER BY order_id, line_no"):
            if r[0] in open_ids:
                items[r[0]].append((r[1], r[2]))
        groups: dict[tuple[str, tuple[tuple[str, int], ...]], list[str]] = defaultdict(list)
        for oid in sorted(open_ids, key=lambda o: (orders[o]["placed_at"], o)):
            groups[(orders[oid]["customer_id"], tuple(sorted(items[oid])))].append(oid)
        window = timedelta(minutes=DUPLICATE_WINDOW_MINUTES)
        for same in groups.values():
            for earlier, later in pairwise(same):
                gap = from_ts(orders[later]["placed_at"]) - from_ts(orders[earlier]["placed_at"])
                if gap <= window:
                    found[later]["duplicate_order"] = (
                        f"same items as {earlier}, placed {gap.total_seconds() / 60:.1f} min earlier"
                    )
    finally:
        for conn in (erp, pay, inv, ship):
            conn.close()

    rows = []
    for oid in sorted(found):
        order = orders[oid]
        types = [t for t in EXCEPTION_TYPES if t in found[oid]]
        rows.append(
            OrderException(
                order_id=oid,
                customer_id=order["customer_id"],
                status=order["status"],
                placed_at=order["placed_at"],
                total=money(order["total_cents"]),
                types=types,
                details={t: found[oid][t] for t in types},
            )
        )
    return rows
