"""A run of an exported graph (``langgraph.json``), driven as LangGraph's server drives it, is in the run store like
any other run: the graph object of the mission's module, given an in-memory checkpointer (the server brings its own),
invoked with ``context=`` naming only the home, under blockbuster (the server refuses blocking calls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blockbuster import blockbuster_ctx
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.kernel.decisions import request_hash
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.kernel.store import RunStore
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.resources import systems_of
from tests.support.served import served
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow

MISSION = "account-save"  # one system to start: the cheapest mission to drive end to end


home = small_home_fixture("exported")


def exported(mission: str) -> object:
    """The object ``langgraph.json`` names for the mission, as the server loads it."""
    return served(mission)


async def test_a_run_through_the_exported_graph_is_recorded_in_the_run_store(home: Path) -> None:
    spec = get_mission(MISSION)
    context = MissionContext(home=str(home))
    found = await spec.get_trigger().find(await systems_of(context, spec.systems))
    graph = exported(MISSION).copy(update={"checkpointer": InMemorySaver()})  # type: ignore[attr-defined]
    store = RunStore(home / "runs.sqlite")
    assert store.list_runs(limit=5) == []

    paused = None
    for subject in sorted(s for s, types in found.items() if types)[:8]:  # until a case asks a reviewer
        thread = f"langgraph-thread-{subject}"
        config = {"configurable": {"thread_id": thread}}
        with blockbuster_ctx():
            await graph.ainvoke({"subject_id": subject}, config, context=context)
            snapshot = await graph.aget_state(config)
        run = store.get_run(thread)  # the thread is the run
        assert (run["mission"], run["subject_id"], run["reasoner"]) == (MISSION, subject, "offline")
        verdict = snapshot.values["verdict"]
        assert (run["outcome"], run["confidence"]) == (verdict["outcome"], verdict["confidence"])
        assert run["case_types"] == list(snapshot.values["facts"][spec.vocabulary.types_fact])
        kinds = [e["kind"] for e in store.events(thread)]
        assert kinds[0] == "trigger"
        assert "verdict" in kinds
        observed = [e["summary"] for e in store.events(thread, kind="observation")]
        assert observed == [o["finding"] for o in snapshot.values["observations"]]  # every finding, in order, once
        if snapshot.interrupts:
            assert run["status"] == "awaiting_decision"
            paused = (thread, config, snapshot.interrupts[0].value, kinds)
            break
        assert run["status"] == snapshot.values["status"]
    assert paused is not None, "no case of the small home asks a reviewer"
    thread, config, request, kinds = paused
    assert thread in [r["run_id"] for r in store.list_runs(mission=MISSION)]  # listed like any run

    answer: dict[str, object] = {
        "decision_id": request[0]["metadata"]["decision_id"],
        "reviewer": "omar",
        "role": "ops_lead",
        "responses": [{"type": "response", "args": "not now"} for _ in request],  # reject every action
        "actions_hash": request_hash(request),
    }
    answer["signature"] = sign(platform_key(home), json.loads(json.dumps(answer)))
    with blockbuster_ctx():
        final = await graph.ainvoke(Command(resume=answer), config, context=context)

    run = store.get_run(thread)
    assert run["status"] == final["status"]
    assert run["status"] in ("closed", "closed_partially", "escalated")
    after = [e["kind"] for e in store.events(thread)]
    assert after[: len(kinds)] == kinds  # appended to, never rewritten
    assert after.count("trigger") == 1  # the resumed run is the same run
    assert "closed" in after
