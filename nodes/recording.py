"""Runs of an exported graph in the run store: what ``langgraph dev`` (LangGraph's own server) runs shows up in
``missions runs``, ``missions show`` and the dashboard like a run the runtime started.

The runtime records its runs itself (it drives the graph and writes what the stream carries); a graph that
LangGraph's server drives has nobody to do that. So each graph named in ``langgraph.json`` is compiled with every
node wrapped (:func:`recorded`): the first step creates the run (the LangGraph thread is the run), each step
appends the audit events it emitted, and the run's status, verdict and case types follow its steps, through the
same :class:`~ai_missions.kernel.store.RunStore` calls the runtime makes. The store is the one of the context's ``home``
(else ``MISSIONS_HOME``). Store work runs off the event loop (the server refuses blocking calls).

A run that pauses for a reviewer is recorded as ``awaiting_decision``; its checkpoint lives in LangGraph's server,
so it is resumed there (its Decision Queue), not by ``missions decide``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from langgraph.config import get_config
from langgraph.errors import GraphInterrupt
from langgraph.runtime import Runtime

from ai_missions.kernel.decisions import request_hash
from ai_missions.kernel.errors import ConflictError, MissionsError, NotFoundError
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.observe import collecting
from ai_missions.nodes.resources import home_of, knowledge_of, off_loop
from ai_missions.nodes.state import Node
from ai_missions.services import deadlines

#: How a decision opened by a run of LangGraph's server is marked in the queue.
SERVED_BY = "langgraph"
#: The step that starts a run (it creates the run's record).
FIRST_STEP = "gather"


@cache
def _store(path: str) -> RunStore:
    return RunStore(Path(path))


def _run_id() -> str | None:
    """The run's id: the LangGraph thread (a run is one thread, as in the runtime); None outside a thread."""
    thread = (get_config().get("configurable") or {}).get("thread_id")
    return str(thread) if thread else None


def recorded(spec: MissionSpec, name: str, node: Any) -> Node:
    """``node`` (async ``(state, runtime)`` or sync ``(state)``), recording into the run store as it runs."""
    is_async = inspect.iscoroutinefunction(node)
    takes_runtime = len(inspect.signature(node).parameters) > 1

    async def step(state: dict[str, Any], runtime: Runtime[MissionContext]) -> Any:
        run_id = _run_id()
        if run_id is None:
            return await _call(node, is_async, takes_runtime, state, runtime)
        home = await off_loop(home_of, runtime.context)  # a relative MISSIONS_HOME is resolved against the cwd
        store = await off_loop(_store, str(runs_db(home)))
        if name == FIRST_STEP:
            await off_loop(_started, store, spec, run_id, state, runtime.context)
        with collecting() as events:
            try:
                update = await _call(node, is_async, takes_runtime, state, runtime)
            except GraphInterrupt as paused:
                await off_loop(_record, store, run_id, events, {"status": "awaiting_decision"})
                await off_loop(_queued, store, spec, run_id, state, paused, runtime.context)
                raise
            except Exception as exc:
                reason = str(exc) if isinstance(exc, MissionsError) else f"{type(exc).__name__}: {exc}"
                events.append({"kind": "error", "summary": reason, "node": name})
                await off_loop(_record, store, run_id, events, {"status": "failed", "summary": reason})
                raise
        await off_loop(_record, store, run_id, events, _fields(spec, name, update))
        if name == "request_approval" and isinstance(update, Mapping) and update.get("decision"):
            await off_loop(_decided, store, update["decision"])
        return update

    step.__name__ = step.__qualname__ = getattr(node, "__name__", name)
    return step


async def _call(node: Any, is_async: bool, takes_runtime: bool, state: Any, runtime: Any) -> Any:
    args = (state, runtime) if takes_runtime else (state,)
    return await node(*args) if is_async else await off_loop(node, *args)


