"""Execution that stays true under faults: a slow system, a lost answer, every crash point of the execute step.

Real MCP servers over stdio, the real policy index, durable SQLite. Each test works on orders no other test touches.
The processes that crash, the ``missions resume`` after each crash and the commands whose exit codes are checked are
forked from one server that imported the stack once (``tests/support/forks.py``, as the kill campaign's): each is a
real process of its own, dying where it dies and recovering in a new one, without paying a Python start and the
stack's imports (~2 s of CPU) each.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession
from mcp.shared.exceptions import McpError
from mcp.types import ErrorData

from ai_missions.client import MissionClient
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.errors import OutcomeUnknownError
from ai_missions.kernel.tools import write_lookup_name
from ai_missions.services.mcp_session import ServedSession
from ai_missions.testing import operator_grant, signed_in_as
from tests.support.cli_process import cli_process
from tests.support.fork_decider import ForkServer
from tests.support.forks import forks_fixture
from tests.support.mission_home import awaiting_decision, client_fixture, releasing_review, seeded_home_fixture

pytestmark = pytest.mark.slow


home = seeded_home_fixture("book", lambda home: seed_book(2000, 7, home))
missions = client_fixture()


forks = forks_fixture()


def crash(forks: ForkServer, home: Path, decision_id: str, point: str, output: Path) -> tuple[int, str, str]:
    """The crash child (``tests/support/crash_child.py``) approving ``decision_id`` and dying at ``point``: its exit
    code and what it printed."""
    return forks.run([str(home), decision_id, point], {"MISSIONS_HOME": str(home)}, output, script=CHILD, timeout_s=180)


@pytest.fixture(scope="module")
def capture_orders(home: Path) -> list[str]:
    return [r.order_id for r in scan_exceptions(home) if r.types == ["auth_expiring"]]


def captures(home: Path, order_id: str) -> int:
    with sqlite3.connect(home / "systems" / "payments.sqlite") as db:
        return int(
            db.execute(
                "SELECT count(*) FROM captures c JOIN authorizations a USING (authorization_id) WHERE a.order_id = ?",
                (order_id,),
            ).fetchone()[0]
        )


def slow_client(home: Path, monkeypatch: pytest.MonkeyPatch, latency_ms: int, **options: float) -> MissionClient:
    """A client whose payments server answers after ``latency_ms`` (every call), with the given timeouts."""
    monkeypatch.setenv("MISSIONS_SIM_LATENCY_MS", f"payments={latency_ms}")
    client = MissionClient(home, **options).open()
    client.runtime("order-exception")  # the servers start now, with the latency
    monkeypatch.delenv("MISSIONS_SIM_LATENCY_MS")
    return client


def test_a_capture_answered_after_the_timeout_is_reconciled_done_exactly_once(
    missions: MissionClient, capture_orders: list[str], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = capture_orders[0]
    outcome = awaiting_decision(missions, order_id)
    assert captures(home, order_id) == 0
    slow = slow_client(home, monkeypatch, 2500, call_timeout_s=1.0)
    try:
        closed = slow.decide(outcome.decision_id, "omar", approve=True)
    finally:
        slow.close()
    capture = next(r for r in closed.results if r["tool"] == "capture_payment")
    assert capture["status"] == "done", capture
    assert "reconciled" in capture["detail"] or "retried safely" in capture["detail"]
    assert closed.status == "closed"
    assert captures(home, order_id) == 1
    assert missions.store.get_run(outcome.run_id)["status"] == "closed"
    assert missions.store.get_decision(outcome.decision_id).resumed is True


def test_an_unknown_outcome_is_shown_as_such_and_resume_retries_it_safely(
    missions: MissionClient, capture_orders: list[str], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = capture_orders[1]
    outcome = awaiting_decision(missions, order_id)
    slow = slow_client(home, monkeypatch, 4000, call_timeout_s=0.5, reconcile_timeout_s=0.5)
    try:
        with pytest.raises(OutcomeUnknownError, match="outcome unknown"):
            slow.decide(outcome.decision_id, "omar", approve=True)
        run = missions.store.get_run(outcome.run_id)
        assert run["status"] == "outcome_unknown"  # not "failed": the capture may have happened
        assert missions.store.get_decision(outcome.decision_id).resumed is False
        unknown = missions.store.events(outcome.run_id, kind="action_outcome_unknown")
        assert [e["data"]["tool"] for e in unknown] == ["capture_payment"]
        deadline = time.monotonic() + 30
        while captures(home, order_id) == 0 and time.monotonic() < deadline:  # the slow call lands after all
            time.sleep(0.1)
    finally:
        slow.close()
    assert captures(home, order_id) == 1
    resumed = missions.recover()
    assert [o.run_id for o in resumed] == [outcome.run_id]
    assert resumed[0].status == "closed"
    capture = next(r for r in resumed[0].results if r["tool"] == "capture_payment")
    assert capture["status"] == "done"
    assert captures(home, order_id) == 1  # the retry used the same key: no second capture
    results = [
        e
        for e in missions.store.events(outcome.run_id, kind="action_result")
        if e["data"].get("automatic") != "interim"
    ]  # the note written while the plan waited is its own write
    assert len({e["data"]["index"] for e in results}) == len(results)  # one result per action


def test_a_write_whose_system_is_down_stays_resumable_and_resume_does_it_exactly_once(
    missions: MissionClient, capture_orders: list[str], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payments server is gone while the approved capture runs: the write and its read-back by key get what a
    killed and restarted HTTP server answers ("Session terminated"), or a refused connection. Not the system's
    refusal: the run waits as outcome unknown (never ``failed``), and once the system is back ``resume`` captures
    once, with the same key and a fresh grant."""
    order_id = capture_orders[2]
    outcome = awaiting_decision(missions, order_id)
    down = {"capture_payment", write_lookup_name("payments")}
    calls: list[str] = []
    sessions = (ClientSession, ServedSession)  # whichever the client reaches the payments server through
    real = {session: session.call_tool for session in sessions}

    def unreachable(session: type[Any]) -> Any:
        async def call_tool(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            if name in down:
                calls.append(name)
                if len(calls) % 2:
                    raise McpError(ErrorData(code=32600, message="Session terminated"))
                raise ConnectionRefusedError(111, "Connection refused")
            return await real[session](self, name, *args, **kwargs)

        return call_tool

    for session in sessions:
        monkeypatch.setattr(session, "call_tool", unreachable(session))
    with pytest.raises(OutcomeUnknownError, match="outcome unknown"):
        missions.decide(outcome.decision_id, "fiona", approve=True)  # finance: no limit under this amount
    assert calls
    assert set(calls) <= down
    run = missions.store.get_run(outcome.run_id)
    assert run["status"] == "outcome_unknown", run  # not "failed": the system never said no
    unknown = missions.store.events(outcome.run_id, kind="action_outcome_unknown")
    assert [e["data"]["tool"] for e in unknown] == ["capture_payment"]
    assert not [
        e for e in missions.store.events(outcome.run_id, kind="action_result") if e["data"]["status"] == "failed"
    ]
    assert captures(home, order_id) == 0
    for session in sessions:  # the system is back
        monkeypatch.setattr(session, "call_tool", real[session])
    resumed = missions.recover()
    assert [o.run_id for o in resumed] == [outcome.run_id]
    assert resumed[0].status == "closed"
    assert captures(home, order_id) == 1
    done = [
        e["data"]
        for e in missions.store.events(outcome.run_id, kind="action_result")
        if e["data"]["tool"] == "capture_payment"
    ]
    assert [d["status"] for d in done] == ["done"]  # one execution in the audit trail
    assert done[0]["idempotency_key"] == unknown[0]["data"]["idempotency_key"]  # the same key as the lost call
    assert missions.recover() == []  # nothing left to finish: no second capture
    assert captures(home, order_id) == 1


def test_the_cli_exits_non_zero_when_an_approved_action_fails(
    missions: MissionClient, home: Path, forks: ForkServer, tmp_path: Path
) -> None:
    reviews = [r.order_id for r in scan_exceptions(home) if r.types == ["payment_review"]]
    # from the end: the crash campaign takes them from the start
    order_id, outcome = releasing_review(missions, reversed(reviews))
    # someone releases the hold in the payments system meanwhile: the approved release is refused when it runs
    elsewhere = {"order_id": order_id, "idempotency_key": "elsewhere-1"}
    missions.call_tool(
        "release_payment_hold",
        elsewhere,
        mission="order-exception",
        meta=operator_grant(home, "release_payment_hold", elsewhere),
    )

    def missions_cli(*argv: str, **env: str) -> tuple[int, str, str]:
        """``missions ARGV`` in a process of its own on ``home`` (forked), with ``env`` added: code, stdout, stderr."""
        return forks.run(argv, {"MISSIONS_HOME": str(home), **env}, tmp_path / "cli", timeout_s=120)

    code, out, err = missions_cli("decide", outcome.decision_id, "--approve", **signed_in_as(home, "omar"))
    assert code == 1, (out, err)
    assert "release_payment_hold: failed" in out
    assert missions.store.get_run(outcome.run_id)["status"] == "failed"
    # a reviewer gives up on it without a new mission: recorded with the reason, and nothing more runs
    code, out, err = missions_cli("abandon", outcome.run_id, "--reason", "released by hand")
    assert code == 2, (out, err)
    assert "not signed in" in err
    code, out, err = missions_cli(
        "abandon", outcome.run_id, "--reason", "released by hand", **signed_in_as(home, "omar")
    )
    assert code == 0, (out, err)
    assert missions.store.get_run(outcome.run_id)["status"] == "abandoned"
    trail = missions.store.events(outcome.run_id, kind="abandoned")
    assert [e["summary"] for e in trail] == ["abandoned by omar (ops_lead): released by hand"]
    code, out, err = missions_cli("resume", outcome.run_id, **signed_in_as(home, "omar"))
    assert code == 2, (out, err)  # abandoned is final: no retry
    assert "is abandoned" in err


#: Every boundary of the execute step a reviewer's process can die at (see tests/support/crash_child.py).
CRASH_POINTS = (
    "decided",
    "writes:request_approval",
    "checkpoint:request_approval",
    "action:1",
    "action:2",
    "writes:execute",
    "checkpoint:execute",
    "writes:close",
    "checkpoint:close",
    "settling",
)
#: The default run crashes at these boundaries (one per step: the decision, an action, execute's writes, close's
#: checkpoint); ``pytest -m extended`` crashes at the others too.
SAMPLE_POINTS = ("decided", "action:1", "writes:execute", "checkpoint:close")
CHILD = Path(__file__).parent / "support" / "crash_child.py"


def proceeding_orders(missions: MissionClient, home: Path, wanted: int) -> list[tuple[str, str, str, list[str]]]:
    """(order, run, decision, approved tools) of payment reviews that proceed with three reviewed actions."""
    found = []
    for row in scan_exceptions(home):
        if row.types != ["payment_review"] or missions.store.list_runs(subject_id=row.order_id):
            continue  # another test's order
        outcome = missions.start("order-exception", row.order_id)
        tools = [a["tool"] for a in (outcome.verdict or {}).get("actions", []) if a["tier"] == "review"]
        if outcome.decision_id and len(tools) >= 3:
            found.append((row.order_id, outcome.run_id, outcome.decision_id, tools))
        if len(found) == wanted:
            return found
    pytest.fail(f"only {len(found)} payment reviews proceed with three actions")


def recorded_writes(home: Path, system: str, key: str) -> int:
    with sqlite3.connect(home / "systems" / f"{system}.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM idempotency WHERE key = ?", (key,)).fetchone()[0])


