"""The support story in a real headless browser, from the portal to the closed ticket: a customer charged twice
signs in to the customer portal, writes about the order; the support lead signs in, approves the refund and the
reply in the Decision Queue; the customer sees the answer and the ticket closed. Checked in the systems' own
databases too. (``missions dashboard`` on 127.0.0.1, Debian's chromium driven by Playwright.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.browser import chromium, dashboard_server, require_chromium, settled, sign_in
from tests.support.small_home import small_home_fixture, support_home

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(autouse=True, scope="module")
def chromium_installed() -> None:
    require_chromium()


home = small_home_fixture("portal", lambda home: signed_in_as(home, "lee"), copy_of=support_home)


@pytest.fixture(scope="module")
def story(home: Path) -> tuple[str, str]:
    """A customer charged twice (billing shows two captures above the order total) and their order."""
    with (
        sqlite3.connect(home / "systems" / "payments.sqlite") as pay,
        sqlite3.connect(home / "systems" / "erp.sqlite") as erp,
    ):
        doubled = [
            r[0]
            for r in pay.execute(
                "SELECT order_id FROM captures GROUP BY order_id HAVING count(*) >= 2 ORDER BY order_id"
            )
        ]
        for order_id in doubled:
            customer = erp.execute("SELECT customer_id FROM orders WHERE order_id = ?", (order_id,)).fetchone()[0]
            if erp.execute("SELECT count(*) FROM orders WHERE customer_id = ?", (customer,)).fetchone()[0] == 1:
                return customer, order_id
    raise AssertionError("no customer charged twice in the book")


@pytest.fixture(scope="module")
def dashboard(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard_server(home, tmp_path_factory.mktemp("server") / "dashboard.log") as base:
        yield base


def test_from_the_portal_to_the_closed_ticket(dashboard: str, home: Path, story: tuple[str, str]) -> None:
    from playwright.sync_api import Page, expect

    customer, order_id = story
    account = customer.lower()
    Accounts(RunStore(runs_db(home))).add(account, "customer", DEMO_PASSWORD, by="test")

    def signed_in_at(page: Page, path: str, name: str) -> None:
        page.goto(f"{dashboard}/{path}")
        sign_in(page, name)
        settled(page, 90_000)

    with chromium() as browser:
        expect.set_options(timeout=90_000)
        page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        page.set_default_timeout(90_000)
        signed_in_at(page, "support-portal", account)
        expect(page.get_by_role("heading", name="Customer portal")).to_be_visible()
        expect(page.get_by_text(order_id).first).to_be_visible()
        page.get_by_role("textbox", name="Your message").fill(
            f"I was charged twice for order #{order_id} and want a refund."
        )
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("is open; we will answer here")).to_be_visible()
        settled(page, 90_000)
        with sqlite3.connect(home / "systems" / "helpdesk.sqlite") as hd:
            ticket_id = hd.execute(
                "SELECT ticket_id FROM tickets WHERE customer_id = ? ORDER BY created_at DESC", (customer,)
            ).fetchone()[0]
        with sqlite3.connect(home / "runs.sqlite") as runs:
            decision_id = runs.execute(
                "SELECT decision_id FROM decisions WHERE subject_id = ? AND status = 'pending'", (ticket_id,)
            ).fetchone()[0]

        lead = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        lead.set_default_timeout(90_000)
        signed_in_at(lead, f"queue?decision={decision_id}", "lee")
        expect(lead.get_by_text(f"{decision_id} · ticket {ticket_id}")).to_be_visible()
        lead.get_by_text("I confirm the money this moves").click()
        lead.get_by_role("button", name="Approve 2 actions as lee").click()
        expect(lead.get_by_text("decided by lee (support_lead)")).to_be_visible()
        settled(lead, 90_000)

        page.get_by_role("button", name="Check for answers").click()  # same session
        settled(page, 90_000)
        expect(page.get_by_text("Closed: answered")).to_be_visible()
        expect(page.get_by_text("was charged twice. We have refunded the duplicate charge")).to_be_visible()
    with sqlite3.connect(home / "systems" / "payments.sqlite") as pay:
        assert pay.execute("SELECT count(*) FROM refunds WHERE order_id = ?", (order_id,)).fetchone()[0] == 1
    with sqlite3.connect(home / "systems" / "helpdesk.sqlite") as hd:
        assert hd.execute("SELECT status FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0] == "solved"
