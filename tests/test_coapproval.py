"""Co-approval and hand-off: a plan no single role may approve (a refund above the ops lead's limit, which only
finance signs, with a customer message, which finance may not send) is signed part by part, and executes only
once every part is signed. Tried on every path: the platform API (as the dashboard calls it), the CLI, the
exported graph resumed directly, two signers at once, and tampered or replayed sign-offs in the store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.client import MissionClient
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.errors import ConflictError, ForbiddenError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.nodes.context import MissionContext
from ai_missions.services import coapproval
from ai_missions.services.authorization import Person
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway
from ai_missions.services.governance import approval_rules
from ai_missions.services.queue_filters import QueueFilter, pending
from ai_missions.services.review import roles_needed
from ai_missions.testing import signed_in_as
from tests.support.mission_home import client_fixture, seeded_home

pytestmark = pytest.mark.slow

MISSION = "order-exception"
#: Decisions on shared plans the tests use up (each test takes its own).
WANTED = 6


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = seeded_home(tmp_path_factory, "coapproval", lambda home: seed_book(3000, 3, home))
    signed_in_as(home, "fiona")  # the demo roster's accounts
    return home


missions = client_fixture()


@pytest.fixture(scope="module")
def shared(home: Path, missions: MissionClient) -> Iterator[str]:
    """Decisions on plans that need finance (a refund above 1000) and customer care or an ops lead (a message)."""
    spec = get_mission(MISSION)
    rules = approval_rules(missions.knowledge)
    found = []
    for row in scan_exceptions(home):
        if list(row.types) != ["double_charge"] or not large_charge(missions, row.order_id):
            continue
        outcome = missions.start(MISSION, row.order_id)
        if outcome.decision_id is None:
            continue
        request = missions.store.get_decision(outcome.decision_id).request["interrupts"]
        plan = [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in request]
        if coapproval.shared_plan(plan, rules, spec.tools):
            found.append(outcome.decision_id)
        if len(found) == WANTED:
            break
    assert len(found) == WANTED, found
    return iter(found)


def large_charge(missions: MissionClient, order_id: str) -> bool:
    """Whether the order was charged more than an ops lead may refund (only those plans need finance)."""
    captures = missions.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)["captures"]
    return any(float(c["amount"]) > 1000 for c in captures)


def refunded(missions: MissionClient, decision_id: str) -> float:
    order_id = missions.store.get_decision(decision_id).subject_id
    return float(missions.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)["refunded_amount"])


def executed(missions: MissionClient, decision_id: str) -> list[str]:
    run_id = missions.store.get_decision(decision_id).run_id
    done = missions.store.events(run_id, kind="action_result")
    return [e["data"]["tool"] for e in done if e["data"].get("status") == "done" and e["data"]["tool"] != "add_note"]


def cli(home: Path, *args: str, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_TOKEN": token}
    return subprocess.run([sys.executable, "-m", "ai_missions.cli", *args], env=env, capture_output=True, text=True)


def test_each_role_signs_its_part_and_nothing_runs_until_every_part_is_signed(
    missions: MissionClient, shared: Iterator[str]
) -> None:
    decision_id = next(shared)
    request = missions.store.get_decision(decision_id).request["interrupts"]
    plan = [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in request]
    assert roles_needed(plan, approval_rules(missions.knowledge), get_mission(MISSION).tools) == [
        "customer_care",
        "finance",
    ]
    with pytest.raises(ForbiddenError, match=r"ana \(ops_agent\) may not approve any open action"):
        missions.decide(decision_id, "ana", approve=True)

    first = missions.decide(decision_id, "cole", approve=True)  # customer care signs the message only
    assert first.status == "awaiting_decision"
    assert missions.store.get_decision(decision_id).status == "pending"
    assert executed(missions, decision_id) == []
    assert refunded(missions, decision_id) == 0
    assert missions.decide(decision_id, "cole", approve=True).status == "awaiting_decision"  # idempotent
    assert len(coapproval.signoffs(missions.store, decision_id)) == 1
    with pytest.raises(ForbiddenError, match=r"omar \(ops_lead\) may not approve any open action .*refund_payment"):
        missions.decide(decision_id, "omar", approve=True)  # the message is signed; the refund is above 1000
    assert executed(missions, decision_id) == []

    done = missions.decide(decision_id, "fiona", approve=True)
    assert done.status == "closed"
    assert sorted(executed(missions, decision_id)) == ["refund_payment", "send_customer_message"]
    decision = missions.store.get_decision(decision_id)
    assert (decision.decided_by, decision.reviewer_role) == ("fiona + cole", "finance + customer_care")
    state = missions.state(decision.run_id)
    assert {s["tool"]: s.get("signed_by") for s in state["decision"]["plan"]} == {
        "refund_payment": "fiona",
        "send_customer_message": "cole",
    }
    kinds = [e["kind"] for e in missions.store.events(decision.run_id)]
    assert kinds.count("signoff") == 2
    assert kinds.count("decision") == 1
    with pytest.raises(ConflictError, match=r"already decided by fiona \+ cole"):
        missions.decide(decision_id, "fiona", approve=True)
    print(
        "\nco-approval: 3 of 3 refused (a role with no part, a role whose part is signed, a repeat after execution);"
        " 0 actions ran before the last part was signed"
    )


def test_the_cli_signs_a_part_hands_off_and_filters_the_queue(
    home: Path, missions: MissionClient, shared: Iterator[str]
) -> None:
    decision_id = next(shared)
    rules = approval_rules(missions.knowledge)
    cole, ana = (signed_in_as(home, n)["MISSIONS_TOKEN"] for n in ("cole", "ana"))

    queue = cli(home, "queue", "--can-approve", "--min-amount", "1000", "--type", "double_charge", "--json", token=ana)
    assert queue.returncode == 0, queue.stderr
    assert decision_id not in {d["decision_id"] for d in json.loads(queue.stdout)}  # ana may sign nothing of it
    handed = cli(home, "decide", decision_id, "--hand-off", "finance", "--reason", "refund above my limit", token=ana)
    assert handed.returncode == 0, handed.stderr
    assert coapproval.handed_to(missions.store, decision_id)["to"] == "finance"
    assert "handoff" in [e["kind"] for e in missions.store.events(missions.store.get_decision(decision_id).run_id)]

    finance, care, lead = Person("fiona", "finance"), Person("cole", "customer_care"), Person("omar", "ops_lead")
    for who in (finance, care, lead):
        page, _ = pending(missions.store, QueueFilter(approver=who, min_amount=1000), rules)
        assert decision_id in {d.decision_id for d in page}, who
    signed = cli(home, "decide", decision_id, "--approve", token=cole)
    assert signed.returncode == 0, signed.stderr
    assert "awaiting" in signed.stdout
    assert executed(missions, decision_id) == []
    for who, listed in ((finance, True), (care, False), (lead, False)):
        page, _ = pending(missions.store, QueueFilter(approver=who), rules)
        assert (decision_id in {d.decision_id for d in page}) is listed, who  # what is left: finance's part
    page, _ = pending(missions.store, QueueFilter(max_amount=999.99), rules)
    assert decision_id not in {d.decision_id for d in page}
    assert missions.decide(decision_id, "fiona", approve=True).status == "closed"
    assert sorted(executed(missions, decision_id)) == ["refund_payment", "send_customer_message"]


@pytest.fixture(scope="module")
def pair(home: Path) -> Iterator[list[MissionClient]]:
    """Two platform clients on one home, as two dashboard sessions (or a CLI and a dashboard) would be."""
    clients = [MissionClient(home).open(), MissionClient(home).open()]
    yield clients
    for client in clients:
        client.close()


def at_once(clients: list[MissionClient], decision_id: str, reviewers: tuple[str, str]) -> list[Any]:
    """Both reviewers approve at the same moment, each through their own client: each one's status or error."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def sign_part(side: int) -> None:
        barrier.wait()
        try:
            results[side] = clients[side].decide(decision_id, reviewers[side], approve=True).status
        except Exception as exc:
            results[side] = exc

    threads = [threading.Thread(target=sign_part, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_signers_at_once_execute_the_plan_exactly_once(pair: list[MissionClient], shared: Iterator[str]) -> None:
    decision_id = next(shared)
    results = at_once(pair, decision_id, ("fiona", "cole"))
    # the signer whose part completed the plan runs it to the end; the other is told the status when it answered:
    # waiting for the other part, or (when that part came in meanwhile) executing or closed
    assert "closed" in results, results
    assert all(r in ("awaiting_decision", "executing", "closed") for r in results), results
    assert sorted(executed(pair[0], decision_id)) == ["refund_payment", "send_customer_message"]


def test_two_signers_of_the_same_part_at_once_one_is_told_who_signed(
    pair: list[MissionClient], shared: Iterator[str]
) -> None:
    decision_id = next(shared)
    results = at_once(pair, decision_id, ("cole", "omar"))  # both may sign the message, neither the refund
    errors = [r for r in results if isinstance(r, Exception)]
    assert [r for r in results if r == "awaiting_decision"] == ["awaiting_decision"], results
    assert len(errors) == 1
    assert isinstance(errors[0], ConflictError | ForbiddenError)
    winner = ("cole", "omar")[results.index("awaiting_decision")]
    assert "already signed" in str(errors[0])
    assert f"by {winner}" in str(errors[0])  # the loser is told who signed
    assert executed(pair[0], decision_id) == []
    print(f"\nco-approval: two signers of the same part at once: one signed, the other told: {errors[0]}")


def test_a_tampered_or_replayed_sign_off_executes_nothing(missions: MissionClient, shared: Iterator[str]) -> None:
    decision_id = next(shared)
    db = missions.store.read()
    elsewhere = db.execute("SELECT signoff FROM decision_signoffs WHERE reviewer = 'cole'").fetchone()[0]
    # cole's genuine sign-off of another decision (decided above), copied into this one's rows
    db.execute(
        "INSERT INTO decision_signoffs (decision_id, reviewer, role, at, signoff) VALUES (?, 'cole', 'customer_care',"
        " '2026-01-01', ?)",
        (decision_id, elsewhere),
    )
    with pytest.raises(ForbiddenError, match="altered or from another decision"):
        missions.decide(decision_id, "fiona", approve=True)
    assert missions.store.get_decision(decision_id).status == "pending"
    db.execute("DELETE FROM decision_signoffs WHERE decision_id = ?", (decision_id,))

    missions.decide(decision_id, "cole", approve=True)
    row = db.execute("SELECT signoff FROM decision_signoffs WHERE decision_id = ?", (decision_id,)).fetchone()
    forged = json.loads(row[0])
    forged["answers"] = {str(p): {"type": "accept"} for p in range(2)}  # cole "signs" the refund too
    db.execute("UPDATE decision_signoffs SET signoff = ? WHERE decision_id = ?", (json.dumps(forged), decision_id))
    for reviewer in ("fiona", "cole"):
        with pytest.raises(ForbiddenError, match="altered or from another decision"):
            missions.decide(decision_id, reviewer, approve=True)
    assert missions.store.get_decision(decision_id).status == "pending"
    assert executed(missions, decision_id) == []
    assert refunded(missions, decision_id) == 0
    print("\nco-approval: 3 of 3 refused (a sign-off replayed from elsewhere, an altered sign-off, twice); 0 ran")


async def paused(home: Path, gateway: SystemsGateway, order_id: str, thread: str) -> tuple[Any, ...]:
    """The exported graph (as ``langgraph dev`` serves it) run to its approval interrupt, on a fresh thread."""
    graph = SPEC.build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": thread}}
    context = MissionContext(home=str(home), systems=gateway)
    start = {"subject_id": order_id, "trigger": {"source": "manual", "subject_id": order_id}}
    async for _ in graph.astream(start, config, context=context, stream_mode="custom"):
        pass
    snapshot = await graph.aget_state(config)
    request = snapshot.interrupts[0].value if snapshot.interrupts else []
    return graph, config, context, request


def positions(request: list[dict[str, Any]]) -> dict[str, int]:
    return {i["action_request"]["action"]: p for p, i in enumerate(request)}


async def test_the_exported_graph_executes_only_a_complete_genuine_co_approval(
    home: Path, missions: MissionClient
) -> None:
    rules, tools = approval_rules(missions.knowledge), get_mission(MISSION).tools
    orders = [r.order_id for r in scan_exceptions(home) if list(r.types) == ["double_charge"]]
    async with SystemsGateway(connections(["erp", "crm", "payments", "inventory", "shipping"], home)) as gateway:
        for order_id in orders:  # one whose plan still needs finance and customer care (not refunded above)
            *_, request = await paused(home, gateway, order_id, f"T-probe-{order_id}")
            plan = [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in request]
            if request and coapproval.shared_plan(plan, rules, tools):
                break
        else:
            pytest.fail("no order with a plan needing two roles is left")

        def parts(decision_id: str, shown: str, request: list[dict[str, Any]], variant: str) -> list[dict[str, Any]]:
            at = positions(request)
            cole = coapproval.sign_off(
                home, decision_id, shown, "cole", "customer_care", {at["send_customer_message"]: {"type": "accept"}}
            )
            fiona = coapproval.sign_off(
                home, decision_id, shown, "fiona", "finance", {at["refund_payment"]: {"type": "accept"}}
            )
            replayed = coapproval.sign_off(
                home, "D-elsewhere", shown, "fiona", "finance", {at["refund_payment"]: {"type": "accept"}}
            )
            by_cole = {**cole, "answers": {str(p): {"type": "accept"} for p in range(len(request))}}
            return {
                "one role alone": [cole],
                "a sign-off replayed from another decision": [cole, replayed],
                "a sign-off altered to cover the other part": [by_cole],
                "a signer claiming a role the account lacks": [
                    cole,
                    coapproval.sign_off(
                        home, decision_id, shown, "omar", "finance", {at["refund_payment"]: {"type": "accept"}}
                    ),
                ],
                "both parts, genuine": [cole, fiona],
            }[variant]

        refusals = 0
        for variant in (
            "one role alone",
            "a sign-off replayed from another decision",
            "a sign-off altered to cover the other part",
            "a signer claiming a role the account lacks",
            "both parts, genuine",
        ):
            graph, config, context, request = await paused(home, gateway, order_id, f"T-{variant}")
            decision_id = request[0]["metadata"]["decision_id"]
            from ai_missions.kernel.decisions import request_hash

            shown = request_hash(request)
            body = {
                "decision_id": decision_id,
                "reviewer": "fiona + cole",
                "role": "finance + customer_care",
                "responses": [{"type": "accept"} for _ in request],
                "actions_hash": shown,
                "signoffs": parts(decision_id, shown, request, variant),
            }
            body = json.loads(json.dumps(body))
            value = {**body, "signature": sign(platform_key(home), body)}
            async for _ in graph.astream(Command(resume=value), config, context=context, stream_mode="custom"):
                pass
            plan = {s["tool"]: s for s in (await graph.aget_state(config)).values["decision"]["plan"]}
            refund = float((await gateway.call("get_payment", {"order_id": order_id}))["refunded_amount"])
            if variant == "both parts, genuine":
                assert plan["refund_payment"]["status"] == "approved"
                assert refund > 0
                assert plan["refund_payment"]["signed_by"] == "fiona"
            elif variant == "a signer claiming a role the account lacks":  # omar is an ops lead: over his limit
                assert plan["refund_payment"]["status"] == "rejected"
                assert refund == 0
                assert "exceeds the ops_lead approval limit" in plan["refund_payment"]["reason"]
            else:
                assert {s["status"] for s in plan.values()} == {"rejected"}, variant
                assert "altered or from another decision" in plan["refund_payment"]["reason"]
                assert refund == 0, variant
            refusals += variant != "both parts, genuine"
        print(f"\nco-approval: {refusals} of 4 forged or incomplete co-approvals refused on the exported graph; 0 ran")


def test_the_dashboard_card_names_the_roles_and_who_signed_then_each_signs_their_part(
    home: Path, missions: MissionClient, shared: Iterator[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    from tests.test_dashboard_support import open_page, sign_in, texts

    decision_id = next(shared)
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    try:
        cole = sign_in(open_page("views/queue.py", account=None, decision=decision_id), "cole")
        page = texts(cole)
        assert "**Needs customer_care + finance**" in page
        assert "Nobody has signed yet." in page
        submit = cole.button(key=f"q-{decision_id}-submit")
        assert submit.label == "Sign your part as cole"
        # his part is the message: it moves no money, so there is nothing to confirm before the click
        assert f"q-{decision_id}-confirm" not in {getattr(box, "key", None) for box in cole.checkbox}
        assert not cole.button(key=f"q-{decision_id}-submit").disabled
        cole.button(key=f"q-{decision_id}-submit").click().run()
        assert not cole.exception
        assert missions.store.get_decision(decision_id).status == "pending"
        assert executed(missions, decision_id) == []
        assert "cole (customer_care) signed action" in texts(cole)

        omar = sign_in(open_page("views/queue.py", account=None, decision=decision_id), "omar")
        assert "signed by cole (customer_care)" in texts(omar)
        assert omar.button(key=f"q-{decision_id}-submit").disabled  # the refund is above his limit
        assert "ops_lead may approve none of the actions still open" in texts(omar)

        fiona = sign_in(open_page("views/queue.py", account=None, decision=decision_id), "fiona")
        assert fiona.button(key=f"q-{decision_id}-submit").disabled  # her part moves money: confirmed first
        fiona.checkbox(key=f"q-{decision_id}-confirm").check().run()
        fiona.button(key=f"q-{decision_id}-submit").click().run()
        assert not fiona.exception
        assert sorted(executed(missions, decision_id)) == ["refund_payment", "send_customer_message"]
        assert "decided by fiona (finance)" in texts(fiona)
    finally:
        st.cache_resource.clear()  # the dashboard's mission client (its MCP servers)
