"""Issue 42, item 6: a case was decided twice once its decision was no longer pending.

- Approve, ``kill -9`` after the claim, run the case again, approve, ``missions resume``: the invoice's budget was
  committed twice (the second run queued a second decision: the store allowed one *pending* decision per case, and
  the first was claimed).
- Two ``run``s of one retail case at the same moment both executed their automatic writes before the store refused
  the second decision.

A case is held, from the moment a run of it is recorded, until that run ends and its decision is executed to the
end; a new run of the case is refused in the transaction that would record it, naming what holds the case, before
it writes anything (:meth:`~ai_missions.kernel.store.RunStore.create_run` ``exclusive``). On SQLite and on Postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.ap_seed import story_invoice_id
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.store import RunStore
from ai_missions.runtime import MissionRuntime
from tests.support.mission_home import client_fixture
from tests.support.small_home import small_home

pytestmark = pytest.mark.slow

INVOICES = "invoice-approval"
RETAIL = "retail-exceptions"
CHILD = Path(__file__).parent / "support" / "crash_child.py"
#: The AP manager of the default roster: may approve the story invoice's budget commitment and payment.
AP_MANAGER = "marco"


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory, store_backend: str) -> Path:
    """A home of its own per test and backend (on Postgres, its run store and checkpoints in a fresh schema)."""
    return small_home(tmp_path_factory, f"cases-{store_backend}")


missions = client_fixture(scope="function")


def rows(home: Path, system: str, sql: str, *params: Any) -> int:
    with sqlite3.connect(home / "systems" / f"{system}.sqlite") as db:
        return int(db.execute(sql, params).fetchone()[0])


def die_after_the_claim(home: Path, missions: MissionClient, decision_id: str, point: str) -> None:
    """Approve the decision as the AP manager and stop at ``point`` (``decided``: right after the claim; ``action:1``:
    after the plan's first write). On SQLite a reviewer's process is sent SIGKILL there (``tests/support/crash_child``).
    On Postgres, whose checkpoints that child cannot reach, this process stops there instead: after the claim nothing
    more runs (the run is left ``executing``, as a kill leaves it); after the first write the next call fails (the run
    ends ``failed``). Either way the decision is claimed and its execution unfinished."""
    if missions.store.dialect == "sqlite":
        child = subprocess.run(
            [sys.executable, str(CHILD), str(home), decision_id, point, INVOICES, AP_MANAGER],
            env={**os.environ, "MISSIONS_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert child.returncode == 137, child.stderr[-2000:]
        return
    runtime = missions.runtime(INVOICES)
    writes = 0

    async def resume(decision: Any, **options: Any) -> Any:
        return None if point == "decided" else await original(decision, **options)

    class Stopping:
        def __init__(self, systems: Any) -> None:
            self.systems = systems

        async def call(self, tool: str, args: Any, **options: Any) -> Any:
            nonlocal writes
            if "idempotency_key" in args and not tool.startswith("get_"):
                writes += 1
                if point == f"action:{writes - 1}":
                    raise RuntimeError("the process stopped")
            return await self.systems.call(tool, args, **options)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.systems, name)

    original, systems = runtime.resume, runtime._systems
    runtime.resume, runtime._systems = resume, Stopping(systems)  # type: ignore[method-assign]
    try:
        with contextlib.suppress(RuntimeError):
            missions.decide(decision_id, AP_MANAGER, approve=True)
    finally:
        runtime.resume, runtime._systems = original, systems  # type: ignore[method-assign]


@pytest.mark.attack("42.6")
@pytest.mark.parametrize("point", ["decided", "action:1"], ids=["killed after the claim", "killed between writes"])
def test_a_case_approved_and_killed_is_not_run_again_and_its_budget_is_committed_once(
    home: Path, missions: MissionClient, point: str
) -> None:
    invoice = story_invoice_id(home)
    assert invoice is not None
    first = missions.start(INVOICES, invoice)
    assert first.decision_id is not None
    assert first.verdict is not None
    assert {"commit_budget", "post_payment"} <= {a["tool"] for a in first.verdict["actions"]}
    die_after_the_claim(home, missions, first.decision_id, point)
    claimed = missions.store.get_decision(first.decision_id)
    assert (claimed.status, claimed.resumed) == ("decided", False)  # claimed, its execution cut short

    runs = len(missions.store.list_runs(subject_id=invoice, limit=50))
    with pytest.raises(ConflictError, match=first.decision_id) as refused:  # the attack's "run the case again"
        missions.start(INVOICES, invoice)
    assert "missions resume" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert len(missions.store.list_runs(subject_id=invoice, limit=50)) == runs  # nothing was recorded
    assert [d for d in missions.store.pending_decisions(limit=500) if d.subject_id == invoice] == []

    missions.recover()  # `missions resume`
    assert missions.store.get_run(first.run_id)["status"] == "closed"
    assert rows(home, "budget", "SELECT count(*) FROM budget_commitments WHERE invoice_id = ?", invoice) == 1
    assert rows(home, "ap", "SELECT count(*) FROM payments WHERE invoice_id = ?", invoice) == 1


@pytest.mark.attack("42.6")
def test_a_failed_run_is_not_retried_while_another_run_holds_its_case(home: Path, missions: MissionClient) -> None:
    """A retry is a run of the case too: refused while another run of it waits on its decision."""
    invoice = story_invoice_id(home)
    assert invoice is not None
    store = missions.store
    store.create_run("R-failed-before", mission=INVOICES, subject_id=invoice, reasoner="offline", case_types=[])
    store.update_run("R-failed-before", status="failed", summary="its process stopped")
    waiting = missions.start(INVOICES, invoice)  # the failed run does not hold the case
    assert waiting.decision_id is not None
    with pytest.raises(ConflictError, match=waiting.decision_id):
        missions.retry("R-failed-before", by=None)
    assert store.get_run("R-failed-before")["status"] == "failed"


def phantom_stock_case(missions: MissionClient) -> str:
    """A retail case whose run quarantines stock with no reviewer (phantom stock: an automated action)."""
    flagged = missions.cases_now(RETAIL)
    return next(s for s, kinds in sorted(flagged.items()) if kinds == ["phantom_stock"])


def automatic_writes(home: Path) -> int:
    """Writes the systems recorded under a run's automatic scope (``RUN:auto:INDEX:TOOL``)."""
    return sum(
        rows(home, system, "SELECT count(*) FROM idempotency WHERE key LIKE '%:auto:%'") for system in ("stores", "oms")
    )


@pytest.mark.attack("42.6")
async def test_two_runs_of_one_retail_case_at_once_write_once(home: Path) -> None:
    """Two runtimes (two run stores' connections: two processes' worth) start the same case at the same moment: one
    run is recorded and writes; the other is refused, naming it, before it writes anything."""
    with MissionClient(home) as missions:
        subject = phantom_stock_case(missions)
    before = automatic_writes(home)
    async with MissionRuntime(RETAIL, home) as first:
        second = MissionRuntime(RETAIL, home, systems=first.systems, knowledge=first.knowledge)
        async with second:
            both = await asyncio.gather(first.start(subject), second.start(subject), return_exceptions=True)
    outcomes = [r for r in both if not isinstance(r, BaseException)]
    refusals = [r for r in both if isinstance(r, BaseException)]
    assert (len(outcomes), len(refusals)) == (1, 1), both
    assert isinstance(refusals[0], ConflictError), refusals
    assert outcomes[0].run_id in str(refusals[0]), refusals
    automated = [a for a in outcomes[0].verdict["actions"] if a.get("action_tier") == "automate"]
    assert automated, "the case automates nothing: pick another"
    assert automatic_writes(home) - before == len(automated)  # one run's, once
    store = RunStore(home / "runs.sqlite")
    assert [r["run_id"] for r in store.list_runs(subject_id=subject, limit=50)] == [outcomes[0].run_id]


@pytest.mark.attack("42.6")
def test_the_store_records_one_of_two_runs_of_a_case_started_at_once(home: Path) -> None:
    """Twenty rounds of two threads (each its own connection) recording a run of the same case at the same moment:
    exactly one is recorded each time; the other is refused naming it."""
    stores = [RunStore(home / "runs.sqlite"), RunStore(home / "runs.sqlite")]
    for round_ in range(20):
        subject, barrier = f"CASE-{round_}", threading.Barrier(2)
        outcomes: list[str] = []

        def start(
            n: int, subject: str = subject, barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes
        ) -> None:
            barrier.wait()
            try:
                stores[n].create_run(
                    f"R-{subject}-{n}", mission=RETAIL, subject_id=subject, reasoner="offline", case_types=[],
                    exclusive=True,
                )  # fmt: skip
                outcomes.append("recorded")
            except ConflictError as exc:
                outcomes.append(str(exc))

        threads = [threading.Thread(target=start, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("recorded") == 1, outcomes
        assert "has a run in progress: R-" in min(outcomes), outcomes
        assert len(stores[0].list_runs(subject_id=subject)) == 1
