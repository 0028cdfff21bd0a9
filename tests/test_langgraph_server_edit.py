"""Issue 59, item 1, on LangGraph's own server (``langgraph dev``, through its SDK as Agent Inbox would): omar
(ops_lead, limit 1,000) cut a capture above 1,000 to 900 with an Agent Inbox "edit", it ran, and finance never saw it;
``show`` printed the proposed arguments with "decided by omar". An edit rejects the proposed action too, so it takes
the standing to approve it: omar's edit decides nothing (the same decision asked again, the refusal in one line, the
queue row pending), fiona's (finance) runs at 900, and ``show`` and the audit trail carry both versions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.store import RunStore
from tests.support.langgraph_server import sdk_as as as_
from tests.support.langgraph_server import server_fixture
from tests.support.small_home import demo_home_fixture, rows

pytestmark = pytest.mark.slow

MISSION = "order-exception"

home = demo_home_fixture("langgraph-server-edit")


server = server_fixture()


def capture_order(home: Path) -> str:
    """A free order whose only exception is an expiring authorization above an ops lead's limit (1,000)."""
    for row in scan_exceptions(home):
        ((cents,),) = rows(home, "payments", "SELECT amount_cents FROM authorizations WHERE order_id = ?", row.order_id)
        if list(row.types) == ["auth_expiring"] and cents > 100_000:
            return row.order_id
    raise AssertionError("no capture above 1,000 in the book")


def edited_to(request: list[dict], amount: float) -> list[dict]:
    return [
        {"type": "edit", "args": {"action": i["action_request"]["action"],
                                  "args": {**i["action_request"]["args"], "amount": amount}}}
        for i in request
    ]  # fmt: skip


@pytest.mark.attack("59.1")
def test_an_inbox_edit_by_a_reviewer_who_may_not_approve_the_proposed_capture_decides_nothing(
    server: str, home: Path
) -> None:
    order_id = capture_order(home)
    omar = as_(server, home, "omar")
    thread_id = omar.threads.create()["thread_id"]
    omar.runs.wait(thread_id, MISSION, input={"subject_id": order_id})
    request = omar.threads.get_state(thread_id)["tasks"][0]["interrupts"][0]["value"]
    assert [i["action_request"]["action"] for i in request] == ["capture_payment"], request
    amount = request[0]["action_request"]["args"]["amount"]
    decision_id = request[0]["metadata"]["decision_id"]
    store = RunStore(home / "runs.sqlite")

    omar.runs.wait(thread_id, MISSION, command={"resume": edited_to(request, 900.0)})
    state = omar.threads.get_state(thread_id)
    refusal = state["tasks"][0]["interrupts"][0]["value"][0]["metadata"]["refused"]
    assert "an edit rejects the action as proposed, which takes the standing to approve it" in refusal, refusal
    assert f"of {amount:.2f} exceeds the ops_lead approval limit of 1000.00" in refusal
    assert "\n" not in refusal
    assert "decision" not in state["values"]
    assert store.get_decision(decision_id).status == "pending"
    assert rows(home, "payments", "SELECT count(*) FROM captures WHERE order_id = ?", order_id) == [(0,)]

    fiona = as_(server, home, "fiona")
    fiona.runs.wait(thread_id, MISSION, command={"resume": edited_to(request, 900.0)})
    final = fiona.threads.get_state(thread_id)["values"]
    assert final["status"] == "closed", final.get("status")
    assert rows(home, "payments", "SELECT amount_cents FROM captures WHERE order_id = ?", order_id) == [(90_000,)]
    decided = store.get_decision(decision_id)
    assert (decided.status, decided.decided_by) == ("decided", "fiona")
    (event,) = store.events(thread_id, kind="decision")
    assert event["actor"] == "fiona (finance)"
    assert f"capture_payment edited and approved (amount {amount} -> 900.0; as proposed: " in event["summary"]

    env = {**os.environ, "MISSIONS_HOME": str(home)}
    env.pop("MISSIONS_TOKEN", None)
    command = [sys.executable, "-m", "ai_missions.cli", "show", thread_id]
    shown = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "decided by fiona" in shown.stdout
    assert "1. (edited) capture_payment(" in shown.stdout
    assert "amount=900.0)" in shown.stdout
    assert f"as proposed, before the edit: amount={amount}" in shown.stdout
