"""Benchmark: per-call latency of the simulated systems over MCP stdio with one persistent client session.

Seeds the default book into a temporary MISSIONS_HOME, then with the official MCP client:
- 1,000 calls of a read tool (erp.get_order) on one persistent stdio session: mean and p95;
- the same with the client's output-schema check compiled once
  (:class:`ai_missions.services.mcp_session.ValidatingClientSession`; the stock ``ClientSession`` recompiles the
  JSON-schema validator on every result, python-sdk issue #3133), to show where the time goes;
- 200 writes (crm.add_note, each a new idempotency key) and 200 idempotent replays;
- for comparison, a new session (a new server process) per call, on a handful of calls.

Run: ``uv run python bench/systems_mcp.py [--calls 1000]``. It prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from ai_missions.integrations.seed import seed_book, story_order_id
from ai_missions.services.connections import connections
from ai_missions.services.mcp_session import ValidatingClientSession
from ai_missions.testing import operator_grant


def params(home: Path, system: str) -> StdioServerParameters:
    conn = connections([system], home)[system]
    return StdioServerParameters(command=conn["command"], args=conn["args"], env=conn.get("env"))


def report(label: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    mean, p50 = statistics.fmean(ms), ms[len(ms) // 2]
    print(f"  {label:<52} n={len(ms):>5}  mean {mean:7.2f} ms  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")


async def timed(call: Callable[[], Awaitable[CallToolResult]], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        result = await call()
        samples.append(time.perf_counter() - started)
        if result.isError:
            raise RuntimeError(result.content)
    return samples


async def persistent(
    home: Path, system: str, body: Callable[[ClientSession], Any], session_class: type[ClientSession] = ClientSession
) -> None:
    async with stdio_client(params(home, system)) as (read, write), session_class(read, write) as session:
        await session.initialize()
        await session.list_tools()
        await body(session)


async def main(calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="missions-bench-") as tmp:
        await run(Path(tmp), calls)


async def run(home: Path, calls: int) -> None:
    started = time.perf_counter()
    seed_book(home=home)
    print(f"Seeded the default book (2,000 orders) in {time.perf_counter() - started:.2f}s under {home}")
    order_id = story_order_id(home)
    assert order_id is not None
    customer_id = "C-10001"
    read_args = {"order_id": order_id}

    print("One persistent stdio session (one server process), official MCP client:")
    for label, session_class in (
        ("erp.get_order, stock ClientSession", ClientSession),
        ("erp.get_order, output schema compiled once", ValidatingClientSession),
    ):

        async def reads(session: ClientSession, label: str = label) -> None:
            await timed(lambda: session.call_tool("get_order", read_args), 50)  # warm-up
            report(label, await timed(lambda: session.call_tool("get_order", read_args), calls))

        await persistent(home, "erp", reads, session_class)

    async def writes(session: ClientSession) -> None:
        counter = iter(range(10**9))

        def note(key: str) -> Awaitable[CallToolResult]:
            args = {"customer_id": customer_id, "body": "benchmark note", "idempotency_key": key}
            return session.call_tool("add_note", args, meta=operator_grant(home, "add_note", args))  # as approved

        report("crm.add_note, new key per call (a write)", await timed(lambda: note(f"bench-{next(counter)}"), 200))
        report("crm.add_note, same key (idempotent replay)", await timed(lambda: note("bench-0"), 200))

    await persistent(home, "crm", writes, ValidatingClientSession)

    samples = []
    for _ in range(5):
        begun = time.perf_counter()
        async with stdio_client(params(home, "erp")) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await session.call_tool("get_order", read_args)
        samples.append(time.perf_counter() - begun)
    print("For comparison, a new session (new server process) per call:")
    report("erp.get_order, spawn + initialize + call + close", samples)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    asyncio.run(main(parser.parse_args().calls))
