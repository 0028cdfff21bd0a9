"""Payments keeps each customer's payment methods (issue #25): an unshipped order's payment moves to another method of
its own customer's (a gift card only with the balance), and an item change's difference is charged or refunded to
a chosen method; each write refused with a clear message otherwise, idempotent, and only with an approval grant."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ai_missions.graphs.support.spec import SPEC
from ai_missions.integrations import payments
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.seed import generate
from ai_missions.integrations.systems import connect, storage_systems
from ai_missions.kernel.errors import ConflictError, NotFoundError
from ai_missions.nodes.decision import mission_policies
from ai_missions.services.connections import connections
from ai_missions.services.governance import approval_problems
from ai_missions.services.mcp_session import open_session
from ai_missions.testing import operator_grant


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_book(generate(orders=120, seed=7), tmp_path)
    return tmp_path


def _pending(pay: sqlite3.Connection) -> tuple[str, str, str]:
    """(order, customer, its card's method id) of an order whose payment is authorized and not captured."""
    row = pay.execute(
        "SELECT p.order_id, p.customer_id, m.payment_method_id FROM order_payers p "
        "JOIN authorizations a USING (authorization_id) JOIN authorization_methods m USING (authorization_id) "
        "WHERE a.status = 'authorized' AND a.expires_at > (SELECT value FROM meta WHERE key = 'book_now') "
        "AND NOT EXISTS (SELECT 1 FROM payment_holds h WHERE h.order_id = p.order_id AND h.status = 'active') "
        "ORDER BY p.order_id LIMIT 1"
    ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def _add(
    pay: sqlite3.Connection, method_id: str, customer: str, kind: str, last4: str | None, cents: int | None
) -> None:
    with pay:
        pay.execute(
            "INSERT INTO payment_methods VALUES (?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')",
            (method_id, customer, kind, "visa" if kind == "card" else None, last4, cents),
        )


def test_a_customers_methods_are_listed_by_kind_and_last_digits_and_the_order_names_its_own(home: Path) -> None:
    pay = connect("payments", home)
    order_id, customer, card = _pending(pay)
    listed = payments.list_payment_methods(pay, customer)
    assert card in [m.payment_method_id for m in listed.methods]
    own = next(m for m in listed.methods if m.payment_method_id == card)
    assert own.kind == "card"
    assert own.label == f"{own.brand} ending in {own.last4}"
    assert len(own.last4 or "") == 4
    assert payments.get_payment(pay, order_id).payment_method_id == card
    assert payments.list_payment_methods(pay, "C-NOBODY").methods == []


def test_an_unshipped_orders_payment_moves_once_to_another_method_of_its_customer(home: Path) -> None:
    pay = connect("payments", home)
    order_id, customer, card = _pending(pay)
    amount = payments.get_payment(pay, order_id).authorizations[-1].amount
    _add(pay, "PM-GIFT", customer, "gift_card", "0042", round(amount * 100) + 500)
    moved = payments.change_order_payment(pay, order_id, "PM-GIFT", amount, "pm-1")
    assert moved.previous_method_id == card
    assert moved.released.status == "voided"
    assert moved.authorization.status == "authorized"
    assert moved.authorization.amount == amount
    assert moved.payment_method.balance == 5.0  # the gift card's balance holds the order's amount
    assert payments.get_payment(pay, order_id).payment_method_id == "PM-GIFT"
    replay = payments.change_order_payment(pay, order_id, "PM-GIFT", amount, "pm-1")
    assert replay.replayed
    assert replay.authorization == moved.authorization
    gift = next(m for m in payments.list_payment_methods(pay, customer).methods if m.payment_method_id == "PM-GIFT")
    assert gift.balance == 5.0  # a replay takes nothing more
    with pytest.raises(ConflictError, match="already used"):
        payments.change_order_payment(pay, order_id, card, amount, "pm-1")
    with pytest.raises(ConflictError, match="already paid with"):
        payments.change_order_payment(pay, order_id, "PM-GIFT", amount, "pm-2")
    back = payments.change_order_payment(pay, order_id, card, amount, "pm-3")  # back to the card: balance returned
    assert back.previous_method_id == "PM-GIFT"
    gift = next(m for m in payments.list_payment_methods(pay, customer).methods if m.payment_method_id == "PM-GIFT")
    assert gift.balance == round(amount + 5.0, 2)


def test_a_method_change_is_refused_for_anothers_method_a_short_gift_card_a_shipped_order_or_another_amount(
    home: Path,
) -> None:
    pay = connect("payments", home)
    order_id, customer, _card = _pending(pay)
    amount = payments.get_payment(pay, order_id).authorizations[-1].amount
    _add(pay, "PM-THEIRS", "C-SOMEONE-ELSE", "card", "1111", None)
    _add(pay, "PM-SHORT", customer, "gift_card", "0007", round(amount * 100) - 1)
    _add(pay, "PM-PAYPAL", customer, "paypal", None, None)
    before = pay.execute("SELECT * FROM authorizations ORDER BY rowid").fetchall()
    with pytest.raises(ConflictError, match=r"not one of order .*'s customer's"):
        payments.change_order_payment(pay, order_id, "PM-THEIRS", amount, "x-1")
    with pytest.raises(ConflictError, match=r"not the .* needed"):
        payments.change_order_payment(pay, order_id, "PM-SHORT", amount, "x-2")
    with pytest.raises(ConflictError, match="moves whole"):
        payments.change_order_payment(pay, order_id, "PM-PAYPAL", round(amount - 1, 2), "x-3")
    with pytest.raises(NotFoundError):
        payments.change_order_payment(pay, order_id, "PM-NONE", amount, "x-4")
    shipped = pay.execute(
        "SELECT p.order_id, p.customer_id FROM order_payers p JOIN authorizations a USING (authorization_id) "
        "WHERE a.status = 'captured' LIMIT 1"
    ).fetchone()
    _add(pay, "PM-LATE", shipped[1], "paypal", None, None)
    whole = payments.get_payment(pay, shipped[0]).authorizations[0].amount
    with pytest.raises(ConflictError, match="only an order not yet shipped"):
        payments.change_order_payment(pay, shipped[0], "PM-LATE", whole, "x-5")
    assert pay.execute("SELECT * FROM authorizations ORDER BY rowid").fetchall() == before  # nothing moved
    short = pay.execute("SELECT balance_cents FROM payment_methods WHERE payment_method_id = 'PM-SHORT'").fetchone()
    assert short[0] == round(amount * 100) - 1
    payments.place_payment_hold(pay, order_id, "fraud review", "hold-1")
    with pytest.raises(ConflictError, match="payment hold"):
        payments.change_order_payment(pay, order_id, "PM-PAYPAL", amount, "x-6")


def test_a_difference_is_charged_or_refunded_to_a_chosen_method_a_gift_card_only_with_the_balance(home: Path) -> None:
    pay = connect("payments", home)
    order_id, customer, _card = _pending(pay)
    _add(pay, "PM-GIFT", customer, "gift_card", "0042", 2000)
    _add(pay, "PM-THEIRS", "C-SOMEONE-ELSE", "gift_card", "9999", 10_000)
    with pytest.raises(ConflictError, match=r"not the 25\.00 needed"):
        payments.charge_payment(pay, order_id, 25.0, "price difference", "c-1", payment_method_id="PM-GIFT")
    with pytest.raises(ConflictError, match="not one of"):
        payments.charge_payment(pay, order_id, 5.0, "price difference", "c-2", payment_method_id="PM-THEIRS")
    charged = payments.charge_payment(pay, order_id, 12.5, "price difference", "c-3", payment_method_id="PM-GIFT")
    assert charged.authorization.card_brand == "gift_card"
    assert charged.authorization.card_last4 == "0042"
    assert payments.charge_payment(pay, order_id, 12.5, "price difference", "c-3", payment_method_id="PM-GIFT").replayed
    gift = lambda: next(  # noqa: E731
        m.balance for m in payments.list_payment_methods(pay, customer).methods if m.payment_method_id == "PM-GIFT"
    )
    assert gift() == 7.5
    refunded = payments.refund_payment(
        pay, charged.capture.capture_id, 4.0, "cheaper", "r-1", payment_method_id="PM-GIFT"
    )
    assert refunded.capture.refundable_amount == 8.5
    assert gift() == 11.5
    assert [tuple(r) for r in pay.execute("SELECT payment_method_id FROM refund_methods")] == [("PM-GIFT",)]
    with pytest.raises(ConflictError, match="not one of"):
        payments.refund_payment(pay, charged.capture.capture_id, 1.0, "x", "r-2", payment_method_id="PM-THEIRS")


async def test_the_write_runs_only_with_an_approval_grant_for_exactly_its_arguments(home: Path) -> None:
    pay = connect("payments", home)
    order_id, customer, _card = _pending(pay)
    amount = payments.get_payment(pay, order_id).authorizations[-1].amount
    _add(pay, "PM-PAYPAL", customer, "paypal", None, None)
    args = {"order_id": order_id, "payment_method_id": "PM-PAYPAL", "amount": amount, "idempotency_key": "g-1"}
    async with open_session(connections(storage_systems(), home, "in-process")["payments"]) as session:
        listed = await session.call_tool("list_payment_methods", {"customer_id": customer})
        assert not listed.isError
        assert listed.structuredContent is not None
        assert "PM-PAYPAL" in [m["payment_method_id"] for m in listed.structuredContent["methods"]]
        ungranted = await session.call_tool("change_order_payment", args)
        assert ungranted.isError
        assert "approval grant" in str(ungranted.content[0])
        other = {**args, "payment_method_id": "PM-NONE"}
        mismatched = await session.call_tool("change_order_payment", args, meta=operator_grant(home, "x", other))
        assert mismatched.isError
        assert payments.get_payment(pay, order_id).payment_method_id != "PM-PAYPAL"
        done = await session.call_tool(
            "change_order_payment", args, meta=operator_grant(home, "change_order_payment", args)
        )
        assert not done.isError, done.content
    assert payments.get_payment(pay, order_id).payment_method_id == "PM-PAYPAL"


def test_an_agent_approves_a_method_change_up_to_the_ceiling_and_a_lead_above_it() -> None:
    rules = [r for p in mission_policies(SPEC) for r in p.approval_rules]
    small = {"tool": "change_order_payment", "args": {"order_id": "SO-1", "payment_method_id": "PM-1", "amount": 80.0}}
    large = {**small, "args": {**small["args"], "amount": 900.0}}
    assert approval_problems("support_agent", [small], rules, SPEC.tools) == []
    refused = approval_problems("support_agent", [large], rules, SPEC.tools)
    assert refused
    assert "exceeds the support_agent approval limit of 250.00" in refused[0]
    assert approval_problems("support_lead", [large], rules, SPEC.tools) == []
    assert approval_problems(
        "support_lead", [{**large, "args": {**large["args"], "amount": 3000.0}}], rules, SPEC.tools
    )
