"""Each system served over MCP (stdio and streamable-http on 127.0.0.1), driven by the official MCP client: the
tool list equals the catalog with annotations, reads and writes work, writes replay idempotently, invariants and
bad input come back as structured tool errors, and a refused call changes nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from ai_missions.contracts import contract
from ai_missions.integrations import ap, erp, inventory, payments
from ai_missions.integrations.accounts_seed import generate as accounts_book
from ai_missions.integrations.ap_seed import generate as ap_book
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.retail_seed import generate as retail_book
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import generate, story_order_id
from ai_missions.integrations.support_seed import generate_from as helpdesk_book
from ai_missions.integrations.system_server import latency_ms
from ai_missions.integrations.systems import connect, storage_systems, system_path
from ai_missions.kernel.errors import ValidationError
from ai_missions.services.connections import connections
from ai_missions.services.mcp_session import ValidatingClientSession, open_session
from ai_missions.testing import operator_grant
from tests.support.http_system import http_session

pytestmark = pytest.mark.slow


@cache
def book_rows() -> dict[str, Any]:
    """Every book: the commerce systems, the accounts-payable ones, the retail ones and the B2B accounts."""
    return {**generate(orders=300, seed=11), **ap_book(400, 11), **retail_book(40, 11), **accounts_book(60, 11)}


@dataclass
class Case:
    """What to do with one system: a read, a write (replayed, then reused with other arguments), an invariant
    refusal, and bad inputs, each bad input with the error code it must produce."""

    read: tuple[str, dict[str, Any], str]
    #: None for a system that only reads (receiving) or keeps no invariant a call can break (purchasing).
    write: tuple[str, dict[str, Any], dict[str, Any]] | None
    refusal: tuple[str, dict[str, Any]] | None
    bad: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


def cases(home: Path) -> dict[str, Case]:
    write_book(helpdesk_book(home, 12, 11), home)  # tickets over the commerce book just written
    rows = scan_exceptions(home)
    story = story_order_id(home)
    assert story is not None
    e, i, p = connect("erp", home), connect("inventory", home), connect("payments", home)
    pending = erp.list_orders(e, status="pending", limit=1).orders[0].order_id
    shipped = erp.list_orders(e, status="shipped", limit=1).orders[0].order_id
    customer = erp.get_order(e, story).customer_id
    email_only = (
        connect("crm", home)
        .execute("SELECT customer_id FROM customers WHERE allowed_channels = '[\"email\"]' LIMIT 1")
        .fetchone()[0]
    )
    oversold = next(r.order_id for r in rows if r.types == ["oversell"])
    res = inventory.get_reservations(i, oversold).reservations[0]
    target = next(
        s.location_id
        for s in inventory.get_stock(i, res.sku).locations
        if s.location_id != res.location_id and s.available >= res.quantity
    )
    expiring = next(r.order_id for r in rows if r.types == ["auth_expiring"])
    auth = payments.get_payment(p, expiring).authorizations[0]
    charged = next(r.order_id for r in rows if "double_charge" in r.types)
    capture = payments.get_payment(p, charged).captures[-1]
    fixable = next(r.order_id for r in rows if r.details.get("address_invalid", "").startswith("corrected"))
    queue = {q.invoice_id: q.block_reasons for q in ap.list_invoices_awaiting_approval(connect("ap", home)).invoices}
    clean = next(i for i, b in sorted(queue.items()) if not b)
    changed = next(i for i, b in sorted(queue.items()) if b == ["bank_change"])
    invoice = ap.get_invoice(connect("ap", home), clean)
    tight = ap.get_invoice(connect("ap", home), next(i for i, b in sorted(queue.items()) if b == ["budget_exceeded"]))
    broken = next(r.order_id for r in rows if r.details.get("address_invalid", "").startswith("undeliverable"))
    stocked = connect("stores", home).execute(
        "SELECT location_id, sku FROM stock WHERE quarantined = 0 GROUP BY sku LIMIT 2"
    )
    (stock_at, stock_sku), (_, other_sku) = stocked.fetchall()
    return {
        "erp": Case(
            read=("get_order", {"order_id": story}, "ship_to"),
            write=("place_order_hold", {"order_id": pending, "reason": "verify"}, {"reason": "other"}),
            refusal=("cancel_order", {"order_id": shipped, "reason": "late", "idempotency_key": "c1"}),
            bad=[
                ("get_order", {}, "invalid_argument"),
                ("get_order", {"order_id": 5}, "invalid_argument"),
                ("get_order", {"order_id": "SO-0"}, "not_found"),
                ("read_events", {"after_id": -1}, "invalid_argument"),
                ("list_orders", {"limit": "many"}, "invalid_argument"),
                ("cancel_order", {"order_id": pending, "reason": "x"}, "invalid_argument"),
                ("no_such_tool", {}, "not_found"),
            ],
        ),
        "crm": Case(
            read=("get_customer", {"customer_id": customer}, "tenure_years"),
            write=("add_note", {"customer_id": customer, "body": "Called the customer."}, {"body": "Other note."}),
            refusal=(
                "send_customer_message",
                {"customer_id": email_only, "channel": "sms", "subject": "Hi", "body": "Hello", "idempotency_key": "m"},
            ),
            bad=[
                ("get_customer", {}, "invalid_argument"),
                ("get_customer", {"customer_id": "C-0"}, "not_found"),
                (
                    "send_customer_message",
                    {"customer_id": customer, "channel": "pigeon", "subject": "a", "body": "b", "idempotency_key": "m"},
                    "invalid_argument",
                ),
            ],
        ),
        "inventory": Case(
            read=("get_stock", {"sku": res.sku}, "locations"),
            write=(
                "reallocate_reservation",
                {"reservation_id": res.reservation_id, "to_location_id": target},
                {"to_location_id": res.location_id},
            ),
            refusal=("confirm_reservation", {"reservation_id": res.reservation_id, "idempotency_key": "c"}),
            bad=[
                ("get_reservations", {"order_id": "SO-0"}, "not_found"),
                (
                    "adjust_stock",
                    {"sku": res.sku, "location_id": target, "counted_qty": -1, "reason": "r", "idempotency_key": "a"},
                    "invalid_argument",
                ),
                (
                    "adjust_stock",
                    {
                        "sku": res.sku,
                        "location_id": target,
                        "counted_qty": "3 or 4",
                        "reason": "r",
                        "idempotency_key": "a",
                    },
                    "invalid_argument",
                ),
                ("get_cycle_counts", {"sku": res.sku, "location_id": "MOON"}, "not_found"),
            ],
        ),
        "payments": Case(
            read=("get_payment", {"order_id": expiring}, "authorizations"),
            write=(
                "capture_payment",
                {"authorization_id": auth.authorization_id, "amount": auth.amount},
                {"amount": round(auth.amount - 1, 2)},
            ),
            refusal=(
                "refund_payment",
                {"capture_id": capture.capture_id, "amount": capture.amount + 1, "reason": "r", "idempotency_key": "r"},
            ),
            bad=[
                (
                    "capture_payment",
                    {"authorization_id": auth.authorization_id, "amount": -5, "idempotency_key": "n"},
                    "invalid_argument",
                ),
                (
                    "capture_payment",
                    {"authorization_id": auth.authorization_id, "amount": "lots", "idempotency_key": "n"},
                    "invalid_argument",
                ),
                (
                    "capture_payment",
                    {"authorization_id": auth.authorization_id, "idempotency_key": "n"},
                    "invalid_argument",
                ),
                ("capture_payment", {"authorization_id": "AUTH-0", "amount": 1, "idempotency_key": "n"}, "not_found"),
                ("get_fraud_assessment", {"order_id": "SO-0"}, "not_found"),
            ],
        ),
        "ap": Case(
            read=("get_invoice", {"invoice_id": clean}, "lines"),
            write=("place_invoice_hold", {"invoice_id": clean, "reason": "verify"}, {"reason": "other"}),
            refusal=("post_payment", {"invoice_id": changed, "amount": 1.0, "idempotency_key": "p"}),
            bad=[
                ("get_invoice", {}, "invalid_argument"),
                ("get_invoice", {"invoice_id": "INV-0"}, "not_found"),
                ("post_payment", {"invoice_id": clean, "amount": -5, "idempotency_key": "n"}, "invalid_argument"),
                ("read_invoice_events", {"after_id": -1}, "invalid_argument"),
                (
                    "request_vendor_confirmation",
                    {"invoice_id": clean, "topic": "gossip", "message": "hi", "idempotency_key": "g"},
                    "invalid_argument",
                ),
            ],
        ),
        "purchasing": Case(
            read=("get_purchase_order", {"po_id": invoice.po_id}, "lines"),
            write=(
                "request_buyer_review",
                {"invoice_id": clean, "po_id": invoice.po_id, "topic": "price_change", "message": "Agreed?"},
                {"message": "Another question"},
            ),
            refusal=None,
            bad=[
                ("get_purchase_order", {"po_id": "PO-0"}, "not_found"),
                (
                    "request_buyer_review",
                    {"invoice_id": clean, "po_id": "PO-0", "topic": "quantity", "message": "m", "idempotency_key": "q"},
                    "not_found",
                ),
            ],
        ),
        "receiving": Case(
            read=("get_goods_receipts", {"po_id": invoice.po_id}, "accepted_by_line"),
            write=None,
            refusal=None,
            bad=[("get_goods_receipts", {}, "invalid_argument")],
        ),
        "accounts": Case(
            read=("get_account_context", {"account_id": "ACC-10007"}, "usage"),
            write=(
                "send_account_email",
                {"account_id": "ACC-10007", "contact_id": "CT-100070", "subject": "Hello", "body": "Checking in"},
                {"body": "Something else"},
            ),
            refusal=(
                "escalate_renewal",
                {"opportunity_id": "OP-100070", "account_id": "ACC-10001", "reason": "x", "idempotency_key": "e"},
            ),
            bad=[
                ("get_account", {"account_id": "ACC-0"}, "not_found"),
                ("list_account_signals", {"limit": 0}, "invalid_argument"),
                (
                    "send_account_email",
                    {
                        "account_id": "ACC-10007",
                        "contact_id": "CT-1",
                        "subject": "s",
                        "body": "b",
                        "idempotency_key": "c",
                    },
                    "not_found",
                ),
            ],
        ),
        "budget": Case(
            read=("get_budget", {"cost_centre": invoice.cost_centre}, "available"),
            write=(
                "commit_budget",
                {"cost_centre": invoice.cost_centre, "invoice_id": clean, "amount": 1.0},
                {"amount": 2.0},
            ),
            refusal=(
                "commit_budget",
                {
                    "cost_centre": tight.cost_centre,
                    "invoice_id": tight.invoice_id,
                    "amount": tight.total,
                    "idempotency_key": "b",
                },
            ),
            bad=[
                ("get_budget", {"cost_centre": "CC-NOPE"}, "not_found"),
                (
                    "commit_budget",
                    {"cost_centre": invoice.cost_centre, "invoice_id": clean, "amount": "lots", "idempotency_key": "l"},
                    "invalid_argument",
                ),
            ],
        ),
        "oms": Case(
            read=("get_omni_order", {"order_id": "RO-100001"}, "order"),
            write=("add_order_note", {"order_id": "RO-100001", "body": "Checked."}, {"body": "Other note."}),
            refusal=("post_return_adjustment", {"return_id": "RT-999999", "amount": 29.99, "idempotency_key": "r"}),
            bad=[
                ("get_omni_order", {}, "invalid_argument"),
                ("get_omni_order", {"order_id": "RO-0"}, "not_found"),
                (
                    "reallocate_order",
                    {"order_id": "RO-100001", "location_id": "XX-1", "idempotency_key": "x"},
                    "invalid_argument",
                ),
                (
                    "issue_goodwill_credit",
                    {"order_id": "RO-100001", "amount": "lots", "reason": "r", "idempotency_key": "g"},
                    "invalid_argument",
                ),
            ],
        ),
        "stores": Case(
            read=("get_stock_context", {"skus": [stock_sku], "location_id": stock_at}, "stock"),
            write=("create_recount_task", {"location_id": stock_at, "sku": stock_sku}, {"sku": other_sku}),
            refusal=("release_quarantine", {"location_id": stock_at, "sku": stock_sku, "idempotency_key": "q"}),
            bad=[
                ("get_location", {"location_id": "ST-Z99"}, "not_found"),
                ("get_stock_context", {"skus": [], "location_id": stock_at}, "invalid_argument"),
                (
                    "quarantine_stock",
                    {"location_id": stock_at, "sku": stock_sku, "idempotency_key": "k"},
                    "invalid_argument",
                ),
            ],
        ),
        "helpdesk": Case(
            read=("get_ticket", {"ticket_id": "TKT-000001"}, "messages"),
            write=(
                "send_ticket_reply",
                {"ticket_id": "TKT-000001", "body": "Refunded.", "status": "solved"},
                {"body": "Something else."},
            ),
            refusal=None,
            bad=[
                ("get_ticket", {"ticket_id": "TKT-999999"}, "not_found"),
                (
                    "send_ticket_reply",
                    {"ticket_id": "TKT-000001", "body": "", "status": "solved", "idempotency_key": "e"},
                    "invalid_argument",
                ),
                (
                    "open_ticket",
                    {
                        "customer_id": customer,
                        "channel": "portal",
                        "subject": "Hi",
                        "body": "x" * 200_001,
                        "idempotency_key": "big",
                    },
                    "invalid_argument",
                ),
            ],
        ),
        "shipping": Case(
            read=("get_address_validation", {"order_id": fixable}, "suggestion"),
            write=("apply_address_correction", {"order_id": fixable}, {"order_id": broken}),
            refusal=("apply_address_correction", {"order_id": broken, "idempotency_key": "x"}),
            bad=[
                ("validate_address", {"name": "A", "line1": "1 Main Street"}, "invalid_argument"),
                ("list_shipments", {"order_id": "SO-0"}, "not_found"),
            ],
        ),
    }


def state(home: Path, system: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(system_path(system, home))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def error_code(result: CallToolResult) -> str:
    assert result.isError, result
    assert result.structuredContent is not None
    code: str = result.structuredContent["error"]["code"]
    assert result.content[0].text.startswith(f"{code}: ")  # type: ignore[union-attr]
    return code


#: Every state-changing tool of every system: each refuses a call without an approval grant.
WRITES = frozenset(t.name for system in storage_systems() for t in contract(system) if t.is_write)


async def granted(session: ClientSession, home: Path, name: str, args: dict[str, Any]) -> CallToolResult:
    """A call as the platform makes it: a write carries an approval grant for exactly these arguments."""
    return await session.call_tool(name, args, meta=operator_grant(home, name, args) if name in WRITES else None)


async def exercise(session: ClientSession, system: str, case: Case, home: Path) -> None:
    await session.initialize()
    listed = (await session.list_tools()).tools
    catalog = {t.name: t for t in contract(system)}
    assert sorted(t.name for t in listed) == sorted(catalog)
    for tool in listed:
        spec = catalog[tool.name]
        assert tool.annotations is not None
        assert tool.outputSchema is not None
        assert tool.annotations.readOnlyHint is (spec.kind == "read")
        assert tool.annotations.destructiveHint is spec.irreversible
        if spec.name in {"capture_payment", "refund_payment", "void_authorization", "cancel_order"}:
            assert tool.annotations.destructiveHint is True  # every irreversible tool says so
        assert tool.annotations.idempotentHint is True
        if spec.kind == "write":
            assert "idempotency_key" in tool.inputSchema["required"]

    name, args, key = case.read
    result = await granted(session, home, name, args)
    assert not result.isError
    assert result.structuredContent is not None
    assert key in result.structuredContent

    before = state(home, system)
    for name, args, code in case.bad:
        assert error_code(await granted(session, home, name, args)) == code, (name, args)
    if case.refusal is not None:
        name, args = case.refusal
        assert error_code(await granted(session, home, name, args)) == "conflict"
    assert state(home, system) == before  # refused and malformed calls change nothing
    for name, args, _code in case.bad:  # the same calls without an approval grant: refused before anything
        if name in WRITES:
            assert error_code(await session.call_tool(name, args)) == "forbidden", (name, args)
    if case.write is None:
        return

    name, args, other = case.write
    ungranted = await session.call_tool(name, {**args, "idempotency_key": f"{system}-write-1"})
    assert error_code(ungranted) == "forbidden"
    assert "approval grant" in ungranted.structuredContent["error"]["message"]
    assert state(home, system) == before
    first = await granted(session, home, name, {**args, "idempotency_key": f"{system}-write-1"})
    assert not first.isError, first.content
    after_first = state(home, system)
    replay = await granted(session, home, name, {**args, "idempotency_key": f"{system}-write-1"})
    assert not replay.isError
    assert replay.structuredContent is not None
    assert first.structuredContent is not None
    assert replay.structuredContent["replayed"] is True
    assert {**replay.structuredContent, "replayed": False} == first.structuredContent
    conflict = await granted(session, home, name, {**args, **other, "idempotency_key": f"{system}-write-1"})
    assert error_code(conflict) == "conflict"
    assert "already used" in conflict.structuredContent["error"]["message"]
    assert state(home, system) == after_first


@pytest.mark.parametrize("system", storage_systems())
async def test_system_over_stdio(system: str, missions_home: Path) -> None:
    write_book(book_rows(), missions_home)
    case = cases(missions_home)[system]
    conn = connections(storage_systems(), missions_home, "stdio")[system]
    params = StdioServerParameters(command=conn["command"], args=conn["args"], env=conn["env"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await exercise(session, system, case, missions_home)


@pytest.mark.parametrize("system", storage_systems())
async def test_system_in_process(system: str, missions_home: Path) -> None:
    """The same exercise over the in-process transport (each request handed to the registered build's server)."""
    write_book(book_rows(), missions_home)
    case = cases(missions_home)[system]
    conn = connections(storage_systems(), missions_home, "in-process")[system]
    assert conn == {"transport": "in_process", "system": system, "home": str(missions_home.resolve())}
    async with open_session(conn) as session:
        await exercise(session, system, case, missions_home)


async def test_an_unregistered_system_is_one_line(missions_home: Path) -> None:
    with pytest.raises(ValidationError, match=r"^no system named 'mainframe' is registered; registered: .*erp"):
        async with open_session({"transport": "in_process", "system": "mainframe", "home": str(missions_home)}):
            pass


def test_the_transport_setting_is_checked(missions_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONS_SYSTEMS_TRANSPORT", "carrier-pigeon")
    with pytest.raises(ValidationError, match=r"^MISSIONS_SYSTEMS_TRANSPORT='carrier-pigeon': expected one of"):
        connections(["erp"], missions_home)
    monkeypatch.setenv("MISSIONS_SYSTEMS_TRANSPORT", "stdio")
    assert connections(["erp"], missions_home)["erp"]["transport"] == "stdio"


@pytest.mark.parametrize("system", storage_systems())
async def test_system_over_streamable_http(system: str, missions_home: Path) -> None:
    write_book(book_rows(), missions_home)
    case = cases(missions_home)[system]
    async with http_session(missions_home, "ai_missions.integrations.serving", system) as session:
        await exercise(session, system, case, missions_home)


async def test_compiled_output_validation_keeps_results(missions_home: Path) -> None:
    write_book(book_rows(), missions_home)
    conn = connections(storage_systems(), missions_home, "stdio")["erp"]
    params = StdioServerParameters(command=conn["command"], args=conn["args"], env=conn["env"])
    story = story_order_id(missions_home)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        stock = await session.call_tool("get_order", {"order_id": story})
    async with stdio_client(params) as (read, write), ValidatingClientSession(read, write) as session:
        await session.initialize()
        results = [await session.call_tool("get_order", {"order_id": story}) for _ in range(20)]
        failed = await session.call_tool("get_order", {"order_id": "SO-0"})
        assert len(session._output._validators) == 1  # compiled once, reused for the other 19 results
    assert all(r.structuredContent == stock.structuredContent for r in results)
    assert error_code(failed) == "not_found"


def test_latency_setting() -> None:
    assert latency_ms("erp", "erp=20,crm=50") == 20
    assert latency_ms("crm", "erp=20, crm=50") == 50
    assert latency_ms("payments", "erp=20") == 0
    assert latency_ms("shipping", "*=5") == 5
    assert latency_ms("erp", "") == 0
    for bad in ("erp", "erp=fast", "mainframe=3", "erp=-1"):
        with pytest.raises(ValidationError, match="MISSIONS_SIM_LATENCY_MS"):
            latency_ms("erp", bad)


async def test_simulated_latency_applies_per_system(missions_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_book(book_rows(), missions_home)
    monkeypatch.setenv("MISSIONS_SIM_LATENCY_MS", "erp=80,crm=0")
    conn = connections(storage_systems(), missions_home, "stdio")["erp"]
    assert conn["env"] is not None
    assert conn["env"]["MISSIONS_SIM_LATENCY_MS"] == "erp=80,crm=0"
    params = StdioServerParameters(command=conn["command"], args=conn["args"], env=conn["env"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        started = time.perf_counter()
        result = await session.call_tool("read_events", {"limit": 1})
        assert time.perf_counter() - started >= 0.08
        assert not result.isError


async def test_cli_serve_over_stdio(missions_home: Path) -> None:
    write_book(book_rows(), missions_home)
    args = ["-m", "ai_missions.cli", "systems", "serve", "shipping", "--home", str(missions_home)]
    params = StdioServerParameters(command=sys.executable, args=args)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        assert {t.name for t in (await session.list_tools()).tools} == {t.name for t in contract("shipping")}
        result = await session.call_tool(
            "validate_address",
            {"name": "A", "line1": "1 Elm Stret", "city": "Boston", "region": "MA", "postal_code": "02108"},
        )
        assert result.structuredContent is not None
        assert result.structuredContent["status"] == "corrected"


@pytest.mark.parametrize("launcher", ["ai_missions.integrations.serving", "ai_missions.services.serve_system"])
def test_servers_refuse_a_missing_book(tmp_path: Path, launcher: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", launcher, "erp", "--home", str(tmp_path / "empty")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("missions: error: no erp database")
    assert "Traceback" not in result.stderr


def test_connections_spawn_every_system(missions_home: Path) -> None:
    conns = connections(storage_systems(), missions_home, "stdio")
    assert sorted(conns) == sorted(storage_systems())
    for system, conn in conns.items():
        assert conn["transport"] == "stdio"
        assert conn["command"] == sys.executable
        assert conn["args"][:3] == ["-m", "ai_missions.services.serve_system", system]
        assert conn["env"]["MISSIONS_HOME"] == str(missions_home.resolve())


async def test_output_validation_refuses_a_result_that_breaks_the_schema() -> None:
    send, receive = anyio.create_memory_object_stream[Any](1)
    async with send, receive:
        session = ValidatingClientSession(receive, send)
        session._tool_output_schemas["count"] = {
            "type": "object",
            "properties": {"n": {"type": "integer"}},
            "required": ["n"],
        }
        await session._validate_tool_result("count", CallToolResult(content=[], structuredContent={"n": 1}))
        with pytest.raises(RuntimeError, match=r"Invalid structured content returned by tool count: .*integer"):
            await session._validate_tool_result("count", CallToolResult(content=[], structuredContent={"n": "one"}))


@pytest.mark.parametrize("stdout_kind", ["pipe", "file"])
def test_stdio_server_answers_then_exits_at_end_of_input(stdout_kind: str, missions_home: Path, tmp_path: Path) -> None:
    """Over pipes the server reads and writes on the event loop; with stdout a regular file it falls back to the
    SDK's threaded streams. Either way it answers every request and exits when its input ends."""
    write_book(book_rows(), missions_home)
    conn = connections(storage_systems(), missions_home, "stdio")["erp"]
    client = {"name": "t", "version": "1"}
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": client},
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_order", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
    ]
    out_path = tmp_path / "out.jsonl"
    with open(out_path, "wb") as out_file:
        stdout = subprocess.PIPE if stdout_kind == "pipe" else out_file
        server = subprocess.Popen(
            [conn["command"], *conn["args"]], stdin=subprocess.PIPE, stdout=stdout, env=conn["env"]
        )
        assert server.stdin is not None
        server.stdin.write("".join(json.dumps(r) + "\n" for r in requests).encode())
        server.stdin.flush()
        lines: list[bytes] = []
        deadline = time.monotonic() + 60
        while len(lines) < 3 and time.monotonic() < deadline:
            if server.stdout is not None:
                lines.append(server.stdout.readline())
            else:
                time.sleep(0.05)
                lines = [line for line in out_path.read_bytes().splitlines(keepends=True) if line.endswith(b"\n")]
        server.stdin.close()
        assert server.wait(timeout=30) == 0
    if stdout_kind == "file":  # the poll above can catch a line half-written; the file is complete once it exits
        lines = out_path.read_bytes().splitlines()
    answers = {a["id"]: a for a in map(json.loads, lines)}
    assert sorted(answers) == [1, 2, 3]
    assert answers[2]["result"]["isError"] is True  # get_order without an order id: a clear tool error
    assert {t["name"] for t in answers[3]["result"]["tools"]} == {t.name for t in contract("erp")}