@pytest.mark.timeout(1200)
@pytest.mark.parametrize(
    "points",
    [
        pytest.param(SAMPLE_POINTS, id="sample"),
        pytest.param(tuple(p for p in CRASH_POINTS if p not in SAMPLE_POINTS), marks=pytest.mark.extended, id="rest"),
    ],
)
def test_crash_campaign_every_boundary_of_the_execute_step(
    missions: MissionClient, home: Path, forks: ForkServer, points: tuple[str, ...], tmp_path: Path
) -> None:
    from ai_missions.contracts import tool_spec

    cases = proceeding_orders(missions, home, len(points))
    stuck = duplicated = lost = replays_unmarked = 0
    for point, (order_id, run_id, decision_id, tools) in zip(points, cases, strict=True):
        died, out, err = crash(forks, home, decision_id, point, tmp_path / "crash")
        print(f"{point}: child exited {died} at {time.monotonic():.0f}", flush=True)
        assert died == 137, (point, out, err[-2000:])
        resume = ["resume", "--json"]
        code, out, err = forks.run(
            resume, {"MISSIONS_HOME": str(home), **signed_in_as(home, "omar")}, tmp_path / "resume", timeout_s=180
        )
        assert code == 0, (point, out, err)
        run = missions.store.get_run(run_id)
        decision = missions.store.get_decision(decision_id)
        if (
            run["status"] != "closed"
            or not decision.resumed
            or order_id in missions.store.active_subjects("order-exception")
        ):
            stuck += 1
        for index, tool in enumerate(tools):
            count = recorded_writes(home, tool_spec(tool).system, f"{decision_id}:{index}:{tool}")
            duplicated += count > 1
            lost += count == 0
        with sqlite3.connect(home / "systems" / "payments.sqlite") as db:
            released = db.execute(
                "SELECT count(*) FROM payment_holds WHERE order_id = ? AND status = 'released'", (order_id,)
            ).fetchone()[0]
        duplicated += released > 1
        lost += released == 0
        results = missions.store.events(run_id, kind="action_result")
        duplicated += len(results) != len({e["data"]["index"] for e in results})
        lost += len(results) != len(tools)
        replays = missions.store.events(run_id, kind="action_replayed")
        replays_unmarked += sum("replay" not in (e["summary"] or "") for e in replays)
    print(
        f"\ncrash campaign: {len(points)} crash points, {stuck} stuck runs, "
        f"{duplicated} duplicated effects, {lost} lost effects, {replays_unmarked} unmarked replays"
    )
    assert (stuck, duplicated, lost, replays_unmarked) == (0, 0, 0, 0)


