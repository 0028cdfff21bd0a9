"""``missions demo``: the main job on the embedded default, from an empty home to decisions awaiting review, for
every registered mission with a trigger.

A second demo in the same home does not wipe the first: deleting the run store while its audit head stayed made
``audit verify`` cry "entries cut", and took the accounts, decisions and saved sign-in added since without a word.
It refuses in one line, saying what the home holds; ``--fresh`` moves that aside whole (the store with its head,
checkpoints, grant ledger and saved sign-in) into ``earlier-demos/``, where its chain still verifies.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ai_missions.kernel.database import SETTING, database_url
from ai_missions.kernel.environment import simulated_environment
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.missions import MissionSpec, registry
from ai_missions.kernel.progress import Progress, note

if TYPE_CHECKING:  # the runtime (LangGraph, the MCP stack) is imported once the home has room for a demo: a refused
    # second demo answered after 2.4 s of importing it (8.6-13 s on a loaded machine, issue 60 item 10)
    from ai_missions.runtime import MissionRuntime, RunOutcome


def pick_demo_subjects(cases: dict[str, list[str]], story: str | None, count: int) -> list[str]:
    """The flagship story first, then a spread: every combination, then every type, round-robin."""
    by_kind: dict[tuple[str, ...], list[str]] = {}
    for subject_id, types in sorted(cases.items()):
        by_kind.setdefault(tuple(sorted(types)), []).append(subject_id)
    picked = [story] if story in cases else []
    kinds = sorted(by_kind, key=lambda kind: (-len(kind), kind))
    while len(picked) < count and any(by_kind.values()):
        for kind in kinds:
            queue = by_kind[kind]
            while queue and queue[0] in picked:
                queue.pop(0)
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return picked


def forget_runs(home: Path) -> None:
    """Remove an empty run store and the checkpoints beside it (a store that holds anything is moved aside, see
    :func:`move_aside`)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.settings import runs_db

    for database in (runs_db(home), home / "checkpoints.sqlite"):
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)


def earlier_demo(home: Path) -> str | None:
    """What the home's run store holds (runs, pending decisions, accounts, audit entries), or None when nothing:
    an earlier demo, or anyone's work since."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.settings import runs_db
    from ai_missions.kernel.store import RunStore
    from ai_missions.services.identity import Accounts

    if database_url() is None and not runs_db(home).exists():
        return None
    store = RunStore(runs_db(home))
    entries = int(store.read().execute("SELECT count(*) FROM audit").fetchone()[0])
    if not entries:
        return None
    counts = (
        (store.count_runs(), "run"),
        (store.count_pending(), "pending decision"),
        (Accounts(store).count(), "account"),
        (entries, "audit entry"),
    )
    return ", ".join(f"{n} {what if n == 1 else what.replace('entry', 'entrie') + 's'}" for n, what in counts)


#: What an earlier demo leaves beside the systems and the index: the run store with its audit head, LangGraph's
#: checkpoints, the grant ledger and the saved sign-in (a token of that store).
_RUN_FILES = (
    "runs.sqlite",
    "runs.sqlite-wal",
    "runs.sqlite-shm",
    "runs.sqlite.audit-head",
    "runs.sqlite.audit-head.lock",
    "checkpoints.sqlite",
    "checkpoints.sqlite-wal",
    "checkpoints.sqlite-shm",
    "grants.sqlite",
    "grants.sqlite-wal",
    "grants.sqlite-shm",
    "credentials.json",
)


def move_aside(home: Path) -> Path:
    """Move an earlier demo's run files, together, into ``earlier-demos/<time>/`` of the home, with a copy of the
    home's platform key (the one its chain was written with, which the new demo goes on signing with), so that
    ``MISSIONS_HOME=<there> missions ...`` reads it with its own key; returns where."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.signing import KEY_ENV, KEY_FILE, KEY_FILE_ENV

    where = home / "earlier-demos" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    where.mkdir(parents=True)
    for name in _RUN_FILES:
        if (home / name).exists():
            shutil.move(home / name, where / name)
    keyed_elsewhere = any(os.environ.get(setting, "").strip() for setting in (KEY_ENV, KEY_FILE_ENV))
    if (home / KEY_FILE).exists() and not keyed_elsewhere:
        shutil.copy2(home / KEY_FILE, where / KEY_FILE)  # mode 0600 kept
    return where


