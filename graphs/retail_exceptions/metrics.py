"""The retail mission's operating metrics, over its run records (:mod:`ai_missions.services.metrics`).

- the monitors' flags: of the orders they flagged, the share the mission found a real exception on
  (``flag_precision``) and the rest (``false_discovery_rate``, flags with nothing behind them). That is not a
  false-positive rate: FP / (FP + TN) needs cases known to be clean, which only labelled cases give; ``missions
  metrics`` shows the standard detection precision and false-positive rate from the mission's latest eval run;
- order save rate: of the orders hit by a disruption (pickup, phantom stock, inbound delay, VIP conflict) that
  were acted on, the share reallocated or given a substitute rather than cancelled;
- inventory accuracy by channel and by location: how close the system's on-hand is to what the cycle count
  supports, at the locations the runs looked at (1.0 = they agree);
- financial impact: the order value kept by reallocations, the goodwill credited, the returns posted (and rolled
  back), and substitutions: how many were offered, the order value they kept, the price difference the business
  absorbs on dearer substitutes and what the customer saves on cheaper ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.mission_api import RunRecord

DISRUPTIONS = frozenset({"pickup_unfulfillable", "phantom_stock", "inbound_delay", "vip_stock_conflict"})


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _accuracy(facts: Mapping[str, Any]) -> float | None:
    on_hand, reliable = facts.get("stock.on_hand"), facts.get("stock.reliable")
    if on_hand is None or reliable is None:
        return None
    return 1 - abs(on_hand - reliable) / max(on_hand, reliable, 1)


def _mean_by(pairs: list[tuple[str, float]]) -> dict[str, float]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return {k: round(sum(v) / len(v), 4) for k, v in sorted(grouped.items())}


def operating_metrics(records: Sequence[RunRecord]) -> dict[str, Any]:
    # what the monitors flagged: the trigger's case types, else the flags the OMS showed the run
    flagged = [r for r in records if (r.flags or r.facts.get("retail.flags")) and r.case_types]
    false_flags = [r for r in flagged if r.case_types == ["no_exception"]]
    disrupted = [r for r in records if DISRUPTIONS & set(r.case_types)]
    done_tools = [{a["tool"] for a in r.executed} for r in disrupted]
    saved = [r for r, tools in zip(disrupted, done_tools, strict=True) if "reallocate_order" in tools]
    lost = [r for r, tools in zip(disrupted, done_tools, strict=True) if "cancel_omni_order" in tools]
    substituted = [r for r, tools in zip(disrupted, done_tools, strict=True) if "offer_substitution" in tools]
    accuracy = [(r, a) for r in records if (a := _accuracy(r.facts)) is not None]
    rolled_back = {(r.run_id, b["tool"]) for r in records for b in r.rollbacks}

    def amounts(tool: str, arg: str = "amount") -> float:
        return round(
            sum(
                float((a.get("args") or {}).get(arg) or 0)
                for r in records
                for a in r.executed
                if a["tool"] == tool and (r.run_id, tool) not in rolled_back
            ),
            2,
        )

    def difference(r: RunRecord) -> float:
        return float(r.facts.get("sub.price_difference") or 0) * int(r.facts.get("order.quantity") or 0)

    return {
        "detection": {
            "flagged": len(flagged),
            "confirmed": len(flagged) - len(false_flags),
            "flag_precision": _share(len(flagged) - len(false_flags), len(flagged)),
            "false_discovery_rate": _share(len(false_flags), len(flagged)),
        },
        "order_save_rate": _share(len(saved) + len(substituted), len(saved) + len(substituted) + len(lost)),
        "orders_disrupted": len(disrupted),
        "orders_saved": len(saved) + len(substituted),
        "orders_substituted": len(substituted),
        "orders_cancelled": len(lost),
        "inventory_accuracy": {
            "overall": _share(sum(a for _, a in accuracy), len(accuracy)),
            "by_location": _mean_by([(str(r.facts.get("order.location")), a) for r, a in accuracy]),
            "by_channel": _mean_by(
                [(f"{r.facts.get('order.channel')}/{r.facts.get('order.fulfilment')}", a) for r, a in accuracy]
            ),
        },
        "financial_impact": {
            "reallocated_order_value": round(sum(float(r.facts.get("order.total") or 0) for r in saved), 2),
            "goodwill_credited": amounts("issue_goodwill_credit"),
            "returns_posted": amounts("post_return_adjustment"),
            "substitutions": len(substituted),
            "substituted_order_value": round(sum(float(r.facts.get("order.total") or 0) for r in substituted), 2),
            "substitution_price_absorbed": round(sum(max(difference(r), 0) for r in substituted), 2),
            "substitution_customer_savings": round(sum(max(-difference(r), 0) for r in substituted), 2),
        },
    }
