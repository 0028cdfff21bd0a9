"""The support story in a real headless browser, from the portal to the closed ticket: a customer charged twice
signs in to the customer portal, writes about the order; the support lead signs in, approves the refund and the
reply in the Decision Queue; the customer sees the answer and the ticket closed. Checked in the systems' own
databases too. (``missions dashboard`` on 127.0.0.1, Debian's chromium driven by Playwright.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.browser import CHROMIUM, require_chromium
from tests.support.small_home import support_home

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(autouse=True, scope="module")
def chromium_installed() -> None:
    require_chromium()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = support_home(tmp_path_factory, "portal")
    signed_in_as(home, "lee")  # the demo roster's accounts
    return home


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
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "dashboard.log"
    env = {**os.environ, "MISSIONS_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ai_missions.cli", "dashboard", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"the dashboard exited with {server.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer in 90 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_from_the_portal_to_the_closed_ticket(dashboard: str, home: Path, story: tuple[str, str]) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    customer, order_id = story
    account = customer.lower()
    Accounts(RunStore(runs_db(home))).add(account, "customer", DEMO_PASSWORD, by="test")

    def settled(page: Page) -> None:
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)

    def sign_in(page: Page, name: str, path: str) -> None:
        page.goto(f"{dashboard}/{path}")
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("textbox", name="Account").fill(name)
        sidebar.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
        sidebar.get_by_role("button", name="Sign in").click()
        expect(sidebar.get_by_text("Signed in as")).to_be_visible()
        settled(page)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            expect.set_options(timeout=90_000)
            page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
            page.set_default_timeout(90_000)
            sign_in(page, account, "support-portal")
            expect(page.get_by_role("heading", name="Customer portal")).to_be_visible()
            expect(page.get_by_text(order_id).first).to_be_visible()
            page.get_by_role("textbox", name="Your message").fill(
                f"I was charged twice for order #{order_id} and want a refund."
            )
            page.get_by_role("button", name="Send").click()
            expect(page.get_by_text("is open; we will answer here")).to_be_visible()
            settled(page)
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
            sign_in(lead, "lee", f"queue?decision={decision_id}")
            expect(lead.get_by_text(f"{decision_id} · ticket {ticket_id}")).to_be_visible()
            lead.get_by_text("I confirm the money this moves").click()
            lead.get_by_role("button", name="Approve 2 actions as lee").click()
            expect(lead.get_by_text("decided by lee (support_lead)")).to_be_visible()
            settled(lead)

            page.get_by_role("button", name="Check for answers").click()  # same session
            settled(page)
            expect(page.get_by_text("Closed: answered")).to_be_visible()
            expect(page.get_by_text("was charged twice. We have refunded the duplicate charge")).to_be_visible()
        finally:
            browser.close()
    with sqlite3.connect(home / "systems" / "payments.sqlite") as pay:
        assert pay.execute("SELECT count(*) FROM refunds WHERE order_id = ?", (order_id,)).fetchone()[0] == 1
    with sqlite3.connect(home / "systems" / "helpdesk.sqlite") as hd:
        assert hd.execute("SELECT status FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0] == "solved"
