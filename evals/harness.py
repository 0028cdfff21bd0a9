"""The harness: replay recorded exceptions hermetically, score them, apply the recorded decisions, compare end states.

For each case, in a sandbox of its own (:mod:`ai_missions.evals.sandbox`):

1. the case's snapshot is loaded into the sandbox's systems;
2. the mission runs through the real MCP interface with the chosen reasoner, to its verdict;
3. the verdict is scored against the recorded resolution (:mod:`ai_missions.evals.scoring`);
4. the recorded decisions are applied to the proposal: each action awaiting review is approved when the people
   took it (same tool and key arguments) and rejected otherwise, by a reviewer whose role may approve it (the
   case's own ``decided_by`` when the roster allows); the mission then runs to its end;
5. the sandbox's end state is compared with the state the recorded actions produce applied directly to the same
   snapshot (:mod:`ai_missions.evals.state`).

Cases run concurrently over a pool of sandboxes; each result is persisted as soon as it is known, so an interrupted
run resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ai_missions.evals.cases import Case
from ai_missions.evals.sandbox import Sandbox, Timings, remove_tree, scratch_root, timed
from ai_missions.evals.scoring import action_key, score_case
from ai_missions.evals.state import diff, expected_state_of
from ai_missions.evals.store import EvalStore
from ai_missions.governance import DEFAULT_ROSTER, approval_problems, approval_rules
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_action

Progress = Callable[[int, int, Mapping[str, Any]], None]

T = TypeVar("T")


@dataclass
class EvalConfig:
    """How an eval run replays its cases (recorded with the run)."""

    reasoner: str = "offline"
    #: Sandboxes replaying at once, over all worker processes.
    concurrency: int = 4
    #: Worker processes (each with its share of the sandboxes): the client side of a mission is CPU-bound.
    workers: int = 1
    limit: int | None = None
    #: Cache retrieval results per distinct question for the run (the index does not change during a run).
    retrieval_cache: bool = True
    llm_model: str | None = None
    llm_base_url: str | None = None
    #: A chat model object for the llm reasoner (tests pass a scripted one); never recorded.
    chat_model: Any = field(default=None, repr=False)

    def recorded(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("chat_model")
        return data

    def context(self) -> MissionContext:
        return MissionContext(
            reasoner="llm" if self.reasoner == "llm" else "offline",
            llm_model=self.llm_model,
            llm_base_url=self.llm_base_url,
            chat_model=self.chat_model,
        )


class CachedKnowledge:
    """A knowledge base whose search results are kept per distinct question for the length of an eval run.

    Everything else (policies, approval rules) passes through. The first time a question is asked it goes to the
    real index (one embedding, one Chroma query); ``hits`` and ``misses`` count the rest.
    """

    def __init__(self, base: Any, cache: dict[Any, Any] | None = None, stats: Counter[str] | None = None) -> None:
        self._base = base
        self._cache = {} if cache is None else cache
        self.stats: Counter[str] = Counter() if stats is None else stats

    def for_domains(self, domains: Any) -> CachedKnowledge:
        return CachedKnowledge(self._base.for_domains(domains), self._cache, self.stats)

    def search(self, query: str, k: int = 5, **filters: Any) -> Any:
        key = (self._base.allowed_domains, query, k, tuple(sorted((n, repr(v)) for n, v in filters.items())))
        if key in self._cache:
            self.stats["hits"] += 1
            return self._cache[key]
        self.stats["misses"] += 1
        hits = self._cache[key] = self._base.search(query, k, **filters)
        return hits

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def plan_responses(
    interrupts: Sequence[Mapping[str, Any]],
    gold: Sequence[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    *,
    roster: Mapping[str, str] = DEFAULT_ROSTER,
    preferred: str | None = None,
    facts: Mapping[str, Any] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The reviewer and one response per interrupt: accept what the people did, reject the rest.

    The reviewer is ``preferred`` when their role may approve every accepted action, else the first in the roster
    who may; when nobody may approve them all, the one who may approve the most, and the others are rejected. With
    the mission's ``facts``, an accepted action the guard would refuse without the rejected ones is rejected too.
    """
    remaining = Counter(action_key(str(a["tool"]), a.get("args") or {}) for a in gold)
    wanted: list[bool] = []
    for interrupt in interrupts:
        request = interrupt["action_request"]
        key = action_key(request["action"], request["args"])
        wanted.append(remaining[key] > 0)
        remaining[key] -= 1 if remaining[key] > 0 else 0
    actions = [
        {
            "tool": i["action_request"]["action"],
            "args": i["action_request"]["args"],
            "policy_ids": i.get("metadata", {}).get("policy_ids", []),
            "tier": "review",
        }
        for i in interrupts
    ]
    names = [n for n in ([preferred] if preferred in roster else []) + list(roster) if n is not None]

    def allowed(name: str) -> list[bool]:
        return [not approval_problems(roster[name], [a], rules) for a in actions]

    accepted = [a for a, w in zip(actions, wanted, strict=True) if w]
    reviewer = next((n for n in names if not approval_problems(roster[n], accepted, rules)), None)
    if reviewer is None:
        reviewer = max(names, key=lambda n: sum(w and ok for w, ok in zip(wanted, allowed(n), strict=True)))
    permitted = allowed(reviewer)
    responses: list[dict[str, Any]] = []
    approved: list[dict[str, Any]] = []
    for action, want, ok in zip(actions, wanted, permitted, strict=True):
        problems = check_action(action, facts or {}, earlier=approved) if want and ok and facts is not None else []
        if want and ok and not problems:
            responses.append({"type": "accept"})
            approved.append(action)
        elif problems:  # e.g. a confirmation whose reallocation was rejected: the guard would refuse the plan
            responses.append({"type": "response", "args": f"not on its own: {'; '.join(problems)}"})
        elif want:
            responses.append({"type": "response", "args": f"taken in the record, but {reviewer} may not approve it"})
        else:
            responses.append({"type": "response", "args": "not what the people did in the recorded resolution"})
    return reviewer, responses


