"""Through the real systems (issue #25): a customer asks to pay an unshipped order with their gift card; the mission
reads their methods in billing, proposes the move, a support agent may not approve it above their 250 ceiling, the
lead does, and billing moves the payment exactly once (a second decision is refused, a replay is the recorded
answer)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations import payments
from ai_missions.integrations.systems import connect
from ai_missions.kernel.errors import ConflictError, ForbiddenError
from ai_missions.testing import operator_grant
from tests.support.mission_home import client_fixture
from tests.support.read_back import confirmed
from tests.support.small_home import rows, small_home_fixture, support_home

pytestmark = pytest.mark.slow

MISSION = "support"


home = small_home_fixture("support-payment-book", copy_of=support_home)
missions = client_fixture()


def test_a_payment_moved_to_the_gift_card_needs_the_lead_above_250_and_happens_once(
    missions: MissionClient, home: Path
) -> None:
    requesters = {r[0] for r in rows(home, "helpdesk", "SELECT customer_id FROM requesters")}
    pending = rows(
        home,
        "payments",
        "SELECT p.order_id, p.customer_id, a.amount_cents FROM order_payers p JOIN authorizations a "
        "USING (authorization_id) WHERE a.status = 'authorized' AND a.amount_cents > 25000 "
        "AND a.expires_at > (SELECT value FROM meta WHERE key = 'book_now') "
        "AND NOT EXISTS (SELECT 1 FROM payment_holds h WHERE h.order_id = p.order_id AND h.status = 'active') "
        "ORDER BY p.order_id",
    )
    erp_status = dict(rows(home, "erp", "SELECT order_id, status FROM orders"))
    order_id, customer, cents = next(
        r for r in pending if r[1] in requesters and erp_status.get(r[0]) in ("pending", "ready_to_fulfill")
    )
    with sqlite3.connect(home / "systems" / "payments.sqlite") as conn:  # the customer holds a gift card with enough
        conn.execute("DELETE FROM payment_methods WHERE customer_id = ? AND kind = 'gift_card'", (customer,))
        conn.execute(
            "INSERT INTO payment_methods VALUES ('PM-E2E-GIFT', ?, 'gift_card', NULL, '0042', ?, "
            "'2026-01-01T00:00:00Z')",
            (customer, cents + 1000),
        )
    body = f"Hello, could you please pay for order {order_id} with my gift card instead of my card?"
    args = {"customer_id": customer, "channel": "email", "subject": "Payment", "body": body, "idempotency_key": "pm-1"}
    opened = missions.call_tool("open_ticket", args, mission=MISSION, meta=operator_grant(home, "open_ticket", args))
    proposed = confirmed(missions, home, missions.start(MISSION, str(opened["ticket"]["ticket_id"])))
    assert proposed.verdict is not None
    assert proposed.verdict["outcome"] == "change_payment", proposed.verdict["summary"]
    change = proposed.verdict["actions"][0]
    assert change["tool"] == "change_order_payment"
    assert change["args"] == {"order_id": order_id, "payment_method_id": "PM-E2E-GIFT", "amount": cents / 100}
    auths = "SELECT authorization_id, status FROM authorizations WHERE order_id = ? ORDER BY authorization_id"
    before = rows(home, "payments", auths, order_id)
    with pytest.raises(ForbiddenError, match="approval limit of 250"):
        missions.decide(proposed.decision_id, "sam", approve=True)
    assert rows(home, "payments", auths, order_id) == before  # refused: nothing moved
    done = missions.decide(proposed.decision_id, "lee", approve=True)
    assert {r["tool"]: r["status"] for r in done.results}["change_order_payment"] == "done"
    after = rows(home, "payments", auths, order_id)
    assert [s for _a, s in after].count("authorized") == 1
    assert len(after) == len(before) + 1
    gift = "SELECT balance_cents FROM payment_methods WHERE payment_method_id = 'PM-E2E-GIFT'"
    assert rows(home, "payments", gift) == [(1000,)]
    with pytest.raises(ConflictError, match="already decided"):
        missions.decide(proposed.decision_id, "lee", approve=True)
    key = rows(home, "payments", "SELECT key FROM idempotency WHERE tool = 'change_order_payment'")[-1][0]
    again = payments.change_order_payment(connect("payments", home), order_id, "PM-E2E-GIFT", cents / 100, key)
    assert again.replayed
    assert rows(home, "payments", auths, order_id) == after
    assert rows(home, "payments", gift) == [(1000,)]
