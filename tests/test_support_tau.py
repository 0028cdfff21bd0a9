"""The tau-bench retail end-state measure: each write action changes what the benchmark's tool changes and refuses
what it refuses, on a small database written here (the benchmark's own files are read only when present)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.graphs.support.parse.confirmation import is_read_back

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


# --- the end-state runner, on a database written here ----------------------------------------------------------


def _item(name: str, product: str, item: str, price: float, **options: str) -> dict[str, Any]:
    return {"name": name, "product_id": product, "item_id": item, "price": price, "options": options}


def _runner_db() -> dict[str, tau.Database]:
    address = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA",
               "zip": "78701"}  # fmt: skip
    kettle = _item("Electric Kettle", "kettle", "k1", 40.0, color="white")
    clock = _item("Wall Clock", "clock", "c1", 25.0, color="black")
    lamp = _item("Desk Lamp", "lamp", "l1", 30.0, color="red")

    def order(order_id: str, user: str, status: str, items: list[dict[str, Any]], method: str) -> dict[str, Any]:
        return {"order_id": order_id, "user_id": user, "status": status, "items": items, "address": dict(address),
                "fulfillments": [{"tracking_id": ["1Z1"], "item_ids": [i["item_id"] for i in items]}],
                "payment_history": [{"transaction_type": "payment", "amount": sum(i["price"] for i in items),
                                     "payment_method_id": method}]}  # fmt: skip

    def user(first: str, orders: list[str]) -> dict[str, Any]:
        return {"name": {"first_name": first, "last_name": "Lee"}, "email": f"{first.lower()}@example.com",
                "address": dict(address), "orders": orders,
                "payment_methods": {f"card_{first}": {"source": "credit_card", "brand": "visa", "last_four": "1111",
                                                      "id": f"card_{first}"}}}  # fmt: skip

    def product(name: str, *variants: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "product_id": variants[0]["product_id"],
                "variants": {v["item_id"]: {"item_id": v["item_id"], "price": v["price"], "options": v["options"],
                                            "available": True} for v in variants}}  # fmt: skip

    return {
        "users": {
            "ann": user("Ann", ["#W1000001"]),
            "bob": user("Bob", ["#W1000002"]),
            "cy": user("Cy", ["#W1000003", "#W1000004"]),
        },
        "products": {
            "kettle": product("Electric Kettle", kettle, _item("Electric Kettle", "kettle", "k2", 55.0, color="black")),
            "clock": product("Wall Clock", clock),
            "lamp": product("Desk Lamp", lamp),
        },
        "orders": {
            "#W1000001": order("#W1000001", "ann", "delivered", [dict(kettle), dict(clock)], "card_Ann"),
            "#W1000002": order("#W1000002", "bob", "delivered", [dict(kettle), dict(clock)], "card_Bob"),
            "#W1000003": order("#W1000003", "cy", "delivered", [dict(lamp)], "card_Cy"),
            "#W1000004": order("#W1000004", "cy", "delivered", [dict(lamp)], "card_Cy"),
        },
    }


def _return(order_id: str, method: str, *items: str) -> dict[str, Any]:
    kwargs = {"order_id": order_id, "item_ids": list(items), "payment_method_id": method}
    return {"name": "return_delivered_order_items", "kwargs": kwargs}


def test_the_runner_counts_a_right_and_a_wrong_end_state_and_how_the_unsolved_end() -> None:
    from ai_missions.benchmarks.tau_retail import runner as tau_runner

    db = _runner_db()
    before = copy.deepcopy(db)
    tasks = [
        # right: the return the ground truth makes
        tau.Task(
            0, "ann", "Return #W1000001 via card_Ann: Electric Kettle; ", (_return("#W1000001", "card_Ann", "k1"),), ()
        ),
        # wrong: the ground truth also returns the clock the message does not name
        tau.Task(
            1,
            "bob",
            "Return #W1000002 via card_Bob: Electric Kettle; Wall Clock; ",
            (_return("#W1000002", "card_Bob", "k1", "c1"),),
            (),
        ),
        # two orders hold a lamp: the mission asks which, the scripted customer answers from the instruction
        tau.Task(2, "cy", "Return #W1000004 via card_Cy: Desk Lamp; ", (_return("#W1000004", "card_Cy", "l1"),), ()),
        # an exchange for another price: exchanged, the difference settled on the order's card (SUP-007)
        tau.Task(
            3,
            "ann",
            "For #W1000001, exchange Electric Kettle {'color': 'white'} to {'color': 'black'}; via card_Ann. ",
            (
                {
                    "name": "exchange_delivered_order_items",
                    "kwargs": {
                        "order_id": "#W1000001",
                        "item_ids": ["k1"],
                        "new_item_ids": ["k2"],
                        "payment_method_id": "card_Ann",
                    },
                },
            ),
            (),
        ),
    ]
    messages = {
        0: "Hi, I'd like to return the electric kettle please.",
        1: "Hello, I want to return the electric kettle I got.",
        2: "I need to return the desk lamp.",
        3: "The kettle I got is white, can I exchange it for the black one?",
    }
    figures, results = tau_runner.run(db, tasks, messages)
    assert db == before  # every task starts from the benchmark's state: nothing is written into it
    by_task = {r.index: r for r in results}
    assert by_task[0].solved
    assert not by_task[0].unsafe
    assert by_task[0].differences == []
    # the message names one of the two items: the plan read back says so, the customer corrects it, and the
    # return is made of both once the new plan is read back and confirmed (never the partial one)
    assert by_task[1].solved
    assert by_task[1].unsafe == []
    assert by_task[1].questions == 2
    assert by_task[1].thread[-3]["body"].startswith("No, that is not what I want.")
    assert by_task[2].questions == 2  # which lamp, then the plan read back
    assert by_task[2].solved
    assert by_task[3].outcome == "exchange"
    assert by_task[3].solved
    assert by_task[3].writes[0]["name"] == "exchange_delivered_order_items"
    assert figures["tasks"] == 4
    assert figures["end_state_equal"] == 4
    assert figures["unsafe"] == 0
    assert figures["ended_in_escalation"] == 0
    assert figures["by_action.return_delivered_order_items.tasks"] == 3
    assert figures["by_action.return_delivered_order_items.solved"] == 3
    for result in results:  # every write follows the customer's yes to the plan read back just before it
        assert result.writes
        assert is_read_back(result.thread[-2]["body"])
        assert result.thread[-1]["body"] == tau_runner.YES


def test_the_scripted_customer_says_only_what_its_instruction_gives() -> None:
    from ai_missions.benchmarks.tau_retail import runner as tau_runner

    user = _runner_db()["users"]["ann"]
    said = tau_runner.customer_answer(
        "Your name is Ann Lee. Cancel order #W1000007 because ordered by mistake. "
        "Return #W1000001 via card_Ann: Wall Clock; "
        "For #W1000009, modify Lamp {'color': 'red'} to {'color': 'blue'}; via card_Ann. ",
        user,
    )
    assert "cancel order #W1000007, I ordered it by mistake" in said
    assert "return the Wall Clock from order #W1000001, refund to my visa card ending in 1111" in said
    assert "change the Lamp for the blue one" in said  # the options it names, the others as they are
    assert "card_Ann" not in said  # a customer names their card, not the database's id
    # asked how many of an item it means, it says "just one" of an item its instruction changes once
    asked = "- Lamp (2 on the order), red -> blue: one of them, or all 2?\nWhich one would you like?"
    instruction = (
        "Your name is Ann Lee. For #W1000009, modify Lamp {'color': 'red'} to {'color': 'blue'}; via card_Ann. "
    )
    assert tau_runner.customer_answer(instruction, user, asked).startswith("Just one of the Lamps")
    assert "Just one" not in tau_runner.customer_answer(
        instruction, user, "- Rug (2 on the order), ...: one of them, or all 2?"
    )


def test_the_missions_writes_map_to_the_benchmarks_actions() -> None:
    from ai_missions.benchmarks.tau_retail import runner as tau_runner

    db = _runner_db()
    db["users"]["ann"]["payment_methods"]["gift_ann"] = {"source": "gift_card", "id": "gift_ann", "balance": 5.0}
    ret = tau_runner.as_tau(
        {"tool": "open_return", "args": {"order_id": "#W1000001", "line_nos": [2], "refund_to": "gift_card"}}, db
    )
    assert ret == _return("#W1000001", "gift_ann", "c1")
    modify = tau_runner.as_tau(
        {"tool": "modify_order_items", "args": {"order_id": "#W1000001", "changes": [{"line_no": 1, "sku": "k2"}]}}, db
    )
    assert modify == {
        "name": "modify_pending_order_items",
        "kwargs": {
            "order_id": "#W1000001",
            "item_ids": ["k1"],
            "new_item_ids": ["k2"],
            "payment_method_id": "card_Ann",
        },
    }
    cancel = tau_runner.as_tau(
        {"tool": "cancel_order", "args": {"order_id": "#W1000001", "reason": "ordered by mistake"}}, db
    )
    assert cancel == {
        "name": "cancel_pending_order",
        "kwargs": {"order_id": "#W1000001", "reason": "ordered by mistake"},
    }
    assert tau_runner.as_tau({"tool": "cancel_order", "args": {"order_id": "#W9999999", "reason": "x"}}, db) is None


def test_the_order_whose_address_is_wanted_keeps_its_own() -> None:
    from ai_missions.benchmarks.tau_retail import runner as tau_runner

    db = _runner_db()
    oak = {"address1": "9 Oak Ave", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78702"}
    for order_id, address in (("#W1000005", None), ("#W1000006", oak)):
        order = copy.deepcopy(db["orders"]["#W1000003"]) | {"order_id": order_id, "status": "pending"}
        order["address"] = dict(address or order["address"])
        db["orders"][order_id] = order
    db["users"]["cy"]["orders"] += ["#W1000005", "#W1000006"]
    move = {"name": "modify_pending_order_address", "kwargs": {"order_id": "#W1000005", **oak}}
    task = tau.Task(0, "cy", "For #W1000005, change address to the one of #W1000006. ", (move,), ())
    message = "About #W1000005: could you ship it to the same address as my other order #W1000006 instead?"
    _, results = tau_runner.run(db, [task], {0: message})
    assert not [w for w in results[0].writes if w["kwargs"].get("order_id") == "#W1000006"]
    assert results[0].unsafe == []


def test_a_same_item_swap_the_message_leaves_out_is_asked_about_with_the_plan() -> None:
    from ai_missions.benchmarks.tau_retail import runner as tau_runner

    kwargs = {"order_id": "#W1000001", "item_ids": ["k1", "c1"], "new_item_ids": ["k2", "c1"]}
    kwargs["payment_method_id"] = "card_Ann"
    swap = {"name": "exchange_delivered_order_items", "kwargs": kwargs}
    instruction = ("For #W1000001, exchange Electric Kettle {'color': 'white'} to {'color': 'black'}; "
                   "Wall Clock {'color': 'black'} to {}; via card_Ann. ")  # fmt: skip
    task = tau.Task(0, "ann", instruction, (swap,), ())
    message = {0: "My kettle came white: the black one instead please?"}
    # the plan read back names the clock among the order's other items (each item is exchanged once); the customer
    # names it for the same one: a replacement, exchanged with the kettle once the new plan is read back and confirmed
    figures, results = tau_runner.run(_runner_db(), [task], message)
    assert "Wall Clock" in results[0].thread[1]["body"]
    assert results[0].thread[2]["body"].startswith("No, that is not what I want.")
    assert results[0].questions == 2
    assert results[0].writes == [swap]
    assert results[0].solved
    assert figures["end_state_equal"] == 1


def test_the_scripted_customer_says_yes_only_to_the_variant_and_the_items_it_asked() -> None:
    """A customer reading the plan back checks the new variant whole (the options it names and the ones it keeps)
    and that nothing it did not ask for is returned or changed."""
    from ai_missions.benchmarks.tau_retail.confirming import plan_matches

    user = _runner_db()["users"]["ann"]
    change = (
        "Your name is Ann Lee. For #W1000009, modify Lamp {'color': 'red', 'size': 'L'} to {'color': 'blue'}; "
        "via card_Ann. "
    )
    plan = "- Order #W1000009: change Lamp: red L -> {}; charge 5.00 to your Visa card (last digits 1111).\n"
    assert plan_matches(plan.format("blue L"), change, user, {})
    assert not plan_matches(plan.format("blue S"), change, user, {})  # the size it keeps is not kept
    # how the variant was chosen, in brackets after it, is not the variant: an L said there is not its size
    assert not plan_matches(plan.format('blue S ("blue > L" of those in stock: 9.00)'), change, user, {})
    two = plan.format("blue L").replace("charge", "Rug: grey -> green; charge")
    assert not plan_matches(two, change, user, {})  # an item it never asked to change
    # of two lamps, the green S one it has too is not the one it asked to change
    both = plan.format("blue L").replace("charge", "Lamp: green S -> blue L; charge")
    assert not plan_matches(both, change, user, {})
    back = "Your name is Ann Lee. Return #W1000001 via card_Ann: Wall Clock; "
    plan = "- Order #W1000001: return {}; once they reach us, refund 30.00 to your Visa card (last digits 1111).\n"
    assert plan_matches(plan.format("Wall Clock"), back, user, {})
    assert not plan_matches(plan.format("Wall Clock, Laptop"), back, user, {})  # the laptop it keeps
    # two of one item where it asked one back: not what it asked, whatever options name them
    assert not plan_matches(plan.format("Wall Clock (black), Wall Clock (white)"), back, user, {})
    assert plan_matches(plan.format("Wall Clock (black)"), back, user, {})
    # a request the plan says cannot be made is accepted; one left out with no word of why is not
    moved = (
        "Your name is Ann Lee. For #W1000009, change address to {'order_id': '#W1000009', 'address1': '9 Oak St', "
        "'address2': '', 'city': 'Reno', 'country': 'USA', 'state': 'NV', 'zip': '89501'}. For #W1000009, change "
        "payment to card_Ann. "
    )
    cannot_pay = "- Order #W1000009: ship it to 9 Oak St, Reno, NV 89501. Your Visa card cannot pay for #W1000009."
    assert plan_matches(cannot_pay, moved, user, {})
    # what cannot be made is the payment: the new ship-to left out with no word of why is not what it asked
    no_ship = "- Order #W1000009: pay it with your Visa card (last digits 1111). #W1000009 cannot be paid twice."
    assert not plan_matches(no_ship, moved, user, {})


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_the_scripted_customer_reads_a_plan_read_back_in_its_own_language(language: str) -> None:
    """The mission reads the plan back in the customer's language; the scripted customer reads it as tau's simulated
    user would, in that language: yes to the variant it asked, no to another (the plan made with the mission's own
    sentences)."""
    from ai_missions.benchmarks.tau_retail.confirming import plan_matches
    from ai_missions.graphs.support.replies import say

    user = _runner_db()["users"]["ann"]
    change = (
        "Your name is Ann Lee. For #W1000009, modify Lamp {'color': 'red', 'size': 'L'} to {'color': 'blue'}; "
        "via card_Ann. "
    )

    def plan(variant: str) -> str:
        card = say(language, "method_card", brand="Visa", last4="1111")
        line = (
            f"- {say(language, 'rb_order', order='#W1000009')} "
            f"{say(language, 'rb_change', changes=f'Lamp: red L -> {variant}')}; "
            f"{say(language, 'rb_charge', amount='5.00', method=card)}."
        )
        return "\n".join([say(language, "readback_open"), line, say(language, "readback_close")])

    assert plan_matches(plan("blue L"), change, user, {})
    assert not plan_matches(plan("blue S"), change, user, {})
