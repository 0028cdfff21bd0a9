"""Governance under attack: who may decide, what the systems accept, and whether the trail can be trusted.

Each attack is tried on every path that could change a system: the CLI, the exported graph resumed directly
(as ``langgraph dev`` would), a direct MCP tool call (stdio and streamable HTTP), and a tampered queue row. The
command line's processes are forked from a server that imported the stack once (``tests/support/forks.py``): each
reads its own environment, standard input and credentials file as ``missions`` does.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from mcp import ClientSession

from ai_missions.cli.dashboard_commands import check_host
from ai_missions.client import MissionClient
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel import grants
from ai_missions.kernel.errors import ConflictError, ForbiddenError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.kernel.store import SCHEMA_VERSION, RunStore
from ai_missions.nodes.context import MissionContext
from ai_missions.runtime import MissionRuntime
from ai_missions.scanner import scan_and_start
from ai_missions.services.audit import entries, problems
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemError_, SystemsGateway
from ai_missions.services.governance import default_roster
from ai_missions.services.identity import Accounts
from tests.support.fork_decider import ForkServer
from tests.support.forks import forks_fixture
from tests.support.http_system import http_session
from tests.support.mission_home import client_fixture, seeded_home

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
MISSION = "order-exception"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = seeded_home(tmp_path_factory, "governed", lambda home: seed_book(2000, 7, home))
    accounts = Accounts(RunStore(runs_db(home)))
    for name, role in {"ana": "ops_agent", "omar": "ops_lead", "fiona": "finance", "cole": "customer_care"}.items():
        accounts.add(name, role, PASSWORD)
    return home


missions = client_fixture()


@pytest.fixture(scope="module")
def refunds(home: Path) -> Iterator[Iterator[str]]:
    """Orders charged twice: the mission proposes a refund (finance, or an ops lead up to 1000) and a message."""
    orders = sorted(r.order_id for r in scan_exceptions(home) if list(r.types) == ["double_charge"])
    return iter(orders)


def edited_to(interrupt: dict[str, Any], amount: float) -> dict[str, Any]:
    """A reviewer's edit of one action: the same tool, its amount changed."""
    request = interrupt["action_request"]
    return {"type": "edit", "args": {"action": request["action"], "args": {**request["args"], "amount": amount}}}


def payment(missions: MissionClient, order_id: str) -> dict[str, Any]:
    return missions.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)


forks = forks_fixture()
#: The module's fork server and where the running test's commands keep their output (set by ``_cli_forks``).
_CLI: list[Any] = []


@pytest.fixture(autouse=True)
def _cli_forks(forks: ForkServer, tmp_path: Path) -> Iterator[None]:
    _CLI[:] = [forks, tmp_path / "cli"]
    yield
    _CLI.clear()


def cli(home: Path, *args: str, stdin: str = "", token: str | None = None) -> subprocess.CompletedProcess[str]:
    """``missions ARGS`` on ``home`` in a process of its own, forked from the module's server (which imported the
    stack once, and hashes passwords at the real cost), reading ``stdin``, signed in by ``token`` when given and
    never by a ``MISSIONS_TOKEN`` of this process's."""
    forks, output = _CLI
    env = {"MISSIONS_HOME": str(home), **({"MISSIONS_TOKEN": token} if token else {})}
    code, out, err = forks.run(args, env, output, stdin=stdin, timeout_s=300)
    return subprocess.CompletedProcess([*args], code, out, err)