async def replay(
    sandbox: Sandbox, case: Case, rules: Sequence[ApprovalRule], timings: Timings | None
) -> dict[str, Any]:
    """Replay one case in a sandbox; returns its result (scores, end-state comparison, latency, usage)."""
    result: dict[str, Any] = {
        "case_id": case.case_id,
        "order_id": case.order_id,
        "kind": case.kind,
        "types": list(case.trigger.exception_types),
        "tags": list(case.tags),
        "gold_outcome": case.resolution.outcome,
    }
    started = time.perf_counter()
    runtime = sandbox.runtime
    run_id: str | None = None
    try:
        with timed(timings, "snapshot load"):
            sandbox.load(case.snapshot)
            starting = sandbox.copy()
        trigger = {"source": "eval", "case_id": case.case_id, **case.trigger.model_dump()}
        outcome = await runtime.start(case.order_id, trigger=trigger)
        run_id = outcome.run_id
        result["latency_ms"] = (time.perf_counter() - started) * 1000
        values = outcome.state
        gold = [a.model_dump() for a in case.resolution.actions]
        facts = values.get("facts", {})
        result.update(score_case(case.resolution.outcome, gold, outcome.verdict, values.get("proposal"), facts))
        usage = values.get("usage") or {}
        result.update({k: int(usage.get(k, 0)) for k in ("llm_calls", "input_tokens", "output_tokens")})
        result["mission_run_id"] = run_id
        if outcome.decision_id is not None:
            decided = time.perf_counter()
            interrupts = runtime.store.get_decision(outcome.decision_id).request["interrupts"]
            reviewer, responses = plan_responses(
                interrupts, gold, rules, preferred=case.resolution.decided_by, facts=facts
            )
            outcome = await runtime.decide(outcome.decision_id, reviewer, responses=responses)
            result["reviewer"] = reviewer
            result["decide_ms"] = (time.perf_counter() - decided) * 1000
        result["status"] = outcome.status
        result["executed"] = [f"{r['tool']}:{r['status']}" for r in outcome.results]
        with timed(timings, "end-state comparison"):
            _compare(result, sandbox, starting, gold)
    except Exception as exc:  # one broken case must not stop the run: it is recorded as an error
        result.update(error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=6))
        result.setdefault("agree", False)
    finally:
        if run_id is not None:
            sandbox.forget(run_id)
    result["total_ms"] = (time.perf_counter() - started) * 1000
    return result


