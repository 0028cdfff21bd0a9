"""Issue 59 item 7: every page of the dashboard asks the one authorization point for what it lists and opens.

One home with each mission's flagship decision pending and an order whose expiring authorization the mission asks
to capture (its customer has an account). Four accounts walk every page, each the way ``missions show`` and
``missions queue`` answer them (the CLI, signed in as each):

- a customer (the capture's customer): the portal only, at every address;
- a customer_care account (cole), an account owner (ava) and another mission's reviewer (priya, ap_clerk): the
  Overview's figures, the Queue's table and cards, the Runs table, the Run page of every run, the Policies' citing
  runs and the missions' own pages show exactly the runs ``show`` shows them and the decisions ``queue`` lists them.

Then the attacks, each refused with nothing of the case shown (marked ``attack("59.7")``): an account owner opens an
order's card and its Explain rail by link (before: the customer's data and the whole rail), customer_care an
invoice's card, an invoice reviewer an order's run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ai_missions.cli import main
from ai_missions.client import MissionClient
from ai_missions.integrations.books import stories
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.missions import registry
from ai_missions.kernel.settings import knowledge_dir, runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services import authorization
from ai_missions.services.governance import approval_rules
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.small_home import demo_home_fixture
from tests.test_dashboard_support import PAGES, as_read, open_page, texts

pytestmark = pytest.mark.slow

CAPTURE = "capture"
STAFF = ("cole", "ava", "priya")  # customer_care, an account owner, another mission's (invoices') reviewer

home = demo_home_fixture("dashboard-sight")


@pytest.fixture(scope="module")
def cases(home: Path) -> dict[str, tuple[str, str]]:
    """Case -> (run id, decision id): each mission's flagship, an order capture and an order whose customer is asked
    to confirm an address (customer_care's to approve), all pending."""
    found: dict[str, tuple[str, str]] = {}
    rows = scan_exceptions(home)
    expiring = next(row.order_id for row in rows if tuple(row.types) == ("auth_expiring",))
    address = next(row.order_id for row in rows if "address_invalid" in row.types and row.order_id != expiring)
    extra = {expiring: CAPTURE, address: "address"}
    with MissionClient(home) as client:
        for mission, subject in [*stories(home).items(), ("order-exception", expiring), ("order-exception", address)]:
            outcome = client.start(mission, subject)
            assert outcome.decision_id is not None, (mission, subject, outcome.status)
            found[extra.get(subject, mission)] = (outcome.run_id, outcome.decision_id)
    return found


@pytest.fixture(scope="module")
def customer(home: Path, cases: dict[str, tuple[str, str]]) -> str:
    """The account of the customer whose order the capture case is about."""
    store = RunStore(runs_db(home))
    rules = approval_rules(PolicyBook(knowledge_dir(home)))
    run = authorization.run_resource(store, store.get_run(cases[CAPTURE][0]), rules)
    assert run.customer is not None
    name = run.customer.lower()
    Accounts(store).add(name, "customer", DEMO_PASSWORD, by="test")
    return name


@pytest.fixture(autouse=True)
def _home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)


@pytest.fixture(scope="module", autouse=True)
def _clients() -> Any:
    yield
    st.cache_resource.clear()  # closes the dashboard's mission client (its MCP servers)


def cli(home: Path, who: str, *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> tuple[int, str]:
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, who)["MISSIONS_TOKEN"])
    capsys.readouterr()
    code = main(list(args))
    out, _ = capsys.readouterr()
    monkeypatch.delenv("MISSIONS_TOKEN")
    return code, out


def what_the_cli_shows(home: Path, who: str, capsys: Any, monkeypatch: Any) -> tuple[set[str], set[str]]:
    """The runs ``missions show`` shows ``who`` (of every run in the store), and the decisions ``queue`` lists."""
    runs = {r["run_id"] for r in RunStore(runs_db(home)).list_runs(limit=1000)}
    shown = {r for r in runs if cli(home, who, "show", r, capsys=capsys, monkeypatch=monkeypatch)[0] == 0}
    code, out = cli(home, who, "queue", "--json", "--limit", "500", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0
    return shown, {row["decision_id"] for row in json.loads(out)}


def ids_in(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf"\b{prefix}-[0-9a-f]{{12}}\b", text))


def table_ids(at: AppTest, column: str) -> set[str]:
    return {str(v) for frame in at.dataframe for v in frame.value.get(column, [])}


def page_ids(at: AppTest) -> tuple[set[str], set[str]]:
    """The run and decision ids a page shows, in its text and its tables."""
    page = texts(at)
    return ids_in(page, "R") | table_ids(at, "run"), ids_in(page, "D") | table_ids(at, "decision")


