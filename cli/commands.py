"""Mission commands: run, scan, runs, show, queue, decide, resume, missions, demo (for every registered mission)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ai_missions.cli import LazyChoices, columns, emit, json_command
from ai_missions.kernel.errors import ConflictError, ForbiddenError, MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.settings import call_timeout_s, knowledge_dir, missions_home, runs_db, sandbox_dir

if TYPE_CHECKING:  # the runtime (LangGraph, the MCP stack) is imported by the commands that run missions, only
    from ai_missions.runtime import RunOutcome


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    names = LazyChoices("ai_missions.kernel.missions:mission_names")
    run = subparsers.add_parser("run", help="run a mission on one subject (an order, an invoice...)")
    run.add_argument("mission", choices=names, metavar="mission")
    run.add_argument("--subject", "--order", dest="subject", required=True, help="the subject's id, e.g. SO-101851")
    run.add_argument("--reasoner", choices=["offline", "llm"], default="offline")
    run.add_argument("--json", action="store_true", help="print events and the outcome as JSON")
    run.set_defaults(handler=_run)

    scan = subparsers.add_parser("scan", help="start a mission for every new case its trigger finds")
    scan.add_argument(
        "mission",
        nargs="?",
        choices=names,
        metavar="mission",
        help="one mission (default: every mission with a trigger)",
    )
    scan.add_argument("--watch", action="store_true", help="keep watching")
    scan.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --watch")
    scan.add_argument("--limit", type=_count, default=None, help="start at most N missions")
    scan.add_argument("--reasoner", choices=["offline", "llm"], default="offline")
    scan.add_argument("--json", action="store_true")
    scan.add_argument(
        "--engine",
        choices=["local", "procrastinate"],
        default="local",
        help="run here (local), or queue each case for `missions worker` (procrastinate; needs MISSIONS_DATABASE_URL)",
    )
    scan.set_defaults(handler=_scan)

    runs = subparsers.add_parser("runs", help="list mission runs, newest first")
    runs.add_argument("--mission", choices=names, metavar="MISSION")
    runs.add_argument("--subject")
    runs.add_argument("--status", choices=LazyChoices("ai_missions.kernel.store:run_statuses"))
    runs.add_argument("--outcome", help="a verdict's outcome, e.g. proceed (checked against the missions')")
    runs.add_argument("--type", dest="case_type", help="a case type, e.g. payment_review (checked likewise)")
    runs.add_argument("--limit", type=_count, default=20)
    json_command(runs, _runs)

    show = subparsers.add_parser("show", help="a run: observations, verdict, decisions and its audit trail")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true", help="the whole audit trail as JSON")
    show.add_argument(
        "--full", action="store_true", help="every argument whole (text that reaches a customer always is)"
    )
    show.set_defaults(handler=_show)

    queue = subparsers.add_parser("queue", help="pending decisions by deadline (GOV-005), then oldest first")
    queue.add_argument("--mission", choices=names, metavar="MISSION")
    queue.add_argument("--limit", type=_count, default=50)
    queue.add_argument("--type", dest="case_type", help="only decisions on cases of this type")
    queue.add_argument("--min-amount", type=_amount, help="only plans moving at least this much money")
    queue.add_argument("--max-amount", type=_amount, help="only plans moving at most this much money")
    queue.add_argument(
        "--can-approve", action="store_true", help="only what the signed-in account's role may approve (or sign)"
    )
    json_command(queue, _queue)

    decide = subparsers.add_parser(
        "decide", help="approve, reject or edit a pending decision, as the signed-in account (`missions login`)"
    )
    decide.add_argument("decision_id")
    what = decide.add_mutually_exclusive_group(required=True)
    what.add_argument("--approve", action="store_true", help="approve every action")
    what.add_argument("--reject", action="store_true", help="reject every action (needs --reason)")
    what.add_argument(
        "--hand-off",
        metavar="TO",
        help="pass the decision to a reviewer or a role who may approve at least one open action (needs --reason)",
    )
    what.add_argument(
        "--edit",
        metavar="JSON",
        help='approve, changing only the named arguments of actions by number, e.g. \'{"2": {"amount": 10}}\'',
    )
    decide.add_argument("--reason", help="why: what --reject and --hand-off need (kept on the audit trail)")
    decide.add_argument(
        "--hash",
        dest="expected_hash",
        metavar="H",
        help="the actions hash you reviewed, as `missions show RUN` prints it ('actions hash H') and `missions queue "
        "--json` gives it (actions_hash): refused if the actions changed since",
    )
    json_command(decide, _decide)

    resume = subparsers.add_parser(
        "resume", help="finish decisions whose execution was interrupted; with RUN, retry that failed run"
    )
    resume.add_argument("run_id", nargs="?", metavar="RUN", help="a failed run to retry from its last checkpoint")
    json_command(resume, _resume)

    abandon = subparsers.add_parser("abandon", help="give up on a failed run, with a reason (nothing is executed)")
    abandon.add_argument("run_id", metavar="RUN")
    abandon.add_argument("--reason", required=True, help="why (kept on the Explain rail and the audit trail)")
    json_command(abandon, _abandon)

    missions = subparsers.add_parser("missions", help="the installed missions")
    json_command(missions, _missions)

    demo = subparsers.add_parser("demo", help="seed, index, scan and run missions; leave decisions for review")
    demo.add_argument("--orders", type=_count, default=2000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--missions", type=_count, default=25, help="how many cases to run each mission on")
    demo.add_argument("--fresh", action="store_true", help="move an earlier demo aside (into earlier-demos/) first")
    demo.set_defaults(handler=_demo)


#: The largest count a command takes: more than any listing holds, and within a 64-bit SQL integer (a larger
#: ``--limit`` would overflow the database driver, an internal error instead of an answer).
MAX_COUNT = 1_000_000_000


def _count(text: str) -> int:
    """A whole number from 0 to :data:`MAX_COUNT` (``--limit -1`` is refused, not read as "all but one")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") from None
    if not 0 <= value <= MAX_COUNT:
        shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_COUNT:,}, got {shown}")
    return value