def make_room(home: Path, *, fresh: bool) -> None:
    """Refuse, in one line, a demo over a run store that holds anything; with ``fresh``, move it aside first."""
    held = earlier_demo(home)
    if held is None:
        forget_runs(home)  # checkpoints of runs no store holds
        return
    if not fresh:
        raise ConflictError(
            f"this home already holds a demo ({held}): review it (`missions queue`), or move it aside and start "
            "again with `missions demo --fresh`"
        )
    if database_url() is not None:
        raise ConflictError(
            f"this home's run store is in {SETTING} ({held}): --fresh moves only the embedded store aside; point "
            f"{SETTING} at a new schema to start again"
        )
    signed_in = (home / "credentials.json").exists() or bool(os.environ.get("MISSIONS_TOKEN"))
    where = move_aside(home)
    print(
        f"The earlier demo ({held}) moved to {where}, with a copy of its key: it reads and verifies there "
        f"(MISSIONS_HOME={where} missions audit verify)"
    )
    if signed_in:
        print(
            "You are signed out: your sign-in belonged to the earlier demo's accounts "
            "(`missions login NAME` signs you in to the new one)"
        )


def seed_and_index(home: Path, *, orders: int, seed: int) -> Iterator[str]:
    """Seed every book and build the policy index under ``home`` (the demo's first half, and the analysts' shared
    notebook home); yields a line per step."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.settings import knowledge_dir
    from ai_missions.knowledge_index.index import build

    yield from simulated_environment().seed_books(home, seed=seed, sizes={"commerce": orders})
    note("Indexing Enterprise Knowledge (embedding the policies)…")
    report = build(directory=knowledge_dir(home))
    yield (
        f"Enterprise Knowledge: {len(report.added) + len(report.updated) + len(report.skipped)} policies, "
        f"{report.chunks_total} sections indexed ({report.chunks_embedded} embedded) in {report.seconds:.1f}s"
    )


async def run_demo(home: Path, *, orders: int, seed: int, missions: int, fresh: bool = False) -> list[RunOutcome]:
    started = time.perf_counter()
    make_room(
        home, fresh=fresh
    )  # a fresh book: runs and checkpoints of an earlier one would point at records that changed
    for line in seed_and_index(home, orders=orders, seed=seed):
        print(line)
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.account_commands import DEMO_PASSWORD, seed_demo_accounts

    added = seed_demo_accounts(home=home)
    print(f"Demo accounts: {', '.join(added)} (password {DEMO_PASSWORD!r}; ana is the admin)")
    story_of = simulated_environment().stories(home)
    extras = simulated_environment().demo_cases(home)
    outcomes: list[RunOutcome] = []
    flagships: list[tuple[str, str, str, str]] = []
    shared: list[tuple[str, str, str, list[str]]] = []
    for spec in registry().values():
        if spec.trigger is not None:
            story, extra = story_of.get(spec.name), extras.get(spec.name, [])
            outcomes.extend(await _demo_mission(spec, home, story, missions, flagships, extra, shared))
    print(f"\nAll missions: {len(outcomes)} runs in {time.perf_counter() - started:.1f}s")
    for spec in registry().values():
        if spec.evals is not None:
            await _eval_step(home, spec)
    print_how_to_review(flagships, shared)
    return outcomes


def print_how_to_review(
    flagships: list[tuple[str, str, str, str]], shared: Sequence[tuple[str, str, str, list[str]]] = ()
) -> None:
    """The demo's last lines: how to review what it left pending (after the eval figures, so it stays in view), with
    a plan that takes two roles, to try co-approval on."""
    print("\nHow to review (prefix each command with `python3 -m uv run`, or activate .venv first):")
    print("  missions queue                      # pending decisions: mission, amount, who is needed")
    print("  missions show RUN                   # a run's evidence, policy clauses and each action's arguments")
    print("  missions login NAME                 # sign in (password missions-demo); decisions are recorded as you")
    print("  missions decide ID --approve | --reject --reason R | --edit JSON | --hand-off TO --reason R")
    print("  missions dashboard                  # the same in the browser")
    if flagships:
        print("Each mission's flagship decision:")
        for mission, run_id, decision_id, approver in flagships:
            print(f"  {mission:<18} missions show {run_id}")
            print(f"  {'':<18} missions login {approver} && missions decide {decision_id} --approve")
    for mission, run_id, decision_id, signers in shared[:1]:
        print(f"A plan that takes {len(signers)} roles (co-approval: each signs their part, then it runs), {mission}:")
        print(f"  missions show {run_id}")
        for name in signers:
            print(f"  missions login {name} && missions decide {decision_id} --approve")


async def _demo_mission(
    spec: MissionSpec,
    home: Path,
    story: str | None,
    count: int,
    flagships: list[tuple[str, str, str, str]],
    extra: list[str],
    shared: list[tuple[str, str, str, list[str]]],
) -> list[RunOutcome]:
    # deferred: start-up time (`missions --help` loads every area; a refused demo imports no runtime)
    from ai_missions.runtime import MissionRuntime
    from ai_missions.scanner import cases_now, scan_and_start

    print(f"\n== {spec.title} ({spec.name})")
    async with MissionRuntime(spec, home, extra_systems=spec.get_trigger().systems) as runtime:
        found = await cases_now(runtime)
        kinds = Counter(t for types in found.values() for t in types)
        combined = sum(1 for types in found.values() if len(types) > 1)
        print(
            f"Trigger: {len(found)} {spec.subject.kind}s need the mission ({combined} combined): "
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        )
        chosen = pick_demo_subjects(found, story, count)
        chosen += [s for s in extra if s in found and s not in chosen]
        print(f"Running it on {len(chosen)} of them (offline reasoner)...")
        progress = Progress(f"{spec.name} runs", len(chosen))
        outcomes = await scan_and_start(runtime, subjects=chosen, on_started=progress.advance)
        pending = runtime.store.count_pending(mission=spec.name)
        found_shared = [
            (o.subject_id in extra, (spec.name, o.run_id, o.decision_id, signers))
            for o in outcomes
            if o.decision_id and (signers := co_signers_of(runtime, o, o.decision_id))
        ]
        shared[:0] = [entry for made, entry in found_shared if made]  # the case made for co-approval first
        shared += [entry for made, entry in found_shared if not made]
    statuses = Counter(o.status for o in outcomes)
    verdicts = Counter(o.verdict["outcome"] for o in outcomes if o.verdict)
    print(f"Runs: {len(outcomes)}; " + ", ".join(f"{k} {n}" for k, n in statuses.most_common()))
    print("Verdicts: " + ", ".join(f"{k} {n}" for k, n in verdicts.most_common()))
    story_run = next((o for o in outcomes if o.subject_id == story), None)
    if story_run is not None:
        print(f"The flagship story, {spec.subject.kind} {story}: run {story_run.run_id}, {story_run.status}")
        if story_run.decision_id:
            print(f"  missions show {story_run.run_id}")
            approver = approver_of(runtime, story_run, story_run.decision_id) or "NAME"
            print(f"  missions login {approver} && missions decide {story_run.decision_id} --approve")
            flagships.append((spec.name, story_run.run_id, story_run.decision_id, approver))
    print(f"{pending} decision(s) of this mission await review.")
    return outcomes


def approver_of(runtime: MissionRuntime, run: RunOutcome, decision_id: str) -> str | None:
    """An account whose role may approve every action of the decision (the hint names a real approver); None when
    none may."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.absence import away
    from ai_missions.services.governance import approval_rules, approvers, load_roster

    interrupts = runtime.store.get_decision(decision_id).request["interrupts"]
    plan = [{"tool": i["action_request"]["action"], "args": i["action_request"]["args"]} for i in interrupts]
    rules = approval_rules(runtime.knowledge)
    facts = run.state.get("facts", {})
    able = approvers(load_roster(runtime.home), plan, rules, runtime.spec.tools, facts, away(runtime.store))
    return able[0] if able else None


