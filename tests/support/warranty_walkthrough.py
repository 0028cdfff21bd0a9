"""The sixth mission end to end, in a process that sees it as an installed package (``tests/test_sixth_mission.py``
puts its entry points and its folder on ``PYTHONPATH``): ``python tests/support/warranty_walkthrough.py HOME``
prints what happened as JSON.

Its own book seeded, its own policy indexed, its trigger over MCP (in-process), a run to a pending decision, an
entitled reviewer's approval, the write executed once, a second decision refused, an unknown claim refused, the
system read in a process of its own (stdio, the platform's launcher), and its CI set replayed through the eval
harness."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from ai_missions.client import MissionClient
from ai_missions.evals.harness import evaluate
from ai_missions.evals.solve import EvalConfig, open_knowledge
from ai_missions.evals.store import EvalStore
from ai_missions.integrations.books import books
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.systems import declared
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.errors import ConflictError, NotFoundError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.index import build
from ai_missions.services.connections import connections
from ai_missions.services.governance import approval_problems, approval_rules, load_roster
from ai_missions.services.mcp_session import open_session
from ai_missions.testing.conformance import validate

MISSION = "warranty-claims"


async def over_stdio(home: Path, claim_id: str) -> str:
    """The claim's status read from the system's own process, spawned by the platform's launcher."""
    async with open_session(connections(["warranty"], home, "stdio")["warranty"]) as session:
        result = await session.call_tool("get_claim", {"claim_id": claim_id})
    assert result.structuredContent is not None
    return str(result.structuredContent["claim"]["status"])


def main(home: Path) -> dict[str, Any]:
    try:
        return walk(home)
    finally:
        declared("warranty").backend.drop("warranty", home)  # type: ignore[attr-defined]


def walk(home: Path) -> dict[str, Any]:
    started = time.process_time()
    spec = get_mission(MISSION)
    book = books()["warranty"]
    write_book(book.rows(home, book.default_size, 7), home)
    assert spec.policies is not None
    index = build(spec.policies, directory=knowledge_dir(home))
    report: dict[str, Any] = {"index_problems": index.problems, "systems": list(spec.systems)}
    cpu = {"seed_and_index": time.process_time() - started}
    assert book.story is not None
    story = book.story(home)
    with MissionClient(home) as missions:
        found = missions.cases_now(MISSION)
        report["trigger"] = {"cases": len(found), "story": story, "story_types": found.get(story)}
        events: list[dict[str, Any]] = []
        outcome = missions.start(MISSION, story, on_event=events.append)
        report["run"] = {
            "status": outcome.status,
            "verdict": outcome.verdict,
            "sources": sorted(
                {e["source"] for e in events if e.get("kind") == "observation" and e.get("node") == "gather"}
            ),
        }
        actions = outcome.verdict["actions"] if outcome.verdict else []
        rules = approval_rules(missions.knowledge)
        roster = load_roster(home)
        entitled = sorted(n for n, role in roster.items() if not approval_problems(role, actions, rules, spec.tools))
        report["entitled"] = entitled
        report["pending"] = missions.store.get_decision(outcome.decision_id).status if outcome.decision_id else None
        done = missions.decide(outcome.decision_id, entitled[0], approve=True)
        report["decided"] = {"status": done.status, "results": [(r["tool"], r["status"]) for r in done.results]}
        report["action_results"] = len(missions.store.events(outcome.run_id, kind="action_result"))
        try:
            missions.decide(outcome.decision_id, entitled[0], approve=True)
            report["second_decision"] = "accepted"
        except ConflictError as exc:
            report["second_decision"] = f"refused: {exc}"
        try:
            missions.start(MISSION, "WC-99999999")
            report["unknown_claim"] = "started"
        except NotFoundError as exc:
            report["unknown_claim"] = f"refused: {exc}"
        report["trail"] = [e["kind"] for e in missions.store.events(outcome.run_id)]
        other = next(s for s, types in sorted(found.items()) if types != ["in_warranty"])
        escalated = missions.start(MISSION, other)
        report["other"] = {"types": found[other], "status": escalated.status, "outcome": escalated.verdict["outcome"]}
    conn = declared("warranty").database(home)  # its tables on the Postgres server, not a SQLite file
    try:
        report["story_claim"] = conn.execute("SELECT status FROM claims WHERE claim_id = ?", (story,)).fetchone()[0]
        credits = conn.execute("SELECT claim_id, amount_cents FROM credits WHERE claim_id = ?", (story,)).fetchall()
        report["story_credits"] = [list(c) for c in credits]
    finally:
        conn.close()
    report["backend"] = declared("warranty").backend.where("warranty", home)

    report["over_stdio"] = asyncio.run(over_stdio(home, story))
    cpu["run_and_decide"] = time.process_time() - started - sum(cpu.values())
    plugin = plugin_of(MISSION)
    cases = load_cases(plugin.dataset("ci"))
    store = EvalStore(home / "evals")
    config = EvalConfig(mission=MISSION, concurrency=2, workers=1)
    run_id = store.create_run(
        mission=MISSION, dataset="ci", dataset_hash="ci", config=config.recorded(), cases_total=len(cases)
    )
    overall = evaluate(store, run_id, cases, config, open_knowledge(home))["overall"]
    store.close()
    report["eval"] = {"cases": overall["cases"], **{m: overall[m] for m in plugin.thresholds}}
    report["thresholds"] = {m: list(t) for m, t in plugin.gates.items()}
    cpu["eval"] = time.process_time() - started - sum(cpu.values())
    report["conformance"] = conformance(home.parent / "kit")
    cpu["conformance"] = time.process_time() - started - sum(cpu.values())
    report["cpu_s"] = {k: round(v, 2) for k, v in cpu.items()}
    return report


def seeded(home: Path) -> Path:
    """``home`` with the warranty book (on its Postgres schema) and WAR-001 indexed."""
    book = books()["warranty"]
    write_book(book.rows(home, book.default_size, 7), home)
    spec = get_mission(MISSION)
    assert spec.policies is not None
    build(spec.policies, directory=knowledge_dir(home))
    return home


def conformance(root: Path) -> dict[str, Any]:
    """The conformance kit on fresh homes: the mission's every check, then its system's (a write it can make: an
    open claim approved at its product's price)."""
    system = declared("warranty")
    homes = [seeded(root / "mission"), seeded(root / "system")]
    try:
        mission = validate(MISSION, homes[0]).passed
        conn = system.database(homes[1])
        try:
            rows = conn.execute(
                "SELECT c.claim_id, p.price_cents FROM claims c JOIN products p ON p.sku = c.sku"
                " WHERE c.status = 'open' ORDER BY c.claim_id"
            ).fetchall()
        finally:
            conn.close()
        (first, price), (second, other_price) = rows[0], rows[1]
        write = {
            "tool": "approve_claim",
            "args": {"claim_id": first, "amount": price / 100},
            "snapshot_args": {"claim_id": second, "amount": other_price / 100},
        }
        checked = validate(system, homes[1], write=write).passed
    finally:
        for home in homes:
            system.backend.drop("warranty", home)  # type: ignore[attr-defined]
    return {"mission": mission, "system": checked}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), default=str))