def test_the_scanner_never_takes_a_dead_run_for_an_active_one(
    missions: MissionClient, home: Path, forks: ForkServer, tmp_path: Path
) -> None:
    (order_id, run_id, decision_id, tools) = proceeding_orders(missions, home, 1)[0]
    died, _out, err = crash(forks, home, decision_id, "writes:execute", tmp_path / "crash")
    assert died == 137, err[-2000:]
    died_early = next(r.order_id for r in scan_exceptions(home) if r.types == ["oversell"])
    missions.store.create_run(
        "R-died-early", mission="order-exception", subject_id=died_early, reasoner="offline", case_types=[]
    )
    assert {order_id, died_early} <= missions.store.active_subjects("order-exception")
    missions.scan("order-exception", limit=0, idle_s=0.0)
    assert not {order_id, died_early} & missions.store.active_subjects("order-exception")
    assert missions.store.get_run(run_id)["status"] == "closed"
    assert missions.store.get_run("R-died-early")["status"] == "failed"
    for index, tool in enumerate(tools):
        from ai_missions.contracts import tool_spec

        assert recorded_writes(home, tool_spec(tool).system, f"{decision_id}:{index}:{tool}") == 1


def test_actions_changed_between_display_and_approval_are_refused(
    missions: MissionClient, capture_orders: list[str], home: Path
) -> None:
    import json

    from ai_missions.kernel.decisions import request_hash
    from ai_missions.kernel.errors import ConflictError

    order_id = capture_orders[3]
    outcome = awaiting_decision(missions, order_id)
    decision = missions.store.get_decision(outcome.decision_id)
    shown = request_hash(decision.request["interrupts"])
    assert decision.request["actions_hash"] == shown  # kept in the record
    original = json.dumps(decision.request)
    tampered = json.loads(original)
    capture = next(i for i in tampered["interrupts"] if i["action_request"]["action"] == "capture_payment")
    capture["action_request"]["args"]["amount"] = round(capture["action_request"]["args"]["amount"] - 5, 2)
    runs_db = sqlite3.connect(home / "runs.sqlite")

    def store_request(request: str) -> None:
        with runs_db:
            runs_db.execute("UPDATE decisions SET request = ? WHERE decision_id = ?", (request, outcome.decision_id))

    store_request(json.dumps(tampered))  # the stored request edited after it was shown
    with pytest.raises(ConflictError, match="the actions changed since they were shown"):
        missions.decide(outcome.decision_id, "omar", approve=True, expected_hash=shown)
    tampered["actions_hash"] = request_hash(tampered["interrupts"])  # ... even with its recorded hash rewritten
    store_request(json.dumps(tampered))
    with pytest.raises(ConflictError, match="paused run"):
        missions.decide(outcome.decision_id, "omar", approve=True)
    assert missions.store.get_decision(outcome.decision_id).status == "pending"
    assert captures(home, order_id) == 0

    store_request(original)
    closed = missions.decide(outcome.decision_id, "omar", approve=True, expected_hash=shown)
    assert closed.status == "closed"
    shown_capture = next(
        i for i in decision.request["interrupts"] if i["action_request"]["action"] == "capture_payment"
    )
    done = next(r for r in closed.results if r["tool"] == "capture_payment")
    assert done["args"] == shown_capture["action_request"]["args"]
    assert missions.store.get_decision(outcome.decision_id).response["actions_hash"] == shown
    audit = missions.store.events(outcome.run_id, kind="decision")[0]
    assert audit["data"]["actions_hash"] == shown


