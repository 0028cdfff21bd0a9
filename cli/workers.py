"""Mission triggers and eval cases processed by workers on any number of machines, on procrastinate.

procrastinate is a task queue whose queue is a table of the Postgres database the shared state already needs
(``MISSIONS_DATABASE_URL``): no second service to run, and enqueueing a job can share the database's guarantees.
``missions scan --engine procrastinate`` and ``missions eval run --engine procrastinate`` enqueue; ``missions
worker`` (on any machine with the same setting and the same book) takes jobs one at a time.

Nothing is lost when a worker dies mid-case: every worker sends heartbeats and reaps the jobs of workers whose
heartbeat stopped (procrastinate's stalled jobs), putting them back in the queue for another worker. A retried
trigger finds the run its first attempt created (the run id travels with the job) and finishes it from its last
checkpoint; side effects stay exactly-once as everywhere (writes wait for a decided decision and carry
idempotency keys). A retried eval case whose result was already stored is not replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_missions.kernel import blocking
from ai_missions.kernel.database import (
    SETTING,
    DatabaseConfigError,
    PgConnection,
    database_url,
    lock_key,
    no_commit_wait,
)
from ai_missions.kernel.errors import ForbiddenError, NotFoundError

ENGINES = ("local", "procrastinate")
#: What an eval job's ``config`` says: how its case is replayed (data). The model's endpoint, key and name, and any
#: path, are the worker's own settings (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``OPENAI_MODEL``, its home): a job
#: naming one is refused (issue 59, item 4: a queued job chose the endpoint, and the worker sent it its key).
JOB_CONFIG = (
    "mission",
    "reasoner",
    "concurrency",
    "workers",
    "limit",
    "retrieval_cache",
    "llm_timeout_s",
    "policies_per_type",
)
MISSIONS_QUEUE = "missions"
EVALS_QUEUE = "evals"


def queue_names() -> tuple[str, ...]:
    """The queues a worker can take jobs from (``missions worker --queue``)."""
    return (MISSIONS_QUEUE, EVALS_QUEUE)


#: A worker's heartbeat period; a worker silent for STALLED_AFTER heartbeats is taken for dead.
HEARTBEAT_S = float(os.environ.get("MISSIONS_WORKER_HEARTBEAT_S", "2"))
STALLED_AFTER = 5


def require_url(what: str = "--engine procrastinate") -> str:
    """The shared database's URL, which ``what`` (the command or option asking) cannot work without."""
    url = database_url()
    if url is None:
        raise DatabaseConfigError(f"{what} needs {SETTING} (a postgresql:// URL): its queue is there")
    return url


def make_app(url: str, *, wait_for_commits: bool = True) -> Any:
    """The procrastinate app over ``url``, with the tasks of this module. ``wait_for_commits=False``: for a worker
    whose jobs can all be redone (eval cases: each checks for its stored result first), the queue's commits do not
    wait for their WAL flush (:func:`~ai_missions.kernel.database.no_commit_wait`)."""
    import procrastinate

    arguments = {} if wait_for_commits else no_commit_wait(url)
    connector = procrastinate.PsycopgConnector(conninfo=url, min_size=1, max_size=4, kwargs=arguments)
    app = procrastinate.App(connector=connector)
    retry = procrastinate.RetryStrategy(max_attempts=5, wait=int(HEARTBEAT_S * STALLED_AFTER))
    app.task(name="missions:start_mission", queue=MISSIONS_QUEUE, retry=retry)(start_mission)
    app.task(name="missions:eval_case", queue=EVALS_QUEUE, retry=retry)(eval_case)
    return app


def job_config(config: Any) -> dict[str, Any]:
    """An eval job's ``config`` as data (:data:`JOB_CONFIG`); ForbiddenError, in one line, when it names anything
    else (an endpoint, a key, a model, a path): those come from the worker's own settings only."""
    if not isinstance(config, Mapping):
        kind = type(config).__name__
        raise ForbiddenError(f"an eval job's config is an object of {', '.join(JOB_CONFIG)}, not {kind}")
    if named := sorted(str(k) for k in config if k not in JOB_CONFIG):
        raise ForbiddenError(
            f"an eval job may not set {', '.join(named)}: endpoints, keys, models and paths come from the worker's "
            f"settings; a job carries only {', '.join(JOB_CONFIG)}"
        )
    return dict(config)


