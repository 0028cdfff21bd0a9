"""Every exported mission graph (``langgraph.json``) runs without blocking the event loop, as ``langgraph dev``
requires without ``--allow-blocking``: run under blockbuster (the detector langgraph-api uses), from the trigger to
the pause for a reviewer, then resumed with a signed answer through execution and close. Nothing is handed in
through the context but the home, as LangGraph's server would run it: the nodes open their own resources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from blockbuster import blockbuster_ctx
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.decisions import request_hash
from ai_missions.kernel.missions import get_mission, registry
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.resources import systems_of
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow


home = small_home_fixture("graphs")


def signed_accept(home: Path, request: list[dict[str, object]]) -> dict[str, object]:
    """The answer the platform would sign for ``omar`` accepting every action (the graph checks the signature and
    takes the role from the roster, not from this dict)."""
    meta = request[0]["metadata"]
    assert isinstance(meta, dict)
    answer: dict[str, object] = {
        "decision_id": meta["decision_id"],
        "reviewer": "omar",
        "role": "ops_lead",
        "responses": [{"type": "accept"} for _ in request],
        "actions_hash": request_hash(request),  # type: ignore[arg-type]
    }
    answer["signature"] = sign(platform_key(home), json.loads(json.dumps(answer)))
    return answer


@pytest.mark.parametrize("mission", sorted(registry()))
async def test_exported_graph_runs_without_blocking_the_event_loop(home: Path, mission: str) -> None:
    spec = get_mission(mission)
    context = MissionContext(home=str(home))
    if mission == "order-exception":
        subject = story_order_id(home)  # its systems are opened below, under blockbuster
    else:
        trigger = spec.get_trigger()
        assert set(trigger.systems) <= set(spec.systems)
        found = await trigger.find(await systems_of(context, spec.systems))
        subject = sorted(s for s, types in found.items() if types)[0]
    assert subject
    graph = spec.build_graph().compile(checkpointer=InMemorySaver(), name=mission)
    config = {"configurable": {"thread_id": f"nonblocking-{mission}"}}
    with blockbuster_ctx():
        nodes = [
            node
            async for update in graph.astream({"subject_id": subject}, config, context=context, stream_mode="updates")
            for node in update
        ]
        snapshot = await graph.aget_state(config)
    assert nodes[:3] == ["gather", "retrieve_policies", "reason"]
    if snapshot.interrupts:
        resume = Command(resume=signed_accept(home, snapshot.interrupts[0].value))  # the platform's part
        with blockbuster_ctx():
            async for update in graph.astream(resume, config, context=context, stream_mode="updates"):
                nodes.extend(update)
        assert nodes[-3:] == ["request_approval", "execute", "close"]
    assert (await graph.aget_state(config)).values["status"] in ("closed", "closed_partially", "escalated")


FIRST_SESSION = """
import asyncio, sys
from pathlib import Path
from blockbuster import blockbuster_ctx
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway

async def main() -> None:
    erp = connections(["erp"], Path(sys.argv[1]), sys.argv[2])
    with blockbuster_ctx():
        async with SystemsGateway(erp) as systems:
            print(sorted(systems.open_systems))

asyncio.run(main())
"""


@pytest.mark.parametrize("transport", ["stdio", "in-process"])
def test_a_first_session_imports_the_mcp_stack_off_the_event_loop(home: Path, transport: str) -> None:
    """The MCP client is imported when a first session opens (not with the runtime); in a fresh process, where no
    other test has imported it yet, that import must not read files on the event loop."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SESSION, str(home), transport],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['erp']"