def _async(handler: Callable[..., Coroutine[Any, Any, int | None]]) -> Callable[..., int | None]:
    def run(*args: Any) -> int | None:
        import anyio

        return anyio.run(handler, *args)

    return run


def _print_event(event: dict[str, Any]) -> None:
    kind = event.get("kind")
    if kind == "observation":
        print(f"  [{event['node']:<17}] {event['source']:<22} {event['finding']}")
    elif kind == "verdict":
        print(f"  [verdict          ] {event.get('summary')}")
    elif kind == "action_result":
        print(f"  [{event['node']:<17}] {event.get('summary')}")
    sys.stdout.flush()


def _describe(outcome: RunOutcome | dict[str, Any], waiting: str | None = None) -> str:
    """The outcome for a person; ``waiting`` says where a decision still open stands (a part signed...)."""
    o = outcome if isinstance(outcome, dict) else outcome.to_dict()
    lines = [f"Run {o['run_id']} ({o['mission']}) on {o['subject_id']}: {o['status']}"]
    if o.get("verdict"):
        lines.append(f"  verdict: {o['verdict']['outcome']} ({o['verdict']['confidence']:.0%})")
    if o.get("decision_id") and waiting is not None:
        lines.append(f"  decision {o['decision_id']}: {waiting}")
    elif o.get("decision_id"):
        lines.append(
            f"  decision {o['decision_id']} awaits a reviewer: missions login NAME, then "
            f"missions decide {o['decision_id']} --approve"
        )
    for result in o.get("results", []):
        lines.append(f"  action {result['index'] + 1} {result['tool']}: {result['status']} {result['detail']}")
    return "\n".join(lines)


def require_book(systems: Sequence[str]) -> None:
    """One line saying what to run when the simulated systems have no book yet (instead of each system's server
    failing on its own line, then the MCP session's): systems configured elsewhere (``systems.json``) are not
    looked for here."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.connections import configured

    home = missions_home()
    remote = configured(home)
    missing = [
        s for s in dict.fromkeys(systems) if s not in remote and not (sandbox_dir(home) / f"{s}.sqlite").exists()
    ]
    if missing:
        raise NotFoundError(
            f"no book seeded under {home} (no {', '.join(missing)} data): "
            "run `missions demo`, or `missions systems seed`"
        )


def require_endpoint(reasoner: str) -> None:
    """``--reasoner llm`` needs a model to call: refused in one line before a run is written (the reasoner would
    otherwise find out mid-run and leave a failed run behind)."""
    if reasoner == "llm" and not (os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")):
        raise ValidationError(
            "--reasoner llm needs a model endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY), or use --reasoner offline"
        )


def known_values(what: str, mission: str | None) -> list[str]:
    """The case types (``what="case_types"``) or outcomes of one mission, or of every installed mission."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.missions import get_mission, registry

    specs = [get_mission(mission)] if mission else list(registry().values())
    return sorted({value for spec in specs for value in getattr(spec.vocabulary, what)})


def check_known(option: str, value: str | None, what: str, mission: str | None) -> None:
    """A filter naming no case type or outcome of the mission(s) is refused with the valid ones (it would match
    nothing and exit 0, as if there were no such runs)."""
    if value is not None and value not in (known := known_values(what, mission)):
        of = f"the {mission} mission" if mission else "any mission"
        raise ValidationError(f"{option} {value!r} is not one of {of}'s: {', '.join(known)}")


def exit_code(outcomes: list[RunOutcome]) -> int:
    """1 when a run failed or an action failed (a person must look), else 0."""
    failed = any(o.status == "failed" or any(r["status"] == "failed" for r in o.results) for o in outcomes)
    return 1 if failed else 0