def test_a_checkpoint_edited_after_display_is_refused(missions: MissionClient, capture_orders: list[str]) -> None:
    from langgraph.graph import StateGraph

    from ai_missions.kernel.errors import ConflictError, ForbiddenError

    outcome = missions.start("order-exception", capture_orders[4])
    assert outcome.decision_id is not None
    assert outcome.verdict is not None
    runtime = missions.runtime("order-exception")
    verdict = json_copy(outcome.verdict)
    capture = next(a for a in verdict["actions"] if a["tool"] == "capture_payment")
    capture["args"]["amount"] = round(capture["args"]["amount"] - 5, 2)
    config = {"configurable": {"thread_id": outcome.run_id}}
    with pytest.raises(ForbiddenError, match="written by its own steps only"):  # the graph's door refuses the write
        missions._call(runtime.graph.aupdate_state, config, {"verdict": verdict})
    # so the checkpoint is edited where it is kept, as someone with the database's login would
    behind = StateGraph.compile(runtime.graph.builder, checkpointer=runtime.checkpointer)
    missions._call(behind.aupdate_state, config, {"verdict": verdict})
    with pytest.raises(ConflictError, match="the actions changed since they were shown"):
        missions.decide(outcome.decision_id, "omar", approve=True)
    assert missions.store.get_decision(outcome.decision_id).status == "pending"


