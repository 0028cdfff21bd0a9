"""The kill campaign: ``kill -9`` of the process executing an approved decision, at a random moment, then resume.

Each case is approved through the CLI in a child process whose systems answer slowly (forked from a server that has
the stack imported: a trial no longer pays a Python start), killed with SIGKILL at a random point after the decision
is claimed (before, between or during the writes of its actions); when that left work to do, the ``missions resume``
that would finish it is killed the same way (a crash during recovery); then the test recovers as ``missions resume``
does. Each kill is a trial: the default run tries a sample of 100, ``pytest -m extended`` 400 more in four parts
(``KILL_TRIALS`` changes that number). Counted: effects duplicated (a system record written twice), effects lost (an
approved action that never ran), and decisions or runs left stuck. Run with ``-s`` to see the figures, with the CPU
a trial costs across the test, the system servers and the killed children.
"""

from __future__ import annotations

import json
import os
import random
import resource
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.client import MissionClient
from ai_missions.contracts import contract
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import FINAL_STATUSES, RunStore
from ai_missions.services.audit import verify as verify_audit
from ai_missions.services.governance import approval_rules, approvers, default_roster
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD
from tests.support.built_index import built_index
from tests.support.fork_decider import ForkServer
from tests.support.order_effects import effects
from tests.support.ports import free_port

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("KILL_TRIALS", "400"))
#: The extended campaign (``pytest -m extended``) runs ``TRIALS`` kills as ``PARTS`` tests, so none outlives its
#: timeout on a loaded machine; the default run (CI) tries a sample of ``SAMPLE`` kills: 500 in all.
PARTS = 4
SAMPLE = 100
CAMPAIGN = [
    pytest.param(0, SAMPLE, id="sample"),
    *(
        pytest.param(p, TRIALS // PARTS + (p <= TRIALS % PARTS), marks=pytest.mark.extended, id=f"part{p}")
        for p in range(1, PARTS + 1)
    ),
]
#: Orders in the book: about one in seven is an exception and the parts take every fifth, so each part (up to a
#: hundred trials, two kills a case where the first leaves work to resume) has cases to spare.
ORDERS = 40 * max(SAMPLE, TRIALS // PARTS + 1)
SLOW = "erp=40,crm=40,inventory=40,payments=40,shipping=40"


COMMERCE = ("erp", "crm", "inventory", "payments", "shipping")
#: The system servers' pids, for the CPU a trial costs them.
SERVERS: list[int] = []


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A book whose systems run as long-lived servers over streamable HTTP (as real systems would: the process
    killed is the platform's, never a system's), answering 40 ms late so that kills land between writes."""
    home = tmp_path_factory.mktemp("kills")
    seed_book(ORDERS, 5, home)
    built_index(tmp_path_factory, home)
    env = {**os.environ, "MISSIONS_HOME": str(home), "MISSIONS_SIM_LATENCY_MS": SLOW}
    servers, config = [], {}
    for system in COMMERCE:
        port = free_port()
        command = [sys.executable, "-m", "ai_missions.integrations.serving", system, "--transport", "streamable-http"]
        servers.append(
            subprocess.Popen(
                [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        config[system] = {"transport": "streamable_http", "url": f"http://127.0.0.1:{port}/mcp"}
    try:
        # five servers each loading the policy index start together: on a loaded 2-core machine (a parallel test
        # run) that takes minutes, so wait long, but stop at once if one has exited
        deadline = time.monotonic() + 300
        for server, entry in zip(servers, config.values(), strict=True):
            port = int(entry["url"].split(":")[2].split("/")[0])
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                assert server.poll() is None, f"a system server exited with {server.returncode}"
                assert time.monotonic() < deadline, "a system server did not start"
                time.sleep(0.05)
        SERVERS[:] = [server.pid for server in servers]
        (home / "systems.json").write_text(json.dumps(config))
        yield home
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def decider() -> Iterator[ForkServer]:
    """The process each trial kills: a ``missions decide`` forked from a server that imported the stack once, so a
    trial costs a fork and the decision's own work, not a Python start and seconds of imports. Started before the
    book (the test names it first), its imports overlap the seeding."""
    server = ForkServer(os.environ)
    try:
        yield server
    finally:
        server.close()


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU of this process and of ``pids`` with the children they reaped (the fork server's trials), so
    the tally can say what a trial costs across every process it runs in."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return total


class Written:
    """How many of a decision's writes the systems have recorded (by their idempotency keys), asked every few
    milliseconds while a child runs: one read-only connection per system, kept open."""

    def __init__(self, home: Path) -> None:
        self.systems = {
            s: sqlite3.connect(f"file:{home / 'systems' / f'{s}.sqlite'}?mode=ro", uri=True) for s in COMMERCE
        }
        self.of_tool = {t.name: s for s in COMMERCE for t in contract(s).tools}

    def __call__(self, decision_id: str, plan: list[tuple[int, str]]) -> int:
        return sum(
            self.systems[self.of_tool[tool]]
            .execute("SELECT count(*) FROM idempotency WHERE key = ?", (f"{decision_id}:{index}:{tool}",))
            .fetchone()[0]
            for index, tool in plan
        )

    def close(self) -> None:
        for db in self.systems.values():
            db.close()


def plan_of(missions: MissionClient, run_id: str, reviewed: list[dict[str, object]]) -> list[tuple[int, str]]:
    """The plan's (index, tool) of the actions under review: the keys their writes carry."""
    tools = [str(a["tool"]) for a in reviewed]
    return [(i, a["tool"]) for i, a in enumerate(missions.state(run_id)["verdict"]["actions"]) if a["tool"] in tools]


def sign_in(home: Path, tokens: dict[str, dict[str, str]], reviewer: str) -> dict[str, str]:
    """The CLI environment of ``reviewer``, whose account (of the default roster's role) is added on first use: one
    password hash per reviewer the campaign needs, not the whole demo roster's (argon2 costs more than a trial)."""
    if reviewer not in tokens:
        accounts = Accounts(RunStore(runs_db(home)))
        if reviewer not in {a.name for a in accounts.list()}:
            accounts.add(reviewer, default_roster()[reviewer], DEMO_PASSWORD, by="test")
        tokens[reviewer] = {"MISSIONS_TOKEN": accounts.issue_token(reviewer)}
    return tokens[reviewer]


@pytest.mark.timeout(900)  # 100 kills of a CLI process: minutes on a busy 2-core machine
@pytest.mark.parametrize(("part", "trials"), CAMPAIGN)
def test_kill_9_at_random_points_then_resume_loses_and_repeats_nothing(
    decider: ForkServer, home: Path, part: int, trials: int
) -> None:
    spec = get_mission("order-exception")
    roster = default_roster()
    chance = random.Random(15 + part)
    tally: Counter[str] = Counter()
    problems: list[str] = []
    tokens: dict[str, dict[str, str]] = {}
    started, in_child, to_claim = time.monotonic(), 0.0, 0.0
    processes = [*SERVERS, decider.process.pid]
    cpu_at_start = cpu_seconds(processes)
    written = Written(home)
    with MissionClient(home) as missions:
        rules = approval_rules(missions.knowledge)
        exceptions = iter(scan_exceptions(home)[part :: PARTS + 1])
        while tally["trials"] < trials:
            row = next(exceptions, None)
            assert row is not None, f"the book ran out of cases after {tally['trials']} of {trials} trials"
            order_id = row.order_id
            if missions.store.open_decision_on("order-exception", order_id) is not None:
                continue  # an earlier part left it waiting (no reviewer could approve): a case is decided once
            outcome = missions.start("order-exception", order_id)
            if outcome.decision_id is None:
                continue
            interrupts = missions.store.get_decision(outcome.decision_id).request["interrupts"]
            actions = [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in interrupts]
            facts = missions.state(outcome.run_id).get("facts", {})
            reviewer = next(iter(approvers(roster, actions, rules, spec.tools, facts=facts)), None)
            if reviewer is None:
                continue
            tally["cases"] += 1
            before = effects(home, order_id)
            plan = plan_of(missions, outcome.run_id, actions)
            token = sign_in(home, tokens, reviewer)
            # Two kills a case: ``missions decide --approve`` once it has claimed the decision, then, when that
            # left work to do, the ``missions resume`` that would finish it (a crash during recovery).
            for command in (["decide", outcome.decision_id, "--approve"], ["resume"]):
                if command[0] == "resume" and (
                    tally["trials"] >= trials or missions.store.get_run(outcome.run_id)["status"] == "closed"
                ):
                    break
                at_spawn = written(outcome.decision_id, plan)
                spawning = time.monotonic()
                decider.spawn(command, {"MISSIONS_HOME": str(home), **token})
                deadline = time.monotonic() + 60
                while missions.store.get_decision(outcome.decision_id).status == "pending":
                    assert decider.poll() is None, f"the deciding process exited with {decider.returncode} first"
                    assert time.monotonic() < deadline, "the decision was never claimed"
                    time.sleep(0.005)
                to_claim += time.monotonic() - spawning
                # half the kills are timed from the process's first write (when one is left), to land between writes
                if tally["trials"] % 2 and at_spawn < len(plan):
                    while written(outcome.decision_id, plan) == at_spawn:
                        if decider.poll() is not None or time.monotonic() > deadline:
                            break
                        time.sleep(0.002)
                    time.sleep(chance.uniform(0, 0.1))
                else:  # a resume has its start-up ahead of it, where a decide's claim came after it
                    time.sleep(chance.uniform(0, 0.2 if command[0] == "decide" else 0.6))
                decider.kill()
                decider.wait(30)
                in_child += time.monotonic() - spawning
                tally["trials"] += 1
                tally[f"killed in {command[0]}"] += 1
                at_kill = written(outcome.decision_id, plan)
                tally[
                    "killed before any write"
                    if at_kill == 0
                    else "killed between writes"
                    if at_kill < len(plan)
                    else "killed after every write"
                ] += 1
                if missions.store.get_run(outcome.run_id)["status"] == "closed":
                    tally["finished before the kill"] += 1
            missions.recover()
            run = missions.store.get_run(outcome.run_id)
            decision = missions.store.get_decision(outcome.decision_id)
            if run["status"] not in FINAL_STATUSES or not decision.resumed:
                tally["stuck"] += 1
                problems.append(f"{order_id}: run {run['status']}, decision resumed={decision.resumed}")
            done = written(outcome.decision_id, plan)
            results = [
                e["data"]
                for kind in ("action_result", "action_replayed")
                for e in missions.store.events(outcome.run_id, kind=kind)
            ]
            finished = {
                (r["index"], r["tool"]) for r in results if r.get("status") in ("done", "failed", "skipped", "rejected")
            }
            lost = [t for i, t in plan if (i, t) not in finished]
            if lost or done > len(plan):
                tally["lost"] += len(lost)
                problems.append(f"{order_id}: actions never finished {lost}")
            after = effects(home, order_id)
            for tool, count in after.items():
                planned = sum(1 for _, t in plan if t == tool)
                if count - before[tool] > planned:
                    tally["duplicated"] += 1
                    problems.append(f"{order_id}: {tool} took effect {count - before[tool]} times for {planned}")
            tally["writes"] += done
        audit = verify_audit(missions.store)[1]  # a kill between a commit and the head's line leaves no false alarm
        problems += [f"audit: {p}" for p in audit]
    written.close()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(processes) - cpu_at_start
    print(
        f"\nkill -9 campaign, {'sample' if part == 0 else f'part {part} of {PARTS}'}: {tally['trials']} trials "
        f"on {tally['cases']} cases ({tally['killed in decide']} in decide, {tally['killed in resume']} in resume; "
        f"{tally['killed before any write']} before any write, "
        f"{tally['killed between writes']} between writes, {tally['killed after every write']} after every write; "
        f"{tally['finished before the kill']} runs had closed); {tally['writes']} writes in all; "
        f"duplicated {tally['duplicated']}, lost {tally['lost']}, stuck {tally['stuck']}; "
        f"audit chain {'intact' if not audit else 'broken: ' + audit[0]}; "
        f"{tally['trials'] / elapsed:.2f} trials/s ({elapsed:.1f} s, {in_child:.1f} s of it from fork to kill, "
        f"{to_claim:.1f} s to the claim; {cpu:.1f} s of CPU, {cpu / max(tally['trials'], 1):.2f} s a trial)"
    )
    assert not problems, "\n".join(problems[:20])