@_async
async def _run(args: argparse.Namespace) -> int:
    """Refuses an open case or an unknown subject before the runtime is imported (LangGraph and the vector store,
    most of a cold run): a refusal needs the run store and one system's session."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.missions import get_mission
    from ai_missions.services.admission import refuse_open_case, refuse_unknown_subject
    from ai_missions.services.connections import connections
    from ai_missions.services.gateway import SystemsGateway

    spec = get_mission(args.mission)
    subject = spec.check_subject(args.subject)
    require_endpoint(args.reasoner)
    require_book(spec.systems)
    refuse_open_case(_store(), spec, subject)
    gateway = SystemsGateway(connections(spec.systems), call_timeout_s=call_timeout_s(), lazy=True)
    async with gateway as systems:
        await refuse_unknown_subject(systems, spec, subject)  # opens the system of record alone
        await systems.open(spec.systems)  # then the others, all at once, as the runtime would
        from ai_missions.runtime import MissionRuntime  # for start-up time: the refusals above do without it

        async with MissionRuntime(spec, systems=systems, check_subjects=False) as runtime:
            on_event = None if args.json else _print_event
            outcome = await runtime.start(subject, reasoner=args.reasoner, on_event=on_event)
            waiting = who_decides(runtime, outcome) if outcome.decision_id else None
    emit(outcome.to_dict(), as_json=args.json, render=lambda _: _describe(outcome, waiting))
    return exit_code([outcome])


def who_decides(runtime: Any, outcome: RunOutcome) -> str | None:
    """Whom a new decision waits for, with the commands to take it, as the demo names them: an account that may
    approve it all, or (a plan that takes several roles) one per role, each signing their part; None when no
    account on the roster may."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.demo import approver_of, co_signers_of

    decision_id = str(outcome.decision_id)
    if signers := co_signers_of(runtime, outcome, decision_id):
        steps = " then ".join(f"missions login {name} && missions decide {decision_id} --approve" for name in signers)
        return f"takes {len(signers)} roles, each signing their part: {steps}"
    if (approver := approver_of(runtime, outcome, decision_id)) is None:
        return None
    return f"awaits {approver}: missions login {approver} && missions decide {decision_id} --approve"


@_async
async def _scan(args: argparse.Namespace) -> int:
    from contextlib import AsyncExitStack

    import anyio

    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.missions import get_mission, registry
    from ai_missions.runtime import MissionRuntime
    from ai_missions.scanner import scan_and_start

    require_endpoint(args.reasoner)
    if args.engine == "procrastinate":
        return await _scan_to_workers(args)
    specs = [get_mission(args.mission)] if args.mission else [s for s in registry().values() if s.trigger]
    require_book([system for spec in specs for system in spec.systems])
    async with AsyncExitStack() as stack:
        runtimes = [
            await stack.enter_async_context(MissionRuntime(spec, extra_systems=spec.get_trigger().systems))
            for spec in specs
        ]
        while True:
            outcomes = []
            for runtime in runtimes:
                try:
                    outcomes.extend(await scan_and_start(runtime, reasoner=args.reasoner, limit=args.limit))
                except Exception as exc:  # a failing poll (a system down...) does not end a watch
                    if not args.watch:
                        raise
                    print(f"missions: scan of {runtime.mission} failed, retrying: {exc}", file=sys.stderr)
            if args.json:
                emit([o.to_dict() for o in outcomes], as_json=True)
            else:
                for outcome in outcomes:
                    print(_describe(outcome))
                print(f"{len(outcomes)} mission(s) started")
            if not args.watch:
                return 0
            await anyio.sleep(args.interval)


async def _scan_to_workers(args: argparse.Namespace) -> int:
    """``scan --engine procrastinate``: queue each new case for the workers instead of running it here."""
    from contextlib import AsyncExitStack

    import anyio

    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.workers import require_url, scan_and_enqueue
    from ai_missions.kernel.missions import get_mission, registry
    from ai_missions.runtime import MissionRuntime

    url = require_url()
    specs = [get_mission(args.mission)] if args.mission else [s for s in registry().values() if s.trigger]
    async with AsyncExitStack() as stack:
        runtimes = [
            await stack.enter_async_context(MissionRuntime(spec, extra_systems=spec.get_trigger().systems))
            for spec in specs
        ]
        while True:
            queued = {
                r.mission: await scan_and_enqueue(r, url, reasoner=args.reasoner, limit=args.limit) for r in runtimes
            }
            if args.json:
                emit(queued, as_json=True)
            else:
                print(f"{sum(map(len, queued.values()))} case(s) queued for the workers")
            if not args.watch:
                return 0
            await anyio.sleep(args.interval)


def _store() -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore

    return RunStore(runs_db())


