"""The conformance kit: what every mission and every system must do, as a library their own tests call, as
LangGraph's checkpoint conformance package serves every checkpointer.

``validate(mission, home)`` runs a registered mission on a home seeded with every book and holding the policy index,
through its real systems (MCP), the run store and the Decision Queue:

- ``story``: its trigger finds its flagship story;
- ``decision``: a run on it streams evidence, proposes a verdict that is not an escalation and waits at a pending
  decision for a person;
- ``once``: a reviewer the approval rules entitle approves it, each action executes exactly once, a second decision
  on it is refused, and the audit trail tells the story in order;
- ``resume``: the process deciding another case is killed while an approved action runs, and ``missions resume``
  finishes it without repeating a write;
- ``bad_input``: an unknown subject, a malformed id and an unknown subject on the command line are each one line, and
  nothing changes;
- ``ci``: the offline reasoner on the mission's CI set stays within the thresholds its eval plugin declares.

``validate(system, home)`` serves a system from its declaration over the book under ``home`` (in-process MCP): its
listing is its checked-in contract; a lookup of a key never used finds nothing; an unknown tool, a write without an
approval grant and a read with bad arguments are each a structured one-line refusal that changes nothing; and, given
a ``write`` it can make, the write executes once with a grant, replays for its key, refuses the key with other
arguments, is found by its lookup, and a snapshot of the system taken before it resets the system back.

Each check that fails raises :class:`ConformanceError`, one line naming the mission or system and the check.
"""

from __future__ import annotations

import asyncio
import re
import signal
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_missions.client import MissionClient
from ai_missions.contracts import contract, tool_spec
from ai_missions.evals.harness import evaluate
from ai_missions.evals.solve import EvalConfig, open_knowledge
from ai_missions.evals.store import EvalStore
from ai_missions.kernel.cases import load_cases
from ai_missions.kernel.environment import open_environment, simulated_environment
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.grants import META_KEY, mint
from ai_missions.kernel.missions import ESCALATE, Mission, MissionSpec, get_mission
from ai_missions.kernel.tools import write_lookup_name
from ai_missions.services.governance import approval_problems, approval_rules, load_roster, ownership_problems
from ai_missions.services.mcp_session import open_session
from ai_missions.testing import cli_process, signed_in_as

__all__ = ["MISSION_CHECKS", "SYSTEM_CHECKS", "ConformanceError", "Report", "validate"]

MISSION_CHECKS = ("story", "decision", "once", "resume", "bad_input", "ci")
SYSTEM_CHECKS = ("contract", "lookup", "refusals", "write", "snapshot")


class ConformanceError(AssertionError):
    """A check a mission or a system fails: one line naming it and the check."""


@dataclass
class Report:
    """What each check found (check -> a short figure or fact), for the test to print."""

    name: str
    passed: dict[str, Any] = field(default_factory=dict)


def validate(
    target: MissionSpec | str | Any,
    home: Path,
    *,
    checks: Sequence[str] | None = None,
    write: Mapping[str, Any] | None = None,
) -> Report:
    """Validate a mission (a ``Mission`` or its name) or a registered system (its declaration, or anything with
    its ``name``: it is served as the platform serves it, in-process over MCP) on ``home``. ``checks`` picks some of
    the checks (by default all: :data:`MISSION_CHECKS`, :data:`SYSTEM_CHECKS`); ``write``: a system's write to make
    (``tool``, ``args``; ``snapshot_args``, another that changes what it holds once ``args`` is done), for its
    ``write`` and ``snapshot`` checks."""
    if isinstance(target, Mission | str):
        return _MissionKit(get_mission(target), home).run(checks or MISSION_CHECKS)
    return asyncio.run(_SystemKit(target, home, write).run(checks or SYSTEM_CHECKS))


def _need(condition: object, problem: str) -> None:
    """A check's condition (an ``AssertionError`` the kit turns into a :class:`ConformanceError` naming its check;
    never an ``assert``, which ``python -O`` would drop)."""
    if not condition:
        raise AssertionError(problem)


def _fail(name: str, check: str, problem: str) -> ConformanceError:
    return ConformanceError(f"{name}: {check}: {' '.join(str(problem).split())}")


