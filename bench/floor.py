"""The floor under an eval case: what LangGraph and one MCP call cost with nothing of the mission in them.

    python3 -m uv run python bench/floor.py

1. a LangGraph graph of the mission's shape (eight nodes doing nothing, an interrupt, a resume; in-memory
   checkpointer, custom stream; as an eval sandbox runs it): CPU per run;
2. one call of a tool that does nothing, over a persistent stdio session (the missions' client session), client and
   server CPU: the SDK's stdio server transport against the same server over event-loop pipes
   (``integrations/stdio_pipes.py``);
3. the ceiling those two put on cases per second on this machine with the five reads a mission needs at least
   (one per system), before any of the mission's own work.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import operator
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

from _cpu import live_children_cpu
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from typing_extensions import TypedDict

from ai_missions.services.mcp_session import ValidatingClientSession

NOOP_SERVER = Path(__file__).parent / "servers" / "noop.py"
NODES = ("gather", "retrieve_policies", "reason", "validate", "execute_automatic")


class State(TypedDict, total=False):
    order_id: str
    observations: Annotated[list[dict[str, Any]], operator.add]
    decision: dict[str, Any]


def step(name: str) -> Any:
    async def node(state: State) -> dict[str, Any]:
        get_stream_writer()({"kind": "observation", "node": name})
        return {"observations": [{"node": name, "finding": "nothing"}]}

    return node


async def approve(state: State) -> dict[str, Any]:
    return {"decision": interrupt([{"action": "noop"}])}


def mission_shaped_graph() -> Any:
    builder = StateGraph(State)
    previous = START
    for name in (*NODES, "request_approval", "execute", "close"):
        builder.add_node(name, approve if name == "request_approval" else step(name))
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile(checkpointer=InMemorySaver())


async def langgraph_floor(runs: int = 400) -> float:
    graph = mission_shaped_graph()

    async def one(thread: str) -> None:
        config: Any = {"configurable": {"thread_id": thread}}
        async for _ in graph.astream({"order_id": "SO-1"}, config, stream_mode="custom", durability="exit"):
            pass
        await graph.aget_state(config)
        async for _ in graph.astream(Command(resume={"ok": True}), config, stream_mode="custom", durability="exit"):
            pass
        await graph.aget_state(config)

    for i in range(30):
        await one(f"warm-{i}")
    started = time.process_time()
    for i in range(runs):
        await one(str(i))
    return 1000 * (time.process_time() - started) / runs


async def mcp_floor(pipes: bool, calls: int = 1500) -> tuple[float, float, float]:
    """Wall, client CPU and server CPU per no-op call, in ms."""
    args = [str(NOOP_SERVER), *(["--pipes"] if pipes else [])]
    params = StdioServerParameters(command=sys.executable, args=args)
    async with stdio_client(params) as (read, write), ValidatingClientSession(read, write) as session:
        await session.initialize()
        for _ in range(100):
            await session.call_tool("ping", {"order_id": "SO-1"})
        wall, me, server = time.perf_counter(), time.process_time(), live_children_cpu()
        for _ in range(calls):
            await session.call_tool("ping", {"order_id": "SO-1"})
        wall, me, server = time.perf_counter() - wall, time.process_time() - me, live_children_cpu() - server
    return 1000 * wall / calls, 1000 * me / calls, 1000 * server / calls


#: The reads a case needs at least: one per system.
READS = 5


async def floor_parts(runs: int = 200, calls: int = 600) -> tuple[float, float]:
    """What the benchmarks that compare with the floor take from it: the graph's CPU per run and one no-op call's
    (client and server, over event-loop pipes), in ms; the floor per case is ``graph + READS * call``."""
    graph = await langgraph_floor(runs)
    _, client, server = await mcp_floor(pipes=True, calls=calls)
    return graph, client + server


async def main() -> None:
    cores = os.cpu_count() or 1
    graph_ms = await langgraph_floor()
    print(f"LangGraph, mission-shaped graph doing nothing (8 nodes, interrupt, resume): {graph_ms:.2f} ms CPU per run")
    sdk = await mcp_floor(pipes=False)
    pipes = await mcp_floor(pipes=True)
    for name, (wall, client, server) in (("SDK stdio_server", sdk), ("event-loop pipes", pipes)):
        print(f"No-op MCP call, {name:<17}: {wall:.2f} ms wall, CPU {client:.2f} ms client + {server:.2f} ms server")
    print(f"  server CPU per call, SDK transport / pipes: {sdk[2] / pipes[2]:.2f}x")
    per_call = pipes[1] + pipes[2]
    floor_ms = graph_ms + READS * per_call
    print(
        f"Floor per case (the graph + 5 no-op calls, one per system): {floor_ms:.1f} ms CPU, "
        f"a ceiling of {1000 * cores / floor_ms:.0f} cases/s on {cores} cores before any work of the mission"
    )


if __name__ == "__main__":
    asyncio.run(main())
