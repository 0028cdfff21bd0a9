"""Two runtimes and several workers on one Postgres (procrastinate): every trigger handled once, a worker killed
mid-case recovered by another, every approved action executed once when two runtimes decide at the same moment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli.workers import scan_and_enqueue
from ai_missions.client import MissionClient
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.database import PgConnection
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.missions import get_mission
from ai_missions.services.governance import approval_rules, approvers, load_roster
from tests.support.built_index import built_index
from tests.support.postgres import fresh_schema

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MISSION = "order-exception"


@pytest.fixture
def shared(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str]]:
    """A book and its policy index (one machine's files) and a fresh Postgres schema for the shared state."""
    with fresh_schema() as url:
        home = tmp_path / "shared-home"
        seed_book(60, 3, home)
        built_index(tmp_path_factory, home)
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        monkeypatch.setenv("MISSIONS_HOME", str(home))
        yield home, url


def start_worker(home: Path, url: str, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_DATABASE_URL": url, "MISSIONS_WORKER_HEARTBEAT_S": "1"}
    log = (home.parent / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "ai_missions.cli", "worker", "--name", name],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def logs(home: Path) -> str:
    return "\n".join(f"{p.name}: {p.read_text()[-3000:]}" for p in sorted(home.parent.glob("*.log")))


def jobs(db: PgConnection) -> list[dict[str, Any]]:
    rows = db.execute("SELECT id, status, attempts, args ->> 'run_id' AS run_id FROM procrastinate_jobs").fetchall()
    return [dict(r) for r in rows]


def run_status(db: PgConnection, run_id: str | None) -> str | None:
    row = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    return None if row is None else str(row[0])


def decide_at_once(
    clients: tuple[MissionClient, MissionClient], decision_id: str, reviewers: tuple[str, str]
) -> list[Any]:
    """Both runtimes approve the decision at the same moment: each side's outcome or error."""
    results: list[Any] = [None, None]
    start = threading.Barrier(2)

    def decide(index: int) -> None:
        start.wait()
        try:
            results[index] = clients[index].decide(decision_id, reviewers[index], approve=True)
        except Exception as exc:  # the loser's conflict is what is checked
            results[index] = exc

    sides = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for side in sides:
        side.start()
    for side in sides:
        side.join(timeout=120)
    return results


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.timeout(900)  # several processes start on a machine shared by other jobs
def test_two_runtimes_and_two_workers_share_one_postgres(shared: tuple[Path, str]) -> None:
    home, url = shared
    db = PgConnection(url)

    # Two runtimes (as two scanners or reviewers on two machines), open from start to end.
    with MissionClient(home) as first, MissionClient(home) as second:
        # Two runtimes scan the same book at the same moment: each new case is queued once.
        queued: list[list[str]] = [[], []]

        def scan(index: int, client: MissionClient) -> None:
            runtime = client.runtime(MISSION)
            queued[index] = client._call(scan_and_enqueue, runtime, url)

        threads = [threading.Thread(target=scan, args=(i, c)) for i, c in enumerate((first, second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        triggers = jobs(db)
        assert len(triggers) >= 5, triggers
        assert len(triggers) == len(queued[0]) + len(queued[1])
        subjects = db.execute("SELECT args ->> 'subject_id' FROM procrastinate_jobs").fetchall()
        assert len({s[0] for s in subjects}) == len(subjects), "a case was queued twice"

        # A worker dies (SIGKILL) in the middle of a case: its run is started, not finished.
        doomed = start_worker(home, url, "doomed")
        killed: dict[str, Any] = {}

        def mid_case() -> bool:
            for job in jobs(db):
                if job["status"] == "doing" and run_status(db, job["run_id"]) == "running":
                    killed.update(job)
                    return True
            return doomed.poll() is not None

        try:
            wait_for(mid_case, 180, "the first worker to be in the middle of a case")
        finally:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
        assert killed, logs(home)
        assert run_status(db, killed["run_id"]) == "running"  # left mid-case: its process is gone

        # Two workers take over: the stalled case is queued again and finished; the rest are handled.
        workers = [start_worker(home, url, f"w{i}") for i in (1, 2)]
        try:
            wait_for(
                lambda: (
                    all(j["status"] not in ("todo", "doing") for j in jobs(db))
                    or any(w.poll() is not None for w in workers)
                ),
                240,
                "every queued case to be handled",
            )
            assert all(w.poll() is None for w in workers), logs(home)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGINT)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
        assert {j["status"] for j in jobs(db)} <= {"succeeded"}, (jobs(db), logs(home))
        runs = db.execute("SELECT run_id, subject_id, status FROM runs WHERE mission = ?", (MISSION,)).fetchall()
        per_subject = Counter(r["subject_id"] for r in runs)
        assert per_subject
        assert set(per_subject.values()) == {1}, per_subject  # every trigger handled once
        assert len(runs) == len(triggers)
        recovered = run_status(db, killed["run_id"])
        assert recovered in ("awaiting_decision", "closed", "escalated"), (recovered, logs(home))
        trail = db.execute(
            "SELECT kind, node FROM events WHERE run_id = ? ORDER BY seq", (killed["run_id"],)
        ).fetchall()
        assert ("error", "worker") in [(e["kind"], e["node"]) for e in trail]  # taken over from its checkpoint

        # Two runtimes decide every pending decision at the same moment: one wins, its actions run once.
        spec = get_mission(MISSION)
        rules = approval_rules(first.knowledge)
        roster = load_roster(home)
        executed = 0
        for decision in first.store.pending_decisions(limit=100):
            actions = [i["action_request"] for i in decision.request["interrupts"]]
            plan = [{"tool": a["action"], "args": a["args"]} for a in actions]
            able = approvers(roster, plan, rules, spec.tools, facts=first.state(decision.run_id).get("facts", {}))
            if not able:
                continue
            results = decide_at_once((first, second), decision.decision_id, (able[0], able[-1]))
            losers = [r for r in results if isinstance(r, Exception)]
            assert len(losers) == 1, results
            assert isinstance(losers[0], ConflictError), results
            done = Counter(
                e["data"].get("idempotency_key")
                for e in first.store.events(decision.run_id, kind="action_result")
                if e["data"].get("status") == "done"
            )
            assert all(n == 1 for n in done.values()), done
            executed += len(done)
        assert executed > 0
        db.close()