def _runs(args: argparse.Namespace) -> int:
    check_known("--type", args.case_type, "case_types", args.mission)
    check_known("--outcome", args.outcome, "outcomes", args.mission)
    filters = {
        "mission": args.mission,
        "subject_id": args.subject,
        "status": args.status,
        "outcome": args.outcome,
        "case_type": args.case_type,
    }
    store = _store()
    viewer = _viewer(store)
    if viewer is not None:  # signed in: the runs the authorization point lets the account see
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.services import authorization

        rows = authorization.visible_runs(store, viewer, _rules(), limit=args.limit, **filters)
        if authorization.customer_of(viewer):  # as a customer reads their runs: no outcome, no case types
            # deferred: start-up time (`missions --help` loads every area)
            from ai_missions.services.customer_view import customer_run

            rows = [customer_run(r) for r in rows]
    else:
        rows = store.list_runs(**filters, limit=args.limit)

    def total() -> int:
        return len(rows) if viewer is not None else store.count_runs(**filters)

    def render(rows: list[dict[str, Any]]) -> str:
        if not rows and viewer is not None:
            return f"no runs that {viewer.name} ({viewer.role}) may see"
        if not rows:
            return "no runs yet: run `missions demo` or `missions run MISSION --subject ID`"
        table = [("RUN", "STARTED (UTC)", "MISSION", "SUBJECT", "STATUS", "OUTCOME", "CASE TYPES")]
        table += [
            (
                r["run_id"],
                r["created_at"][:19].replace("T", " "),
                r["mission"],
                r["subject_id"],
                r["status"],
                str(r.get("outcome") or "-"),
                ",".join(r.get("case_types") or []) or "-",
            )
            for r in rows
        ]
        return columns(table) + _more(total(), len(rows), "runs", "--limit")

    emit(rows, as_json=args.json, render=render)
    if args.json and len(rows) == args.limit:
        _json_cut(total(), len(rows), "runs")
    return 0


#: A listing's rows fit a terminal this wide.
WIDTH = 120


def needs_text(waiting_for: str) -> str:
    """Who a decision waits for, short for a queue row: ``ops_agent/ops_lead`` for either role, a person once
    without the fact that names them (``noah (account.approver) + noah (account.owner_manager)`` -> ``noah``;
    `show` says which rule names them), a stand-in with whom they stand in for (``maya (for ava)``)."""

    def short(part: str) -> str:
        part = re.sub(r" \([a-z_.]+, in place of (\S+), who is away\)", r" (for \1)", part)
        return re.sub(r" \([a-z_]+\.[a-z_.]+\)", "", part)

    people = [short(part) for part in waiting_for.split(" + ")]
    return " + ".join(dict.fromkeys(people)).replace(" or ", "/")


def fitted(names: Sequence[str], width: int) -> str:
    """As many of ``names`` as fit in ``width`` characters, then how many more: ``cancel_order, void_authorization
    +2`` (just the count when not even the first fits)."""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = ", ".join(names[:shown]) + (f" +{rest}" if rest else "")
        if len(text) <= width:
            return text
    return f"{len(names)} action{'s' if len(names) != 1 else ''}"


def _more(total: int, shown: int, what: str, option: str) -> str:
    """``\n... 130 more runs (--limit 150 shows them)`` when the listing was cut."""
    left = total - shown
    return f"\n... {left} more {what} ({option} {total} shows them all)" if left > 0 else ""


def _json_cut(total: int, shown: int, what: str) -> None:
    """A cut ``--json`` listing says so on stderr (its stdout stays a plain JSON list for whatever reads it)."""
    if more := _more(total, shown, what, "--limit").strip():
        print(f"missions: {more.removeprefix('... ')}", file=sys.stderr)


