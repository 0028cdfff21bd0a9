"""How a seasoned retail operations team resolves a flagged order, written from the raw rows of a snapshot.

Deliberately independent of the mission: it imports neither the reasoner, the policies nor the mission's facts; it
reads the OMS and store rows the way the team reads its screens. Where the team's habits differ from the written
policies the labels say so (``judgment:`` tags).

The team's rules, by exception (a combined case takes every view; the most severe outcome wins: escalate >
cancel > substitute > reallocate > notify > reconcile > dismiss; actions are the union, an escalation has none;
every order they resolve without escalating gets an internal note):

- **Stock a store can sell** is what the last count saw less what sold since; units beyond that are phantom.
- **Pickup the store cannot serve**: a store they do not know is escalated. Otherwise another store in the region
  with the stock, else the DC, gets the order (the customer is asked to agree); with neither, a substitute of the
  same family that the pickup store can sell, priced within 15% of the item (the closest in price), is offered:
  the customer is asked first, and never pays more; without one, the order is cancelled with goodwill (10% of the
  order, 5 to 50) and the customer told. *Judgment*: an order above 400 is
  never cancelled without a manager's call: escalated.
- **Phantom stock** (two units or more the count does not see, and the order short): quarantine and recount the
  SKU there; reallocate the order, or (pickup) offer a substitute, or cancel it with goodwill.
- **Inbound delay** on a promotion (the shipment now lands after the promised date, the order short): reallocate
  when stock is elsewhere, else tell the customer; merchandising is always told. *Judgment*: a delay of two days
  or less is not worth a customer notice.
- **Return not on the ledger** after a day: post it at the refund given. *Judgment*: refunds above 300 go to
  finance (escalated) instead.
- **VIP short of stock**: reallocate with goodwill and a notice; without an alternative, escalate.
- **Nothing wrong**: dismiss.

:data:`NOISE_RATE` of the cases carry an inconsistent human decision (a forgotten notice, a needless escalation).
Every case also says whether the team found anything wrong (``labelled:exception`` or ``labelled:clean``),
whatever they then decided: that is what exception detection is scored against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.evals.api import Label, keyed_rng, snapshot_time

NOISE_RATE = 0.05
SEVERITY = {"dismiss": 0, "reconcile": 1, "notify": 2, "reallocate": 3, "substitute": 4, "cancel": 5, "escalate": 6}
SUBSTITUTE_BAND = 0.15
ORDER = (
    "quarantine_stock",
    "create_recount_task",
    "reallocate_order",
    "cancel_omni_order",
    "post_return_adjustment",
    "issue_goodwill_credit",
    "notify_customer",
    "offer_substitution",
    "notify_merchandising",
    "add_order_note",
)
KEY_ARGS = ("order_id", "location_id", "sku", "return_id", "amount", "topic", "promo_id", "substitute_sku")


def _sellable(row: Mapping[str, Any]) -> int:
    return 0 if row["quarantined"] else max(row["counted_qty"] - row["sold_since_count"], 0)


def label(snapshot: Mapping[str, Any], order_id: str, *, seed: int, case_key: str) -> Label:
    oms, stores = snapshot["systems"]["oms"], snapshot["systems"]["stores"]
    now = snapshot_time(next(r["value"] for r in oms["meta"] if r["key"] == "book_now"))
    order = next(r for r in oms["orders"] if r["order_id"] == order_id)
    line = next(r for r in oms["order_lines"] if r["order_id"] == order_id)
    customer = next(r for r in oms["customers"] if r["customer_id"] == order["customer_id"])
    allocation = next(r for r in oms["allocations"] if r["order_id"] == order_id)
    locations = {r["location_id"]: r for r in stores["locations"]}
    sku, qty, where = line["sku"], line["quantity"], allocation["location_id"]
    rows = {r["location_id"]: r for r in stores["stock"] if r["sku"] == sku}
    here = rows.get(where)
    short = here is None or _sellable(here) < qty
    phantom = here is not None and here["on_hand"] - _sellable(here) >= 2
    region = locations[where]["region"] if where in locations else None
    pickup = order["fulfilment"] == "pickup"

    candidates = [(loc, r) for loc, r in rows.items() if loc != where and _sellable(r) >= qty and loc in locations]

    def best(test: Any) -> str | None:
        found = [(_sellable(r), loc) for loc, r in candidates if test(locations[loc])]
        return max(found)[1] if found else None

    alternative = (
        best(lambda loc: loc["kind"] == "store" and loc["region"] == region)
        or best(lambda loc: loc["kind"] == "dc")
        or (None if pickup else best(lambda loc: loc["kind"] == "store"))
    )
    price = line["unit_price_cents"]
    substitutes = [
        (abs(r["unit_price_cents"] - price), r["substitute_sku"], r["unit_price_cents"])
        for r in stores.get("substitutes", [])
        if r["sku"] == sku
        and abs(r["unit_price_cents"] - price) <= price * SUBSTITUTE_BAND
        and any(
            x["location_id"] == where and x["sku"] == r["substitute_sku"] and _sellable(x) >= qty
            for x in stores["stock"]
        )
    ]
    substitute = min(substitutes) if pickup and substitutes else None
    total = order["total_cents"] / 100
    goodwill = round(min(max(total * 0.10, 5.0), 50.0), 2)

    views: list[tuple[str, list[dict[str, Any]], str]] = []
    tags: list[str] = []

    def act(tool: str, **args: Any) -> dict[str, Any]:
        return {"tool": tool, "args": args}

    def reallocate_or_cancel(topic_on_move: str = "reallocation_consent") -> tuple[str, list[dict[str, Any]]]:
        if alternative:
            return "reallocate", [
                act("reallocate_order", order_id=order_id, location_id=alternative),
                act("notify_customer", order_id=order_id, topic=topic_on_move, message="..."),
            ]
        if substitute:
            _, other, cents = substitute
            return "substitute", [
                act("notify_customer", order_id=order_id, topic="substitution_consent", message="..."),
                act("offer_substitution", order_id=order_id, substitute_sku=other, location_id=where,
                    unit_price=cents / 100),
            ]  # fmt: skip
        return "cancel", [
            act("cancel_omni_order", order_id=order_id, reason="No location can fulfil the order"),
            act("issue_goodwill_credit", order_id=order_id, amount=goodwill, reason="Order could not be fulfilled"),
            act("notify_customer", order_id=order_id, topic="cancellation", message="..."),
        ]

    if pickup and (where not in locations):
        views.append(("escalate", [], "pickup store unknown"))
    elif pickup and short:
        outcome, actions = reallocate_or_cancel()
        if outcome == "cancel" and total > 400:
            views.append(("escalate", [], "high-value order: a manager calls before cancelling"))
            tags.append("judgment:high-value-no-cancel")
        else:
            views.append((outcome, actions, "pickup store short"))
    if phantom and short:
        outcome, actions = reallocate_or_cancel()
        if outcome in ("reallocate", "substitute"):
            actions = [a for a in actions if a["tool"] != "notify_customer"] + (
                [a for a in actions if a["tool"] == "notify_customer"] if pickup else []
            )
        stock_actions = [
            act("quarantine_stock", location_id=where, sku=sku, reason="phantom"),
            act("create_recount_task", location_id=where, sku=sku),
        ]
        views.append((outcome, stock_actions + actions, "phantom stock"))
    promo = next((p for p in stores["promotions"] if p["promo_id"] == order["promo_id"]), None)
    shipments = [s for s in stores["inbound_shipments"] if s["sku"] == sku and s["eta"] > s["original_eta"]]
    if promo and shipments and short:
        late = max(shipments, key=lambda s: s["eta"])
        if snapshot_time(late["eta"]) > snapshot_time(order["promised_at"]):
            delay = (snapshot_time(late["eta"]) - snapshot_time(late["original_eta"])).total_seconds() / 86400
            merch = act("notify_merchandising", promo_id=promo["promo_id"], message="...")
            if alternative:
                views.append(("reallocate", [act("reallocate_order", order_id=order_id, location_id=alternative),
                                             merch], "inbound delay"))  # fmt: skip
            elif delay <= 2:
                views.append(("notify", [merch], "short delay: no customer notice"))
                tags.append("judgment:short-delay-no-notice")
            else:
                views.append(("notify", [act("notify_customer", order_id=order_id, topic="delay", message="..."),
                                         merch], "inbound delay"))  # fmt: skip
    for ret in oms["returns"]:
        if ret["order_id"] == order_id and not ret["posted"]:
            if (now - snapshot_time(ret["processed_at"])).total_seconds() > 24 * 3600:
                refund = ret["refund_cents"] / 100
                if refund > 300:
                    views.append(("escalate", [], "large refund: finance posts it"))
                    tags.append("judgment:large-refund-to-finance")
                else:
                    views.append(("reconcile", [act("post_return_adjustment", return_id=ret["return_id"],
                                                    amount=refund)], "return not posted"))  # fmt: skip
            break
    if customer["tier"] == "vip" and (short or where not in locations):
        if alternative:
            views.append(("reallocate", [
                act("reallocate_order", order_id=order_id, location_id=alternative),
                act("issue_goodwill_credit", order_id=order_id, amount=goodwill, reason="Service recovery"),
                act("notify_customer", order_id=order_id, topic="reallocation_consent", message="..."),
            ], "VIP stock conflict"))  # fmt: skip
        else:
            views.append(("escalate", [], "VIP without an alternative"))
    tags.append("labelled:exception" if views else "labelled:clean")
    if not views:
        views.append(("dismiss", [], "nothing wrong"))

    outcome = max((v[0] for v in views), key=SEVERITY.__getitem__)
    plan: list[dict[str, Any]] = []
    if outcome != "escalate":
        seen: set[tuple[Any, ...]] = set()
        for _, view_actions, _ in views:
            for a in view_actions:
                if outcome != "cancel" or a["tool"] != "reallocate_order":
                    key = (a["tool"], *(a["args"].get(k) for k in KEY_ARGS))
                    if key not in seen:
                        seen.add(key)
                        plan.append(a)
        plan.sort(key=lambda a: ORDER.index(a["tool"]))
    note = "; ".join(v[2] for v in views)
    rng = keyed_rng(f"{seed}:{case_key}")
    if rng.random() < NOISE_RATE:
        if plan and rng.random() < 0.5:
            plan = plan[:-1]
            tags.append("noise:forgotten-action")
        else:
            outcome, plan = "escalate", []
            tags.append("noise:needless-escalation")
    if outcome != "escalate":  # the team leaves a note on every order it resolves
        plan.append(act("add_order_note", order_id=order_id, body="..."))
    return Label(outcome, plan, rng.choice(("rhea", "vik", "sam")), note, tags)