def _compare(
    result: dict[str, Any], sandbox: Sandbox, starting: dict[str, Any], gold: Sequence[Mapping[str, Any]]
) -> None:
    expected, problems = expected_state_of(starting, gold)
    differences = diff(expected, sandbox.state())
    result.update(state_match=not differences, state_diff=differences, expected_problems=problems)


@dataclass
class Pool:
    """Sandboxes for a run, opened at once, closed together."""

    sandboxes: list[Sandbox]
    root: Path

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.sandboxes), return_exceptions=True)
        remove_tree(self.root)


async def open_pool(size: int, first: Case, config: EvalConfig, knowledge: Any, timings: Timings | None = None) -> Pool:
    root = scratch_root()
    sandboxes = [
        Sandbox(root / f"sandbox-{i}", context=config.context(), knowledge=knowledge, timings=timings)
        for i in range(size)
    ]
    try:
        await asyncio.gather(*(s.open(first.snapshot) for s in sandboxes))
    except BaseException:
        await Pool(sandboxes, root).close()
        raise
    return Pool(sandboxes, root)


async def run_cases(
    cases: Sequence[Case],
    config: EvalConfig,
    knowledge: Any,
    *,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> None:
    """Replay ``cases`` over a pool of ``config.concurrency`` sandboxes; ``on_result`` gets each result in turn."""
    if not cases:
        return
    if config.retrieval_cache and not isinstance(knowledge, CachedKnowledge):
        knowledge = CachedKnowledge(knowledge)
    rules = approval_rules(knowledge)
    pool = await open_pool(max(1, min(config.concurrency, len(cases))), cases[0], config, knowledge, timings)
    queue: asyncio.Queue[Case] = asyncio.Queue()
    for case in cases:
        queue.put_nowait(case)
    done = 0

    async def work(sandbox: Sandbox) -> None:
        nonlocal done
        while True:
            try:
                case = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            result = await replay(sandbox, case, rules, timings)
            with timed(timings, "persist result"):
                on_result(result)
            done += 1
            if progress is not None:
                progress(done, len(cases), result)

    try:
        await asyncio.gather(*(work(s) for s in pool.sandboxes))
    finally:
        await pool.close()


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal, a line every tenth of the run otherwise."""

    def __init__(self, stream: Any = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.started: float | None = None
        self.agree = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, result: Mapping[str, Any]) -> None:
        now = time.perf_counter()
        if self.started is None:  # the first case: sandboxes are up, measure from here
            self.started = now
        self.agree += bool(result.get("agree"))
        rate = (done - 1) / (now - self.started) if now > self.started else 0.0
        if not self.tty and done != total and done % max(1, total // 10):
            return
        filled = int(self.width * done / total)
        left = f"~{(total - done) / rate:4.0f}s left" if rate else ""
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {rate:5.1f} cases/s "
            f"agree {self.agree / done:5.1%} {left}"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done == total:
            self.stream.write("\n")
        self.stream.flush()


def open_knowledge(home: Path) -> Any:
    """The policy index of ``home`` (built on first use), read-only for the run."""
    from ai_missions.knowledge_index.index import build, read_manifest
    from ai_missions.knowledge_index.retrieval import KnowledgeBase
    from ai_missions.settings import knowledge_dir

    directory = knowledge_dir(home)
    if not read_manifest(directory).get("embedder"):
        print("Building the policy index (first use)...", file=sys.stderr)
        build(directory=directory)
    return KnowledgeBase(directory)


def _worker(
    lines: list[str], config: dict[str, Any], home: str, out: Any, profile: bool
) -> None:  # pragma: no cover - runs in a child process
    """A worker process: replay its share of the cases over its own sandboxes, sending each result back."""
    from ai_missions.evals.cases import parse_case

    cases = [parse_case(line) for line in lines]
    timings = Timings() if profile else None
    try:
        knowledge = open_knowledge(Path(home))
        asyncio.run(run_cases(cases, EvalConfig(**config), knowledge, on_result=out.put, timings=timings))
    finally:
        out.put({"__done__": True, "timings": dict(timings.seconds) if timings else {}})


def run_in_workers(
    cases: Sequence[Case],
    config: EvalConfig,
    home: Path,
    *,
    on_result: Callable[[dict[str, Any]], None],
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> None:
    """Split the cases over ``config.workers`` processes (spawned), each with its share of the sandboxes."""
    import multiprocessing
    import queue as queues

    workers = max(1, min(config.workers, len(cases)))
    share = EvalConfig(**{**config.recorded(), "concurrency": max(1, -(-config.concurrency // workers))})
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=([c.to_line() for c in cases[i::workers]], share.recorded(), str(home), out, timings is not None),
            daemon=True,
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    done = finished = 0
    try:
        while finished < workers:
            try:
                item = out.get(timeout=1.0)
            except queues.Empty:
                if not any(p.is_alive() for p in processes):
                    raise RuntimeError("an eval worker process died without finishing its cases") from None
                continue
            if item.get("__done__"):
                finished += 1
                for stage, seconds in item["timings"].items():
                    if timings is not None:
                        timings.add(stage, seconds)
                continue
            on_result(item)
            done += 1
            if progress is not None:
                progress(done, len(cases), item)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, also where an event loop already runs (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def evaluate(
    store: EvalStore,
    run_id: str,
    cases: Sequence[Case],
    config: EvalConfig,
    knowledge: Any,
    *,
    home: Path | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> dict[str, Any]:
    """Replay the cases of a run not yet finished, persisting each as it comes, then summarise the run (blocking).

    With ``config.workers`` above 1 (and no chat model object, which cannot cross processes) the cases are split
    over worker processes that open the knowledge base of ``home`` themselves.
    """
    finished = store.finished_case_ids(run_id)
    todo = [c for c in cases if c.case_id not in finished]

    def save(result: dict[str, Any]) -> None:
        store.add_result(run_id, result)

    if config.workers > 1 and config.chat_model is None and home is not None and len(todo) > 1:
        run_in_workers(todo, config, home, on_result=save, progress=progress, timings=timings)
    else:
        run_blocking(run_cases(todo, config, knowledge, on_result=save, progress=progress, timings=timings))
    return store.finish(run_id)


async def quick_eval(home: Path, dataset: Path | None = None, *, concurrency: int = 2) -> tuple[str, dict[str, Any]]:
    """A short eval run in this process and event loop (``missions demo``): the CI slice by default, recorded in
    ``home``'s eval store like any run. Returns the run id and its summary (with ``seconds``)."""
    from ai_missions.evals.cases import CI_SLICE, dataset_hash, load_cases
    from ai_missions.evals.store import store_dir

    dataset = dataset or CI_SLICE
    cases = load_cases(dataset)
    config = EvalConfig(concurrency=concurrency, workers=1)
    store = EvalStore(store_dir(home))
    try:
        run_id = store.create_run(
            dataset=str(dataset), dataset_hash=dataset_hash(dataset), config=config.recorded(), cases_total=len(cases)
        )
        started = time.perf_counter()
        await run_cases(cases, config, open_knowledge(home), on_result=lambda r: store.add_result(run_id, r))
        summary = {**store.finish(run_id), "seconds": time.perf_counter() - started}
    finally:
        store.close()
    return run_id, summary
