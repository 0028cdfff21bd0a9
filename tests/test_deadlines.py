"""Issue 59, item 8: deadlines are the policies'. GOV-005 says an expiring authorization is decided before it expires
and marketplace orders get half the times; the order mission set 4 hours from the run (an authorization expiring in
2.7 h was due after it expired; the marketplace flagship was due in 24 h), and no invoice or retail decision, and 13
of 19 support decisions, had a deadline. Deadlines now come from the policies' text of record (their ``deadlines``,
beside the prose), for every decision of every mission: a test per mission against its policies, then decisions the
missions open, each dated as its policies say, none after what it protects expires."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.books import stories
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.missions import get_mission, registry
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services.deadlines import due_in_hours
from tests.support.small_home import small_home_fixture

POLICIES = load_corpus().policies


def hours(mission: str, types: list[str], facts: dict[str, Any] | None = None) -> float | None:
    return due_in_hours(get_mission(mission), types, facts or {}, POLICIES)


@pytest.mark.attack("59.8")
def test_orders_are_due_as_gov_005_says_with_the_marketplace_rule() -> None:
    assert hours("order-exception", ["payment_review"]) == 24
    assert hours("order-exception", ["payment_review"], {"order.channel": "marketplace"}) == 12  # half the times
    assert hours("order-exception", ["duplicate_order", "payment_review"]) == 2  # the earliest of its types
    assert hours("order-exception", ["oversell"]) == hours("order-exception", ["phantom_inventory"]) == 24
    assert hours("order-exception", ["address_invalid"]) == hours("order-exception", ["double_charge"]) == 24
    assert hours("order-exception", ["capture_on_cancelled"]) == 24


@pytest.mark.attack("59.8")
@pytest.mark.parametrize(
    ("expires", "channel", "due"),
    [
        (12.0, "web", 8.0),  # at least 4 hours ahead of the expiry
        (2.7, "web", 2.7),  # sooner than the margin allows: by the expiry itself, never after it
        (4.0, "web", 4.0),
        (12.0, "marketplace", 4.0),  # half the time left before the margin
        (2.7, "marketplace", 1.35),
        (-3.0, "web", 24.0),  # expired already: within a business day (the customer is asked to re-authorize)
    ],
)
def test_an_expiring_authorization_is_due_before_it_expires(expires: float, channel: str, due: float) -> None:
    facts = {"payment.auth_expires_in_hours": expires, "order.channel": channel}
    found = hours("order-exception", ["auth_expiring"], facts)
    assert found == pytest.approx(due)
    assert found is not None
    assert expires <= 0 or found <= expires
    # whatever else the order has, the expiry still bounds it
    assert (hours("order-exception", ["payment_review", "auth_expiring"], facts) or 0) <= max(expires, 24)


def test_invoices_retail_accounts_and_support_are_due_as_their_own_policies_say() -> None:
    assert hours("invoice-approval", ["clean_match"], {"invoice.days_to_due": 10}) == 72  # AP-012
    assert hours("invoice-approval", ["price_variance"], {"invoice.days_to_due": 1.5}) == 12  # a day ahead of due
    assert hours("invoice-approval", ["bank_change"], {"invoice.days_to_due": 0.25}) == 6  # by the due date
    assert hours("invoice-approval", ["clean_match"], {"invoice.days_to_due": -2}) == 8  # overdue
    assert hours("retail-exceptions", ["pickup_unfulfillable"], {"order.days_to_promise": 3}) == 24  # RET-006
    assert hours("retail-exceptions", ["phantom_stock"], {"order.days_to_promise": 0.5}) == 8  # 4 h ahead
    assert hours("account-save", ["escalations"]) == 24  # ACC-001
    assert hours("account-save", ["renewal_due"], {"renewal.days": 30}) == 48
    assert hours("account-save", ["renewal_due"], {"renewal.days": 1}) == 24  # by the renewal itself
    assert hours("account-save", ["silent_account"]) == 72
    assert hours("support", ["cancel_order"]) == hours("support", ["change_address"]) == 8  # SUP-010
    assert hours("support", ["not_received"]) == 24
    assert hours("support", ["unclear_request"]) == 48


def test_every_case_type_of_every_mission_has_a_deadline_from_its_policies() -> None:
    undated = [
        (name, case_type)
        for name, spec in registry().items()
        for case_type in spec.vocabulary.case_types
        if due_in_hours(spec, [case_type], {}, POLICIES) is None
    ]
    assert undated == []


def test_the_deadlines_are_in_the_policies_prose_too() -> None:
    """The front matter and the text a person reads say the same: each deadline's hours (or business days, of 24
    hours) in its policy's body."""
    for policy in POLICIES:
        for deadline in policy.deadlines:
            if deadline.hours is None:
                continue
            days = deadline.hours / 24
            said = {f"{deadline.hours:g} hours", f"{days:g} business day"} if days == int(days) else set()
            said.add(f"{deadline.hours:g} hours")
            assert any(s in " ".join(policy.body.split()) for s in said), (policy.id, deadline)