def login(home: Path, name: str) -> str:
    """Sign in through the CLI; returns the API token it saved."""
    done = cli(home, "login", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    credentials = home / "credentials.json"
    assert credentials.stat().st_mode & 0o777 == 0o600
    return str(json.loads(credentials.read_text())["token"])


# -- identity on the CLI ----------------------------------------------------------------------------------------
def test_cli_decides_as_the_signed_in_account_never_as_a_flag(
    home: Path, missions: MissionClient, refunds: Iterator[str]
) -> None:
    order_id = next(refunds)
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    decision = outcome.decision_id

    claimed = cli(home, "decide", decision, "--reviewer", "fiona", "--approve")
    assert claimed.returncode == 2
    assert "--reviewer" in claimed.stderr
    (home / "credentials.json").unlink(missing_ok=True)
    anonymous = cli(home, "decide", decision, "--approve")
    assert anonymous.returncode == 2
    assert "not signed in" in anonymous.stderr
    forged = cli(home, "decide", decision, "--approve", token="mst_made-up")
    assert forged.returncode == 2
    assert "not valid" in forged.stderr

    cole = login(home, "cole")
    refused = cli(home, "decide", decision, "--approve", token=cole)
    assert refused.returncode == 2
    assert "customer_care may not approve" in refused.stderr
    assert missions.store.get_decision(decision).status == "pending"
    assert payment(missions, order_id)["refunded_amount"] == 0

    omar = login(home, "omar")
    approved = cli(home, "decide", decision, "--approve", "--json", token=omar)
    assert approved.returncode == 0, approved.stderr
    assert {r["status"] for r in json.loads(approved.stdout)["results"]} == {"done"}
    assert payment(missions, order_id)["refunded_amount"] > 0
    event = missions.store.events(outcome.run_id, kind="decision")[0]
    assert event["actor"] == "omar (ops_lead)"

    assert cli(home, "logout", token=None).returncode == 0
    assert not (home / "credentials.json").exists()
    after = cli(home, "whoami", token=omar)
    assert after.returncode == 2
    assert "not valid" in after.stderr


def test_wrong_password_and_accounts_only_added_by_an_admin(home: Path) -> None:
    wrong = cli(home, "login", "fiona", "--password-stdin", stdin="guess\n")
    assert wrong.returncode == 2
    assert "wrong account name or password" in wrong.stderr
    fiona = login(home, "fiona")
    refused = cli(
        home, "accounts", "add", "mallory", "--role", "finance", "--password-stdin", stdin=PASSWORD, token=fiona
    )
    assert refused.returncode == 2
    assert "not an admin" in refused.stderr
    ana = login(home, "ana")  # the first account of the store is its admin
    added = cli(home, "accounts", "add", "dora", "--role", "customer", "--password-stdin", stdin=PASSWORD, token=ana)
    assert added.returncode == 0, added.stderr
    asked = cli(home, "accounts", "add", "dan", "--role", "ops_agent", "--password-stdin", stdin=PASSWORD, token=ana)
    assert "waits for a second admin or a controller" in asked.stdout  # a role grant: someone else confirms it
    listed = json.loads(cli(home, "accounts", "list", "--json").stdout)
    assert {"name": "dora", "role": "customer", "admin": False} in [
        {k: row[k] for k in ("name", "role", "admin")} for row in listed
    ]
    assert "dan" not in {row["name"] for row in listed}
    assert all("password" not in json.dumps(row) for row in listed)


def test_resume_needs_a_signed_in_account(home: Path) -> None:
    (home / "credentials.json").unlink(missing_ok=True)
    done = cli(home, "resume")
    assert done.returncode == 2
    assert "not signed in" in done.stderr


# -- the exported graph ------------------------------------------------------------------------------------------
async def paused_exported_run(home: Path, gateway: SystemsGateway, order_id: str, thread: str) -> tuple[Any, ...]:
    """The exported graph (as ``langgraph dev`` serves it) run to its approval interrupt."""
    graph = SPEC.build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": thread}}
    context = MissionContext(home=str(home), systems=gateway)
    async for _ in graph.astream(
        {"subject_id": order_id, "trigger": {"source": "manual", "subject_id": order_id}},
        config,
        context=context,
        stream_mode="custom",
    ):
        pass
    snapshot = await graph.aget_state(config)
    request = snapshot.interrupts[0].value
    return graph, config, context, request


async def resume(graph: Any, config: Any, context: MissionContext, value: Any) -> dict[str, Any]:
    async for _ in graph.astream(Command(resume=value), config, context=context, stream_mode="custom"):
        pass
    return dict((await graph.aget_state(config)).values)


async def refunded(gateway: SystemsGateway, order_id: str) -> float:
    return float((await gateway.call("get_payment", {"order_id": order_id}))["refunded_amount"])


async def test_exported_graph_acts_only_on_answers_the_platform_signed(home: Path, refunds: Iterator[str]) -> None:
    async with SystemsGateway(connections(["erp", "crm", "payments", "inventory", "shipping"], home)) as gateway:
        for thread, order_id, answer in [
            # a roster name and role claimed in the resume payload, no sign-in
            ("T-claim", next(refunds), lambda d, n: {"decision_id": d, "reviewer": "omar", "role": "ops_lead"}),
            # someone not on the roster, claiming finance, with an edited amount
            ("T-mallory", next(refunds), lambda d, n: {"decision_id": d, "reviewer": "mallory", "role": "finance"}),
            # a signature made with a key that is not this home's
            (
                "T-forged",
                next(refunds),
                lambda d, n: {"decision_id": d, "reviewer": "omar", "role": "ops_lead", "signature": "0" * 64},
            ),
        ]:
            graph, config, context, request = await paused_exported_run(home, gateway, order_id, thread)
            decision_id = request[0]["metadata"]["decision_id"]
            value = answer(decision_id, len(request))
            if thread == "T-mallory":
                value["responses"] = [
                    {
                        "type": "edit",
                        "args": {
                            "action": i["action_request"]["action"],
                            "args": {**i["action_request"]["args"], "amount": 900.0},
                        },
                    }
                    if "amount" in i["action_request"]["args"]
                    else {"type": "accept"}
                    for i in request
                ]
            else:
                value["responses"] = [{"type": "accept"} for _ in request]
            # through LangGraph's server, as Studio's own sign-in would send it (a user with no platform seal): an
            # answer nobody signed in decides nothing, and the same decision is asked again, still pending
            studio = {"configurable": {**config["configurable"], "langgraph_auth_user": {"identity": "studio"}}}
            values = await resume(graph, studio, context, value)
            assert "decision" not in values, thread
            assert not [r for r in values["results"] if r["tool"] == "refund_payment"], thread
            assert "names no reviewer the platform signed in" in values["refused"], thread
            again = (await graph.aget_state(config)).interrupts[0].value
            assert again[0]["metadata"]["decision_id"] == decision_id, thread
            assert again[0]["metadata"]["refused"] == values["refused"], thread
            # handed straight to the graph (no server): it decides nothing either (issue 59, item 9: a run closed
            # beside a pending queue row locked its case), and the same decision is asked again
            values = await resume(graph, config, context, value)
            assert "decision" not in values, thread
            assert not [r for r in values["results"] if r["tool"] == "refund_payment"], thread
            assert "not signed by the platform" in values["refused"], thread
            again = (await graph.aget_state(config)).interrupts[0].value
            assert again[0]["metadata"]["decision_id"] == decision_id, thread
            assert await refunded(gateway, order_id) == 0, thread

        # the control: the same resume, signed with this home's key, does execute
        order_id = next(refunds)
        graph, config, context, request = await paused_exported_run(home, gateway, order_id, "T-signed")
        body = {
            "decision_id": request[0]["metadata"]["decision_id"],
            "reviewer": "omar",
            "role": "finance",  # a claimed role is ignored: omar's account says ops_lead
            "responses": [{"type": "accept"} for _ in request],
        }
        values = await resume(graph, config, context, {**body, "signature": sign(platform_key(home), body)})
        assert {r["status"] for r in values["results"] if r["tool"] == "refund_payment"} == {"done"}
        assert values["decision"]["role"] == "ops_lead"
        assert await refunded(gateway, order_id) > 0


# -- the systems themselves --------------------------------------------------------------------------------------
def refund_call(missions: MissionClient, order_id: str) -> tuple[str, dict[str, Any]]:
    capture = payment(missions, order_id)["captures"][-1]
    return "refund_payment", {
        "capture_id": capture["capture_id"],
        "amount": 1.0,
        "reason": "duplicate charge",
        "idempotency_key": f"direct-{order_id}",
    }


async def test_write_tools_refuse_a_direct_call_without_a_valid_grant(
    home: Path, missions: MissionClient, refunds: Iterator[str], tmp_path: Path
) -> None:
    order_id = next(refunds)
    tool, args = refund_call(missions, order_id)
    good = {"decision_id": "D-x", "index": 0, "tool": tool, "args": args, "key": args["idempotency_key"], "by": "t"}
    attempts = {
        "no grant": None,
        "garbage": "not-a-grant",
        "other arguments": grants.mint(home, **{**good, "args": {**args, "amount": 900.0}}),
        "other tool": grants.mint(home, **{**good, "tool": "capture_payment"}),
        "other idempotency key (reuse)": grants.mint(home, **{**good, "key": "another-key"}),
        "expired": grants.mint(home, **good, ttl=-1),
        "signed with another key": grants.mint(tmp_path / "elsewhere", **good),
    }
    async with SystemsGateway(connections(["payments"], home)) as gateway:
        for what, grant in attempts.items():
            with pytest.raises(SystemError_, match="forbidden") as refused:
                await gateway.call(tool, args, meta={"grant": grant} if grant else None)
            assert "grant" in str(refused.value), what
        assert await refunded(gateway, order_id) == 0
        valid = grants.mint(home, **good)
        first = await gateway.call(tool, args, meta={"grant": valid})
        again = await gateway.call(tool, args, meta={"grant": valid})
        assert again["replayed"] is True
        assert {**again, "replayed": False} == first
        assert await refunded(gateway, order_id) == 1.0


@asynccontextmanager
async def served_over_http(home: Path, system: str) -> AsyncIterator[ClientSession]:
    """``missions systems serve SYSTEM --transport streamable-http``, as an attacker on the network would reach it."""
    async with http_session(home, "ai_missions.cli", "systems", "serve", system) as session:
        await session.initialize()
        yield session


async def test_served_over_http_a_write_without_a_grant_is_refused(
    home: Path, missions: MissionClient, refunds: Iterator[str]
) -> None:
    order_id = next(refunds)
    tool, args = refund_call(missions, order_id)
    async with served_over_http(home, "payments") as session:
        result = await session.call_tool(tool, args)
        assert result.isError
        assert result.structuredContent is not None
        assert result.structuredContent["error"]["code"] == "forbidden"
        grant = grants.mint(home, decision_id="D-h", index=0, tool=tool, args=args, key=args["idempotency_key"], by="t")
        assert not (await session.call_tool(tool, args, meta={"grant": grant})).isError
    assert payment(missions, order_id)["refunded_amount"] == 1.0


# -- tampered queue rows -----------------------------------------------------------------------------------------
def tamper(home: Path, decision_id: str, response: dict[str, Any]) -> None:
    """Write a decided row straight into the queue, as someone with access to the database file would."""
    with sqlite3.connect(runs_db(home)) as db:
        db.execute(
            "UPDATE decisions SET status = 'decided', decided_by = 'omar', reviewer_role = 'ops_lead',"
            " decided_at = '2026-01-01', response = ? WHERE decision_id = ?",
            (json.dumps(response), decision_id),
        )


def test_tampered_queue_rows_execute_nothing(home: Path, missions: MissionClient, refunds: Iterator[str]) -> None:
    unsigned_order, edited_order = next(refunds), next(refunds)
    unsigned = missions.start(MISSION, unsigned_order)
    edited = missions.start(MISSION, edited_order)
    assert unsigned.decision_id
    assert edited.decision_id
    accept = [{"type": "accept"} for _ in missions.store.get_decision(unsigned.decision_id).request["interrupts"]]
    tamper(home, unsigned.decision_id, {"decision_id": unsigned.decision_id, "reviewer": "omar", "responses": accept})
    # a signed answer, then its arguments changed in the row: the signature no longer matches
    interrupts = missions.store.get_decision(edited.decision_id).request["interrupts"]
    body = {"decision_id": edited.decision_id, "reviewer": "omar", "role": "ops_lead", "responses": accept}
    signed = {**body, "signature": sign(platform_key(home), body)}
    signed["responses"] = [
        {
            "type": "edit",
            "args": {"action": i["action_request"]["action"], "args": {**i["action_request"]["args"], "amount": 900.0}},
        }
        for i in interrupts
    ]
    tamper(home, edited.decision_id, signed)

    fiona = login(home, "fiona")
    done = cli(home, "resume", "--json", token=fiona)
    assert done.returncode == 0, done.stderr
    for order_id, outcome in ((unsigned_order, unsigned), (edited_order, edited)):
        results = missions.state(outcome.run_id)["results"]
        assert results
        assert {r["status"] for r in results if r["tool"] == "refund_payment"} == {"rejected"}
        assert payment(missions, order_id)["refunded_amount"] == 0


# -- the audit trail ---------------------------------------------------------------------------------------------
def test_audit_chain_covers_decisions_grants_and_results(
    home: Path, missions: MissionClient, refunds: Iterator[str]
) -> None:
    for order_id in refunds:  # one an ops lead may approve (refunds up to 1000)
        outcome = missions.start(MISSION, order_id)
        assert outcome.verdict is not None
        amounts = [a["args"].get("amount", 0) for a in outcome.verdict["actions"]]
        if outcome.decision_id and max(amounts) <= 1000:
            break
    assert outcome.decision_id is not None
    missions.decide(outcome.decision_id, "omar", approve=True)
    store = RunStore(runs_db(home))
    chain = entries(store)
    kinds = {e["kind"] for e in chain}
    assert {"trigger", "observation", "verdict", "decision", "grant", "action_result", "account_added"} <= kinds
    decision = next(e for e in chain if e["kind"] == "decision" and e["run_id"] == outcome.run_id)
    assert decision["actor"] == "omar (ops_lead)"
    granted = [e["data"]["detail"] for e in chain if e["kind"] == "grant" and e["run_id"] == outcome.run_id]
    assert {g["by"] for g in granted if g["decision_id"] == outcome.decision_id} == {"omar"}
    assert decision["actor"]
    assert decision["at"]
    assert decision["summary"]
    assert problems(chain, store.audit) == []
    verified = cli(home, "audit", "verify")
    assert verified.returncode == 0
    assert "intact" in verified.stdout


def small_store(home: Path) -> RunStore:
    store = RunStore(runs_db(home))
    for n in range(5):
        store.append_events(f"R-{n}", [{"kind": "observation", "summary": f"finding {n}", "data": {"n": n}}])
    return store


def unlock(home: Path) -> sqlite3.Connection:
    """The database as an attacker holding the file sees it: the append-only triggers dropped."""
    db = sqlite3.connect(runs_db(home))
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    return db


def test_audit_verify_names_an_edited_or_deleted_entry(missions_home: Path) -> None:
    small_store(missions_home)
    assert cli(missions_home, "audit", "verify").returncode == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), sqlite3.connect(runs_db(missions_home)) as db:
        db.execute("UPDATE audit SET summary = 'nothing' WHERE n = 3")
    with unlock(missions_home) as db:
        db.execute("UPDATE audit SET summary = 'nothing to see' WHERE n = 3")
    edited = cli(missions_home, "audit", "verify")
    assert edited.returncode == 2
    assert "entry 3 (observation, run R-2) was edited" in edited.stderr


