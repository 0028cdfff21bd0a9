"""Issue 59, item 9: an unsigned in-process resume of an exported graph (as ``langgraph.json`` compiles it, recording
into the run store) closed the run and left its queue row pending, so the case was locked: no reviewer could answer
the decision (its run was over) and no new run could start (a pending decision held the case). An unsigned answer
decides nothing: the run stays paused at the same decision, pending in the queue, and a signed answer later decides
it and closes the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.graphs.order_exception.served import graph as exported_graph
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.decisions import decision_of
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.kernel.store import RunStore
from ai_missions.nodes.context import MissionContext
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow

home = small_home_fixture("unsigned-resume")


@pytest.mark.attack("59.9")
@pytest.mark.parametrize(
    "answer",
    [
        {"reviewer": "omar", "role": "ops_lead"},  # a roster name and role claimed, no signature
        {"reviewer": "omar", "signature": "0" * 64},  # a signature made without this home's key
    ],
    ids=["claimed", "forged"],
)
def test_an_unsigned_in_process_resume_leaves_the_decision_pending_and_the_case_answerable(
    home: Path, answer: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    store = RunStore(home / "runs.sqlite")
    order_id = next(
        r.order_id
        for r in scan_exceptions(home)
        if list(r.types) == ["auth_expiring"] and store.case_held("order-exception", r.order_id) is None
    )
    graph = exported_graph.builder.compile(checkpointer=InMemorySaver(), name=exported_graph.name)
    config: Any = {"configurable": {"thread_id": f"t-{request.node.callspec.id}"}}
    context = MissionContext(home=str(home))

    async def resume(value: Any) -> dict[str, Any]:
        return dict(await graph.ainvoke(Command(resume=value), config, context=context))

    async def run() -> None:
        paused = await graph.ainvoke({"subject_id": order_id, "trigger": {"source": "test"}}, config, context=context)
        interrupts = paused["__interrupt__"][0].value
        decision_id = decision_of(interrupts)
        run_id = config["configurable"]["thread_id"]
        assert store.get_decision(decision_id).status == "pending"
        accept = [{"type": "accept"} for _ in interrupts]
        after = await resume({"decision_id": decision_id, **answer, "responses": accept})
        assert "decision" not in after
        assert "not signed by the platform" in after["refused"]
        assert after["__interrupt__"][0].value[0]["metadata"]["decision_id"] == decision_id  # asked again
        assert store.get_run(run_id)["status"] == "awaiting_decision"  # not closed beside a pending row
        assert store.get_decision(decision_id).status == "pending"
        assert [r for r in after.get("results", []) if r["tool"] == "capture_payment"] == []
        # the case is answerable: a signed answer decides it, the queue row follows, the run closes
        body = {"decision_id": decision_id, "reviewer": "fiona", "responses": accept}
        signed = {**body, "signature": sign(platform_key(home), json.loads(json.dumps(body)))}
        done = await resume(signed)
        assert done["status"] == "closed", done.get("status")
        decided = store.get_decision(decision_id)
        assert (decided.status, decided.decided_by) == ("decided", "fiona")
        assert store.case_held("order-exception", order_id) is None

    anyio.run(run)