home = small_home_fixture("deadlines")


@pytest.fixture(scope="module")
def missions(home: Path) -> Any:
    with MissionClient(home) as client:
        yield client


def dated(missions: MissionClient, decision_id: str) -> tuple[datetime, datetime | None]:
    decision = missions.store.get_decision(decision_id)
    started = datetime.fromisoformat(missions.store.get_run(decision.run_id)["created_at"])
    return started, datetime.fromisoformat(decision.due_at) if decision.due_at else None


def expiring_in(home: Path, order_id: str, hours: float, channel: str | None = None) -> None:
    """The order's authorization made to expire ``hours`` after the book's now (and its channel set)."""
    with sqlite3.connect(home / "systems" / "payments.sqlite") as db:
        (now,) = db.execute("SELECT value FROM meta WHERE key = 'book_now'").fetchone()
        expires = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(hours=hours)
        db.execute(
            "UPDATE authorizations SET expires_at = ? WHERE order_id = ?",
            (expires.strftime("%Y-%m-%dT%H:%M:%SZ"), order_id),
        )
    if channel is not None:
        with sqlite3.connect(home / "systems" / "erp.sqlite") as db:
            db.execute("UPDATE orders SET channel = ? WHERE order_id = ?", (channel, order_id))


@pytest.mark.slow
@pytest.mark.attack("59.8")
@pytest.mark.parametrize(("expires", "channel", "due"), [(2.7, None, 2.7), (12.0, "marketplace", 4.0)])
def test_an_order_decision_is_dated_before_its_authorization_expires(
    home: Path, missions: MissionClient, expires: float, channel: str | None, due: float
) -> None:
    """An authorization that expires sooner than the default deadline (2.7 h: it was due at 4 h), and a
    marketplace order (half the times), through the mission as it runs."""
    taken = {d.subject_id for d in missions.store.pending_decisions(limit=500)}
    order_id = next(
        r.order_id for r in scan_exceptions(home) if list(r.types) == ["auth_expiring"] and r.order_id not in taken
    )
    expiring_in(home, order_id, expires, channel)
    outcome = missions.start("order-exception", order_id)
    assert outcome.decision_id is not None
    facts = outcome.state["facts"]
    assert facts["payment.auth_expires_in_hours"] == pytest.approx(expires, abs=0.02)
    started, due_at = dated(missions, outcome.decision_id)
    assert due_at is not None
    assert (due_at - started).total_seconds() / 3600 == pytest.approx(due, abs=0.02)
    assert due_at <= started + timedelta(hours=facts["payment.auth_expires_in_hours"])


@pytest.mark.slow
@pytest.mark.attack("59.8")
def test_every_order_decision_of_the_book_is_dated_and_none_after_what_it_protects_expires(
    home: Path, missions: MissionClient
) -> None:
    """Every order exception of the book that asks a reviewer: dated, as GOV-005 says for its types and facts, and
    never after its authorization expires."""
    book = PolicyBook(knowledge_dir(home)).policies()
    taken = {d.subject_id for d in missions.store.pending_decisions(limit=500)}
    checked = 0
    for row in scan_exceptions(home):
        if row.order_id in taken or missions.store.case_held("order-exception", row.order_id) is not None:
            continue
        outcome = missions.start("order-exception", row.order_id)
        if outcome.decision_id is None:
            continue
        facts = outcome.state["facts"]
        started, due_at = dated(missions, outcome.decision_id)
        expected = due_in_hours(get_mission("order-exception"), outcome.case_types, facts, book)
        assert due_at is not None, (row.order_id, outcome.case_types)
        assert (due_at - started).total_seconds() / 3600 == pytest.approx(expected, abs=0.01), row.order_id
        left = facts.get("payment.auth_expires_in_hours")
        if isinstance(left, int | float) and left > 0 and facts.get("payment.auth_status") == "authorized":
            assert due_at <= started + timedelta(hours=left), (row.order_id, left, due_at - started)
        checked += 1
    assert checked >= 20, checked
    print(f"\nissue 59.8: {checked} order decisions dated by GOV-005, none after its authorization expires")


@pytest.mark.slow
@pytest.mark.parametrize("mission", ["invoice-approval", "retail-exceptions", "support", "account-save"])
def test_each_missions_decision_is_dated_by_its_policies(home: Path, missions: MissionClient, mission: str) -> None:
    """The flagship of each mission (a decision before: undated for invoices and retail, and for most support
    tickets), dated as its own policies say from its facts."""
    outcome = missions.start(mission, stories(home)[mission])
    assert outcome.decision_id is not None
    started, due_at = dated(missions, outcome.decision_id)
    expected = due_in_hours(get_mission(mission), outcome.case_types, outcome.state["facts"], POLICIES)
    assert expected is not None
    assert due_at is not None
    assert (due_at - started).total_seconds() / 3600 == pytest.approx(expected, abs=0.01)