@pytest.mark.parametrize("who", STAFF)
def test_each_account_sees_on_every_page_what_show_and_queue_show_it(
    home: Path,
    cases: dict[str, tuple[str, str]],
    customer: str,
    who: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown_runs, queued = what_the_cli_shows(home, who, capsys, monkeypatch)
    store = RunStore(runs_db(home))
    every_run = {r["run_id"] for r in store.list_runs(limit=1000)}
    every_decision = {d.decision_id for d in store.pending_decisions(limit=1000)}
    assert shown_runs  # each sees some, not all
    assert queued
    assert shown_runs != every_run
    assert queued != every_decision

    for page in PAGES:  # the listing pages
        at = open_page(page, account=who)
        runs, decisions = page_ids(at)
        assert runs <= shown_runs, (who, page, runs - shown_runs)
        assert decisions <= queued, (who, page, decisions - queued)
    runs_page = open_page("views/runs.py", account=who)
    assert page_ids(runs_page)[0] == shown_runs  # every run it may see, none other (one page holds them all)
    overview = open_page("views/overview.py", account=who)
    assert f"{len(queued):,} pending decisions" in texts(overview)
    queue = open_page("views/queue.py", account=who)
    assert table_ids(queue, "decision") == queued

    for run_id in every_run:  # the Run page of every run, by link
        at = open_page("views/run.py", account=who, run=run_id)
        opened = [t.value for t in at.title] == [f"Run {run_id}"]
        assert opened == (run_id in shown_runs), (who, run_id)
        if not opened:
            assert f"may not see run {run_id}" in as_read(texts(at))
            assert not at.expander  # no rail
    for decision_id in every_decision:  # the card of every pending decision, by link
        at = open_page("views/queue.py", account=who, decision=decision_id)
        carded = at.button(key=f"q-{decision_id}-submit") if f"q-{decision_id}-submit" in keys(at) else None
        assert (carded is not None) == (decision_id in queued), (who, decision_id)
        if carded is None:
            assert f"may not see decision {decision_id}" in as_read(texts(at))

    for spec in registry().values():  # the missions' own pages: registered for their reviewers alone
        for path in spec.pages.values():
            sees = authorization.answer(
                authorization.Person(who, Accounts(store).get(who).role),
                "see",
                authorization.mission_resource(spec.name, approval_rules(PolicyBook(knowledge_dir(home)))),
            )
            if sees:
                open_page(str(path), account=who)
            else:
                with pytest.raises(ValueError, match="Could not find a navigation page"):
                    open_page(str(path), account=who)


def keys(at: AppTest) -> set[str]:
    return {str(b.key) for b in at.button if b.key}


def test_a_customer_sees_the_portal_alone_at_every_address(
    home: Path, cases: dict[str, tuple[str, str]], customer: str
) -> None:
    run_id, decision_id = cases[CAPTURE]  # their own order's case
    for page in PAGES:
        at = open_page(page, account=None, run=run_id, decision=decision_id)
        at.session_state["reviewer"] = customer
        at.run()
        assert [t.value for t in at.title] == ["Customer portal"], page
        runs, decisions = page_ids(at)
        assert not runs
        assert not decisions


def refused_with_nothing_shown(at: AppTest, home: Path, run_id: str, what: str) -> bool:
    """The page refuses, and shows nothing of the case: not its subject, not its customer, no rail or card."""
    store = RunStore(runs_db(home))
    run = store.get_run(run_id)
    facts = authorization.case_facts(store.events(run_id))
    page = texts(at)
    secrets = [str(run["subject_id"]), *(str(v) for k, v in facts.items() if k.startswith("customer.") and v)]
    return (
        f"may not see {what}" in as_read(page)
        and not [s for s in secrets if s in page]
        and not [b for b in at.button if str(b.key or "").startswith("q-")]
        and not at.expander
    )


#: The attacks by link: who, which case, and its card (the queue) or its Explain rail (the Run page).
BY_LINK = {
    "an account owner opens an order's card": ("ava", CAPTURE, "card"),
    "an account owner opens an order's Explain rail": ("ava", "order-exception", "rail"),
    "customer_care opens an invoice's card": ("cole", "invoice-approval", "card"),
    "an invoice reviewer opens an order's Explain rail": ("priya", CAPTURE, "rail"),
}


@pytest.mark.attack("59.7")
@pytest.mark.parametrize("attack", list(BY_LINK))
def test_59_7_a_link_to_a_case_not_theirs_shows_nothing_of_it(
    home: Path, cases: dict[str, tuple[str, str]], attack: str
) -> None:
    who, case, what = BY_LINK[attack]
    run_id, decision_id = cases[case]
    if what == "card":
        at = open_page("views/queue.py", account=who, decision=decision_id)
        assert refused_with_nothing_shown(at, home, run_id, f"decision {decision_id}")
    else:
        at = open_page("views/run.py", account=who, run=run_id)
        assert refused_with_nothing_shown(at, home, run_id, f"run {run_id}")


@pytest.mark.attack("59.7")
def test_59_7_an_account_owner_reads_no_other_missions_queue_rows(
    home: Path, cases: dict[str, tuple[str, str]]
) -> None:
    at = open_page("views/queue.py", account="ava")
    listed = table_ids(at, "decision")
    store = RunStore(runs_db(home))
    assert listed
    assert {store.get_decision(d).mission for d in listed} == {"account-save"}
