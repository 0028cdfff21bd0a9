"""Concurrent decisions on one Decision Queue item, from two runtimes at once (as two dashboard sessions or a CLI and
a dashboard would): approve/approve, approve/reject and approve/edit, 100 races and more. Exactly one decision
wins, the other is told who won, and the winner's approved actions run exactly once.
Run with ``-s`` to see the tally.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.missions import get_mission
from ai_missions.services.governance import approval_rules, approvers, load_roster
from tests.support.mission_home import seeded_home_fixture

pytestmark = pytest.mark.slow

RACES = 102
KINDS = ("approve/approve", "approve/reject", "approve/edit")
jitter = random.Random(7)


home = seeded_home_fixture("races", lambda home: seed_book(2000, 3, home))


def pending_with_approvers(client: MissionClient, home: Path, wanted: int) -> list[tuple[str, list[str]]]:
    """Start the mission on exceptions until ``wanted`` decisions are pending, each with the reviewers who may
    approve every one of its actions."""
    spec = get_mission("order-exception")
    roster = load_roster(home)
    rules = approval_rules(client.knowledge)
    found: list[tuple[str, list[str]]] = []
    for row in scan_exceptions(home):
        outcome = client.start("order-exception", row.order_id)
        if outcome.decision_id is None:
            continue
        actions = [i["action_request"] for i in client.store.get_decision(outcome.decision_id).request["interrupts"]]
        plan = [{"tool": a["action"], "args": a["args"]} for a in actions]
        facts = client.state(outcome.run_id).get("facts", {})
        able = approvers(roster, plan, rules, spec.tools, facts=facts)
        if able:
            found.append((outcome.decision_id, able))
        if len(found) == wanted:
            break
    return found


def race(
    first: MissionClient, second: MissionClient, decision_id: str, kind: str, approvers: list[str]
) -> tuple[list[Any], bool]:
    """Both sides decide at the same moment: each side's result or error, and whether both reached the claim."""
    interrupts = first.store.get_decision(decision_id).request["interrupts"]
    first_number = interrupts[0]["metadata"]["action_index"] + 1  # the plan's number of the first reviewed action
    edits = {first_number: dict(interrupts[0]["action_request"]["args"])}
    other = approvers[-1] if kind == "approve/approve" else approvers[0]
    moves = {
        "approve/approve": (dict(approve=True), dict(approve=True)),
        "approve/reject": (dict(approve=True), dict(reject_reason="not convinced")),
        "approve/edit": (dict(approve=True), dict(approve=True, edits=edits)),
    }[kind]
    sides = [(first, approvers[0], moves[0]), (second, other, moves[1])]
    start, claim = threading.Barrier(2), threading.Barrier(2, timeout=10)
    results: list[Any] = [None, None]

    def decide(index: int) -> None:
        client, reviewer, options = sides[index]
        claim_decision = client.store.claim_decision

        def claim_together(*args: Any, **kwargs: Any) -> Any:
            # Both sides have read the decision as pending and checked roles and the guard; only now do they
            # claim it, at the same moment: the race the store must settle.
            with contextlib.suppress(threading.BrokenBarrierError):
                claim.wait()
            time.sleep(jitter.random() / 1000)  # which side the scheduler favours is left to chance
            return claim_decision(*args, **kwargs)

        client.store.claim_decision = claim_together  # type: ignore[method-assign]
        start.wait()
        try:
            results[index] = (reviewer, client.decide(decision_id, reviewer, **options))
        except Exception as exc:  # the loser's error is part of what is checked
            results[index] = (reviewer, exc)
        finally:
            client.store.claim_decision = claim_decision  # type: ignore[method-assign]

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, not claim.broken


def test_exactly_one_concurrent_decision_wins_and_its_actions_run_once(home: Path) -> None:
    tally: Counter[str] = Counter()
    with MissionClient(home) as first, MissionClient(home) as second:
        decisions = pending_with_approvers(first, home, RACES)
        assert len(decisions) >= 100, f"only {len(decisions)} pending decisions to race on"
        for number, (decision_id, approvers) in enumerate(decisions):
            kind = KINDS[number % len(KINDS)]
            clients = (first, second) if number % 2 else (second, first)
            results, together = race(*clients, decision_id, kind, approvers)
            winners = [(who, r) for who, r in results if not isinstance(r, Exception)]
            losers = [(who, r) for who, r in results if isinstance(r, Exception)]
            assert len(winners) == 1, (kind, results)
            assert len(losers) == 1, (kind, results)
            winner, outcome = winners[0]
            assert isinstance(losers[0][1], ConflictError), (kind, losers)
            assert f"already decided by {winner}" in str(losers[0][1]), losers
            decision = first.store.get_decision(decision_id)
            assert decision.decided_by == winner
            recorded = first.store.events(outcome.run_id, kind="action_result")
            # one result for each action of the plan, by its place in it: a plan may name a tool twice (every
            # pending reservation confirmed), and a rejected action has no idempotency key to tell it apart
            # (an automatic note written while the plan waited is its own write: the note after the decision follows)
            results_per_action = Counter(
                (e["data"].get("index"), e["data"].get("tool"))
                for e in recorded
                if e["data"].get("automatic") != "interim"
            )
            assert all(n == 1 for n in results_per_action.values()), results_per_action
            reviewed = {
                i["metadata"]["action_index"] for i in first.store.get_decision(decision_id).request["interrupts"]
            }
            assert reviewed <= {index for index, _tool in results_per_action}, (reviewed, results_per_action)
            # and each write that ran, ran once
            executed = Counter(e["data"]["idempotency_key"] for e in recorded if e["data"].get("idempotency_key"))
            assert all(n == 1 for n in executed.values()), executed
            tally["executed"] += len(executed)
            tally[kind] += 1
            tally["won by the side that approves"] += not isinstance(results[0][1], Exception)
            tally["claimed at the same moment"] += together
    assert tally["executed"] > 0
    assert tally["claimed at the same moment"] >= 100
    print(
        f"\nraces: {sum(tally[k] for k in KINDS)} ({', '.join(f'{k} {tally[k]}' for k in KINDS)}); "
        "exactly one winner in each, the other told who won; "
        f"{tally['won by the side that approves']} won by the side that approves; "
        f"{tally['claimed at the same moment']} claimed at the same moment; "
        f"{tally['executed']} actions executed, each once"
    )