def json_copy(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))


def test_edits_the_system_would_refuse_are_refused_before_the_decision_is_used(
    missions: MissionClient, home: Path
) -> None:
    from ai_missions.kernel.errors import ValidationError

    doubles = [r.order_id for r in scan_exceptions(home) if r.types == ["double_charge"]]
    order_id = next(
        o
        for o in reversed(doubles[:-2])
        if missions.call_tool("get_payment", {"order_id": o}, mission="order-exception")["captures"][-1]["amount"] < 500
    )
    outcome = awaiting_decision(missions, order_id)
    assert outcome.verdict is not None
    number = next(i + 1 for i, a in enumerate(outcome.verdict["actions"]) if a["tool"] == "refund_payment")
    refund = outcome.verdict["actions"][number - 1]["args"]
    payment = missions.call_tool("get_payment", {"order_id": order_id}, mission="order-exception")
    capture = next(c for c in payment["captures"] if c["capture_id"] == refund["capture_id"])
    too_much = round(capture["refundable_amount"] + 1.0, 2)
    assert too_much <= payment["captured_amount"] - payment["refunded_amount"]  # within the order, not the capture
    with pytest.raises(ValidationError, match="exceeds what remains refundable"):
        missions.decide(outcome.decision_id, "omar", edits={number: {**refund, "amount": too_much}})
    with pytest.raises(ValidationError, match=r"multiple of 0\.01"):
        missions.decide(outcome.decision_id, "omar", edits={number: {**refund, "amount": 1.005}})
    assert missions.store.get_decision(outcome.decision_id).status == "pending"  # the reviewer can decide again
    closed = missions.decide(outcome.decision_id, "omar", edits={number: {**refund, "amount": 1.0}})
    assert next(r for r in closed.results if r["tool"] == "refund_payment")["status"] == "done"


def test_mcp_tools_take_strict_types(missions: MissionClient, home: Path) -> None:
    from ai_missions.services.gateway import SystemError_

    doubles = [r.order_id for r in scan_exceptions(home) if r.types == ["double_charge"]]
    payment = missions.call_tool("get_payment", {"order_id": doubles[-2]}, mission="order-exception")
    capture_id = payment["captures"][-1]["capture_id"]
    for amount in (True, "1.00", 0.001, -1.0):
        refund = {"capture_id": capture_id, "amount": amount, "reason": "test", "idempotency_key": f"strict-{amount}"}
        with pytest.raises(SystemError_, match="invalid_argument") as refused:
            # granted, so what refuses it is the type, not the missing approval
            missions.call_tool(
                "refund_payment", refund, mission="order-exception", meta=operator_grant(home, "refund_payment", refund)
            )
        assert refused.value.code == "invalid_argument"
    count = {"sku": "SKU-1001", "location_id": "DC-EAST", "counted_qty": True, "reason": "t", "idempotency_key": "s-1"}
    with pytest.raises(SystemError_, match="invalid_argument"):
        missions.call_tool(
            "adjust_stock", count, mission="order-exception", meta=operator_grant(home, "adjust_stock", count)
        )
    after = missions.call_tool("get_payment", {"order_id": doubles[-2]}, mission="order-exception")
    assert after["refunded_amount"] == payment["refunded_amount"]  # nothing written


def test_scan_refuses_a_negative_limit(tmp_path: Path) -> None:
    refused = cli_process(tmp_path / "home", "scan", "--limit", "-1")
    code, _out, err = refused.wait(timeout=60), *refused.communicate()
    assert code == 2
    assert "scan: argument --limit: expected a whole number from 0 to 1,000,000,000, got -1" in err
    assert "Traceback" not in err
