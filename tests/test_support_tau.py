"""The tau-bench retail end-state measure: each write action changes what the benchmark's tool changes and refuses
what it refuses, on a small database written here (the benchmark's own files are read only when present)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.support.evals import tau

BENCH = tau.DEFAULT_PATH


def _db() -> dict[str, tau.Database]:
    lamp = {"name": "Lamp", "product_id": "p1", "item_id": "i1", "price": 50.0, "options": {"color": "red"}}
    return {
        "users": {
            "u1": {
                "address": {"zip": "10001"},
                "payment_methods": {
                    "card_1": {"source": "credit_card", "id": "card_1"},
                    "gift_1": {"source": "gift_card", "id": "gift_1", "balance": 10.0},
                },
            }
        },
        "products": {
            "p1": {
                "variants": {
                    "i1": {"item_id": "i1", "price": 50.0, "options": {"color": "red"}, "available": True},
                    "i2": {"item_id": "i2", "price": 65.5, "options": {"color": "blue"}, "available": True},
                    "i3": {"item_id": "i3", "price": 40.0, "options": {"color": "green"}, "available": False},
                }
            }
        },
        "orders": {
            "#W1": {
                "order_id": "#W1",
                "user_id": "u1",
                "status": "pending",
                "items": [dict(lamp)],
                "payment_history": [{"transaction_type": "payment", "amount": 50.0, "payment_method_id": "gift_1"}],
            },
            "#W2": {
                "order_id": "#W2",
                "user_id": "u1",
                "status": "delivered",
                "items": [dict(lamp), dict(lamp)],
                "payment_history": [{"transaction_type": "payment", "amount": 100.0, "payment_method_id": "card_1"}],
            },
        },
    }


def _act(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"name": name, "kwargs": kwargs}


def test_cancel_refunds_each_payment_and_a_gift_card_gets_its_balance_back() -> None:
    db = _db()
    tau.apply(db, _act("cancel_pending_order", order_id="#W1", reason="no longer needed"))
    order = db["orders"]["#W1"]
    assert order["status"] == "cancelled"
    assert order["cancel_reason"] == "no longer needed"
    assert order["payment_history"][-1] == {"transaction_type": "refund", "amount": 50.0, "payment_method_id": "gift_1"}
    assert db["users"]["u1"]["payment_methods"]["gift_1"]["balance"] == 60.0


def test_a_delivered_order_is_never_cancelled_and_the_state_is_unchanged() -> None:
    db = _db()
    before = copy.deepcopy(db)
    with pytest.raises(tau.ActionRefused, match="delivered"):
        tau.apply(db, _act("cancel_pending_order", order_id="#W2", reason="no longer needed"))
    assert tau.end_state(before, [_act("cancel_pending_order", order_id="#W2", reason="x")]) == before


def test_modify_items_charges_the_difference_and_a_gift_card_must_cover_it() -> None:
    db = _db()
    with pytest.raises(tau.ActionRefused, match="balance"):
        tau.apply(db, _act("modify_pending_order_items", order_id="#W1", item_ids=["i1"], new_item_ids=["i2"],
                           payment_method_id="gift_1"))  # fmt: skip
    tau.apply(db, _act("modify_pending_order_items", order_id="#W1", item_ids=["i1"], new_item_ids=["i2"],
                       payment_method_id="card_1"))  # fmt: skip
    order = db["orders"]["#W1"]
    assert order["status"] == "pending (item modified)"
    assert order["items"][0]["item_id"] == "i2"
    assert order["items"][0]["options"] == {"color": "blue"}
    assert order["payment_history"][-1] == {
        "transaction_type": "payment",
        "amount": 15.5,
        "payment_method_id": "card_1",
    }


def test_an_unavailable_variant_or_an_item_not_in_the_order_is_refused() -> None:
    db = _db()
    with pytest.raises(tau.ActionRefused, match="not available"):
        tau.apply(db, _act("exchange_delivered_order_items", order_id="#W2", item_ids=["i1"], new_item_ids=["i3"],
                           payment_method_id="card_1"))  # fmt: skip
    with pytest.raises(tau.ActionRefused, match="not in order"):
        tau.apply(db, _act("return_delivered_order_items", order_id="#W2", item_ids=["i9"], payment_method_id="card_1"))


def test_return_goes_to_the_original_method_or_a_gift_card_only() -> None:
    db = _db()
    db["users"]["u1"]["payment_methods"]["card_2"] = {"source": "credit_card", "id": "card_2"}
    with pytest.raises(tau.ActionRefused, match="original"):
        tau.apply(db, _act("return_delivered_order_items", order_id="#W2", item_ids=["i1"], payment_method_id="card_2"))
    tau.apply(
        db, _act("return_delivered_order_items", order_id="#W2", item_ids=["i1", "i1"], payment_method_id="gift_1")
    )
    order = db["orders"]["#W2"]
    assert order["status"] == "return requested"
    assert order["return_items"] == ["i1", "i1"]


def test_exchange_records_the_price_difference_and_the_states_differ_only_there() -> None:
    db = _db()
    after = tau.end_state(db, [_act("exchange_delivered_order_items", order_id="#W2", item_ids=["i1"],
                                    new_item_ids=["i2"], payment_method_id="card_1")])  # fmt: skip
    assert after["orders"]["#W2"]["exchange_price_difference"] == 15.5
    assert tau.differences(db, after) == ["orders/#W2"]
    assert tau.differences(db, copy.deepcopy(db)) == []


def test_payment_change_moves_the_whole_amount_between_methods() -> None:
    db = _db()
    tau.apply(db, _act("modify_pending_order_payment", order_id="#W1", payment_method_id="card_1"))
    history = db["orders"]["#W1"]["payment_history"]
    assert [h["transaction_type"] for h in history] == ["payment", "payment", "refund"]
    assert db["users"]["u1"]["payment_methods"]["gift_1"]["balance"] == 60.0


def test_first_messages_name_real_tasks_and_are_not_one_template(tmp_path: Path) -> None:
    messages = tau.load_first_messages()
    assert len(messages) >= 150
    openings = {m.split()[0].lower().strip(",.!") for m in messages.values()}
    assert len(openings) >= 10  # written by hand, not one template
    if (BENCH / "tasks_train.json").exists():
        tasks = tau.load_tasks(BENCH)
        assert all(0 <= i < len(tasks) for i in messages)