def _started(
    store: RunStore, spec: MissionSpec, run_id: str, state: Mapping[str, Any], context: MissionContext | None
) -> None:
    """The run's record and its trigger event, once (a step that runs again after a failure adds nothing)."""
    if store.read().execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is not None:
        return
    subject_id = str(state.get("subject_id", ""))
    trigger = dict(state.get("trigger") or {"source": "langgraph", "subject_id": subject_id})
    store.create_run(  # refused while another run or decision holds the case: a case is decided once
        run_id,
        mission=spec.name,
        subject_id=subject_id,
        reasoner=(context or MissionContext()).reasoner,
        case_types=list(trigger.get("case_types", [])),
        exclusive=True,
    )
    source = str(trigger.get("source") or "langgraph")
    store.append_events(run_id, [{"kind": "trigger", "node": "trigger", "source": source, "data": trigger}])


def _fields(spec: MissionSpec, name: str, update: Any) -> dict[str, Any]:
    """What a step's state update changes in the run's record (as the runtime settles it)."""
    if not isinstance(update, Mapping):
        return {}
    fields: dict[str, Any] = {}
    if isinstance(types := (update.get("facts") or {}).get(spec.vocabulary.types_fact), list):
        fields["case_types"] = types
    if verdict := update.get("verdict"):
        fields.update(outcome=verdict["outcome"], confidence=verdict["confidence"], summary=verdict["summary"])
    if name == "request_approval" and update.get("decision"):
        fields["status"] = "executing"  # decided: no longer awaiting (an answer refused decided nothing)
    if update.get("status"):
        fields["status"] = update["status"]
    return fields


def _record(store: RunStore, run_id: str, events: list[dict[str, Any]], fields: Mapping[str, Any]) -> None:
    if events:
        store.append_events(run_id, events)
    if fields:
        store.update_run(run_id, **fields)


def _queued(
    store: RunStore,
    spec: MissionSpec,
    run_id: str,
    state: Mapping[str, Any],
    paused: GraphInterrupt,
    context: MissionContext | None,
) -> None:
    """The paused run's question in the Decision Queue, so ``missions queue`` and the dashboard list it (marked as
    served by LangGraph's server: it is answered there, where its checkpoint lives)."""
    for pending in paused.args[0] if paused.args else ():
        request = getattr(pending, "value", None)
        if not isinstance(request, list) or not request or not isinstance(request[0], Mapping):
            continue
        decision_id = str(request[0].get("metadata", {}).get("decision_id") or "")
        if decision_id:
            store.open_decision(
                decision_id,
                run_id=run_id,
                mission=spec.name,
                subject_id=str(state.get("subject_id", "")),
                request={"interrupts": request, "actions_hash": request_hash(request), "served_by": SERVED_BY},
                due_at=_due(store, spec, run_id, state, knowledge_of(context)),
            )


def _due(store: RunStore, spec: MissionSpec, run_id: str, state: Mapping[str, Any], knowledge: Any) -> str | None:
    """When the paused run's decision is due, as the runtime dates its own: from the run's start, its case types
    and facts, by the indexed policies' deadlines (:mod:`ai_missions.services.deadlines`); None when none applies."""
    facts = state.get("facts") or {}
    types = facts.get(spec.vocabulary.types_fact)
    started = datetime.fromisoformat(str(store.get_run(run_id)["created_at"]))
    due = deadlines.due_at(spec, started, [str(t) for t in types] if isinstance(types, list) else [], facts, knowledge)
    return due.isoformat(timespec="milliseconds") if due else None


def _decided(store: RunStore, decision: Mapping[str, Any]) -> None:
    """The queue's record of an answer given through LangGraph's server: decided by the authenticated reviewer."""
    decision_id = str(decision.get("decision_id") or "")
    if not decision_id or decision.get("role") is None:
        return  # nobody the platform knows answered: the decision stays open in the queue
    try:
        store.claim_decision(
            decision_id, reviewer=str(decision["reviewer"]), role=str(decision["role"]), response=dict(decision)
        )
    except (ConflictError, NotFoundError):
        return  # decided already (the runtime claims before it resumes), or never queued here
    store.mark_resumed(decision_id)
