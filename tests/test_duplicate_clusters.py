"""A cluster of three or more copies of one order keeps one order, the same whichever copy a mission runs on."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.order_exception.facts import _duplicate_facts

PLACED = {"SO-1": 0.0, "SO-2": 12.0, "SO-3": 12.0, "SO-4": 30.0}
STATUS = {"SO-1": "shipped", "SO-2": "pending", "SO-3": "pending", "SO-4": "payment_review"}


def similar(order_id: str) -> dict[str, Any]:
    """What the ERP's find_similar_orders answers for one copy of the cluster."""
    me = PLACED[order_id]
    return {
        "matches": [
            {
                "order_id": other,
                "status": STATUS[other],
                "minutes_apart": abs(me - at),
                "placed_before": (at, other) < (me, order_id),
            }
            for other, at in PLACED.items()
            if other != order_id
        ]
    }


def test_every_later_copy_names_the_first_copy_kept_even_when_it_shipped() -> None:
    kept = {o: _duplicate_facts(similar(o)).get("duplicate.original_order_id") for o in ("SO-2", "SO-3", "SO-4")}
    assert kept == {"SO-2": "SO-1", "SO-3": "SO-1", "SO-4": "SO-1"}
    assert _duplicate_facts(similar("SO-4"))["duplicate.copies"] == 4
    assert _duplicate_facts(similar("SO-4"))["duplicate.original_status"] == "shipped"


def test_the_first_copy_is_no_duplicate_and_a_tie_keeps_the_lower_id() -> None:
    assert _duplicate_facts(similar("SO-1")) == {}
    del PLACED["SO-1"]
    try:
        assert _duplicate_facts(similar("SO-3"))["duplicate.original_order_id"] == "SO-2"
        assert _duplicate_facts(similar("SO-4"))["duplicate.original_order_id"] == "SO-2"
    finally:
        PLACED["SO-1"] = 0.0
