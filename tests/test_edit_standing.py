"""Issue 59, item 1 (and issue 60, item 3): an edit approves the new action and rejects the one proposed, so it takes
the standing for both, on every surface that decides in this process: the CLI's ``decide --edit`` and the
dashboard's decide call (the card's "may approve" line, its submit check, and ``resources.decide``), and the
platform API's ``decide`` (``missions serve``). A reviewer
whose limit is below the proposed capture may not change it, not even to an amount within their limit; one with the
standing may, and then ``show`` prints the action as it ran (marked as edited) with the action as proposed below it,
the audit trail records both, and the note written after the decision says what is true (never "captured ahead of
expiry" of a capture the reviewer cut down). LangGraph's server: ``tests/test_langgraph_server_edit.py``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from mcp.server.fastmcp.exceptions import ToolError

from ai_missions.client import MissionClient
from ai_missions.dashboard import model, resources
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services import authorization
from ai_missions.services.governance import approval_rules
from ai_missions.services.review import render, review_sheet
from tests.support.as_account import cli_as as cli
from tests.support.as_account import platform_call
from tests.support.small_home import demo_home_fixture, rows

pytestmark = pytest.mark.slow

MISSION = "order-exception"

home = demo_home_fixture("edit-standing")


def capture_order(home: Path, low: float, high: float) -> str:
    """An order whose only exception is an expiring authorization of more than ``low`` and at most ``high``: the
    mission proposes to capture it."""
    store = RunStore(home / "runs.sqlite")
    for row in scan_exceptions(home):
        if list(row.types) != ["auth_expiring"] or store.case_held(MISSION, row.order_id) is not None:
            continue
        ((cents,),) = rows(home, "payments", "SELECT amount_cents FROM authorizations WHERE order_id = ?", row.order_id)
        if low * 100 < cents <= high * 100:
            return row.order_id
    raise AssertionError(f"no free capture between {low} and {high} in the book")


def captured(home: Path, order_id: str) -> list[float]:
    return [
        cents / 100
        for (cents,) in rows(home, "payments", "SELECT amount_cents FROM captures WHERE order_id = ?", order_id)
    ]


@pytest.fixture(scope="module")
def missions(home: Path) -> Iterator[MissionClient]:
    with MissionClient(home) as client:
        yield client


@pytest.mark.attack("59.1")
def test_the_cli_refuses_an_edit_by_a_reviewer_who_may_not_approve_the_action_as_proposed(
    home: Path, missions: MissionClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ana (ops_agent, limit 200) is refused a capture of 200-1,000, then edits it down to 150: refused, nothing
    captured, the decision pending. omar (ops_lead, limit 1,000) may: the capture runs at 150, and ``show``, its
    ``--json`` and the audit trail carry the edited arguments beside the proposed ones."""
    order_id = capture_order(home, 200, 1000)
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    decision_id, run_id = outcome.decision_id, outcome.run_id
    proposed = missions.store.get_decision(decision_id).request["interrupts"][0]["action_request"]
    assert proposed["action"] == "capture_payment"
    amount = proposed["args"]["amount"]

    code, _, err = cli(capsys, monkeypatch, home, "decide", decision_id, "--edit", '{"1": {"amount": 150}}', as_="ana")
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "an edit rejects the action as proposed, which takes the standing to approve it" in err
    assert f"of {amount:.2f} exceeds the ops_agent approval limit of 200.00" in err
    assert missions.store.get_decision(decision_id).status == "pending"
    assert captured(home, order_id) == []

    edit = ("decide", decision_id, "--edit", '{"1": {"amount": 150}}')
    code, out, err = cli(capsys, monkeypatch, home, *edit, as_="omar")
    assert code == 0, err
    assert captured(home, order_id) == [150.0]
    decided = missions.store.get_decision(decision_id)
    assert (decided.status, decided.decided_by) == ("decided", "omar")

    code, out, err = cli(capsys, monkeypatch, home, "show", run_id)
    assert code == 0, err
    assert f"1. (edited) capture_payment(authorization_id='{proposed['args']['authorization_id']}', amount=150)" in out
    assert f"as proposed, before the edit: amount={amount}" in out
    assert f"money 150.00 as edited ({amount:,.2f} proposed)" in out
    trail = json.loads(cli(capsys, monkeypatch, home, "show", run_id, "--json")[1])
    (action,) = trail["decisions"][0]["review"]["actions"]
    assert (action["args"]["amount"], action["edited_args"]["amount"], action["ran"]) == (amount, 150, "done")
    (event,) = missions.store.events(run_id, kind="decision")
    assert f"capture_payment edited and approved (amount {amount} -> 150; as proposed: " in event["summary"]

    # the note on the outcome says what is true: the capture was cut down, not "captured ahead of expiry"
    notes = [e["data"] for e in missions.store.events(run_id, kind="action_result") if e["data"]["tool"] == "add_note"]
    assert notes
    assert not any("captured ahead of expiry" in str(n["args"]) for n in notes), notes
    after = notes[-1]
    assert after["automatic"] == "update"
    assert f"amount=150) done as edited by the reviewer (proposed: amount={amount})" in after["args"]["body"]


