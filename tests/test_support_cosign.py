"""A support plan no single role may approve (a refund above a support lead's limit, and a reply stating it): the
guard judges each signed part inside the plan it belongs to, whoever signs first, and a "no" is always taken.

The reply says the refund is done, which is true only with the refund before it. Judged alone, the support lead's
part (the reply) was refused by the guard whenever the lead signed before finance (found by the review walk)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.client import MissionClient
from ai_missions.integrations.systems import connect
from ai_missions.services import coapproval
from tests.support.mission_home import client_fixture, flagships_fixture
from tests.support.small_home import demo_home_fixture

home = demo_home_fixture("support-cosign")
missions = client_fixture()
flagships = flagships_fixture()


def test_the_reply_signed_first_waits_for_the_refund_and_a_refused_refund_sends_no_reply(
    home: Path, missions: MissionClient, flagships: dict[str, tuple[str, str]]
) -> None:
    run_id, decision_id = flagships["support"]
    tools = [i["action_request"]["action"] for i in missions.store.get_decision(decision_id).request["interrupts"]]
    assert tools == ["refund_payment", "send_ticket_reply"]
    capture = missions.store.get_decision(decision_id).request["interrupts"][0]["action_request"]["args"]["capture_id"]

    first = missions.decide(decision_id, "lee", approve=True)  # the support lead signs the reply only
    assert first.status == "awaiting_decision"
    assert coapproval.taken_by(coapproval.signoffs(missions.store, decision_id)) == {1: "lee"}

    done = missions.decide(decision_id, "fiona", reject_reason="the second capture is a deposit, not a duplicate")
    assert missions.store.get_decision(decision_id).status != "pending"
    plan = {s["tool"]: s for s in missions.state(run_id)["decision"]["plan"]}
    assert plan["refund_payment"]["status"] == "rejected"
    assert plan["send_ticket_reply"]["status"] == "rejected"  # it would state a refund that was refused
    assert "refund_payment is done" in plan["send_ticket_reply"]["reason"]
    pay = connect("payments", home)
    assert pay.execute("SELECT count(*) FROM refunds WHERE capture_id = ?", (capture,)).fetchone()[0] == 0
    sent = [e for e in missions.store.events(run_id, kind="action_result") if e["data"]["tool"] == "send_ticket_reply"]
    assert not [e for e in sent if e["data"].get("status") == "done"], done.status