def _viewer(store: Any) -> Any:
    """The signed-in account, when there is a sign-in (``MISSIONS_TOKEN`` or ``missions login``): what it may see
    is the authorization point's to say. Without one the CLI reads its own home's store, as its operator."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import saved_token, signed_in

    return signed_in(missions_home(), store) if saved_token(missions_home()) else None


def _show(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.missions import get_mission
    from ai_missions.services.review import (
        AUTOMATIC_WORDS,
        args_text,
        automatic_actions,
        clauses,
        evidence,
        marked,
        not_understood,
        render,
        whole_text,
    )

    store = _store()
    run = store.get_run(args.run_id)
    events = store.events(args.run_id)
    decisions = store.decisions_of(args.run_id)
    if (viewer := _viewer(store)) is not None:
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.services import authorization

        authorization.require(viewer, "see", authorization.run_resource(store, run, _rules(), events=events))
        if authorization.customer_of(viewer):  # their own case, as a customer reads it: no internal reasoning
            return _show_to_customer(args, run, decisions, events)
    rules = _rules() if decisions else []
    roster = _roster() if decisions else None
    sheets = [review_sheet_of(store, d, rules, events, run, roster) for d in decisions]
    trail = {
        "run": run,
        "decisions": [{**asdict(d), "review": s.to_dict()} for d, s in zip(decisions, sheets, strict=True)],
        "evidence": evidence(events),
        "not_understood": not_understood(events),
        "clauses": clauses(events),
        "automatic": automatic_actions(events),
        "audit": events,
    }

    def render_trail(trail: dict[str, Any]) -> str:
        run = trail["run"]
        confidence = f" ({run['confidence']:.0%})" if run.get("confidence") is not None else ""
        lines = [
            f"Run {run['run_id']} ({run['mission']}) on {run['subject_id']}: {run['status']}, "
            f"outcome {run['outcome'] or '-'}{confidence}",
            f"  case types: {', '.join(run['case_types']) or 'none'}",
        ]
        if run.get("summary"):
            lines.append(f"  verdict: {run['summary']}")
        if trail["evidence"]:
            lines.append("\nEvidence")
            width = max(len(e["source"]) for e in trail["evidence"])
            lines += [f"  {e['source']:<{width}}  {e['finding']}" for e in trail["evidence"]]
        if trail["not_understood"]:
            lines.append("\nNot understood (while any is, the mission does nothing of its own)")
            for u in trail["not_understood"]:
                lines.append(f"  {u['record']} {u['field']}: {marked(u['words'].strip(), u.get('terms') or [])}")
                lines.append(f"      {u['why']}")
        if trail["clauses"]:
            lines.append("\nPolicy clauses that matched")
            lines += [f"  {c['policy']}: {c['text']}" for c in trail["clauses"]]
        if trail["automatic"]:
            lines.append("\nAutomatic actions (run without a reviewer)")
            tools = get_mission(run["mission"]).tools
            for a in trail["automatic"]:
                how = f"; {AUTOMATIC_WORDS[a['automatic']]}" if a.get("automatic") in AUTOMATIC_WORDS else ""
                rule = tools.get(a["tool"])
                text = rule.note_text if rule is not None else None
                shown = args_text({k: v for k, v in a["args"].items() if k != text}, full=args.full)
                lines.append(f"  {a['index'] + 1}. {a['tool']}({shown}): {a['status']}{how}")
                if text and isinstance(a["args"].get(text), str):  # what the note says, whole
                    lines += whole_text(a["args"][text], "       ")
        for sheet in sheets:
            lines.append("")
            lines += render(sheet, full=args.full)
            if sheet.status == "pending":
                lines.append(f"  decide: {hint_for(store, sheet.decision_id, rules)}")
        lines.append("\nAudit trail")
        for e in trail["audit"]:
            summary = e["summary"] or ""
            said = e["actor"] and not summary.startswith(e["actor"].split(" ")[0])  # not named by its summary
            who = f"{e['actor']}: " if said else ""
            lines.append(f"  {e['at'][11:23]} {e['kind']:<18} {e['source'] or '':<22} {who}{summary}")
        return "\n".join(lines)

    emit(trail, as_json=args.json, render=render_trail)
    return 0


def _show_to_customer(args: argparse.Namespace, run: Any, decisions: Any, events: Any) -> int:
    """``show`` for a customer: where their case stands and what was sent to them
    (:mod:`ai_missions.services.customer_view`)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.customer_view import customer_view
    from ai_missions.services.review import whole_text

    view = customer_view(run, decisions, events)

    def render(view: dict[str, Any]) -> str:
        case = view["run"]
        lines = [f"Your case {case['subject_id']} ({case['mission']}, run {case['run_id']}): {case['status']}"]
        lines += [f"  decision {d['decision_id']}: {d['status']}" for d in view["decisions"]]
        for sent in view["sent"]:
            lines.append(f"\nSent to you at {str(sent['at'])[:16].replace('T', ' ')} UTC")
            for key, text in sent.items():
                if key not in ("at", "tool") and isinstance(text, str):
                    lines += whole_text(text, "  ")
        return "\n".join(lines)

    emit(view, as_json=args.json, render=render)
    return 0


def hint_for(store: Any, decision_id: str, rules: list[Any]) -> str:
    """What to type next, for who is signed in and where the decision is answered: a decision of a run LangGraph's
    server holds is answered there (the CLI's `decide` refuses it), and an account whose role may approve none of its
    open actions is offered the hand-off, not an approval it would be refused."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services import authorization
    from ai_missions.services.identity import signed_in

    decision = store.get_decision(decision_id)
    hand_off = f"missions decide {decision_id} --hand-off ROLE --reason WHY"
    if decision.request.get("served_by") == "langgraph":
        return (
            f"answer it on the LangGraph server that holds its run (Agent Inbox or Studio, signed in with your "
            f"missions token); here: {hand_off}"
        )
    try:
        account = signed_in(missions_home(), store)
    except MissionsError:  # nobody signed in: every way, for whoever signs in
        return decide_hint(decision_id)
    case = authorization.decision_resource(store, decision, rules)
    accept = [{"type": "accept"} for _ in case.actions]
    if not (said := authorization.decide_answer(account, case, accept)):
        return f"{hand_off}  ({said.reason})"
    return decide_hint(decision_id)


def decide_hint(decision_id: str) -> str:
    return (
        f'missions decide {decision_id} --approve | --reject --reason WHY | --edit \'{{"1": {{"ARG": VALUE}}}}\''
        " | --hand-off ROLE --reason WHY"
    )


def review_sheet_of(
    store: Any,
    decision: Any,
    rules: list[Any],
    events: list[dict[str, Any]] | None = None,
    run: Any = None,
    roster: dict[str, str] | None = None,
) -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.review import review_sheet

    return review_sheet(store, decision, rules, events=events, run=run, roster=roster)


def _roster() -> dict[str, str] | None:
    """Reviewer -> role (the accounts), to say whether a hand-off's target may approve; None when the accounts
    cannot be read (a listing still lists: deciding checks the accounts, and says why it refuses)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.governance import load_roster

    try:
        return load_roster(missions_home())
    except MissionsError:
        return None


