"""What every registered mission must do, tested for each one (a new mission is tested here for free).

For each mission in the registry, on one seeded sandbox holding every book, through real MCP servers over stdio,
the real policy index and durable SQLite:

- its trigger finds its flagship story; a run streams observations, proposes a verdict and stops at a pending
  decision; an entitled reviewer (found on the roster by the approval rules, not named here) approves it; every
  action executes exactly once; a second decision on it is refused; the audit trail tells the whole story;
- a process killed between two approved actions is finished by ``missions resume`` without repeating the first;
- bad input (an unknown subject, a malformed id, an unknown mission) is a one-line error and changes nothing;
- the offline reasoner on the mission's CI slice stays within the thresholds its eval plugin declares.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.contracts import tool_spec
from ai_missions.evals.harness import evaluate
from ai_missions.evals.solve import EvalConfig, open_knowledge
from ai_missions.evals.store import EvalStore
from ai_missions.integrations.books import seed_books, stories
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import ESCALATE, MissionSpec, registry
from ai_missions.kernel.settings import sandbox_dir
from ai_missions.services.governance import approval_problems, approval_rules, load_roster, ownership_problems
from ai_missions.testing import signed_in_as
from tests.support.cli_process import cli_process
from tests.support.mission_home import client_fixture, seeded_home_fixture

pytestmark = pytest.mark.slow

MISSIONS = list(registry().values())
ids = [spec.name for spec in MISSIONS]
#: The slow tiers (a kill between actions, the CI slice's replay) run for these missions by default and for every
#: other one with `pytest -m extended`; each later mission's own test file covers its story end to end.
DEFAULT_TIER = {"order-exception", "invoice-approval"}


def tiered(specs: list[MissionSpec]) -> list[Any]:
    return [pytest.param(s, id=s.name, marks=() if s.name in DEFAULT_TIER else pytest.mark.extended) for s in specs]


home = seeded_home_fixture("contract", lambda home: seed_books(home, seed=7))
missions = client_fixture()


def reviewed(outcome: Any) -> list[dict[str, Any]]:
    return [a for a in outcome.verdict["actions"] if a["tier"] != "auto"]


def entitled_reviewer(
    missions: MissionClient, spec: MissionSpec, actions: Sequence[Mapping[str, Any]], run_id: str | None = None
) -> str:
    """Someone on the roster whose role may approve every action (as the approval policies say), and who is the
    person the case names where a rule names one (an account's owner)."""
    rules = approval_rules(missions.knowledge)
    facts = missions.state(run_id).get("facts", {}) if run_id else None
    for name, role in sorted(load_roster(missions.home).items()):
        if not approval_problems(role, actions, rules, spec.tools) and not (
            facts is not None and ownership_problems(name, actions, rules, facts)
        ):
            return name
    raise AssertionError(f"nobody on the roster may approve {[a['tool'] for a in actions]}")


def projected(home: Path, spec: MissionSpec) -> dict[str, list[tuple[Any, ...]]]:
    """The mission's end-state tables, read straight from the sandbox's databases (every table of its systems for
    a mission without an eval plugin)."""
    if spec.evals is None:
        from ai_missions.integrations.systems import tables

        projection = {f"{s}.{t}": (s, f"SELECT * FROM {t} ORDER BY 1") for s in spec.systems for t in tables(s)}
    else:
        projection = dict(plugin_of(spec.name).projection)
    state = {}
    for name, (system, sql) in projection.items():
        with sqlite3.connect(sandbox_dir(home) / f"{system}.sqlite") as conn:
            state[name] = conn.execute(sql).fetchall()
    return state


@pytest.mark.parametrize("spec", MISSIONS, ids=ids)
def test_from_trigger_to_closed_with_each_action_once(spec: MissionSpec, missions: MissionClient, home: Path) -> None:
    story = stories(home)[spec.name]
    assert story in missions.cases_now(spec.name)
    streamed: list[dict[str, Any]] = []
    outcome = missions.start(spec.name, story, on_event=streamed.append)
    assert outcome.status == "awaiting_decision"
    assert outcome.verdict is not None
    assert outcome.verdict["outcome"] in spec.vocabulary.outcomes
    assert outcome.verdict["outcome"] != ESCALATE
    gathered = [e for e in streamed if e.get("kind") == "observation" and e.get("node") == "gather"]
    assert len({e["source"] for e in gathered}) >= 2  # evidence from more than one system
    pending = reviewed(outcome)
    assert pending
    assert all(tool_spec(a["tool"]).is_write for a in pending)
    assert missions.store.get_decision(outcome.decision_id).status == "pending"

    reviewer = entitled_reviewer(missions, spec, pending, outcome.run_id)
    done = missions.decide(outcome.decision_id, reviewer, approve=True)
    assert done.status == "closed"
    assert {r["tool"]: r["status"] for r in done.results} == {a["tool"]: "done" for a in outcome.verdict["actions"]}
    # once each (an automatic note written while the plan waited, saying so, is its own write: ai_missions.nodes.notes)
    results = [e for e in missions.store.events(outcome.run_id, kind="action_result")
               if e["data"].get("automatic") != "interim"]  # fmt: skip
    assert sorted(e["data"]["index"] for e in results) == list(range(len(outcome.verdict["actions"])))
    with pytest.raises(ConflictError):
        missions.decide(outcome.decision_id, reviewer, approve=True)
    trail = [e["kind"] for e in missions.store.events(outcome.run_id)]
    steps = [trail.index(k) for k in ("trigger", "observation", "verdict", "decision_requested", "decision")]
    assert steps == sorted(steps)
    results = missions.store.events(outcome.run_id, kind="action_result")
    waited = sum(e["data"].get("automatic") == "interim" for e in results)
    assert trail[steps[-1] :].count("action_result") == len(pending) + waited  # and the notes that waited for it
    assert trail[-1] == "closed"
    decision = next(e for e in missions.store.events(outcome.run_id, kind="decision"))
    assert decision["actor"].split(" (")[0] == reviewer  # "name (role of record)"


def _two_system_plan(missions: MissionClient, spec: MissionSpec, home: Path) -> tuple[Any, str]:
    """A run paused on two or more reviewed actions, the last on another system than the first."""
    story = stories(home)[spec.name]
    for subject in sorted(missions.cases_now(spec.name)):
        if subject == story:
            continue
        outcome = missions.start(spec.name, subject)
        if outcome.decision_id is None:
            continue
        systems = [tool_spec(a["tool"]).system for a in reviewed(outcome)]
        if len(systems) >= 2 and (systems[-1] != systems[0] or len(spec.systems) == 1):
            return outcome, systems[-1]  # a one-system mission: its one system answers the last action slowly
    raise AssertionError(f"no {spec.name} case pauses on actions in two systems")


@pytest.mark.parametrize("spec", tiered(MISSIONS))
def test_killed_between_actions_resume_repeats_nothing(spec: MissionSpec, missions: MissionClient, home: Path) -> None:
    outcome, slow_system = _two_system_plan(missions, spec, home)
    pending = reviewed(outcome)
    reviewer = entitled_reviewer(missions, spec, pending, outcome.run_id)
    deciding = cli_process(
        home, "decide", outcome.decision_id, "--approve",
        env={"MISSIONS_SIM_LATENCY_MS": f"{slow_system}=5000", **signed_in_as(home, reviewer)},
    )  # fmt: skip

    def executed() -> list[dict[str, Any]]:  # the reviewed plan's results (automatic notes ran at the pause)
        return [e for e in missions.store.events(outcome.run_id, kind="action_result") if e["node"] == "execute"]

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not executed():
        time.sleep(0.02)
    if not executed():
        deciding.kill()
        pytest.fail(f"no action ran: {deciding.communicate()}")
    deciding.send_signal(signal.SIGKILL)  # mid-plan: the first action ran, the slow one has not answered
    deciding.wait(timeout=30)
    assert missions.store.get_decision(outcome.decision_id).resumed is False

    resumed = cli_process(home, "resume", "--json", env=signed_in_as(home, reviewer))
    code, _out, err = resumed.wait(timeout=180), *resumed.communicate()
    assert code == 0, err
    assert missions.store.get_run(outcome.run_id)["status"] == "closed"
    results = executed()
    first = [e["data"] for e in results if e["data"]["index"] == results[0]["data"]["index"]]
    assert len(first) == 1  # one result per action in the audit trail; the re-run on resume is a replay
    replays = [e for e in missions.store.events(outcome.run_id, kind="action_replayed") if e["node"] == "execute"]
    replayed = [e["data"] for e in replays if e["data"]["index"] == first[0]["index"]]
    assert replayed[-1]["status"] == "done"
    assert replayed[-1]["result"]["replayed"] is True
    final = {e["data"]["index"]: e["data"]["status"] for e in results}
    assert set(final.values()) == {"done"}
    assert len(final) == len(results)


@pytest.mark.parametrize("spec", MISSIONS, ids=ids)
def test_bad_input_is_one_clear_error_and_changes_nothing(
    spec: MissionSpec, missions: MissionClient, home: Path
) -> None:
    before = projected(home, spec)
    unknown = re.sub(r"\d+", "999999999", spec.subject.example)
    with pytest.raises(NotFoundError, match=re.escape(unknown)):
        missions.start(spec.name, unknown)
    assert missions.store.list_runs(subject_id=unknown) == []  # an unknown id records no run
    with pytest.raises(ValidationError, match=f"not a valid {spec.subject.kind} id"):
        missions.start(spec.name, "not an id!")
    run = cli_process(home, "run", spec.name, "--subject", unknown)
    code, _out, err = run.wait(timeout=120), *run.communicate()
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("missions: error: ")
    assert unknown in err
    assert projected(home, spec) == before


def test_an_unknown_mission_is_refused(home: Path) -> None:
    run = cli_process(home, "eval", "run", "--mission", "no-such-mission")
    code, _out, err = run.wait(timeout=60), *run.communicate()
    assert code == 2
    assert "no-such-mission" in err.strip().splitlines()[-1]


@pytest.mark.parametrize("spec", tiered([s for s in MISSIONS if s.evals]))
def test_ci_slice_stays_within_the_plugins_thresholds(spec: MissionSpec, home: Path, tmp_path: Path) -> None:
    plugin = plugin_of(spec.name)
    cases = load_cases(plugin.dataset("ci"))
    store = EvalStore(tmp_path / "evals")
    config = EvalConfig(mission=spec.name, concurrency=2, workers=1)
    run_id = store.create_run(
        mission=spec.name, dataset="ci", dataset_hash="ci", config=config.recorded(), cases_total=len(cases)
    )
    overall = evaluate(store, run_id, cases, config, open_knowledge(home))["overall"]
    store.close()
    assert overall["cases"] == len(cases)
    assert plugin.gaps(overall) == []


def test_every_mission_with_evals_has_the_ci_slice_that_the_demo_and_ci_replay() -> None:
    for spec in MISSIONS:
        if spec.evals:
            assert plugin_of(spec.name).dataset("ci").exists(), spec.name
