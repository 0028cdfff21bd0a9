"""Issue 29's reviewer walk, in a real headless browser: each mission's flagship decision is opened in the Decision
Queue by a signed-in reviewer of the right role and decided one way, the five together covering every way the
CLI's ``decide`` offers (``tests/test_cli_review.py`` walks the same decisions from the command line):

- order exception: omar (ops_lead) approves, after confirming the stock it moves;
- retail exceptions: rhea edits the customer's message in the edit form and approves;
- invoice approval: chen rejects, with a reason;
- support: fiona (finance) signs the refund, lee (support_lead) the reply, in two browsers: it runs once both signed;
- account save: ava hands it off to maya, who then sees it handed to her.

Before any is decided, each flagship's card is opened on a 1280x800 screen (issue 39): its amount, the deciding
fact, every action and the approve button lie inside the first 800 px, and each is photographed at that size.

Each outcome is checked in the run store and the systems' own databases, and every page visited is photographed
(``MISSIONS_SCREENSHOTS=dir`` keeps the pictures; otherwise they go to the test's temporary directory). One small
home, one dashboard server and one browser serve the whole module. A reload, and a ``?decision=`` link opened in
another tab, keep the reviewer signed in (a server-side session, named by a cookie); a made-up cookie signs nobody in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.integrations.systems import connect
from ai_missions.kernel.store import RunStore
from ai_missions.services import coapproval
from tests.support.browser import SCREEN, dashboard_fixtures, inside_the_screen, settled, shots_fixture, sign_in
from tests.support.mission_home import flagships_fixture
from tests.support.small_home import demo_home_fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: Playwright's waits: the first decision opens the systems' MCP sessions, and CI machines are busy.
WAIT_MS = 60_000


home = demo_home_fixture("review-walk")
flagships = flagships_fixture()
chromium_installed, dashboard, browser = dashboard_fixtures(WAIT_MS)


shots = shots_fixture()


class Reviewer:
    """One reviewer's browser (a context of its own: its own cookies, its own Streamlit session)."""

    def __init__(
        self, browser: Any, dashboard: str, shots: Path, name: str, viewport: tuple[int, int] = (1440, 2000)
    ) -> None:
        self.page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.dashboard, self.shots, self.name = dashboard, shots, name

    def settled(self) -> None:
        settled(self.page, WAIT_MS)

    def sign_in(self, path: str) -> None:

        self.page.goto(f"{self.dashboard}/{path}")
        sign_in(self.page, self.name)
        self.settled()

    def open(self, decision_id: str, kind: str) -> None:
        """The decision's card, by a ``?decision=`` link (signed in first when the browser is not yet)."""
        from playwright.sync_api import expect

        path = f"queue?decision={decision_id}"
        if self.page.get_by_test_id("stSidebar").get_by_text("Signed in as").count():
            self.page.goto(f"{self.dashboard}/{path}")
        else:
            self.sign_in(path)
        expect(self.page.get_by_role("heading", name=f"{decision_id} · {kind}")).to_be_visible()
        self.settled()

    def confirm(self, what: str, submit: Any) -> None:
        """Tick "I confirm the money/stock this moves", once it is shown, and wait for ``submit`` (which waits for
        the tick) to be enabled. A tick the dashboard did not get is ticked again: in one loaded CI run the button
        stayed disabled for 60 s after the click (the page reruns itself every 5 s to show queue changes). A
        reviewer would tick it again; a tick that never reaches the dashboard still fails here."""
        from playwright.sync_api import expect

        label = self.page.get_by_text(f"I confirm the {what} this moves")
        box = self.page.get_by_role("checkbox", name=f"I confirm the {what} this moves")
        label.click()
        self.settled()
        for attempt in range(2):
            try:
                expect(submit).to_be_enabled(timeout=15_000)
                return
            except AssertionError:
                print(f"  {self.name}: the dashboard did not take the confirmation tick (try {attempt + 1})")
            if box.is_checked():  # shown ticked but not taken: untick first
                label.click()
                self.settled()
            label.click()
            self.settled()
        expect(submit).to_be_enabled()

    def choice(self, decision_id: str, number: int) -> Any:
        """Action ``number``'s Approve / Reject / Edit, its folded line opened first when the card folded it."""
        radio = self.page.locator(f".st-key-q-{decision_id}-{number}-choice")
        if not radio.is_visible():
            folds = self.page.locator(".st-key-decision-card [data-testid=stExpander] summary")
            folds.filter(has_text=f"{number}. ").first.click()
            self.settled()
        return radio

    def choose(self, decision_id: str, number: int, choice: str) -> None:
        """Approve / Reject / Edit action ``number``."""
        self.choice(decision_id, number).get_by_text(choice, exact=True).click()
        self.settled()

    def pick(self, label: str, option: str) -> None:
        """Choose ``option`` in the selectbox ``label``: the box clicked open, the option clicked in its list, the
        choice checked once the rerun it starts has finished. The dashboard's lists stay under 25 options, so the
        open list renders every row (a longer one renders only the rows in view)."""
        from playwright.sync_api import expect

        box = self.page.get_by_role("combobox", name=label)
        box.click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.settled()
        expect(box).to_have_value(option)

    def shot(self, what: str) -> None:
        self.settled()
        self.page.mouse.move(1, 1)
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(self.shots / f"walk-{what}.png"))  # tall enough for a whole card