def _rules() -> list[Any]:
    """The approval rules of record, read from the index's manifest (no vector store); none before an index."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.knowledge_index.policy_book import PolicyBook
    from ai_missions.services.governance import approval_rules

    try:
        return approval_rules(PolicyBook(knowledge_dir(missions_home())))
    except (MissionsError, OSError):
        return []


def _amount(text: str) -> float:
    """A sum of money: a finite number of 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected an amount of 0 or more, got {text!r}")
    return value


def _queue(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.queue_filters import QueueFilter
    from ai_missions.services.queue_filters import pending as filtered_pending

    check_known("--type", args.case_type, "case_types", args.mission)
    store = _store()
    viewer = _viewer(store)
    if args.can_approve and viewer is None:
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.services.identity import signed_in

        viewer = signed_in(missions_home(), store)  # "I" is the signed-in account, never a flag (refuses unsigned)
    approver = viewer if args.can_approve else None
    wanted = QueueFilter(args.case_type, args.min_amount, args.max_amount, approver, viewer)
    rules = _rules()
    found, total = filtered_pending(store, wanted, rules, mission=args.mission, limit=args.limit)
    roster = _roster() if found else None
    sheets = [review_sheet_of(store, d, rules, roster=roster) for d in found]
    pending = [{**asdict(d), **queue_facts(s)} for d, s in zip(found, sheets, strict=True)]

    def render(pending: list[dict[str, Any]]) -> str:
        if not pending:
            more = "" if wanted.active else ": run `missions demo` or `missions scan`"
            return f"no pending decisions{' match' if wanted.active else ''}{more}"
        header = ("DECISION", "DUE (UTC)", "MISSION", "SUBJECT", "AMOUNT", "NEEDS")
        table: list[tuple[str, ...]] = [header]
        for d, sheet in zip(pending, sheets, strict=True):
            table.append(
                (
                    d["decision_id"],
                    d["due_at"][5:16].replace("T", " ") if d.get("due_at") else "-",  # MM-DD HH:MM
                    d["mission"],
                    d["subject_id"],
                    f"{d['at_stake']:,.2f}" if d["at_stake"] is not None else "-",
                    needs_text(sheet.waiting_for),
                )
            )
        # who is needed keeps up to 32 characters; the actions get what is left of the row, as many whole names as
        # fit and how many more (`show` lists them all); where co-approval or a hand-off stands, a line below
        widths = [min(max(len(r[i]) for r in table), 32 if i == 5 else WIDTH) for i in range(len(header))]
        left = WIDTH - sum(widths) - 2 * len(widths)
        tools = [[a.tool for a in sheet.actions] for sheet in sheets]
        rows = [(*table[0], "ACTIONS")] + [(*r, fitted(t, left)) for r, t in zip(table[1:], tools, strict=True)]
        lines = columns(rows, width=WIDTH, shrinkable=(5,)).split("\n")
        text = [lines[0]]
        for line, d in zip(lines[1:], pending, strict=True):
            text.append(line)
            if d["state"] != "-":
                text += textwrap.wrap(d["state"], WIDTH, initial_indent="  └ ", subsequent_indent="    ")
        return "\n".join(text) + _more(total, len(pending), "pending decisions", "--limit")

    emit(pending, as_json=args.json, render=render)
    if args.json:
        _json_cut(total, len(pending), "pending decisions")
    return 0


def queue_facts(sheet: Any) -> dict[str, Any]:
    """What a queue row says beyond the decision: the money, who is needed, and where co-approval or a hand-off
    stands, in words (``signed by fiona (finance); needs ops_lead`` / ``handed to finance by omar``)."""
    amounts = [a.amount for a in sheet.actions if a.amount is not None]
    signed = [
        f"{a.signed_by} signed {a.number}" + (f" ({a.answer.split(' (')[0]})" if a.answer != "approved" else "")
        for a in sheet.actions
        if a.signed_by
    ]
    state = []
    if sheet.shared:
        state.append(f"co-approval: {'; '.join(signed) or 'nobody signed yet'}")
    if sheet.handed_to:
        h = sheet.handed_to
        cannot = f" ({h['to']} may approve none of it)" if h.get("may_approve") == [] else ""
        state.append(f"handed to {h['to']} by {h['by']}{cannot}")
    at_stake, moved = sheet.at_stake
    return {
        "actions_hash": sheet.actions_hash,
        "amount": max(amounts) if amounts else None,
        "at_stake": at_stake,
        "at_stake_moved": moved,
        "needs": sheet.waiting_for,
        "roles_needed": sheet.roles_needed,
        "co_approval": sheet.shared,
        "signed": [{"action": a.number, "by": a.signed_by, "answer": a.answer} for a in sheet.actions if a.signed_by],
        "still_needed": sheet.still_needed,
        "handed_to": sheet.handed_to,
        "state": "; ".join(state) or "-",
    }


def _decide(args: argparse.Namespace) -> int:
    """Checks everything it can before anything starts (the edit, the sign-in, the decision, the role), then
    decides through `missions serve` when one runs on this home, else in this process."""
    edits = None
    if args.edit is not None:
        try:
            raw = json.loads(args.edit)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"--edit is not valid JSON: {exc.msg}") from exc
        except RecursionError:  # nested deeper than the parser goes: no edit of an action's arguments is
            raise ValidationError("--edit is nested too deeply to be an edit of arguments") from None
        if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
            raise ValidationError('--edit expects {"<action number>": {<new arguments>}, ...}')
        try:
            edits = {int(k): v for k, v in raw.items()}
        except ValueError as exc:
            raise ValidationError("--edit keys are action numbers (1, 2, ...)") from exc
    if (args.reject or args.hand_off) and not (args.reason or "").strip():
        raise ValidationError(f"{'--reject' if args.reject else '--hand-off'} needs --reason")
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import saved_token, signed_in
    from ai_missions.services.platform_client import ServerUnavailable, running_server

    home = missions_home()
    store = _store()
    reviewer = signed_in(home, store)  # who decides comes from the token, never from a flag
    decision = store.get_decision(args.decision_id)
    if decision.status != "pending":
        unfinished = "" if decision.resumed else "; its execution was interrupted: `missions resume` finishes it"
        raise ConflictError(
            f"decision {args.decision_id} was already decided by {decision.decided_by} at {decision.decided_at}"
            f"{unfinished}"
        )
    if decision.request.get("served_by") == "langgraph" and not args.hand_off:
        raise ValidationError(
            f"decision {args.decision_id} belongs to a run of LangGraph's server (its checkpoint lives there): "
            f"answer it there, e.g. in Agent Inbox, signed in with your missions token"
        )
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services import authorization

    rules = _rules()
    if not args.hand_off:  # real arguments of real actions (each kind, the tool's schema), then the authorization
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.kernel.decisions import (
            shorthand,  # point's word, before anything starts (decide asks it again)
        )

        interrupts = decision.request.get("interrupts", [])
        if edits is not None:
            responses: list[Any] = shorthand(interrupts, edits=edits, schemas=decision.request.get("schemas"))
        else:
            kind = {"type": "response", "args": args.reason} if args.reject else {"type": "accept"}
            responses = [dict(kind) for _ in interrupts]
        case = authorization.decision_resource(store, decision, rules)
        if not (said := authorization.decide_answer(reviewer, case, responses)):
            raise ForbiddenError(f"{said.reason} (--hand-off TO --reason WHY passes it on)")
    if args.hand_off:
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.services.governance import load_roster
        from ai_missions.services.review import hand_off, handoff_text

        roster = load_roster(home)
        entry = hand_off(store, decision, reviewer, to=args.hand_off, reason=args.reason, roster=roster, rules=rules)
        sheet = review_sheet_of(store, decision, rules, roster=roster)
        emit(
            {**entry, "may_approve": sheet.handed_to.get("may_approve")},
            as_json=args.json,
            render=lambda _: f"Decision {args.decision_id} {handoff_text(sheet.handed_to, sheet.waiting_for)}",
        )
        return 0
    options: dict[str, Any] = {
        "approve": args.approve,
        "reject_reason": args.reason if args.reject else None,
        "edits": edits,
        "expected_hash": args.expected_hash,
    }
    server = running_server(home)
    if server is not None and server.serves(decision.mission):
        try:
            data = server.call("decide", {"decision_id": args.decision_id, **options}, token=saved_token(home))
        except ServerUnavailable:
            pass  # announced but not listening (it never got the call): decide here
        else:
            emit(data, as_json=args.json, render=lambda o: _describe(o, still_open(o)))
            return 1 if _failed(data) else 0
    return int(_decide_here(args, decision.mission, reviewer.name, options) or 0)


