"""The mission runtime: one object per process that starts missions, persists what they find, and decides.

It owns the expensive clients (persistent MCP sessions to every system, the knowledge base), the durable
checkpointer (SQLite, WAL, under ``MISSIONS_HOME``) and the run store, so a paused mission can be resumed from
another process days later. CLI, dashboard and eval harness all go through it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command, Durability

from ai_missions.errors import ConflictError, ForbiddenError, MissionsError, ValidationError
from ai_missions.gateway import SystemsGateway
from ai_missions.governance import approval_problems, approval_rules, load_roster, role_of
from ai_missions.graphs.order_exception import MISSION, build_graph
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_actions
from ai_missions.settings import knowledge_dir, missions_home, runs_db
from ai_missions.store import Decision, RunStore

EventHandler = Callable[[dict[str, Any]], Awaitable[None] | None]


@dataclass
class RunOutcome:
    """Where a run stands after the runtime drove it as far as it goes without a person."""

    run_id: str
    order_id: str
    status: str
    verdict: dict[str, Any] | None = None
    decision_id: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    exception_types: list[str] = field(default_factory=list)
    #: The mission's state where it stopped (facts, proposal, usage...).
    state: dict[str, Any] = field(default_factory=dict, repr=False)


class MissionRuntime:
    """``async with MissionRuntime() as runtime: await runtime.start(order_id)``."""

    def __init__(
        self,
        home: Path | None = None,
        *,
        context: MissionContext | None = None,
        systems: Any = None,
        knowledge: Any = None,
        call_timeout_s: float = 10.0,
    ) -> None:
        self.home = (home or missions_home()).resolve()
        self.base_context = context or MissionContext()
        self._systems = systems
        self._knowledge = knowledge
        self._call_timeout_s = call_timeout_s
        self._stack = AsyncExitStack()
        self.store = RunStore(runs_db(self.home))
        #: When checkpoints are written: after every step ("sync", the default: a crash loses nothing), or only
        #: when the run stops or pauses ("exit": an eval sandbox, whose runs never outlive it).
        self.durability: Durability = "sync"

    async def __aenter__(self) -> MissionRuntime:
        try:
            if self._systems is None:
                from ai_missions.integrations.connections import stdio_connections

                gateway = SystemsGateway(stdio_connections(self.home), call_timeout_s=self._call_timeout_s)
                self._systems = await self._stack.enter_async_context(gateway)
            if self._knowledge is None:
                from ai_missions.knowledge_index.retrieval import KnowledgeBase

                self._knowledge = KnowledgeBase(knowledge_dir(self.home))
            connection = await aiosqlite.connect(self.home / "checkpoints.sqlite")
            self._stack.push_async_callback(connection.close)
            await connection.execute("PRAGMA journal_mode=WAL")
            self.checkpointer = AsyncSqliteSaver(connection)
            await self.checkpointer.setup()
            self.graph = build_graph().compile(checkpointer=self.checkpointer, name=MISSION)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    @property
    def systems(self) -> Any:
        return self._systems

    @property
    def knowledge(self) -> Any:
        return self._knowledge

    def context(self, **overrides: Any) -> MissionContext:
        return replace(
            self.base_context, home=str(self.home), systems=self._systems, knowledge=self._knowledge, **overrides
        )

    # -- running ----------------------------------------------------------------------------------------------
    async def start(
        self,
        order_id: str,
        *,
        reasoner: str | None = None,
        trigger: Mapping[str, Any] | None = None,
        on_event: EventHandler | None = None,
        run_id: str | None = None,
    ) -> RunOutcome:
        """Run the mission on one order until its verdict, its pending decision, or its end."""
        context = self.context(**({"reasoner": reasoner} if reasoner else {}))
        run_id = run_id or f"R-{uuid.uuid4().hex[:12]}"
        trigger = dict(trigger or {"source": "manual", "order_id": order_id})
        self.store.create_run(
            run_id,
            mission=MISSION,
            order_id=order_id,
            reasoner=context.reasoner,
            exception_types=list(trigger.get("exception_types", [])),
        )
        self.store.append_events(
            run_id, [{"kind": "trigger", "node": "trigger", "source": str(trigger.get("source")), "data": trigger}]
        )
        return await self._drive(run_id, {"order_id": order_id, "trigger": trigger}, context, on_event)

    async def _drive(
        self, run_id: str, payload: Any, context: MissionContext, on_event: EventHandler | None
    ) -> RunOutcome:
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        try:
            async for event in self.graph.astream(
                payload, config, context=context, stream_mode="custom", durability=self.durability
            ):
                self.store.append_events(run_id, [event])
                if on_event is not None and (pending := on_event(event)) is not None:
                    await pending
        except MissionsError as exc:
            self.store.append_events(run_id, [{"kind": "error", "summary": str(exc), "node": "runtime"}])
            self.store.update_run(run_id, status="failed", summary=str(exc))
            raise
        return await self._settle(run_id)

    async def _settle(self, run_id: str) -> RunOutcome:
        """Record where the run stopped: a pending decision, or its end."""
        snapshot = await self.graph.aget_state(_thread(run_id))
        values: dict[str, Any] = dict(snapshot.values)
        verdict = values.get("verdict")
        facts = values.get("facts", {})
        types = list(facts.get("exception.types") or [])
        order_id = str(values.get("order_id", ""))
        outcome = RunOutcome(
            run_id,
            order_id,
            "running",
            verdict,
            results=list(values.get("results", [])),
            exception_types=types,
            state=values,
        )
        fields: dict[str, Any] = {"exception_types": types}
        if verdict:
            fields.update(outcome=verdict["outcome"], confidence=verdict["confidence"], summary=verdict["summary"])
        if snapshot.interrupts:
            request = snapshot.interrupts[0].value
            decision_id = request[0]["metadata"]["decision_id"]
            if self.store.open_decision(decision_id, run_id=run_id, order_id=order_id, request={"interrupts": request}):
                self.store.append_events(
                    run_id,
                    [
                        {
                            "kind": "decision_requested",
                            "node": "request_approval",
                            "source": "decision_queue",
                            "summary": f"Decision {decision_id}: {len(request)} action(s) await a reviewer",
                            "data": {"decision_id": decision_id, "interrupts": request},
                        }
                    ],
                )
            outcome.status, outcome.decision_id = "awaiting_decision", decision_id
        else:
            outcome.status = str(values.get("status") or ("running" if snapshot.next else "closed"))
        self.store.update_run(run_id, status=outcome.status, **fields)
        return outcome

    # -- deciding ---------------------------------------------------------------------------------------------
    async def decide(
        self,
        decision_id: str,
        reviewer: str,
        *,
        responses: Sequence[Mapping[str, Any]] | None = None,
        approve: bool = False,
        reject_reason: str | None = None,
        edits: Mapping[int, Mapping[str, Any]] | None = None,
        on_event: EventHandler | None = None,
    ) -> RunOutcome:
        """Decide a pending decision and execute what was approved.

        Either ``responses`` (one agent-inbox HumanResponse per action), or a shorthand: ``approve=True``
        (everything, with ``edits`` replacing the arguments of actions by their 1-based number) or
        ``reject_reason`` (everything). A reviewer without the role is refused and the decision stays pending.
        """
        decision = self.store.get_decision(decision_id)
        if decision.status != "pending":
            raise ConflictError(
                f"decision {decision_id} was already decided by {decision.decided_by} at {decision.decided_at}"
            )
        role = role_of(reviewer, load_roster(self.home))
        interrupts = decision.request["interrupts"]
        answers = _normalise(interrupts, responses, approve, reject_reason, edits)
        snapshot = await self.graph.aget_state(_thread(decision.run_id))
        facts = snapshot.values.get("facts", {})
        final = [_final_action(i, a) for i, a in zip(interrupts, answers, strict=True) if a["type"] != "response"]
        if problems := approval_problems(role, final, approval_rules(self._knowledge)):
            raise ForbiddenError(f"{reviewer} ({role}) may not approve this: {'; '.join(problems)}")
        if problems := check_actions(final, facts, schemas=self._systems.schemas()):
            raise ValidationError(f"the edited plan is refused by the guard: {'; '.join(problems)}")
        response = {"decision_id": decision_id, "reviewer": reviewer, "role": role, "responses": answers}
        decided = self.store.claim_decision(decision_id, reviewer=reviewer, role=role, response=response)
        self.store.append_events(
            decided.run_id,
            [
                {
                    "kind": "decision",
                    "node": "decision_queue",
                    "source": "reviewer",
                    "actor": f"{reviewer} ({role})",
                    "summary": _describe(interrupts, answers),
                    "data": response,
                    "at": decided.decided_at,
                }
            ],
        )
        return await self.resume(decided, on_event=on_event)

    async def resume(self, decision: Decision, *, on_event: EventHandler | None = None) -> RunOutcome:
        """Carry a decided decision into its run (again, after a crash: effects are never repeated)."""
        config: RunnableConfig = {"configurable": {"thread_id": decision.run_id}}
        snapshot = await self.graph.aget_state(config)
        run = self.store.get_run(decision.run_id)
        context = self.context(reasoner=run["reasoner"])
        if snapshot.interrupts:
            payload: Any = Command(resume=decision.response)
        elif snapshot.next:
            payload = None  # the resume was taken; finish from the last checkpoint
        else:
            self.store.mark_resumed(decision.decision_id)
            return await self._settle(decision.run_id)
        outcome = await self._drive(decision.run_id, payload, context, on_event)
        self.store.mark_resumed(decision.decision_id)
        return outcome

    async def recover(self) -> list[RunOutcome]:
        """Finish every decided decision whose run did not get to execute it (a crash in between)."""
        return [await self.resume(d) for d in self.store.decided_not_resumed()]


def _thread(run_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": run_id}}


def _normalise(
    interrupts: Sequence[Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]] | None,
    approve: bool,
    reject_reason: str | None,
    edits: Mapping[int, Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    numbers = {i["metadata"]["action_index"] + 1: i for i in interrupts}
    if responses is not None:
        if len(responses) != len(interrupts):
            raise ValidationError(f"expected {len(interrupts)} responses (one per action), got {len(responses)}")
        answers = [dict(r) for r in responses]
    elif reject_reason is not None:
        if not reject_reason.strip():
            raise ValidationError("a rejection needs a reason")
        answers = [{"type": "response", "args": reject_reason} for _ in interrupts]
    elif approve or edits:
        unknown = set(edits or {}) - set(numbers)
        if unknown:
            raise ValidationError(f"no action numbered {sorted(unknown)} awaits review (actions: {sorted(numbers)})")
        answers = [
            {"type": "edit", "args": {"action": i["action_request"]["action"], "args": dict(edits[n])}}
            if edits and n in edits
            else {"type": "accept"}
            for n, i in numbers.items()
        ]
    else:
        raise ValidationError("say what to do: approve, reject with a reason, or edit")
    for answer in answers:
        kind = answer.get("type")
        if kind not in ("accept", "edit", "response"):
            raise ValidationError(f"unknown response type {kind!r} (accept, edit or response)")
        if kind == "response" and not str(answer.get("args") or "").strip():
            raise ValidationError("a rejection needs a reason")
        if kind == "edit" and not isinstance((answer.get("args") or {}).get("args"), Mapping):
            raise ValidationError("an edit gives the action's new arguments as an object")
    return answers


def _final_action(interrupt: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    request = interrupt["action_request"]
    args = answer["args"]["args"] if answer["type"] == "edit" else request["args"]
    return {
        "tool": request["action"],
        "args": dict(args),
        "policy_ids": interrupt["metadata"]["policy_ids"],
        "tier": "review",
    }


def _describe(interrupts: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]) -> str:
    words = {"accept": "approved", "edit": "edited and approved", "response": "rejected"}
    parts = []
    for interrupt, answer in zip(interrupts, answers, strict=True):
        part = f"{interrupt['action_request']['action']} {words[answer['type']]}"
        if answer["type"] == "response":
            part += f" ({answer['args']})"
        elif answer["type"] == "edit":
            part += f" with {json.dumps(answer['args']['args'], default=str)}"
        parts.append(part)
    return "; ".join(parts)