#: Per mission: who opens its flagship's card, and words of the fact the decision turns on (from the seeded story).
ONE_SCREEN = {
    "order-exception": ("omar", "order", "fraud flag(s)"),
    "invoice-approval": ("chen", "invoice", "Three-way match"),
    "support": ("fiona", "ticket", "duplicate of"),
    "retail-exceptions": ("rhea", "order", "the count supports"),
    "account-save": ("ava", "account", "Active users"),
}


@pytest.mark.parametrize("mission", list(ONE_SCREEN))
def test_each_flagship_decision_fits_one_1280x800_screen(
    browser: Any,
    dashboard: str,
    home: Path,
    flagships: dict[str, tuple[str, str]],
    shots: Path,
    mission: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before anything is decided: the amount (in the card's header), the deciding fact, every action's choice and
    the approve button are inside the first 800 px of a 1280x800 window, with nothing scrolled."""
    import re

    name, kind, fact = ONE_SCREEN[mission]
    _, decision_id = flagships[mission]
    actions = RunStore(home / "runs.sqlite").get_decision(decision_id).request["interrupts"]
    reviewer = Reviewer(browser, dashboard, shots, name, viewport=SCREEN)
    reviewer.open(decision_id, kind)
    page = reviewer.page
    card = page.locator(".st-key-decision-card")
    heading = page.get_by_role("heading", name=f"{decision_id} · {kind}")
    assert re.search(r"· (\w+ of )?\d[\d,]*\.\d\d( [A-Z]{3})?$|· moves no money$", heading.inner_text()), (
        heading.inner_text()
    )
    inside_the_screen(page, "the header with the amount", heading)
    inside_the_screen(page, "the deciding fact", card.get_by_text(fact).first)
    for number, action in enumerate(actions, start=1):
        tool = action["action_request"]["action"]
        radio = card.locator(f".st-key-q-{decision_id}-{number}-choice")
        if radio.is_visible():
            inside_the_screen(page, f"action {number} ({tool})", card.get_by_text(f"{number}. {tool}", exact=True))
            inside_the_screen(page, f"action {number}'s choice", radio)
        else:  # folded into its one line (its answer on it), opened with a click
            folded = card.locator("[data-testid=stExpander] summary").filter(has_text=f"{number}. {tool}")
            inside_the_screen(page, f"action {number} ({tool}), folded", folded)
    inside_the_screen(page, "the approve button", page.locator(f".st-key-q-{decision_id}-submit button"))
    assert page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTop ?? 0") == 0
    reviewer.page.mouse.move(1, 1)
    reviewer.page.wait_for_timeout(300)
    picture = shots / f"one-screen-{mission}.png"
    page.screenshot(path=str(picture))  # the viewport only: what the reviewer sees without scrolling
    with capsys.disabled():
        print(f"\n  {mission}: one 1280x800 screen photographed in {picture}")


def test_order_exception_approved_by_the_ops_lead(
    browser: Any, dashboard: str, home: Path, flagships: dict[str, tuple[str, str]], shots: Path
) -> None:
    from playwright.sync_api import expect

    run_id, decision_id = flagships["order-exception"]
    order_id = RunStore(home / "runs.sqlite").get_decision(decision_id).subject_id
    omar = Reviewer(browser, dashboard, shots, "omar")
    omar.open(decision_id, "order")
    approve = omar.page.get_by_role("button", name="Approve 3 actions as omar")
    expect(approve).to_be_disabled()  # the plan moves stock: the reviewer confirms what first
    omar.confirm("stock", approve)
    omar.shot("order-exception-1-card")
    approve.click()
    expect(omar.page.get_by_text("decided by omar (ops_lead)")).to_be_visible()
    expect(omar.page.get_by_text("release_to_fulfillment done")).to_be_visible()
    omar.shot("order-exception-2-decided")

    decision = RunStore(home / "runs.sqlite").get_decision(decision_id)
    assert (decision.status, decision.decided_by) == ("decided", "omar")
    assert {r["type"] for r in decision.response["responses"]} == {"accept"}
    erp = connect("erp", home)
    assert erp.execute("SELECT status FROM orders WHERE order_id = ?", (order_id,)).fetchone()[0] == "ready_to_fulfill"
    holds = connect("payments", home).execute("SELECT status FROM payment_holds WHERE order_id = ?", (order_id,))
    assert {h[0] for h in holds} == {"released"}

    omar.page.get_by_role("link", name="Open the run").click()
    expect(omar.page.get_by_role("heading", name=f"Run {run_id}")).to_be_visible()
    expect(omar.page.get_by_text("decided by omar (ops_lead)")).to_be_visible()
    omar.shot("order-exception-3-run")


def test_retail_exception_edited_in_the_form_then_approved(
    browser: Any, dashboard: str, home: Path, flagships: dict[str, tuple[str, str]], shots: Path
) -> None:
    from playwright.sync_api import expect

    _, decision_id = flagships["retail-exceptions"]
    store = RunStore(home / "runs.sqlite")
    interrupts = store.get_decision(decision_id).request["interrupts"]
    number, args = next(
        (n, i["action_request"]["args"])
        for n, i in enumerate(interrupts, start=1)
        if i["action_request"]["action"] == "notify_customer"
    )
    message = "Your order is on its way from another store."
    rhea = Reviewer(browser, dashboard, shots, "rhea")
    rhea.open(decision_id, "order")
    rhea.choose(decision_id, number, "Edit")
    form = rhea.page.locator(f".st-key-q-{decision_id}-{number}-arg-message textarea")
    expect(form).to_have_value(args["message"])  # the message as the customer would read it, to change as text
    submit = rhea.page.get_by_role("button", name=f"Approve {len(interrupts) - 1}, edit and approve 1 actions as rhea")
    # the engineer's JSON is there when asked for, and checked as `missions decide --edit` checks it
    rhea.page.get_by_text("Edit as JSON (for engineers)").click()
    rhea.settled()
    engineer = rhea.page.get_by_role("textbox", name="New arguments (JSON)")
    engineer.fill(json.dumps({**args, "message": 5}, indent=2))
    engineer.blur()
    rhea.settled()
    expect(rhea.page.get_by_text("message is text, got 5")).to_be_visible()
    expect(submit).to_be_disabled()
    rhea.page.get_by_text("Edit as JSON (for engineers)").click()  # back to the form
    rhea.settled()
    form.fill(message)
    form.blur()
    rhea.settled()
    rhea.confirm("stock", submit)
    rhea.shot("retail-exceptions-1-edit-form")
    submit.click()
    expect(rhea.page.get_by_text("decided by rhea (")).to_be_visible()
    rhea.shot("retail-exceptions-2-decided")

    decision = store.get_decision(decision_id)
    assert (decision.status, decision.decided_by) == ("decided", "rhea")
    edited = decision.response["responses"][number - 1]
    assert edited["type"] == "edit"
    assert edited["args"]["args"] == {**args, "message": message}  # only the message changed
    notices = connect("oms", home).execute("SELECT message FROM notices WHERE order_id = ?", (args["order_id"],))
    assert [n[0] for n in notices] == [message]  # what the customer got is the reviewer's text, not the draft


def test_invoice_rejected_with_a_reason(
    browser: Any, dashboard: str, home: Path, flagships: dict[str, tuple[str, str]], shots: Path
) -> None:
    from playwright.sync_api import expect

    run_id, decision_id = flagships["invoice-approval"]
    store = RunStore(home / "runs.sqlite")
    invoice_id = store.get_decision(decision_id).subject_id
    count = len(store.get_decision(decision_id).request["interrupts"])
    chen = Reviewer(browser, dashboard, shots, "chen")
    chen.open(decision_id, "invoice")
    for number in range(1, count + 1):
        chen.choose(decision_id, number, "Reject")
        why = chen.page.get_by_role("textbox", name=f"Why is action {number} rejected? (required)")
        why.fill("vendor on hold")
        why.blur()
        chen.settled()
    submit = chen.page.get_by_role("button", name=f"Reject {count} actions as chen")
    expect(submit).to_be_enabled()
    chen.shot("invoice-approval-1-reject")
    submit.click()
    expect(chen.page.get_by_text("decided by chen (")).to_be_visible()
    chen.shot("invoice-approval-2-decided")

    decision = store.get_decision(decision_id)
    assert (decision.status, decision.decided_by) == ("decided", "chen")
    assert [r["type"] for r in decision.response["responses"]] == ["response"] * count
    assert {r["args"] for r in decision.response["responses"]} == {"vendor on hold"}
    ap = connect("ap", home)
    assert ap.execute("SELECT count(*) FROM payments WHERE invoice_id = ?", (invoice_id,)).fetchone()[0] == 0
    budget = connect("budget", home)
    commitments = budget.execute("SELECT * FROM budget_commitments WHERE invoice_id = ?", (invoice_id,))
    assert commitments.fetchall() == []
    chen.page.goto(f"{dashboard}/run?run={run_id}")
    expect(chen.page.get_by_text("vendor on hold").first).to_be_visible()
    chen.shot("invoice-approval-3-run")


def test_support_refund_and_reply_co_approved_by_two_roles_in_two_browsers(
    browser: Any,
    dashboard: str,
    home: Path,
    flagships: dict[str, tuple[str, str]],
    shots: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    run_id, decision_id = flagships["support"]
    store = RunStore(home / "runs.sqlite")
    decision = store.get_decision(decision_id)
    refund = decision.request["interrupts"][0]["action_request"]["args"]
    ticket_id = decision.subject_id

    fiona = Reviewer(browser, dashboard, shots, "fiona")
    fiona.open(decision_id, "ticket")
    expect(fiona.page.get_by_text("no single role may approve the whole plan")).to_be_visible()
    sign = fiona.page.get_by_role("button", name="Sign your part as fiona")
    fiona.confirm("money", sign)
    fiona.shot("support-1-fiona")
    sign.click()
    expect(fiona.page.get_by_text("fiona (finance) signed action 1")).to_be_visible()
    fiona.shot("support-2-fiona-signed")
    # issue 60 item 7: her part is signed, and she is told whom the rest waits for (not "may approve none")
    role = r"support_(agent|lead)"  # a role that may approve the reply
    expect(fiona.page.get_by_text(re.compile(rf"^Your part is signed; waiting for {role}$"))).to_be_visible()
    expect(fiona.page.get_by_text(re.compile(rf"is signed; waiting for {role}: it executes"))).to_be_visible()
    expect(fiona.page.get_by_text("may approve none of the actions still open")).to_have_count(0)
    fiona.shot("support-2-fiona-signed")
    assert store.get_decision(decision_id).status == "pending"  # nothing runs before both signed
    pay = connect("payments", home)
    refunds = "SELECT count(*) FROM refunds WHERE capture_id = ?"
    assert pay.execute(refunds, (refund["capture_id"],)).fetchone()[0] == 0

    lee = Reviewer(browser, dashboard, shots, "lee")
    lee.open(decision_id, "ticket")
    expect(lee.page.get_by_text("fiona (finance) signed action 1")).to_be_visible()
    # issue 60 item 2: the reply is edited as text, as the customer will read it (no JSON, no \n to keep valid)
    reply = decision.request["interrupts"][1]["action_request"]["args"]
    lee.choose(decision_id, 2, "Edit")
    body = lee.page.locator(f".st-key-q-{decision_id}-2-arg-body textarea")
    expect(body).to_have_value(reply["body"])
    edited = reply["body"].replace(
        "\n\nKind regards,", "\n\nIf anything still looks wrong, just reply here.\n\nKind regards,"
    )
    assert edited != reply["body"]
    body.fill(edited)
    body.blur()
    lee.settled()
    expect(lee.page.get_by_role("textbox", name="New arguments (JSON)")).to_have_count(0)
    sign = lee.page.get_by_role("button", name="Sign your part as lee")
    expect(lee.page.get_by_text("I confirm the money this moves")).to_have_count(0)  # fiona's part, signed by her
    expect(sign).to_be_enabled()
    lee.shot("support-3-lee-edits-the-reply")
    sign.click()
    expect(lee.page.get_by_text("decided by lee (")).to_be_visible()
    expect(lee.page.get_by_text("send_ticket_reply done")).to_be_visible()
    lee.shot("support-4-decided")

    decision = store.get_decision(decision_id)
    assert (decision.status, decision.decided_by) == ("decided", "fiona + lee")
    assert [r["type"] for r in decision.response["responses"]] == ["accept", "edit"]
    assert decision.response["responses"][1]["args"]["args"] == {**reply, "body": edited}  # only the text changed
    sent = connect("helpdesk", home).execute(
        "SELECT body FROM ticket_messages WHERE ticket_id = ? AND direction = 'outbound'", (ticket_id,)
    )
    assert [m[0] for m in sent] == [edited]  # what the customer got is the reviewer's text, line breaks and all
    # and `missions show` prints what was sent, whole and marked as edited, with the proposal below it
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    capsys.readouterr()
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr().out
    section = shown[shown.index("(edited) send_ticket_reply(") :]
    sent_part = section[: section.index("as proposed, before the edit (not sent):")]
    proposed_part = section[section.index("as proposed, before the edit (not sent):") :]
    assert "body (edited by the reviewer; as sent; as the recipient reads it):" in sent_part
    assert " ".join(edited.split()) in " ".join(sent_part.split())
    assert " ".join(reply["body"].split()) in " ".join(proposed_part.split())
    assert [(s["reviewer"], s["role"]) for s in coapproval.signoffs(store, decision_id)][:1] == [("fiona", "finance")]
    assert pay.execute(refunds, (refund["capture_id"],)).fetchone()[0] == 1
    helpdesk = connect("helpdesk", home)
    assert helpdesk.execute("SELECT status FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0] == "solved"


def test_account_save_offers_no_hand_off_to_someone_who_may_not_approve_it(
    browser: Any, dashboard: str, home: Path, flagships: dict[str, tuple[str, str]], shots: Path
) -> None:
    """Only the account's owner decides its outreach (ava; her manager only while she is away): a hand-off to maya,
    an account manager not standing in, would leave the decision waiting on someone who may approve none of it
    (#39 item 3), so the card offers none."""
    from playwright.sync_api import expect

    _, decision_id = flagships["account-save"]
    store = RunStore(home / "runs.sqlite")
    ava = Reviewer(browser, dashboard, shots, "ava")
    ava.open(decision_id, "account")
    expect(ava.page.get_by_text("account_owner may approve").filter(visible=True).first).to_be_visible()
    expect(ava.page.get_by_text("Pass it on (hand off)")).to_have_count(0)
    ava.shot("account-save-1-no-hand-off")
    assert coapproval.handed_to(store, decision_id) is None
    assert store.get_decision(decision_id).status == "pending"

    maya = Reviewer(browser, dashboard, shots, "maya")  # not hers to approve, nor to pass on, nor to see (#59 item 7)
    maya.sign_in(f"queue?decision={decision_id}")
    expect(maya.page.get_by_text(f"may not see decision {decision_id}")).to_be_visible()
    expect(maya.page.get_by_role("heading", name=re.compile(rf"^{decision_id} · "))).to_have_count(0)
    expect(maya.page.get_by_text("Pass it on (hand off)")).to_have_count(0)
    maya.shot("account-save-2-maya")


def test_a_reload_and_a_decision_link_keep_the_reviewer_signed_in(
    browser: Any, dashboard: str, flagships: dict[str, tuple[str, str]], shots: Path
) -> None:
    from playwright.sync_api import expect

    ava = Reviewer(browser, dashboard, shots, "ava")  # the account-save flagship is hers
    ava.sign_in("queue")
    ava.page.reload()
    ava.settled()
    expect(ava.page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()
    expect(ava.page.get_by_role("heading", name="Decision Queue")).to_be_visible()
    ava.shot("session-1-reloaded")

    _, decision_id = flagships["account-save"]
    tab = ava.page.context.new_page()  # a link opened in another tab: a new Streamlit session, the same browser
    tab.goto(f"{dashboard}/queue?decision={decision_id}")
    # a new Streamlit session renders on a loaded machine in more than expect's 5 s default
    expect(tab.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible(timeout=WAIT_MS)
    # the card's heading: the queue's table holds the id too, in a grid cell the browser keeps hidden
    card_heading = tab.get_by_role("heading", name=re.compile(rf"^{decision_id} · "))
    expect(card_heading).to_be_visible(timeout=WAIT_MS)
    tab.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=WAIT_MS)
    tab.screenshot(path=str(shots / "walk-session-2-link.png"), full_page=True)

    # signing out ends the session everywhere; a cookie the server did not issue signs nobody in
    ava.page.get_by_role("button", name="Sign out").click()
    expect(ava.page.get_by_role("button", name="Sign in")).to_be_visible()
    tab.reload()
    expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
    stranger = browser.new_context()
    stranger.add_cookies([{"name": "missions_session", "value": "mst_made-up", "url": dashboard}])
    page = stranger.new_page()
    page.goto(f"{dashboard}/queue")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