# -- missions ---------------------------------------------------------------------------------------------------


class _MissionKit:
    def __init__(self, spec: MissionSpec, home: Path) -> None:
        self.spec, self.home = spec, home
        self.report = Report(spec.name)
        #: The story's run, paused at its decision (the ``decision`` check), which ``once`` decides.
        self._paused: Any = None

    def run(self, checks: Sequence[str]) -> Report:
        unknown = [c for c in checks if c not in MISSION_CHECKS]
        if unknown:
            raise ValidationError(f"unknown mission checks {unknown}; expected some of {', '.join(MISSION_CHECKS)}")
        with MissionClient(self.home) as missions:
            for check in checks:
                try:
                    self.report.passed[check] = getattr(self, f"_{check}")(missions)
                except ConformanceError:
                    raise
                except AssertionError as exc:
                    raise _fail(self.spec.name, check, str(exc) or "failed") from exc
        return self.report

    def _story_subject(self) -> str:
        found = simulated_environment().stories(self.home).get(self.spec.name)
        if found is None:
            raise _fail(self.spec.name, "story", "no book seeded under the home tells its flagship story")
        return found

    def _story(self, missions: MissionClient) -> str:
        story = self._story_subject()
        found = missions.cases_now(self.spec.name)
        _need(story in found, f"its trigger finds {len(found)} cases, not the story {story}")
        return story

    def _decision(self, missions: MissionClient) -> Any:
        spec, story = self.spec, self._story_subject()
        streamed: list[dict[str, Any]] = []
        outcome = missions.start(spec.name, story, on_event=streamed.append)
        _need(outcome.status == "awaiting_decision", f"the story's run is {outcome.status}, not awaiting a decision")
        verdict = outcome.verdict or {}
        _need(verdict.get("outcome") in spec.vocabulary.outcomes, f"outcome {verdict.get('outcome')!r} is not one")
        _need(verdict["outcome"] != ESCALATE, f"the story is escalated: {verdict.get('summary')}")
        _need(any(e.get("kind") == "observation" and e.get("node") == "gather" for e in streamed), "no evidence")
        pending = _reviewed(outcome)
        _need(pending, "no action waits for a reviewer")
        _need(all(tool_spec(a["tool"]).is_write for a in pending), "a read waits for a reviewer")
        _need(outcome.decision_id is not None, "no decision was opened")
        _need(missions.store.get_decision(str(outcome.decision_id)).status == "pending", "the decision is not pending")
        self._paused = outcome
        return {"subject": story, "outcome": verdict["outcome"], "waiting": [a["tool"] for a in pending]}

    def _once(self, missions: MissionClient) -> Any:
        if getattr(self, "_paused", None) is None:
            self._decision(missions)
        outcome: Any = self._paused
        pending = _reviewed(outcome)
        reviewer = entitled_reviewer(missions, self.spec, pending, outcome.run_id)
        done = missions.decide(outcome.decision_id, reviewer, approve=True)
        _need(done.status == "closed", f"approved by {reviewer}, the run is {done.status}")
        wanted = {a["tool"]: "done" for a in outcome.verdict["actions"]}
        _need({r["tool"]: r["status"] for r in done.results} == wanted, f"results {done.results}")
        results = [
            e
            for e in missions.store.events(outcome.run_id, kind="action_result")
            if e["data"].get("automatic") != "interim"
        ]
        indices = sorted(e["data"]["index"] for e in results)
        _need(indices == list(range(len(outcome.verdict["actions"]))), f"actions ran as {indices}")
        try:
            missions.decide(outcome.decision_id, reviewer, approve=True)
        except ConflictError:
            pass
        else:
            raise AssertionError("a second decision on the case was accepted")
        trail = [e["kind"] for e in missions.store.events(outcome.run_id)]
        steps = [trail.index(k) for k in ("trigger", "observation", "verdict", "decision_requested", "decision")]
        _need(steps == sorted(steps), f"the audit trail is out of order: {trail}")
        _need(trail[-1] == "closed", f"the audit trail ends in {trail[-1]}")
        return {"reviewer": reviewer, "actions": len(indices)}

    def _resume(self, missions: MissionClient) -> Any:
        outcome, slow = self._plan_to_kill(missions)
        pending = _reviewed(outcome)
        reviewer = entitled_reviewer(missions, self.spec, pending, outcome.run_id)
        env = {"MISSIONS_SIM_LATENCY_MS": f"{slow}=5000", **signed_in_as(self.home, reviewer)}
        deciding = cli_process(self.home, "decide", outcome.decision_id, "--approve", env=env)

        def executed() -> list[dict[str, Any]]:
            return [e for e in missions.store.events(outcome.run_id, kind="action_result") if e["node"] == "execute"]

        def started() -> bool:  # the slow action is in flight: the decision is taken and the plan executing
            if len(pending) > 1:
                return bool(executed())
            return missions.store.get_decision(outcome.decision_id).status != "pending"

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not started():
            time.sleep(0.02)
        if not started():
            deciding.kill()
            raise AssertionError(f"no action ran: {deciding.communicate()[1][-300:]}")
        time.sleep(0.5)  # well inside the slow system's 5 s answer
        deciding.send_signal(signal.SIGKILL)
        deciding.wait(timeout=30)
        resumed = cli_process(self.home, "resume", "--json", env=signed_in_as(self.home, reviewer))
        code, (_out, err) = resumed.wait(timeout=180), resumed.communicate()
        _need(code == 0, f"missions resume exits {code}: {err.strip()[-300:]}")
        status = missions.store.get_run(outcome.run_id)["status"]
        _need(status == "closed", f"after resume the run is {status}")
        final = {e["data"]["index"]: e["data"]["status"] for e in executed()}
        _need(set(final.values()) == {"done"}, f"after resume the actions are {final}")
        done = [e["data"]["index"] for e in executed() if e["data"]["status"] == "done"]
        _need(len(done) == len(set(done)), f"an action was done twice: {sorted(done)}")
        return {"actions": len(final), "killed_on": slow}

    def _plan_to_kill(self, missions: MissionClient) -> tuple[Any, str]:
        """A run paused on reviewed actions, preferably two on different systems (the last one made slow)."""
        story = self._story_subject()
        fallback: tuple[Any, str] | None = None
        for subject in sorted(missions.cases_now(self.spec.name)):
            if subject == story or missions.store.case_held(self.spec.name, subject):
                continue
            outcome = missions.start(self.spec.name, subject)
            if outcome.decision_id is None:
                continue
            systems = [tool_spec(a["tool"]).system for a in _reviewed(outcome)]
            if len(systems) >= 2 and (systems[-1] != systems[0] or len(self.spec.systems) == 1):
                return outcome, systems[-1]
            if fallback is None:
                fallback = (outcome, systems[-1])
                if len(self.spec.systems) == 1:
                    return fallback
        if fallback is None:
            raise AssertionError("no case of its trigger pauses on a reviewed action")
        return fallback

    def _bad_input(self, missions: MissionClient) -> Any:
        spec = self.spec
        before = _state(self.home, spec)
        unknown = _unknown_id(spec)
        try:
            missions.start(spec.name, unknown)
        except NotFoundError as exc:
            _need(unknown in str(exc), f"the refusal does not name {unknown}: {exc}")
        else:
            raise AssertionError(f"a run started on the unknown {unknown}")
        _need(missions.store.list_runs(subject_id=unknown) == [], "an unknown id recorded a run")
        try:
            missions.start(spec.name, "not an id!")
        except ValidationError as exc:
            _need(f"not a valid {spec.subject.kind} id" in str(exc), str(exc))
        else:
            raise AssertionError("a malformed id started a run")
        run = cli_process(self.home, "run", spec.name, "--subject", unknown)
        code, (_out, err) = run.wait(timeout=120), run.communicate()
        _need(code == 2, f"missions run on an unknown subject exits {code}")
        _need(len(err.strip().splitlines()) == 1 and err.startswith("missions: error: "), f"not one line: {err!r}")
        _need(_state(self.home, spec) == before, "a refused input changed the systems")
        return {"unknown": unknown}

    def _ci(self, missions: MissionClient) -> Any:
        plugin = plugin_of(self.spec.name)
        cases = load_cases(plugin.dataset("ci"))
        config = EvalConfig(mission=self.spec.name, concurrency=2, workers=1)
        with tempfile.TemporaryDirectory() as scratch:
            store = EvalStore(Path(scratch) / "evals")
            try:
                run_id = store.create_run(
                    mission=self.spec.name, dataset="ci", dataset_hash="ci", config=config.recorded(),
                    cases_total=len(cases),
                )  # fmt: skip
                overall = evaluate(store, run_id, cases, config, open_knowledge(self.home))["overall"]
            finally:
                store.close()
        _need(overall["cases"] == len(cases), f"{overall['cases']} of {len(cases)} cases replayed")
        gaps = plugin.gaps(overall)
        _need(not gaps, f"outside its thresholds: {'; '.join(gaps)}")
        return {metric: overall.get(metric) for metric in plugin.thresholds}


