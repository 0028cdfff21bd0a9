"""Issue 42 items 7 and 8, issue 39 item 3: every surface asks the one authorization point.

One home with each mission's flagship decision pending, and an order whose expiring authorization the mission asks
to capture. Then:

- **can-approve agreement** (#39): for every pending decision and every account, ``queue --can-approve`` lists it
  exactly when the dashboard card would let the account approve it, and exactly when ``decide --approve`` (the
  real runtime, stopped at the claim) would take it;
- **surface walk** (#42): the CLI, the dashboard's card, the portal and the platform API, each with a customer's
  token, a customer_care token and a reviewer of another mission: each sees and answers only what it may. The
  LangGraph server's part of the walk is the ``langgraph_auth`` handlers' own (see the marked place below);
- **attacks** (#42 item 7 and 8): a customer rejects an order's capture (CLI) and a retail decision (platform
  API), customer_care rejects an invoice: each refused, the decision left pending, then approved by the right
  role; a customer's token on the platform API lists, reads and starts nothing of others'.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp.server.fastmcp.exceptions import ToolError

from ai_missions.cli import main
from ai_missions.client import MissionClient
from ai_missions.dashboard import model
from ai_missions.graphs.support.portal_service import customer_of
from ai_missions.integrations.books import stories
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.settings import knowledge_dir, runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services import authorization, coapproval
from ai_missions.services.authorization import Person
from ai_missions.services.governance import approval_rules
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.as_account import platform_call
from tests.support.small_home import demo_home_fixture

pytestmark = pytest.mark.slow

CAPTURE = "capture"  # the name of the order case whose plan captures an expiring authorization


class WouldDecide(Exception):
    """Raised where ``decide`` would commit (the claim, or a co-approval sign-off): it took the answer."""


home = demo_home_fixture("surface-walk")


@pytest.fixture(scope="module")
def cases(home: Path) -> dict[str, tuple[str, str]]:
    """Case -> (run id, decision id): each mission's flagship, and an order capture, all pending."""
    found: dict[str, tuple[str, str]] = {}
    expiring = next(row.order_id for row in scan_exceptions(home) if tuple(row.types) == ("auth_expiring",))
    with MissionClient(home) as client:
        for mission, subject in [*stories(home).items(), ("order-exception", expiring)]:
            outcome = client.start(mission, subject)
            assert outcome.decision_id is not None, (mission, subject, outcome.status)
            found[CAPTURE if subject == expiring else mission] = (outcome.run_id, outcome.decision_id)
    tools = {
        i["action_request"]["action"] for i in store_of(home).get_decision(found[CAPTURE][1]).request["interrupts"]
    }
    assert "capture_payment" in tools, tools
    return found


@pytest.fixture(scope="module")
def customer(home: Path, cases: dict[str, tuple[str, str]]) -> str:
    """The account of the customer whose order the capture case is about (role ``customer``)."""
    store = store_of(home)
    run = authorization.run_resource(store, store.get_run(cases[CAPTURE][0]), rules(home))
    assert run.customer is not None
    name = run.customer.lower()
    Accounts(store).add(name, "customer", DEMO_PASSWORD, by="test")
    return name


def store_of(home: Path) -> RunStore:
    return RunStore(runs_db(home))


def rules(home: Path) -> list[Any]:
    return approval_rules(PolicyBook(knowledge_dir(home)))


def person(home: Path, name: str) -> Person:
    account = Accounts(store_of(home)).get(name)
    return Person(account.name, account.role)


def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path, who: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, who)["MISSIONS_TOKEN"])
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def queue_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path, who: str, *more: str
) -> set[str]:
    code, out, err = cli(capsys, monkeypatch, home, who, "queue", "--json", "--limit", "500", *more)
    assert code == 0, err
    return {row["decision_id"] for row in json.loads(out)}


