"""The learning loop on a tiny book: reviewer decisions kept as cases, replayed, and grouped by policy clause."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.client import MissionClient, RunOutcome
from ai_missions.evals.harness import Task, evaluate
from ai_missions.evals.solve import EvalConfig
from ai_missions.evals.store import EvalStore, store_dir
from ai_missions.graphs.order_exception.served import graph as exported_graph
from ai_missions.graphs.order_exception.tools import TOOLS
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.decisions import decision_of
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.knowledge_index.retrieval import KnowledgeBase
from ai_missions.nodes.context import MissionContext
from ai_missions.services import reviewed
from ai_missions.services.governance import default_roster
from ai_missions.services.reviewed import disagreements, render_disagreements, reviewed_cases, reviewed_path
from tests.support.mission_home import seeded_home_fixture

MISSION = "order-exception"


home = seeded_home_fixture("learning-book", lambda home: seed_book(40, 11, home))


@pytest.fixture(scope="module")
def paused(home: Path) -> Iterator[tuple[MissionClient, list[RunOutcome]]]:
    """The tiny book's exceptions that wait for a reviewer."""
    with MissionClient(home) as client:
        outcomes = [client.start(MISSION, row.order_id) for row in scan_exceptions(home)]
        yield client, [o for o in outcomes if o.status == "awaiting_decision"]


def decide(client: MissionClient, outcome: RunOutcome, **options: Any) -> RunOutcome:
    """Decide as the first reviewer of the roster whose role may (a refusal leaves the decision pending)."""
    assert outcome.decision_id is not None
    for name in default_roster():
        try:
            return client.decide(outcome.decision_id, name, **options)
        except ForbiddenError:
            continue
    raise AssertionError(f"nobody may decide {outcome.decision_id}")


def trail(client: MissionClient, run_id: str, kind: str) -> list[dict[str, Any]]:
    return client.store.events(run_id, kind=kind)


def clauses(outcome: RunOutcome) -> set[str]:
    assert outcome.verdict is not None
    return {p.split("@")[0] for a in outcome.verdict["actions"] if a["tier"] == "review" for p in a["policy_ids"]}