def _unknown_id(spec: MissionSpec) -> str:
    """A well-formed id no book holds: the example's digits all nines, as many more of them as the pattern takes."""
    width = max((len(d) for d in re.findall(r"\d+", spec.subject.example)), default=1)
    for digits in range(width + 3, 0, -1):
        candidate = re.sub(r"\d+", "9" * digits, spec.subject.example)
        try:
            return spec.subject.check(candidate)
        except ValidationError:
            continue
    raise AssertionError(f"no unknown id of the shape of {spec.subject.example} passes its pattern")


def _reviewed(outcome: Any) -> list[dict[str, Any]]:
    return [a for a in (outcome.verdict or {}).get("actions", []) if a["tier"] != "auto"]


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


def _state(home: Path, spec: MissionSpec) -> Any:
    """The mission's end-state tables as its systems hold them in ``home`` (the books environment's view)."""
    books = open_environment("books", home=home, mission=spec.name)
    try:
        return books.view(plugin_of(spec.name).projection if spec.evals else {})
    finally:
        books.close()


# -- systems ----------------------------------------------------------------------------------------------------


class _SystemKit:
    def __init__(self, system: Any, home: Path, write: Mapping[str, Any] | None) -> None:
        self.name = str(getattr(system, "name", system))
        self.home, self.write = home, write
        self.report = Report(self.name)

    async def run(self, checks: Sequence[str]) -> Report:
        unknown = [c for c in checks if c not in SYSTEM_CHECKS]
        if unknown:
            raise ValidationError(f"unknown system checks {unknown}; expected some of {', '.join(SYSTEM_CHECKS)}")
        connection = {"transport": "in_process", "system": self.name, "home": str(self.home)}
        async with open_session(connection) as session:
            for check in checks:
                try:
                    self.report.passed[check] = await getattr(self, f"_{check}")(session)
                except ConformanceError:
                    raise
                except AssertionError as exc:
                    raise _fail(self.name, check, str(exc) or "failed") from exc
        return self.report

    def _books(self) -> Any:
        """The system's state under ``home``, as the books environment holds it (whatever keeps its tables)."""
        return open_environment("books", home=self.home, systems=[self.name])

    def _view(self) -> Any:
        books = self._books()
        try:
            return books.view({})
        finally:
            books.close()

    async def _contract(self, session: Any) -> Any:
        listed = {t.name: t for t in (await session.list_tools()).tools}
        declared = {t.name: t for t in contract(self.name).tools}
        _need(list(listed) == list(declared), f"it serves {sorted(listed)}, its contract says {sorted(declared)}")
        for name, spec in declared.items():
            tool = listed[name]
            read_only = bool(tool.annotations and tool.annotations.readOnlyHint)
            _need(read_only == (not spec.is_write), f"{name} is served as a {'read' if read_only else 'write'}")
            if spec.input_schema is not None:
                _need(dict(tool.inputSchema) == dict(spec.input_schema), f"{name}'s input schema differs")
        return {"tools": len(listed)}

    async def _lookup(self, session: Any) -> Any:
        if not any(t.is_write for t in contract(self.name).tools):
            return {"writes": 0}
        found = await _call(session, write_lookup_name(self.name), {"idempotency_key": "conformance:never-used"})
        _need(found.get("found") is False, f"a key never used is found: {found}")
        return {"lookup": write_lookup_name(self.name)}

    async def _refusals(self, session: Any) -> Any:
        before = self._view()
        unknown = await _call(session, "no_such_tool", {}, refused=True)
        _need(unknown["code"] == "not_found", f"an unknown tool is {unknown}")
        refused = []
        for spec in contract(self.name).tools:
            arguments = _placeholders(spec.input_schema or {})
            if spec.is_write:
                error = await _call(session, spec.name, {**arguments, "idempotency_key": "conformance:no-grant"}, True)
                _need(error["code"] == "forbidden", f"{spec.name} without a grant is {error}")
                refused.append(spec.name)
            elif (spec.input_schema or {}).get("required"):
                error = await _call(session, spec.name, {}, refused=True)
                _need(error["code"] == "invalid_argument", f"{spec.name} without its arguments is {error}")
                _need("\n" not in error["message"], f"{spec.name}'s refusal is not one line")
        _need(self._view() == before, "a refused call changed the system")
        return {"writes_refused_without_grant": refused}

    async def _write(self, session: Any) -> Any:
        if self.write is None:
            return {"skipped": "no write given"}
        tool, args = str(self.write["tool"]), dict(self.write.get("args") or {})
        key = f"conformance:{tool}:{time.time_ns()}"
        first = await self._granted(session, tool, args, key)
        _need(first.get("replayed") is not True, "the first call with a key says it replayed")
        again = await self._granted(session, tool, args, key)
        _need(again.get("replayed") is True, "the same key and arguments did not replay the write")
        conflict = await self._granted(session, tool, {**args, **_changed(args)}, key, refused=True)
        _need(conflict["code"] in ("conflict", "forbidden"), f"the key with other arguments is {conflict}")
        found = await _call(session, write_lookup_name(self.name), {"idempotency_key": key})
        _need(found.get("found") is True, f"the lookup does not find the write: {found}")
        _need(found.get("tool") == tool, f"the lookup finds another tool's write: {found}")
        return {"tool": tool}

    async def _snapshot(self, session: Any) -> Any:
        books = self._books()
        try:
            start, before = books.snapshot(), books.view({})
            if self.write is not None:
                tool = str(self.write["tool"])
                args = dict(self.write.get("snapshot_args") or self.write.get("args") or {})
                await self._granted(session, tool, args, f"conformance:snapshot:{time.time_ns()}")
                _need(books.view({}) != before, "a write changed nothing the snapshot holds")
            books.reset(start)
            _need(books.view({}) == before, "a reset to a snapshot did not restore it")
        finally:
            books.close()
        return {"tables": len(before)}

    async def _granted(
        self, session: Any, tool: str, args: Mapping[str, Any], key: str, refused: bool = False
    ) -> dict[str, Any]:
        arguments = {**args, "idempotency_key": key}
        grant = mint(self.home, decision_id="conformance", index=0, tool=tool, args=arguments, key=key, by="kit")
        return await _call(session, tool, arguments, refused, {META_KEY: grant})


async def _call(
    session: Any, tool: str, args: Mapping[str, Any], refused: bool = False, meta: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A tool's structured answer (its error, ``code`` and ``message``, when ``refused``)."""
    result = await session.call_tool(tool, dict(args), meta=dict(meta) if meta else None)
    content = dict(result.structuredContent or {})
    if refused:
        _need(result.isError, f"{tool} answered where a refusal was due: {content}")
        return dict(content.get("error") or {"code": "error", "message": str(result.content)})
    _need(not result.isError, f"{tool} refused: {(content.get('error') or {}).get('message', result.content)}")
    return content


def _placeholders(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A value of the right JSON type for each required argument (what a grant check must refuse before reading)."""
    kinds = {"string": "X-1", "number": 1.0, "integer": 1, "boolean": False, "array": [], "object": {}}
    properties = schema.get("properties") or {}
    return {
        name: kinds.get(str((properties.get(name) or {}).get("type")), "X-1")
        for name in schema.get("required") or []
        if name != "idempotency_key"
    }


def _changed(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments with a number changed (another request under the same key)."""
    for name, value in args.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {name: value - 1 if value > 1 else value + 1}
    return {}