def test_audit_verify_names_a_deleted_entry(missions_home: Path) -> None:
    small_store(missions_home)
    with unlock(missions_home) as db:
        db.execute("DELETE FROM audit WHERE n = 2")
    deleted = cli(missions_home, "audit", "verify")
    assert deleted.returncode == 2
    assert "entry 2 deleted" in deleted.stderr


def test_audit_export_verifies_on_its_own_and_a_reordered_export_does_not(missions_home: Path, tmp_path: Path) -> None:
    small_store(missions_home)
    exported = tmp_path / "audit.jsonl"
    assert cli(missions_home, "audit", "export", str(exported)).returncode == 0
    assert cli(missions_home, "audit", "verify", "--file", str(exported)).returncode == 0
    lines = exported.read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    moved = tmp_path / "moved.jsonl"
    moved.write_text("\n".join(lines) + "\n")
    reordered = cli(missions_home, "audit", "verify", "--file", str(moved))
    assert reordered.returncode == 2
    assert "entry 2 (observation, run R-1) is out of order" in reordered.stderr
    rewritten = [json.loads(line) for line in exported.read_text().splitlines()]
    rewritten[3]["data"]["n"] = 99
    forged = tmp_path / "forged.jsonl"
    forged.write_text("".join(json.dumps(e) + "\n" for e in rewritten))
    result = cli(missions_home, "audit", "verify", "--file", str(forged))
    assert result.returncode == 2
    assert "entry 4 (observation, run R-3) was edited" in result.stderr