def test_every_decision_is_kept_replayed_and_grouped_by_clause(
    home: Path, paused: tuple[MissionClient, list[RunOutcome]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, waiting = paused
    assert len(waiting) >= 4, [o.subject_id for o in waiting]
    approved, rejected = waiting[0], waiting[1]
    editable = next(
        o
        for o in waiting[2:]
        if any(set(a["args"]) & TOOLS.free_text for a in (o.verdict or {}).get("actions", []) if a["tier"] == "review")
    )
    failing = next(o for o in waiting[2:] if o is not editable)

    assert decide(client, approved, approve=True).status == "closed"
    decide(client, rejected, reject_reason="the customer asked us to wait")
    assert editable.verdict is not None
    number, action = next(
        (n, a)
        for n, a in enumerate((a for a in editable.verdict["actions"] if a["tier"] == "review"), start=1)
        if set(a["args"]) & TOOLS.free_text
    )
    field = sorted(set(action["args"]) & TOOLS.free_text)[0]
    edited_args = {**action["args"], field: "Reworded by the reviewer."}
    decide(client, editable, approve=True, edits={number: edited_args})

    # recording a decision never fails it: the decision stands, and the trail says the case was not kept
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(reviewed, "record_review", broken)
    after_failure = decide(client, failing, approve=True)
    assert after_failure.status not in ("awaiting_decision", "failed")
    assert "disk full" in trail(client, failing.run_id, "review_not_recorded")[0]["summary"]
    monkeypatch.undo()

    cases = {c.case_id: c for c in load_cases(reviewed_path(home, MISSION))}
    assert set(cases) == {f"review-{o.decision_id}" for o in (approved, rejected, editable)}
    for outcome in (approved, rejected, editable):
        case = cases[f"review-{outcome.decision_id}"]
        assert plugin_of(MISSION).holds_subject(case.snapshot, outcome.subject_id)
        assert trail(client, outcome.run_id, "review_recorded")[0]["data"]["case_id"] == case.case_id

    # the reviewer's decision is the gold
    kept = cases[f"review-{approved.decision_id}"]
    assert approved.verdict is not None
    assert kept.resolution.outcome == approved.verdict["outcome"]
    assert [a.tool for a in kept.resolution.actions] == [a["tool"] for a in approved.verdict["actions"]]
    assert "review:approved" in kept.tags
    turned_down = cases[f"review-{rejected.decision_id}"]
    assert "review:rejected" in turned_down.tags
    assert turned_down.resolution.note == "the customer asked us to wait"
    assert turned_down.resolution.outcome == "escalate"
    assert not turned_down.resolution.actions
    reworded = cases[f"review-{editable.decision_id}"]
    assert "review:edited" in reworded.tags
    assert any(a.args.get(field) == "Reworded by the reviewer." for a in reworded.resolution.actions)

    # the disagreement report: every clause the rejected plan cited is overruled; the one to revisit is one of them
    report = disagreements(reviewed_cases(home, MISSION))
    assert report["decisions"] == 3
    assert report["overruled_decisions"] == 2
    for name in clauses(rejected):  # grouped by the clause the policy matched with, as the run observed it
        (row,) = [r for r in report["clauses"] if r["clause"].startswith(f"{name}/") and r["overruled"]]
        assert "the customer asked us to wait" in row["reasons"]
    assert report["revisit"]["clause"].split("/")[0] in clauses(rejected) | clauses(editable)
    assert f"revisit {report['revisit']['clause']}" in render_disagreements(report)
    json.dumps(report)

    # `missions eval run --dataset reviewed`: the reviewed cases replayed, the reviewer's decision as gold
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    task = Task.of(MISSION, "reviewed")
    replayed = task.cases()
    store = EvalStore(store_dir(home))
    config = EvalConfig(mission=MISSION, concurrency=1, workers=1)
    run_id = store.create_run(
        mission=MISSION, dataset=str(task.dataset), dataset_hash="t", config=config.recorded(), cases_total=3
    )
    evaluate(store, run_id, replayed, config, KnowledgeBase(knowledge_dir(home)))
    results = {r["case_id"]: r for r in store.results(run_id)}
    assert set(results) == set(cases)
    assert not any(r.get("error") for r in results.values()), results
    assert results[kept.case_id]["agree"] is True
    assert results[turned_down.case_id]["gold_outcome"] == turned_down.resolution.outcome
    # replaying decides in a sandbox: nothing more is kept
    assert len(load_cases(reviewed_path(home, MISSION))) == 3


def test_a_resume_of_the_exported_graph_is_kept_too_unless_unsigned(
    home: Path, paused: tuple[MissionClient, list[RunOutcome]]
) -> None:
    """LangGraph's own server resumes the graph without the runtime: the approval step keeps the decision all the
    same; an answer the platform did not sign names no reviewer and is not a reviewer's decision."""
    client, waiting = paused
    outcome = next(o for o in waiting if client.store.get_decision(str(o.decision_id)).status == "pending")
    decide(client, outcome, reject_reason="decided again below, through the exported graph")  # one open decision
    graph = exported_graph.builder.compile(checkpointer=InMemorySaver(), name=exported_graph.name)
    context = MissionContext(home=str(home))

    config: Any = {"configurable": {"thread_id": "t-exported"}}

    async def resume(signed: bool) -> str:
        state = await graph.aget_state(config)
        if not state.interrupts:
            started = await graph.ainvoke(
                {"subject_id": outcome.subject_id, "trigger": {"source": "test"}}, config, context=context
            )
            request = started["__interrupt__"][0].value
        else:
            request = state.interrupts[0].value
        answer: dict[str, Any] = {
            "decision_id": decision_of(request),
            "reviewer": "omar",
            "responses": [{"type": "response", "args": "not this week"} for _ in request],
        }
        if signed:
            answer["signature"] = sign(platform_key(home), json.loads(json.dumps(answer, default=str)))
        await graph.ainvoke(Command(resume=answer), config, context=context)
        return decision_of(request)

    unsigned = asyncio.run(resume(signed=False))
    assert client.store.get_decision(unsigned).status == "pending"  # an unsigned answer decides nothing: the
    assert f"review-{unsigned}" not in {c.case_id for c in load_cases(reviewed_path(home, MISSION))}  # run waits
    signed = asyncio.run(resume(signed=True))  # for a signed one, to the same decision
    assert signed == unsigned
    kept = {c.case_id: c for c in load_cases(reviewed_path(home, MISSION))}
    case = kept[f"review-{signed}"]
    assert case.resolution.outcome == "escalate"
    assert case.resolution.note == "not this week"