async def ensure_schema(app: Any, url: str) -> None:
    """Create procrastinate's tables on first use (once, even with many processes starting at once)."""

    db = PgConnection(url)
    try:
        with db.transaction(lock_key(f"missions-procrastinate:{db.schema}")):
            exists = db.raw.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()[0]
            if not exists:
                db.script(app.schema_manager.get_schema())
    finally:
        db.close()


# -- what a worker holds between jobs -----------------------------------------------------------------------------
class WorkerState:
    """A worker process's warm resources: a :class:`~ai_missions.client.MissionClient` (one runtime per mission,
    its MCP sessions open) for triggers, and one eval sandbox per configuration for eval cases.

    A trigger's run lives on the client's own loop (its portal thread) and its task is synchronous, so procrastinate
    runs it off the worker's loop: a long run never delays the worker's heartbeat. An eval case is a coroutine on
    the worker's loop, its sandbox opened there: a replay blocks the loop for tens of milliseconds at most, and
    where it crossed two threads a case (procrastinate's executor, then the portal) it now crosses none."""

    def __init__(self, home: Path) -> None:
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.client import MissionClient

        self.home = home
        self.client = MissionClient(home)
        self.sandboxes: dict[str, tuple[Any, Any, Any]] = {}
        self._opened = contextlib.AsyncExitStack()
        self._eval_store: Any = None

    def open(self) -> WorkerState:
        self.client.open()
        return self

    async def close(self) -> None:
        try:
            await self._opened.aclose()
        finally:
            self.client.close()

    def eval_store(self) -> Any:
        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.evals.store import EvalStore, store_dir

        if self._eval_store is None:
            self._eval_store = EvalStore(store_dir(self.home))
        return self._eval_store

    async def sandbox(self, config: dict[str, Any], first: Any) -> tuple[Any, Any, Any]:
        """A sandbox for cases of ``config`` (opened on the first case), its approval rules and eval plugin."""
        import json

        # deferred: start-up time (`missions --help` loads every area)
        from ai_missions.evals.solve import CachedKnowledge, EvalConfig, open_knowledge
        from ai_missions.kernel.eval_plugin import plugin_of
        from ai_missions.kernel.missions import get_mission
        from ai_missions.services.governance import approval_rules

        key = json.dumps(config, sort_keys=True)
        if key not in self.sandboxes:
            settings = EvalConfig(**config)
            spec = get_mission(settings.mission)
            plugin = plugin_of(spec.name)
            knowledge = open_knowledge(self.home)
            if settings.retrieval_cache:
                knowledge = CachedKnowledge(knowledge)
            sandbox = await self._opened.enter_async_context(
                _opened_sandbox(first, spec, plugin, settings.context(), knowledge)
            )
            self.sandboxes[key] = (sandbox, approval_rules(knowledge), plugin)
        return self.sandboxes[key]


@contextlib.asynccontextmanager
async def _opened_sandbox(first: Any, spec: Any, plugin: Any, context: Any, knowledge: Any) -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.solve import open_pool

    with blocking.inline():  # the sandbox's in-process servers run their SQLite calls inline, as in `solve`
        pool = await open_pool(1, first, spec, plugin, context, knowledge)
    try:
        yield pool.sandboxes[0]
    finally:
        await pool.close()


_STATE: WorkerState | None = None


def _state() -> WorkerState:
    if _STATE is None:
        raise RuntimeError("a missions task runs in `missions worker` only")
    return _STATE


# -- the tasks ------------------------------------------------------------------------------------------------------
#: The reasoners a trigger job may ask for (the llm one on the worker's own endpoint and key).
REASONERS = ("offline", "llm")