def _failed(outcome: dict[str, Any]) -> bool:
    return outcome.get("status") == "failed" or any(r.get("status") == "failed" for r in outcome.get("results", []))


def _deciding_runtime(mission: str) -> Any:
    """A runtime for deciding and finishing decisions: it starts only the systems its approved actions write to,
    on first need, and reads policies from the index's manifest (deciding searches nothing; the vector store's
    import alone would cost seconds)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.knowledge_index.policy_book import PolicyBook
    from ai_missions.runtime import MissionRuntime

    return MissionRuntime(mission, knowledge=PolicyBook(knowledge_dir(missions_home())), lazy_systems=True)


@_async
async def _decide_here(args: argparse.Namespace, mission: str, reviewer: str, options: dict[str, Any]) -> int:

    async with _deciding_runtime(mission) as runtime:
        outcome = await runtime.decide(args.decision_id, reviewer, **options)
    emit(outcome.to_dict(), as_json=args.json, render=lambda o: _describe(o, still_open(o)))
    return exit_code([outcome])


def still_open(outcome: dict[str, Any]) -> str | None:
    """After a reviewer signed their part of a shared plan: who signed what, who is still needed (None when the
    decision is no longer open)."""
    decision_id = outcome.get("decision_id")
    if not decision_id or outcome.get("status") != "awaiting_decision":
        return None
    store = _store()
    decision = store.get_decision(decision_id)
    if decision.status != "pending":
        return None
    sheet = review_sheet_of(store, decision, _rules())
    signed = [f"action {a.number} ({a.tool}) signed by {a.signed_by}" for a in sheet.actions if a.signed_by]
    if not signed:
        return f"awaits {sheet.waiting_for}: missions decide {decision_id} --approve"
    left = [
        f"{a.approver or ' or '.join(a.roles) or 'no role'} for {a.tool} (action {a.number})"
        for a in sheet.actions
        if not a.signed_by
    ]
    return f"{'; '.join(signed)}; still needed: {'; '.join(left)}; nothing runs until every action is signed"


def _may(reviewer: Any, verb: Any, run: dict[str, Any]) -> Any:
    """The authorization point's answer to ``reviewer`` abandoning, retrying or resuming ``run``: asked before a
    runtime starts (a one-line refusal in no time), and again by the runtime itself."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services import authorization

    case = authorization.run_resource(_store(), run, _rules(), with_decision=True)
    return authorization.answer(reviewer, verb, case)