def test_dashboard_refuses_another_address_while_nobody_can_sign_in(missions_home: Path) -> None:
    refused = cli(missions_home, "dashboard", "--host", "0.0.0.0", "--port", "1")
    assert refused.returncode == 2
    assert "refusing to serve the dashboard on 0.0.0.0 with sign-in off" in refused.stderr
    check_host("127.0.0.1", missions_home)  # loopback is fine
    Accounts(RunStore(runs_db(missions_home))).add("ana", "ops_agent", PASSWORD)
    check_host("0.0.0.0", missions_home)  # accounts exist: everyone must sign in


# -- failures ----------------------------------------------------------------------------------------------------
class FlakySystems:
    """The systems, except that reading an order raises a plain exception (a bug, not a refusal) while broken."""

    def __init__(self, gateway: SystemsGateway) -> None:
        self.gateway, self.broken = gateway, True

    async def call(self, tool: str, args: Any, *, meta: Any = None) -> dict[str, Any]:
        if self.broken and tool == "get_order_context":
            raise RuntimeError("erp exploded")
        return await self.gateway.call(tool, args, meta=meta)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)


async def test_a_run_that_raises_ends_failed_then_is_retried_and_the_scan_goes_on(
    home: Path, refunds: Iterator[str]
) -> None:
    first, second, third = next(refunds), next(refunds), next(refunds)
    spec = get_mission(MISSION)
    systems = [*spec.systems, *spec.get_trigger().systems]
    async with SystemsGateway(connections(systems, home)) as gateway:
        flaky = FlakySystems(gateway)
        async with MissionRuntime(MISSION, home, systems=flaky) as runtime:  # type: ignore[arg-type]
            with pytest.raises(RuntimeError, match="erp exploded"):
                await runtime.start(first, run_id="R-flaky")
            run = runtime.store.get_run("R-flaky")
            assert run["status"] == "failed"
            assert run["summary"] == "RuntimeError: erp exploded"
            error = runtime.store.events("R-flaky", kind="error")
            assert [e["summary"] for e in error] == ["RuntimeError: erp exploded"]  # on the Explain rail
            audited = [e for e in entries(runtime.store) if e["run_id"] == "R-flaky" and e["kind"] == "error"]
            assert audited[0]["summary"] == "RuntimeError: erp exploded"
            assert "R-flaky" not in {r["run_id"] for r in runtime.store.list_runs(status="running")}

            assert await scan_and_start(runtime, subjects=[second, third]) == []  # both fail, the scan goes on
            assert {r["subject_id"] for r in runtime.store.list_runs(status="failed")} >= {second, third}

            flaky.broken = False
            retried = await runtime.retry("R-flaky", by=None)
            assert retried.status == "awaiting_decision"
            assert runtime.store.get_run("R-flaky")["status"] == "awaiting_decision"
            with pytest.raises(ConflictError, match="not failed"):
                await runtime.retry("R-flaky", by=None)