def start_mission(
    mission: str,
    subject_id: str,
    run_id: str,
    trigger: dict[str, Any],
    reasoner: str,
    found_at: str,
    **named: Any,
) -> str:
    """Handle one trigger: start the run ``run_id`` on the subject, or finish it when a worker that had it died. A
    job naming anything else (an endpoint, a key, a path) or an unknown reasoner is refused in one line and ends:
    the worker's settings are its own."""
    if named or reasoner not in REASONERS:
        why = (
            f"it may not set {', '.join(sorted(named))}: endpoints, keys and paths come from the worker's settings"
            if named
            else f"reasoner {reasoner!r} is not one of {', '.join(REASONERS)}"
        )
        print(f"missions worker: trigger job for {mission} {subject_id} refused: {why}", file=sys.stderr)
        return "refused"
    client = _state().client
    store = client.store
    try:
        run = store.get_run(run_id)
    except NotFoundError:
        run = None
    try:
        if run is None:
            if handled_elsewhere(store, mission, subject_id, run_id, trigger, found_at):
                return "duplicate"
            return str(client.start(mission, subject_id, reasoner=reasoner, trigger=trigger, run_id=run_id).status)
        if run["status"] in ("running", "executing"):
            stalled = HEARTBEAT_S * STALLED_AFTER
            if run_id not in {r["run_id"] for r in store.stale_runs(mission, idle_s=stalled)}:
                raise RuntimeError(f"run {run_id} recorded progress in the last {stalled:g} s: try again later")
            reason = "the worker running this case stopped; another worker takes it over from its last checkpoint"
            store.append_events(run_id, [{"kind": "error", "node": "worker", "source": "worker", "summary": reason}])
            store.update_run(run_id, status="failed", summary=reason)
            return str(client.retry(run_id, by=None).status)  # the platform itself takes over a stalled run
    except RuntimeError:
        raise
    except Exception as exc:  # recorded on the run as failed by the runtime; a retry would fail the same way
        print(f"missions worker: {mission} {subject_id}: {exc}", file=sys.stderr)
        return "failed"
    return str(run["status"])  # handled before: a decision waits, or the run ended


def handled_elsewhere(
    store: Any, mission: str, subject_id: str, run_id: str, trigger: dict[str, Any], found_at: str
) -> bool:
    """Whether another run took this subject's case since it was found (two scans enqueued the same case)."""
    if subject_id in store.active_subjects(mission):
        return True
    types = sorted(trigger.get("case_types") or [])
    for run in store.list_runs(mission=mission, subject_id=subject_id, since=found_at, limit=20):
        if run["run_id"] != run_id and sorted(run["case_types"]) == types:
            return True
    return False