@_async
async def _resume(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.runtime import MissionRuntime
    from ai_missions.services.identity import signed_in

    store = _store()
    reviewer = signed_in(missions_home(), store)  # who retries or resumes comes from the token, never from a flag
    outcomes: list[RunOutcome] = []
    if args.run_id:
        run = store.get_run(args.run_id)
        if not (said := _may(reviewer, "retry", run)):
            raise ForbiddenError(said.reason)
        async with MissionRuntime(run["mission"]) as runtime:
            outcome = await runtime.retry(args.run_id, by=reviewer.name)
        emit(outcome.to_dict(), as_json=args.json, render=lambda _: _describe(outcome))
        return exit_code([outcome])  # a retry that failed again is not a success
    waiting = store.decided_not_resumed()
    refused = [(d, said) for d in waiting if not (said := _may(reviewer, "resume", store.get_run(d.run_id)))]
    for mission in sorted({d.mission for d in waiting}):  # the runtime resumes what the account may (asking again)
        async with _deciding_runtime(mission) as runtime:
            outcomes.extend(await runtime.recover(by=reviewer.name))
    left = "".join(f"\n  left for its reviewers: decision {d.decision_id} ({said.reason})" for d, said in refused)

    def render(_: Any) -> str:
        return ("\n".join(_describe(o) for o in outcomes) or "nothing to resume") + left

    emit([o.to_dict() for o in outcomes], as_json=args.json, render=render)
    return exit_code(outcomes)


@_async
async def _abandon(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import refuse_unknown_outcome
    from ai_missions.runtime import MissionRuntime
    from ai_missions.services.identity import signed_in

    reviewer = signed_in(missions_home(), _store())  # who gives up comes from the token, never from a flag
    run = _store().get_run(args.run_id)
    refuse_unknown_outcome(run)  # before a runtime starts: a write in doubt is reconciled, not abandoned
    if not (said := _may(reviewer, "abandon", run)):
        raise ForbiddenError(said.reason)
    async with MissionRuntime(run["mission"], lazy_systems=True) as runtime:  # abandoning calls no system
        outcome = runtime.abandon(args.run_id, reviewer.name, args.reason)
    emit(outcome.to_dict(), as_json=args.json, render=lambda _: _describe(outcome))
    return 0


def _missions(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.missions import registry

    rows = [
        {
            "name": spec.name,
            "title": spec.title,
            "subject": spec.subject.kind,
            "systems": list(spec.systems),
            "case_types": list(spec.vocabulary.case_types),
            "outcomes": list(spec.vocabulary.outcomes),
            "description": spec.description,
        }
        for spec in registry().values()
    ]

    def render(rows: list[dict[str, Any]]) -> str:
        return "\n".join(
            f"{r['name']:<20} {r['title']} ({r['subject']}s; systems: {', '.join(r['systems'])})\n"
            f"{'':<20} {r['description']}"
            for r in rows
        )

    emit(rows, as_json=args.json, render=render)
    return 0


@_async
async def _demo(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.cli.demo import run_demo

    await run_demo(missions_home(), orders=args.orders, seed=args.seed, missions=args.missions, fresh=args.fresh)
    return 0
