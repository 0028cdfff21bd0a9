"""An exchange, or an unshipped order's item change, records the method the customer chose for its price difference
(``settle_to``), even one that comes to nothing: "the same boots again, any charge on my PayPal" of an order paid by
card is exchanged with PayPal as the method of record, not the order's card (SUP-007, SUP-012). Without a method
named, none is recorded; a method that is not the one read is refused by the guard, however it got into the action.

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.spec import SPEC
from ai_missions.integrations import erp
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.systems import connect
from ai_missions.nodes.guard import check_actions
from tests.support.mission_home import seeded_home_fixture
from tests.test_support_actions import _boots, _delivered_not_exchanged, _line_with_sibling
from tests.test_support_payment_methods import paying

_EXCHANGES = ("exchange_order_items", "exchange_order_item")
book = seeded_home_fixture("settle-book", lambda home: seed_book(60, 11, home), policies=False)


def _delivered_boots(message: str) -> dict[str, Any]:
    """The boots case, delivered, paid with the visa ending 4321; PayPal, a Mastercard and a gift card on file too."""
    built = _boots(message, status="delivered")
    built["payment_methods"] = paying("")["payment_methods"]
    built["orders"]["SO-100001"]["payment"]["payment_method_id"] = "PM-VISA"
    return built


def _exchange(verdict: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in verdict["actions"] if a["tool"] in _EXCHANGES)


@pytest.mark.parametrize(
    "message",
    [
        "The hiking boots from SO-100001 are faulty, please exchange them for a new identical pair; any charge to "
        "my PayPal.",
        "Could I swap the boots from SO-100001 for the brown ones, same size? Any difference to my PayPal please.",
    ],
)
def test_an_exchange_records_the_method_named_for_a_difference_of_nothing(message: str) -> None:
    facts, verdict = decide(_delivered_boots(message))
    assert verdict["outcome"] == "exchange", verdict
    assert facts["modify.difference"] == 0
    assert _exchange(verdict)["args"]["settle_to"] == "PM-PP"
    assert not {"charge_payment", "refund_payment"} & {a["tool"] for a in verdict["actions"]}
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_an_exchange_with_no_method_named_records_none() -> None:
    facts, verdict = decide(_delivered_boots("Could I swap the boots from SO-100001 for the brown ones, same size?"))
    assert verdict["outcome"] == "exchange", verdict
    assert "settle_to" not in _exchange(verdict)["args"]
    assert check_actions(SPEC, verdict["actions"], facts) == []


def test_a_method_of_record_other_than_the_one_read_is_refused() -> None:
    """An attacker's action (or a model's) recording another of the customer's methods, or one of nobody's."""
    said = "Could I swap the boots from SO-100001 for the brown ones, same size? Any difference to my PayPal please."
    facts, verdict = decide(_delivered_boots(said))
    for forged in ("PM-MC", "PM-SOMEONE-ELSES"):
        actions = [
            {**a, "args": {**a["args"], "settle_to": forged}} if a["tool"] in _EXCHANGES else a
            for a in verdict["actions"]
        ]
        problems = check_actions(SPEC, actions, facts)
        assert any("settle_to" in p for p in problems), (forged, problems)


def test_the_erp_records_the_method_with_each_line_exchanged(book: Path) -> None:
    conn = connect("erp", book)
    order_id, line, _sibling = _line_with_sibling(conn, _delivered_not_exchanged(conn))
    conn.execute("UPDATE variants SET available = available + ? WHERE sku = ?", (line.quantity, line.sku))
    change = [erp.ItemChange(line_no=line.line_no, sku=line.sku)]  # the same again: a replacement, nothing owed
    done = erp.exchange_order_items(conn, order_id, change, "settle-1", settle_to="PM-000042")
    assert (done.difference, done.settle_to) == (0.0, "PM-000042")
    kept = conn.execute("SELECT settle_to FROM order_exchanges WHERE order_id = ?", (order_id,)).fetchall()
    assert [row[0] for row in kept] == ["PM-000042"]
    assert erp.exchange_order_items(conn, order_id, change, "settle-1", settle_to="PM-000042").replayed


def test_an_unshipped_item_asked_for_again_as_it_is_records_the_method_named(book: Path) -> None:
    """Before shipping, the boots "for the same ones again" change to their own variant with PayPal recorded for the
    difference of nothing (SUP-012); the ERP makes that change once, its stock as it was, the method in its event."""
    said = "On SO-100001 please change the hiking boots for the same ones again; any price difference to my PayPal."
    facts, verdict = decide(paying_boots(said))
    assert verdict["outcome"] == "exchange", verdict
    change = next(a for a in verdict["actions"] if a["tool"] == "modify_order_items")
    assert change["args"]["changes"] == [{"line_no": 1, "sku": "B-BL8L"}]
    assert change["args"]["settle_to"] == "PM-PP"
    assert check_actions(SPEC, verdict["actions"], facts) == []
    conn = connect("erp", book)
    pending = [o.order_id for o in erp.list_orders(conn, status="pending", limit=50).orders]
    order_id, line, _sibling = _line_with_sibling(conn, pending)
    stock = {v.sku: v.available for v in erp.get_variants(conn, order_id)}
    same = [erp.ItemChange(line_no=line.line_no, sku=line.sku)]
    done = erp.modify_order_items(conn, order_id, same, "again-1", settle_to="PM-000042")
    assert (done.difference, done.settle_to) == (0.0, "PM-000042")
    assert {v.sku: v.available for v in erp.get_variants(conn, order_id)} == stock
    (reason,) = conn.execute(
        "SELECT reason FROM order_events WHERE order_id = ? AND type = ?", (order_id, erp.ITEMS_MODIFIED)
    ).fetchone()
    assert reason.endswith("difference settled on PM-000042"), reason
    assert erp.modify_order_items(conn, order_id, same, "again-1", settle_to="PM-000042").replayed


@pytest.mark.parametrize(
    "message",
    [
        "I'd like to exchange the hiking boots from order SO-100001 for a new identical pair - charge my PayPal if "
        "needed.",
        "Please exchange the boots from my order SO-100001 for the brown ones, same size - bill my PayPal.",
    ],
)
def test_a_method_named_beside_an_exchange_pays_the_change_not_the_order(message: str) -> None:
    """The order named as where the item comes from ("from order SO-100001") is not the order's payment moved: the
    method is the change's, in the verb's own clause nothing names the order's payment."""
    facts, verdict = decide(_delivered_boots(message))
    assert "change_payment" not in facts[SPEC.vocabulary.types_fact]
    assert verdict["outcome"] == "exchange", verdict
    assert _exchange(verdict)["args"]["settle_to"] == "PM-PP"


@pytest.mark.parametrize(
    "said",
    [
        "Please put order SO-100001 on my PayPal, and change the boots to the brown ones.",
        "For SO-100001 change the boots to brown; also use my PayPal for the order instead.",
    ],
)
def test_the_orders_payment_moved_in_its_own_clause_beside_an_item_change_is_still_read(said: str) -> None:
    facts, _verdict = decide(paying_boots(said))
    assert "change_payment" in facts[SPEC.vocabulary.types_fact]


def paying_boots(message: str) -> dict[str, Any]:
    """The boots case, pending, paid with the visa ending 4321, the customer's other methods on file."""
    built = _boots(message)
    built["payment_methods"] = paying("")["payment_methods"]
    built["orders"]["SO-100001"]["payment"]["payment_method_id"] = "PM-VISA"
    return built
