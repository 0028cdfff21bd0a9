"""The mission's first proposal on each hand-written first message, against what the ground truth writes: acted,
asked, escalated or answered; whether each write it proposes is the same kind of change on the same order as the
ground truth's, and the unsafe proposals (a write the ground truth does not make on that order). A coarser view
than the end state (:mod:`.runner`), kept for the figures recorded with it.

    python -m ai_missions.benchmarks.tau_retail.proposals [PATH]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_missions.benchmarks.tau_retail.cases import NOW, case_of
from ai_missions.benchmarks.tau_retail.emulator import (
    ORDER_ID,
    Database,
    Task,
    load_database,
    load_first_messages,
    load_tasks,
    print_figures,
)
from ai_missions.kernel.eval_plugin import plugin_of

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


def mission_figures(path: Path, mission: str = "support") -> dict[str, int]:
    """The mission's decision on each hand-written first message (through its eval plugin's decider), and once
    more after the scripted customer names the orders when it asks: outcomes, writes proposed as the ground truth
    makes them (the same kind of change on the same order), unsafe proposals, returns of exactly the right items."""
    db, tasks, messages = load_database(path), load_tasks(path), load_first_messages()
    decide = plugin_of(mission).decide
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
            given = " and ".join(ORDER_ID.findall(task.instruction)) or "I don't know the number"
            case["ticket"]["messages"] += [
                {"direction": "outbound", "body": "Which order?", "sent_at": NOW},
                {"direction": "inbound", "body": f"It's {given}.", "sent_at": NOW},
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
    return print_figures(mission_figures, argv)


if __name__ == "__main__":
    raise SystemExit(main())