def co_signers_of(runtime: MissionRuntime, run: RunOutcome, decision_id: str) -> list[str]:
    """One demo account per role a plan no single role may approve needs (empty for a plan one role approves)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.coapproval import requested, shared_plan
    from ai_missions.services.governance import approval_rules, load_roster
    from ai_missions.services.review import roles_needed

    plan = requested(runtime.store.get_decision(decision_id).request["interrupts"])
    rules = approval_rules(runtime.knowledge)
    if not shared_plan(plan, rules, runtime.spec.tools, run.state.get("facts", {})):
        return []
    roster = load_roster(runtime.home)
    accounts = {role: name for name, role in sorted(roster.items(), reverse=True)}  # the first name of each role
    return [accounts.get(role, role.upper()) for role in roles_needed(plan, rules, runtime.spec.tools)]


async def _eval_step(home: Path, spec: MissionSpec) -> None:
    """Replay a short set of recorded cases and print the headline figures."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.harness import quick_eval
    from ai_missions.evals.report import headline

    print(f"\nEvaluating {spec.name} against recorded cases (its CI slice)...")
    run_id, summary = await quick_eval(home, spec)
    print(headline(summary, run_id))
    print(f"  missions eval report {run_id}   # the full report; `missions eval run --mission {spec.name}` for all")