def test_resume_run_retries_a_failed_run_from_the_command_line(home: Path, missions: MissionClient) -> None:
    failed = next(r for r in missions.store.list_runs(status="failed", limit=100) if r["run_id"] != "R-flaky")
    done = cli(home, "resume", failed["run_id"], "--json", token=login(home, "omar"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "awaiting_decision"


def test_the_first_account_bootstraps_the_admin_who_adds_the_rest(missions_home: Path) -> None:
    first = cli(missions_home, "accounts", "add", "boss", "--role", "ops_lead", "--password-stdin", stdin=PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "admin" in first.stdout
    second = cli(missions_home, "accounts", "add", "eve", "--role", "finance", "--password-stdin", stdin=PASSWORD)
    assert second.returncode == 2
    assert "not signed in" in second.stderr
    boss = login(missions_home, "boss")
    demo = cli(missions_home, "accounts", "demo", token=boss)
    assert demo.returncode == 2  # one admin would grant every role at once
    assert "only to a store without accounts" in demo.stderr
    fresh = missions_home.parent / "fresh-home"
    assert cli(fresh, "accounts", "demo").returncode == 0  # a new store's roster needs no sign-in
    listed = {row["name"]: row["role"] for row in json.loads(cli(fresh, "accounts", "list", "--json").stdout)}
    assert listed["fiona"] == "finance"
    assert set(listed) == {*default_roster()}
    stored = sqlite3.connect(runs_db(fresh)).execute("SELECT password_hash FROM accounts").fetchall()
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for (h,) in stored)  # the real cost (not the tests')


def test_an_edit_is_granted_for_the_edited_arguments_only(home: Path, missions: MissionClient) -> None:
    for order_id in sorted(r.order_id for r in scan_exceptions(home) if list(r.types) == ["double_charge"])[::-1]:
        outcome = missions.start(MISSION, order_id)
        if outcome.decision_id and outcome.verdict and outcome.status == "awaiting_decision":
            break
    assert outcome.verdict is not None
    assert outcome.decision_id is not None
    number = next(i + 1 for i, a in enumerate(outcome.verdict["actions"]) if a["tool"] == "refund_payment")
    proposed = outcome.verdict["actions"][number - 1]["args"]
    edited = {**proposed, "amount": 1.0}
    missions.decide(outcome.decision_id, "fiona", edits={number: edited})  # finance may approve it either way
    if missions.store.get_decision(outcome.decision_id).status == "pending":  # a shared plan: the rest is omar's
        missions.decide(outcome.decision_id, "omar", approve=True)
    step = next(s for s in missions.state(outcome.run_id)["decision"]["plan"] if s["tool"] == "refund_payment")
    assert "grant" not in step  # minted at execution, kept in no state
    granted = [e["data"] for e in missions.store.events(outcome.run_id, kind="grant")]
    refund = next(g for g in granted if g["tool"] == "refund_payment")
    assert refund["args_sha256"] == grants.args_digest(edited) != grants.args_digest(proposed)
    key = grants.idempotency_key(outcome.decision_id, step["index"], "refund_payment")
    grant = grants.mint(home, decision_id=outcome.decision_id, index=step["index"], tool="refund_payment",
                        args=edited, key=key, by="fiona", run=outcome.run_id)  # fmt: skip
    with pytest.raises(ForbiddenError, match="does not cover these arguments"):
        grants.check(home, grant, "refund_payment", {**proposed, "idempotency_key": key})
    assert payment(missions, order_id)["refunded_amount"] == 1.0


def test_processes_opening_a_new_store_at_once_all_migrate_it(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    code = f"from pathlib import Path; from ai_missions.kernel.store import RunStore; RunStore(Path({str(path)!r}))"
    procs = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(6)]
    failures = [p.communicate()[1] for p in procs if p.wait(timeout=120) != 0]
    assert failures == []
    assert RunStore(path).get_meta("schema_version") == str(SCHEMA_VERSION)


def test_the_queue_is_ordered_by_policy_deadline_with_late_ones_flagged(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from ai_missions.dashboard.model import due_text
    from ai_missions.knowledge_index.policies import load_corpus
    from ai_missions.services.deadlines import due_in_hours

    spec, policies = get_mission(MISSION), load_corpus().policies
    assert due_in_hours(spec, ["payment_review", "duplicate_order"], {}, policies) == 2
    assert due_in_hours(spec, ["auth_expiring"], {"payment.auth_expires_in_hours": 12}, policies) == 8
    assert due_in_hours(spec, ["something_else"], {}, policies) is None  # (tests/test_deadlines.py: the rest)
    store = RunStore(tmp_path / "runs.sqlite")
    now = datetime.now(UTC)
    for decision_id, due in [
        ("D-none", None),
        ("D-day", now + timedelta(hours=20)),
        ("D-late", now - timedelta(hours=3)),
        ("D-soon", now + timedelta(minutes=40)),
    ]:
        store.open_decision(
            decision_id,
            run_id=f"R-{decision_id}",
            mission=MISSION,
            subject_id=f"SO-{decision_id}",  # one open decision per case
            request={"interrupts": []},
            due_at=due.isoformat() if due else None,
        )
    pending = store.pending_decisions()
    assert [d.decision_id for d in pending] == ["D-late", "D-soon", "D-day", "D-none"]
    assert [due_text(d.due_at, now)[1] for d in pending] == ["red", "orange", "gray", ""]
    assert due_text(pending[0].due_at, now)[0] == "late 3 h"


def test_a_plan_no_single_role_may_approve_names_the_roles_it_needs() -> None:
    from ai_missions.knowledge_index.clauses import ApprovalRule
    from ai_missions.services.review import roles_needed

    rules = [
        ApprovalRule(tools=["refund_payment"], roles=["finance"]),
        ApprovalRule(tools=["refund_payment"], roles=["ops_lead"], max_amount=1000),
        ApprovalRule(tools=["send_customer_message"], roles=["customer_care", "ops_lead"]),
    ]
    tools = get_mission(MISSION).tools
    small = {"tool": "refund_payment", "args": {"capture_id": "C", "amount": 50.0, "reason": "r"}}
    large = {"tool": "refund_payment", "args": {"capture_id": "C", "amount": 1500.0, "reason": "r"}}
    message = {"tool": "send_customer_message", "args": {}}
    assert roles_needed([small, message], rules, tools) == ["ops_lead"]
    assert roles_needed([large, message], rules, tools) == ["customer_care", "finance"]
    assert roles_needed([{"tool": "cancel_order", "args": {}}], rules, tools) == []
