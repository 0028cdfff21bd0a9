"""Figures: the issue's attacks on governance, each tried once on a fresh book, and whether it was refused.

Seeds the default book and the policy index into a temporary MISSIONS_HOME, then tries every path that could
change a system without a signed-in, entitled reviewer's approval of exactly those arguments:

- the exported graph (as ``langgraph dev`` serves it) resumed with an answer naming a roster reviewer, unsigned;
  as someone off the roster claiming finance with an edited amount; with a forged signature;
- a direct MCP write (``refund_payment``) with no grant, a grant for other arguments, for another tool, for another
  idempotency key, an expired grant, and a grant signed with another key;
- a grant of a run that was abandoned (revoked), and a grant already spent, sent again after the payments system
  lost its record of the write (single use is the ledger's, not only the system's idempotency).

Run: ``uv run python bench/governance_attacks.py``. It prints one line per attack and the count refused.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel import grants
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.index import build
from ai_missions.nodes.context import MissionContext
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemError_, SystemsGateway

SYSTEMS = ["erp", "crm", "payments", "inventory", "shipping"]


async def exported_resume(home: Path, gateway: SystemsGateway, order_id: str, answer: dict[str, Any]) -> bool:
    """Run the exported graph to its approval pause, resume with ``answer``; True when nothing was refunded."""
    graph = SPEC.build_graph().compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": f"T-{order_id}"}}
    context = MissionContext(home=str(home), systems=gateway)
    start = {"subject_id": order_id, "trigger": {"source": "manual", "subject_id": order_id}}
    async for _ in graph.astream(start, config, context=context, stream_mode="custom"):
        pass
    request = (await graph.aget_state(config)).interrupts[0].value
    value = {"decision_id": request[0]["metadata"]["decision_id"], **answer}
    value["responses"] = [
        {"type": "edit", "args": {"action": "refund_payment", "args": {**i["action_request"]["args"], "amount": 900.0}}}
        if answer.get("edit") and i["action_request"]["action"] == "refund_payment"
        else {"type": "accept"}
        for i in request
    ]
    async for _ in graph.astream(Command(resume=value), config, context=context, stream_mode="custom"):
        pass
    return (await gateway.call("get_payment", {"order_id": order_id}))["refunded_amount"] == 0


async def direct_write(gateway: SystemsGateway, tool: str, args: dict[str, Any], grant: str | None) -> bool:
    """A write straight to the payments server; True when the server refused it."""
    try:
        await gateway.call(tool, args, meta={"grant": grant} if grant else None)
    except SystemError_ as exc:
        return "forbidden" in str(exc)
    return False


async def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="governance-attacks-"))
    seed_book(2000, 7, home)
    build(directory=knowledge_dir(home))
    orders = iter(sorted(r.order_id for r in scan_exceptions(home) if list(r.types) == ["double_charge"]))
    results: list[tuple[str, bool]] = []
    async with SystemsGateway(connections(SYSTEMS, home)) as gateway:
        for label, answer in [
            ("exported graph resumed as omar (ops_lead), unsigned", {"reviewer": "omar", "role": "ops_lead"}),
            ("exported graph resumed as mallory claiming finance, 900.00", {"reviewer": "mallory", "edit": True}),
            ("exported graph resumed with a forged signature", {"reviewer": "omar", "signature": "0" * 64}),
        ]:
            results.append((label, await exported_resume(home, gateway, next(orders), answer)))
        capture = (await gateway.call("get_payment", {"order_id": next(orders)}))["captures"][-1]
        args = {"capture_id": capture["capture_id"], "amount": 1.0, "reason": "attack", "idempotency_key": "attack-1"}
        good = {"decision_id": "D-x", "index": 0, "tool": "refund_payment", "args": args, "key": "attack-1", "by": "x"}
        for label, grant in [
            ("direct MCP refund_payment, no grant", None),
            (
                "direct MCP refund_payment, grant for 900.00",
                grants.mint(home, **{**good, "args": {**args, "amount": 900}}),
            ),
            (
                "direct MCP refund_payment, grant for capture_payment",
                grants.mint(home, **{**good, "tool": "capture_payment"}),
            ),
            ("direct MCP refund_payment, grant for another key", grants.mint(home, **{**good, "key": "attack-2"})),
            ("direct MCP refund_payment, expired grant", grants.mint(home, **good, ttl=-1)),
            ("direct MCP refund_payment, grant from another home", grants.mint(home / "other", **good)),
        ]:
            results.append((label, await direct_write(gateway, "refund_payment", args, grant)))
        revoked = grants.mint(home, **good, run="R-abandoned")
        grants.revoke(home, ["R-abandoned"], "abandoned by omar (ops_lead)")
        label = "direct MCP refund_payment, grant of an abandoned run"
        results.append((label, await direct_write(gateway, "refund_payment", args, revoked)))
        spent = grants.mint(home, **good)
        await gateway.call("refund_payment", args, meta={"grant": spent})  # its one write
        with sqlite3.connect(home / "systems" / "payments.sqlite") as db:
            db.execute("DELETE FROM idempotency WHERE key = ?", (args["idempotency_key"],))
        label = "direct MCP refund_payment, a spent grant again (the system lost its record)"
        results.append((label, await direct_write(gateway, "refund_payment", args, spent)))
    for label, refused in results:
        print(f"  {'refused ' if refused else 'EXECUTED'}  {label}")
    print(f"{sum(r for _, r in results)} of {len(results)} attacks refused")


if __name__ == "__main__":
    asyncio.run(main())
