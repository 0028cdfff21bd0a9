"""Issue 59, item 9: ``read_run`` gave a customer their run's fraud score, its reasons and the reviewers' names. A
customer sees a run about their own records as they read their case (``services/customer_view.py``): where it stands
and what was sent to them, on the platform API (``read_run``, ``list_runs``), the CLI (``show``, ``runs``) and not
at all through LangGraph's server threads (``tests/test_langgraph_server_auth.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.client import MissionClient
from ai_missions.integrations.books import stories
from ai_missions.services.customer_view import RUN_FIELDS
from ai_missions.testing import signed_in_as
from tests.support.as_account import customer_account, customer_named, platform_call
from tests.support.small_home import demo_home_fixture, rows

pytestmark = pytest.mark.slow

home = demo_home_fixture("customer-view")

#: What a customer must not read of their run: the mission's reasoning and the people who decided.
INTERNAL = ("fraud", "fraud_score", "new_shipping_address", "omar", "ops_lead", "policy", "evidence", "verdict")


@pytest.fixture(scope="module")
def decided(home: Path) -> dict[str, Any]:
    """The order flagship (a payment review: a fraud score and its reasons), decided by omar; its customer."""
    with MissionClient(home) as missions:
        order_id = stories(home)["order-exception"]
        outcome = missions.start("order-exception", order_id)
        assert outcome.decision_id is not None
        assert outcome.state["facts"].get("payment.fraud_score") is not None
        missions.decide(outcome.decision_id, "omar", approve=True)
    return {"run_id": outcome.run_id, "customer": customer_account(home, order_id)}


def internal_words(value: Any) -> list[str]:
    text = json.dumps(value, default=str).lower()
    return [word for word in INTERNAL if word in text]


@pytest.mark.attack("59.9")
def test_a_customers_read_run_holds_no_internal_reasoning(
    home: Path, decided: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewer = platform_call(home, monkeypatch, "omar", "read_run", run_id=decided["run_id"])
    assert {"fraud_score", "omar"} <= set(internal_words(reviewer))  # the control: a reviewer's view holds them
    seen = platform_call(home, monkeypatch, decided["customer"], "read_run", run_id=decided["run_id"])
    assert set(seen) == {"run", "decisions", "sent"}
    assert set(seen["run"]) == set(RUN_FIELDS)
    assert internal_words(seen) == []
    listed = platform_call(home, monkeypatch, decided["customer"], "list_runs")
    assert decided["run_id"] in {r["run_id"] for r in listed}
    assert all(set(r) == set(RUN_FIELDS) for r in listed)
    assert internal_words(listed) == []


@pytest.mark.attack("59.9")
def test_a_customers_show_and_runs_on_the_cli_hold_no_internal_reasoning(
    home: Path, decided: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, decided["customer"])["MISSIONS_TOKEN"])
    for command in (("show", decided["run_id"]), ("show", decided["run_id"], "--json"), ("runs",), ("runs", "--json")):
        capsys.readouterr()
        assert main(list(command)) == 0
        out = capsys.readouterr().out
        assert decided["run_id"] in out, command
        assert internal_words(out) == [], (command, out)


@pytest.fixture(scope="module")
def replied(home: Path) -> dict[str, Any]:
    """The support flagship, decided: a refund and a reply sent to the customer."""
    with MissionClient(home) as missions:
        outcome = missions.start("support", stories(home)["support"])
        assert outcome.decision_id is not None
        accept = [{"type": "accept"} for _ in missions.store.get_decision(outcome.decision_id).request["interrupts"]]
        missions.decide(outcome.decision_id, "lee", responses=accept)
        final = missions.decide(outcome.decision_id, "fiona", responses=accept)
        reply = next(r for r in final.results if r["tool"] == "send_ticket_reply")
    ((customer,),) = rows(
        home, "helpdesk", "SELECT customer_id FROM tickets WHERE ticket_id = ?", stories(home)["support"]
    )
    return {"run_id": outcome.run_id, "customer": customer_named(home, str(customer)), "body": reply["args"]["body"]}


def test_a_customer_reads_what_was_sent_to_them(
    home: Path, replied: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = platform_call(home, monkeypatch, replied["customer"], "read_run", run_id=replied["run_id"])
    assert [s["body"] for s in seen["sent"]] == [replied["body"]]
    assert [s["tool"] for s in seen["sent"]] == ["send_ticket_reply"]
    assert "lee" not in json.dumps(seen)