def card_may_approve(home: Path, who: Person, decision_id: str) -> bool:
    """What the dashboard card says when every action is left on "Approve": no problem, so the button is on."""
    store = store_of(home)
    decision = store.get_decision(decision_id)
    case = authorization.decision_resource(store, decision, rules(home))
    accept = [{"type": "accept"} for _ in decision.request["interrupts"]]
    return model.plan_problem(who, case, accept) is None


def three_answers(
    home: Path,
    pending: list[str],
    accounts: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[tuple[str, str], tuple[bool, bool, bool]]:
    """(decision, account) -> whether `queue --can-approve` lists it, whether the card lets the account approve it,
    and whether `decide --approve` (the real runtime, stopped where it would commit) takes it."""

    def stop(*_: Any, **__: Any) -> Any:
        raise WouldDecide

    listed = {name: queue_ids(capsys, monkeypatch, home, name, "--can-approve") for name in accounts}
    answers: dict[tuple[str, str], tuple[bool, bool, bool]] = {}
    with MissionClient(home) as client, monkeypatch.context() as patch:
        patch.setattr(RunStore, "claim_decision", stop)
        patch.setattr(coapproval, "record", stop)
        for decision_id in pending:
            for name in accounts:
                try:
                    client.decide(decision_id, name, approve=True)
                except WouldDecide:
                    decides = True
                except ForbiddenError:
                    decides = False
                card = card_may_approve(home, person(home, name), decision_id)
                answers[decision_id, name] = (decision_id in listed[name], card, decides)
    return answers


# -- #39: --can-approve, the card and decide agree ---------------------------------------------------------------
def test_can_approve_the_card_and_decide_agree_for_every_pending_decision_and_account(
    home: Path,
    cases: dict[str, tuple[str, str]],
    customer: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = store_of(home)
    pending = [d.decision_id for d in store.pending_decisions(limit=500)]
    assert set(pending) >= {d for _, d in cases.values()}
    accounts = [a.name for a in Accounts(store).list()]
    assert customer in accounts

    answers = three_answers(home, pending, accounts, capsys, monkeypatch)
    for (decision_id, name), (cli_lists, card, decides) in answers.items():
        assert cli_lists == card == decides, (decision_id, name, cli_lists, card, decides)
    agreed = {pair: said[2] for pair, said in answers.items()}
    for decision_id in pending:
        assert store.get_decision(decision_id).status == "pending"  # nothing was taken
        assert any(agreed[decision_id, n] for n in accounts), decision_id  # someone may approve each
    owners = [n for n in accounts if agreed[cases["account-save"][1], n]]
    assert len(owners) == 1, owners  # the account's owner only, not every account_owner
    assert not any(agreed[d, customer] for d in pending)


# -- #42: each surface, three accounts -------------------------------------------------------------------------
def test_each_surface_shows_and_answers_only_what_the_account_may(
    home: Path,
    cases: dict[str, tuple[str, str]],
    customer: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = store_of(home)
    capture_run, capture = cases[CAPTURE]
    invoice_run, invoice = cases["invoice-approval"]
    retail = cases["retail-exceptions"][1]
    others = {d for _, d in cases.values()}
    customer_id = customer.upper()

    # CLI
    assert queue_ids(capsys, monkeypatch, home, customer) == set()
    assert cli(capsys, monkeypatch, home, customer, "show", capture_run)[0] == 0  # their own order's run
    code, _, err = cli(capsys, monkeypatch, home, customer, "show", invoice_run)
    assert code == 2
    assert "is not about your own orders or tickets" in err
    code, out, err = cli(capsys, monkeypatch, home, customer, "runs", "--json", "--limit", "500")
    assert code == 0, err
    assert capture_run in {r["run_id"] for r in json.loads(out)}
    assert {authorization.run_resource(store, r, rules(home)).customer for r in json.loads(out)} == {customer_id}
    code, out, err = cli(capsys, monkeypatch, home, "priya", "runs", "--json", "--limit", "500")
    assert {r["mission"] for r in json.loads(out)} == {"invoice-approval"}  # the runs of the mission she reviews
    cole_sees = queue_ids(capsys, monkeypatch, home, "cole")
    assert invoice not in cole_sees
    assert retail not in cole_sees
    assert cli(capsys, monkeypatch, home, "cole", "show", invoice_run)[0] == 2
    priya_sees = queue_ids(capsys, monkeypatch, home, "priya")
    assert invoice in priya_sees
    assert not (priya_sees & (others - {invoice}))  # ap_clerk reviews invoices, none of the other missions' cases
    code, _, err = cli(capsys, monkeypatch, home, "priya", "decide", capture, "--reject", "--reason", "no")
    assert code == 2
    assert "rejecting capture_payment takes the standing to approve it" in err

    # dashboard: the card's word and its hand-off list
    theirs = {customer: set(), "cole": {"order-exception", CAPTURE}, "priya": {"invoice-approval"}}
    for name, missions in theirs.items():
        who = person(home, name)
        for label, (_, decision_id) in cases.items():
            if label not in missions:
                assert not card_may_approve(home, who, decision_id), (name, label)
    case = authorization.decision_resource(store, store.get_decision(capture), rules(home))
    roster = {"fiona": "finance", "omar": "ops_lead"}
    for name in (customer, "priya"):  # they may not even see it: no hand-off to offer
        assert model.hand_off_targets(person(home, name), case, roster) == ([], []), name
    position = next(p for p, a in enumerate(case.actions) if a["tool"] == "capture_payment")
    line = model.may_approve_line(person(home, "cole"), case, position, case.actions[position]["args"])
    assert line.startswith(":red[:material/block: customer_care may not approve: capture_payment")

    # portal: the customer is bound to their own records; staff are not customers
    assert customer_of(customer, "customer") == customer_id
    for name, role in (("cole", "customer_care"), ("priya", "ap_clerk")):
        with pytest.raises(ForbiddenError, match="the portal is for customers"):
            customer_of(name, role)

    # platform API
    assert platform_call(home, monkeypatch, customer, "list_queue") == []
    runs = platform_call(home, monkeypatch, customer, "list_runs", limit=500)
    assert capture_run in {r["run_id"] for r in runs}
    for run in runs:  # each about their own records
        assert authorization.run_resource(store, run, rules(home)).customer == customer_id
    with pytest.raises(ToolError, match="ForbiddenError"):
        platform_call(home, monkeypatch, customer, "read_run", run_id=invoice_run)
    cole_queue = {d["decision_id"] for d in platform_call(home, monkeypatch, "cole", "list_queue", limit=500)}
    assert cole_queue == cole_sees  # the same answer as the CLI's
    assert {r["mission"] for r in platform_call(home, monkeypatch, "cole", "list_runs", limit=500)} <= {
        "order-exception"
    }
    with pytest.raises(ToolError, match="ForbiddenError"):
        platform_call(home, monkeypatch, "priya", "read_run", run_id=capture_run)
    with pytest.raises(ToolError, match="may not start the order-exception mission"):
        platform_call(home, monkeypatch, "priya", "start_mission", mission="order-exception", subject_id="SO-1")

    # LangGraph server: the same three accounts against its @auth.on handlers belong here, written with the
    # handlers (ai_missions.langgraph_auth, on this module's ai_missions.services.authorization).
    for _, decision_id in cases.values():
        assert store.get_decision(decision_id).status == "pending"  # walking answered nothing


# -- #42 item 7 and 8: the attacks, then the right role --------------------------------------------------------
@pytest.mark.attack("42.8")
def test_42_8_a_customers_token_on_the_platform_api_starts_and_reads_nothing_of_others(
    home: Path, cases: dict[str, tuple[str, str]], customer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert platform_call(home, monkeypatch, customer, "list_queue", limit=500) == []
    other_runs = [run for label, (run, _) in cases.items() if label != CAPTURE]
    listed = {r["run_id"] for r in platform_call(home, monkeypatch, customer, "list_runs", limit=500)}
    assert not listed & set(other_runs)
    for run_id in other_runs:
        with pytest.raises(ToolError, match="not about your own orders or tickets"):
            platform_call(home, monkeypatch, customer, "read_run", run_id=run_id)
    with pytest.raises(ToolError, match="a customer sees their own orders and tickets only"):
        platform_call(home, monkeypatch, customer, "start_mission", mission="support", subject_id="T-1")


@pytest.mark.attack("42.7")
def test_42_7_a_customer_rejecting_an_orders_capture_on_the_cli_is_refused_then_finance_approves(
    home: Path,
    cases: dict[str, tuple[str, str]],
    customer: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision_id = cases[CAPTURE][1]
    code, _, err = cli(capsys, monkeypatch, home, customer, "decide", decision_id, "--reject", "--reason", "no")
    assert code == 2
    assert "a customer answers no decision" in err
    assert store_of(home).get_decision(decision_id).status == "pending"
    approved_by_the_right_role(home, decision_id)


@pytest.mark.attack("42.7")
def test_42_7_a_customer_rejecting_a_retail_decision_through_the_platform_api_is_refused(
    home: Path, cases: dict[str, tuple[str, str]], customer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision_id = cases["retail-exceptions"][1]
    with pytest.raises(ToolError, match="a customer answers no decision"):
        platform_call(home, monkeypatch, customer, "decide", decision_id=decision_id, reject_reason="not mine")
    assert store_of(home).get_decision(decision_id).status == "pending"
    approved_by_the_right_role(home, decision_id)


@pytest.mark.attack("42.7")
def test_42_7_customer_care_rejecting_an_invoice_is_refused(
    home: Path,
    cases: dict[str, tuple[str, str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision_id = cases["invoice-approval"][1]
    code, _, err = cli(capsys, monkeypatch, home, "cole", "decide", decision_id, "--reject", "--reason", "no")
    assert code == 2
    assert "cole (customer_care) may not reject this" in err
    assert store_of(home).get_decision(decision_id).status == "pending"
    assert not coapproval.signoffs(store_of(home), decision_id)
    approved_by_the_right_role(home, decision_id)


def approved_by_the_right_role(home: Path, decision_id: str) -> None:
    """The decision, still pending, is approved by an account the authorization point says may approve it."""
    store = store_of(home)
    case = authorization.decision_resource(store, store.get_decision(decision_id), rules(home))
    able = [a for a in Accounts(store).list() if authorization.may_approve(a, case)]
    assert able, decision_id
    with MissionClient(home) as client:
        outcome = client.decide(decision_id, able[0].name, approve=True)
    decided = store.get_decision(decision_id)
    if outcome.status == "awaiting_decision":  # a shared plan: one part signed, the rest by another role
        assert coapproval.signoffs(store, decision_id)
    else:
        assert decided.status == "decided"
        assert decided.decided_by == able[0].name


@pytest.fixture(autouse=True)
def _no_token_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)


@pytest.mark.extended
@pytest.mark.timeout(3600)
def test_can_approve_the_card_and_decide_agree_on_every_pending_decision_of_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 39's line as written: after `missions demo` (as the README runs it), for every pending decision and
    every demo account, `queue --can-approve` lists it exactly when the card would let the account approve it and
    exactly when `decide --approve` (stopped at its claim) takes it."""
    home = tmp_path / "demo"
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    assert main(["demo"]) == 0
    capsys.readouterr()
    store = store_of(home)
    pending = [d.decision_id for d in store.pending_decisions(limit=5000)]
    accounts = [a.name for a in Accounts(store).list()]
    assert pending
    assert accounts

    answers = three_answers(home, pending, accounts, capsys, monkeypatch)
    disagreements = [(pair, said) for pair, said in answers.items() if len(set(said)) > 1]
    print(f"{len(pending)} pending decisions x {len(accounts)} accounts: {len(disagreements)} disagreements")
    assert disagreements == []
    assert all(store.get_decision(d).status == "pending" for d in pending)  # nothing was taken