@pytest.fixture
def dashboard(home: Path, monkeypatch: pytest.MonkeyPatch, missions: MissionClient) -> Iterator[None]:
    """The dashboard's functions on ``home`` in this process (no ``missions serve``), a fresh session."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    monkeypatch.setattr(resources, "client", lambda: missions)
    st.session_state.clear()
    yield
    st.session_state.clear()


@pytest.mark.attack("59.1")
def test_the_dashboards_decide_call_refuses_an_edit_by_a_reviewer_who_may_not_approve_the_action_as_proposed(
    home: Path, missions: MissionClient, dashboard: None
) -> None:
    """omar (ops_lead, limit 1,000) edits a capture above 1,000 down to 900 on the card: its line is red, the submit
    check refuses, and ``resources.decide`` (what the card's button calls) is refused with the decision pending.
    fiona (finance) edits it: it runs at 900, and the card's data (the review sheet) carries both versions."""
    order_id = capture_order(home, 1000, 5000)
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    decision_id = outcome.decision_id
    store = RunStore(home / "runs.sqlite")
    rules = approval_rules(PolicyBook(knowledge_dir(home)))
    case = authorization.decision_resource(store, store.get_decision(decision_id), rules)
    request = store.get_decision(decision_id).request["interrupts"][0]["action_request"]
    amount = request["args"]["amount"]
    edit = model.response_for("edit", tool=request["action"], args={**request["args"], "amount": 900.0})
    omar = authorization.Person("omar", "ops_lead")

    line = model.may_approve_line(omar, case, 0, edit["args"]["args"])
    assert line.startswith(":red["), line
    assert "an edit rejects the action as proposed" in line, line
    assert model.plan_problem(omar, case, [edit]) is not None  # the submit button stays off
    with pytest.raises(ForbiddenError, match="an edit rejects the action as proposed"):
        resources.decide(decision_id, "omar", responses=[edit])
    assert store.get_decision(decision_id).status == "pending"
    assert captured(home, order_id) == []

    fiona = authorization.Person("fiona", "finance")
    assert model.may_approve_line(fiona, case, 0, edit["args"]["args"]).startswith(":green[")
    assert model.plan_problem(fiona, case, [edit]) is None
    done = resources.decide(decision_id, "fiona", responses=[edit], expected_hash=case_hash(store, decision_id))
    assert done["status"] == "closed", done
    assert captured(home, order_id) == [900.0]
    decided = store.get_decision(decision_id)
    (action,) = review_sheet(store, decided, rules).actions
    assert (action.args["amount"], action.edited_args, action.edited_amount) == (
        amount,
        {**request["args"], "amount": 900.0},
        900.0,
    )
    assert action.answer == "edited and approved (amount=900.0)"
    shown = "\n".join(render(review_sheet(store, decided, rules)))  # what `missions show` prints of it
    assert "1. (edited) capture_payment(" in shown
    assert "amount=900.0)" in shown
    assert f"as proposed, before the edit: amount={amount}" in shown


def case_hash(store: RunStore, decision_id: str) -> str:
    return str(store.get_decision(decision_id).request["actions_hash"])


def test_show_prints_an_edited_customer_reply_whole_marked_as_edited_with_the_proposed_one_below(
    home: Path, missions: MissionClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 60, item 3: after an edit, ``show`` printed the text the customer never got as "as the recipient reads
    it" and cut the edited one, even with ``--full``. The support flagship's reply, edited by the support lead (a long
    text, over several lines) and co-approved with the refund by finance: ``show`` prints what was sent whole, marked
    as edited, and the proposal below it, marked as not sent; with ``--full`` too."""
    from ai_missions.integrations.books import stories

    outcome = missions.start("support", stories(home)["support"])
    assert outcome.decision_id is not None
    interrupts = missions.store.get_decision(outcome.decision_id).request["interrupts"]
    reply = next(i for i in interrupts if i["action_request"]["action"] == "send_ticket_reply")["action_request"]
    body = (
        "Hello,\n\nThank you for writing to us. We checked the order and the card payments, and we found the "
        "second charge you told us about. We have refunded it to the card you paid with; banks usually show a "
        "refund within 5-10 business days.\n\nKind regards,\nCustomer Support"
    )
    answers = [
        {"type": "edit", "args": {"action": i["action_request"]["action"], "args": {**i["action_request"]["args"],
                                                                                      "body": body}}}
        if i["action_request"]["action"] == "send_ticket_reply"
        else {"type": "accept"}
        for i in interrupts
    ]  # fmt: skip
    missions.decide(outcome.decision_id, "lee", responses=answers)  # the reply (edited): the support lead's part
    final = missions.decide(outcome.decision_id, "fiona", responses=answers)  # the refund: finance's part
    assert final.status == "closed", final.status
    for extra in ((), ("--full",)):
        code, out, err = cli(capsys, monkeypatch, home, "show", outcome.run_id, *extra)
        assert code == 0, err
        section = out[out.index("(edited) send_ticket_reply(") :]
        sent = section[section.index("body (edited by the reviewer; as sent; as the recipient reads it):") :]
        before = sent[sent.index("as proposed, before the edit (not sent):") :]
        assert " ".join(body.split()) in " ".join(sent[: len(sent) - len(before)].split()), extra
        assert " ".join(reply["args"]["body"].split()) in " ".join(before.split()), extra
        assert "..." not in sent[: len(sent) - len(before)], extra


@pytest.mark.attack("59.1")
def test_the_platform_api_refuses_an_edit_by_a_reviewer_who_may_not_approve_the_action_as_proposed(
    home: Path, missions: MissionClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``missions serve``'s ``decide`` (what the CLI and the dashboard call when a server runs): the same answer."""
    order_id = capture_order(home, 1000, 5000)
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    decision_id = outcome.decision_id
    amount = missions.store.get_decision(decision_id).request["interrupts"][0]["action_request"]["args"]["amount"]

    def decide(who: str) -> None:
        platform_call(home, monkeypatch, who, "decide", decision_id=decision_id, edits={"1": {"amount": 900.0}})

    with pytest.raises(ToolError, match="an edit rejects the action as proposed"):
        decide("omar")
    assert missions.store.get_decision(decision_id).status == "pending"
    assert captured(home, order_id) == []
    decide("fiona")
    assert captured(home, order_id) == [900.0]
    assert amount > 1000