async def eval_case(eval_run: str, case: str, config: dict[str, Any]) -> str:
    """Replay one eval case and store its result (not again when a result is already stored). Its synchronous work
    (the sandbox's SQLite, the store's one-row reads and writes) runs inline: this loop serves one job at a time
    and a heartbeat, and a thread hop costs more than the short call it carries (:mod:`ai_missions.kernel.blocking`)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.evals.replay import replay
    from ai_missions.kernel.cases import parse_case

    try:
        config = job_config(config)  # before anything: a job carries data, never the worker's configuration
    except ForbiddenError as exc:  # ends the job (a retry would be refused the same way), said in one line
        print(f"missions worker: eval job of run {eval_run} refused: {exc}", file=sys.stderr)
        return "refused"
    state = _state()
    store = state.eval_store()
    parsed = parse_case(case)
    if store.has_result(eval_run, parsed.case_id):
        return "done before"
    sandbox, rules, plugin = await state.sandbox(config, parsed)
    with blocking.inline():
        result = await replay(sandbox, parsed, rules, plugin.scorers, None)
    store.add_result(eval_run, result)
    return "done"


# -- enqueueing -----------------------------------------------------------------------------------------------------
async def enqueue_triggers(
    url: str, mission: str, found: dict[str, list[str]], subjects: Sequence[str], *, reasoner: str
) -> list[str]:
    """Queue one job per new case; a case already queued (another scan got there first) is not queued again.
    Returns the run ids of the jobs queued."""
    import uuid

    import procrastinate.exceptions

    app = make_app(url)
    queued: list[str] = []
    async with app.open_async():
        await ensure_schema(app, url)
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        for subject_id in subjects:
            run_id = f"R-{uuid.uuid4().hex[:12]}"
            trigger = {"source": "scan", "subject_id": subject_id, "case_types": found[subject_id]}
            task = app.configure_task(
                "missions:start_mission",
                queueing_lock=f"{mission}:{subject_id}",
                lock=f"{mission}:{subject_id}",
            )
            with contextlib.suppress(procrastinate.exceptions.AlreadyEnqueued):
                await task.defer_async(
                    mission=mission,
                    subject_id=subject_id,
                    run_id=run_id,
                    trigger=trigger,
                    reasoner=reasoner,
                    found_at=now,
                )
                queued.append(run_id)
    return queued


async def scan_and_enqueue(runtime: Any, url: str, *, reasoner: str = "offline", limit: int | None = None) -> list[str]:
    """Queue a job per new case for ``missions worker`` (procrastinate); returns the run ids queued."""
    from ai_missions.scanner import cursor_key, new_cases  # deferred: start-up time (the scanner loads the runtime)

    found, candidates, cursor = await new_cases(runtime, limit=limit)
    queued = await enqueue_triggers(url, runtime.mission, found, candidates, reasoner=reasoner)
    runtime.store.set_meta(cursor_key(runtime.mission), cursor)
    return queued


async def enqueue_cases(url: str, eval_run: str, cases: Sequence[Any], config: dict[str, Any]) -> int:
    app = make_app(url)
    async with app.open_async():
        await ensure_schema(app, url)
        task = app.configure_task("missions:eval_case")
        await task.batch_defer_async(*({"eval_run": eval_run, "case": c.to_line(), "config": config} for c in cases))
    return len(cases)


async def failed_cases(url: str, eval_run: str) -> int:
    """Eval jobs of ``eval_run`` that failed for good (every attempt raised)."""

    db = PgConnection(url)
    try:
        row = db.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'missions:eval_case' AND status = 'failed'"
            " AND args ->> 'eval_run' = ?",
            (eval_run,),
        ).fetchone()
        return int(row[0])
    finally:
        db.close()


def evaluate_on_workers(
    store: Any, eval_run: str, cases: Sequence[Any], config: dict[str, Any], *, progress: Any = None
) -> dict[str, Any]:
    """Queue the cases of ``eval_run`` not finished yet, wait for the workers' results, summarise the run."""
    import time

    url = require_url()
    finished = store.finished_case_ids(eval_run)
    todo = [c for c in cases if c.case_id not in finished]
    share = {**{k: v for k, v in config.items() if k in JOB_CONFIG}, "workers": 1, "concurrency": 1}  # data only
    asyncio.run(enqueue_cases(url, eval_run, todo, share))
    wanted = {c.case_id for c in cases}
    done = len(wanted & finished)
    while done < len(wanted):
        time.sleep(0.5)
        now = len(wanted & store.finished_case_ids(eval_run))
        if progress is not None and now > done:
            progress(now, len(wanted), {})
        done = now
        if done < len(wanted) and (failed := asyncio.run(failed_cases(url, eval_run))):
            raise RuntimeError(
                f"{failed} case(s) of eval run {eval_run} failed on the workers (see their logs); "
                f"`missions eval run --resume {eval_run} --engine procrastinate` queues the rest again"
            )
    return dict(store.finish(eval_run))


# -- the worker -----------------------------------------------------------------------------------------------------
async def reap_stalled(app: Any, every_s: float, stalled_s: float) -> None:
    """Put back in the queue the jobs of workers whose heartbeat stopped (any live worker does this)."""
    while True:
        await asyncio.sleep(every_s)
        with contextlib.suppress(Exception):  # the next round tries again
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_s):
                await app.job_manager.retry_job(job)
                print(f"missions worker: job {job.id} of a stopped worker is queued again", file=sys.stderr)


async def run_worker(home: Path, *, queues: Sequence[str] | None = None, name: str | None = None) -> None:
    """Take jobs until stopped (SIGINT/SIGTERM finish the job in hand first)."""
    global _STATE
    url = require_url("missions worker")
    # workers are run one per core, each a job at a time: one embedding thread each, where onnxruntime's default
    # (a thread per core in every worker) puts two workers' four threads on two cores
    os.environ.setdefault("MISSIONS_ONNX_THREADS", "1")
    app = make_app(url, wait_for_commits=not queues or set(queues) != {EVALS_QUEUE})
    _STATE = state = WorkerState(home).open()
    try:
        await _work(app, url, queues, name)
    finally:
        await state.close()


async def _work(app: Any, url: str, queues: Sequence[str] | None, name: str | None) -> None:
    async with app.open_async():
        await ensure_schema(app, url)
        reaper = asyncio.create_task(reap_stalled(app, HEARTBEAT_S, HEARTBEAT_S * STALLED_AFTER))
        try:
            await app.run_worker_async(
                queues=list(queues) if queues else None,
                name=name,
                concurrency=1,
                update_heartbeat_interval=HEARTBEAT_S,
                stalled_worker_timeout=HEARTBEAT_S * STALLED_AFTER,
                fetch_job_polling_interval=1.0,
                delete_jobs="successful",
            )
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper
