"""The mission runtime: starts one mission's runs, persists what they find, and decides.

One runtime serves one registered mission (:mod:`ai_missions.kernel.missions`). It receives its collaborators, or
opens the embedded defaults under ``MISSIONS_HOME``: a gateway with persistent MCP sessions to the systems the
mission needs (and no others), the knowledge base, the run store (runs, audit trail, Decision Queue) and a
durable checkpointer (SQLite, WAL), so a paused run can be resumed from another process days later. CLI,
dashboard and eval harness all go through it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Durability, StateSnapshot

from ai_missions.kernel import grants
from ai_missions.kernel.database import database_url
from ai_missions.kernel.decisions import (
    actions_hash,
    approved_actions,
    approves,
    check_responses,
    describe,
    request_hash,
    shorthand,
)
from ai_missions.kernel.errors import (
    ConflictError,
    CorruptStoreError,
    ForbiddenError,
    MissionsError,
    OutcomeUnknownError,
    ValidationError,
)
from ai_missions.kernel.missions import MissionSpec, get_mission
from ai_missions.kernel.settings import call_timeout_s as settings_call_timeout_s
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.kernel.store import FINAL_STATUSES, Decision, RunStore, refuse_unknown_outcome
from ai_missions.kernel.triggers import Systems
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.guard import check_actions, review_actions
from ai_missions.pg_checkpoints import postgres_saver
from ai_missions.services import authorization, coapproval, deadlines
from ai_missions.services.admission import refuse_open_case, refuse_unknown_subject
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway
from ai_missions.services.governance import approval_rules, load_roster, role_of

EventHandler = Callable[[dict[str, Any]], Awaitable[None] | None]


class Knowledge(Protocol):
    """Enterprise Knowledge as a mission uses it (``KnowledgeBase`` or a cached view of one)."""

    def for_domains(self, domains: Any) -> Any: ...

    def search(self, query: str, k: int = 5, **filters: Any) -> Any: ...

    def get_policy(self, policy_id: str) -> Any: ...

    def policies(self) -> Any: ...


@dataclass
class RunOutcome:
    """Where a run stands after the runtime drove it as far as it goes without a person."""

    run_id: str
    mission: str
    subject_id: str
    status: str
    verdict: dict[str, Any] | None = None
    decision_id: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    case_types: list[str] = field(default_factory=list)
    #: The mission's state where it stopped (facts, proposal, usage...).
    state: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data.pop("state")
        return data


class MissionRuntime:
    """``async with MissionRuntime("order-exception") as runtime: await runtime.start("SO-101851")``."""

    def __init__(
        self,
        mission: str | MissionSpec,
        home: Path | None = None,
        *,
        context: MissionContext | None = None,
        systems: Systems | None = None,
        knowledge: Knowledge | None = None,
        store: RunStore | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        durability: Durability = "sync",
        extra_systems: Sequence[str] = (),
        callbacks: Sequence[Any] = (),
        call_timeout_s: float | None = None,
        reconcile_timeout_s: float | None = None,
        lazy_systems: bool = False,
        check_subjects: bool = True,
        systems_transport: str | None = None,
    ) -> None:
        """``lazy_systems`` starts each system's session on first need (deciding, resuming, abandoning: a
        decision needs the systems of its approved actions, a rejection none); a run's reasoning needs them all.
        ``check_subjects=False`` skips the read that refuses an unknown subject before a run is recorded (an eval
        sandbox, whose subjects its cases just loaded: the mission's own first read would fail the run anyway).
        ``systems_transport`` (stdio or in-process) overrides ``MISSIONS_SYSTEMS_TRANSPORT`` for the local systems."""
        self.spec = get_mission(mission)
        self.home = (home or missions_home()).resolve()
        self.base_context = context or MissionContext()
        self._systems = systems
        self._knowledge = knowledge
        self.store = store if store is not None else RunStore(runs_db(self.home))
        self.checkpointer = checkpointer
        #: When checkpoints are written: after every step ("sync", the default: a crash loses nothing), or only
        #: when the run stops or pauses ("exit": an eval sandbox, whose runs never outlive it).
        self.durability: Durability = durability
        self._extra_systems = tuple(extra_systems)
        self._callbacks = list(callbacks)
        self._call_timeout_s = call_timeout_s if call_timeout_s is not None else settings_call_timeout_s()
        self._reconcile_timeout_s = reconcile_timeout_s
        self._lazy_systems = lazy_systems
        self._check_subjects = check_subjects
        self._systems_transport = systems_transport
        self._stack = AsyncExitStack()

    @property
    def mission(self) -> str:
        return self.spec.name

    async def __aenter__(self) -> MissionRuntime:
        try:
            if self._systems is None:
                wanted = tuple(dict.fromkeys((*self.spec.systems, *self._extra_systems)))
                gateway = SystemsGateway(
                    connections(wanted, self.home, self._systems_transport),
                    call_timeout_s=self._call_timeout_s,
                    reconcile_timeout_s=self._reconcile_timeout_s,
                    lazy=self._lazy_systems,
                )
                self._systems = await self._stack.enter_async_context(gateway)
            if self._knowledge is None:
                # deferred: start-up time (loads chromadb and numpy)
                from ai_missions.knowledge_index.retrieval import KnowledgeBase

                self._knowledge = KnowledgeBase(knowledge_dir(self.home))  # type: ignore[assignment]
            if self.checkpointer is None:
                self.checkpointer = await self._stack.enter_async_context(_sqlite_saver(self.home))
            graph = self.spec.build_graph().compile(checkpointer=self.checkpointer, name=self.spec.name)
            self.graph = graph.with_config(callbacks=self._callbacks) if self._callbacks else graph
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    @property
    def systems(self) -> Systems:
        assert self._systems is not None, "use the runtime inside `async with`"
        return self._systems

    @property
    def knowledge(self) -> Knowledge:
        assert self._knowledge is not None, "use the runtime inside `async with`"
        return self._knowledge

    def context(self, **overrides: Any) -> MissionContext:
        return replace(
            self.base_context, home=str(self.home), systems=self._systems, knowledge=self._knowledge, **overrides
        )

    # -- running ----------------------------------------------------------------------------------------------
    async def start(
        self,
        subject_id: str,
        *,
        reasoner: str | None = None,
        trigger: Mapping[str, Any] | None = None,
        on_event: EventHandler | None = None,
        run_id: str | None = None,
    ) -> RunOutcome:
        """Run the mission on one subject until its verdict, its pending decision, or its end."""
        subject_id = self.spec.check_subject(subject_id)
        refuse_open_case(self.store, self.spec, subject_id)
        if self._check_subjects:
            await refuse_unknown_subject(self.systems, self.spec, subject_id)
        context = self.context(**({"reasoner": reasoner} if reasoner else {}))
        run_id = run_id or f"R-{uuid.uuid4().hex[:12]}"
        trigger = dict(trigger or {"source": "manual", "subject_id": subject_id})
        self.store.create_run(
            run_id,
            mission=self.mission,
            subject_id=subject_id,
            reasoner=context.reasoner,
            case_types=list(trigger.get("case_types", [])),
            batch_id=str(trigger["batch_id"]) if trigger.get("batch_id") else None,
            exclusive=True,  # refused, before anything is written, while another run or decision holds the case
        )
        self.store.append_events(
            run_id, [{"kind": "trigger", "node": "trigger", "source": str(trigger.get("source")), "data": trigger}]
        )
        return await self._drive(run_id, {"subject_id": subject_id, "trigger": trigger}, context, on_event)

    async def _drive(
        self, run_id: str, payload: Any, context: MissionContext, on_event: EventHandler | None
    ) -> RunOutcome:
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        try:
            async for event in self.graph.astream(
                payload, config, context=context, stream_mode="custom", durability=self.durability
            ):
                event = self._as_recorded(run_id, event)
                self.store.append_events(run_id, [event])
                if on_event is not None and (pending := on_event(event)) is not None:
                    await pending
        except OutcomeUnknownError as exc:  # not a failure: the run waits for `missions resume` to retry safely
            self.store.append_events(run_id, [{"kind": "error", "summary": str(exc), "node": "execute"}])
            self.store.update_run(run_id, status="outcome_unknown", summary=str(exc))
            raise
        except Exception as exc:  # any failure ends the run as failed, with the reason on its trail
            reason = str(exc) if isinstance(exc, MissionsError) else f"{type(exc).__name__}: {exc}"
            self.store.append_events(run_id, [{"kind": "error", "summary": reason, "node": "runtime"}])
            self.store.update_run(run_id, status="failed", summary=reason)
            raise
        return await self._settle(run_id)

    def _as_recorded(self, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """One result per action in the audit trail: a re-run action already recorded done is a replay."""
        if event.get("kind") != "action_result":
            return event
        key = (event.get("data") or {}).get("idempotency_key")
        if key and any(
            e["data"].get("idempotency_key") == key and e["data"].get("status") == "done"
            for e in self.store.events(run_id, kind="action_result")
        ):
            return {**event, "kind": "action_replayed", "summary": f"{event.get('source')}: replay, not repeated"}
        return event

    async def _settle(self, run_id: str) -> RunOutcome:
        """Record where the run stopped: a pending decision, or its end."""
        snapshot = await self.graph.aget_state(_thread(run_id))
        values: dict[str, Any] = dict(snapshot.values)
        verdict = values.get("verdict")
        facts = values.get("facts", {})
        types = list(facts.get(self.spec.vocabulary.types_fact) or [])
        subject_id = str(values.get("subject_id", ""))
        outcome = RunOutcome(
            run_id,
            self.mission,
            subject_id,
            "running",
            verdict,
            results=list(values.get("results", [])),
            case_types=types,
            state=values,
        )
        fields: dict[str, Any] = {"case_types": types}
        if verdict:
            fields.update(outcome=verdict["outcome"], confidence=verdict["confidence"], summary=verdict["summary"])
        if snapshot.interrupts:
            request = snapshot.interrupts[0].value
            decision_id = request[0]["metadata"]["decision_id"]
            # the argument schemas the proposal was checked against travel with it: an edit is checked against
            # them before a runtime starts (`missions decide --edit`), a one-line refusal instead of a guard's later
            known = self.systems.schemas()
            tools = sorted({str(i["action_request"]["action"]) for i in request})
            schemas = {t: known[t] for t in tools if t in known}
            stored = {"interrupts": request, "actions_hash": request_hash(request), "schemas": schemas}
            started = datetime.fromisoformat(self.store.get_run(run_id)["created_at"])
            due = deadlines.due_at(self.spec, started, types, facts, self.knowledge)  # the policies' deadlines
            try:
                opened = self.store.open_decision(
                    decision_id,
                    run_id=run_id,
                    mission=self.mission,
                    subject_id=subject_id,
                    request=stored,
                    due_at=due.isoformat(timespec="milliseconds") if due else None,
                )
            except ConflictError as exc:  # a run started alongside got its decision queued first: this one stops
                reason = f"not queued: {exc}"
                self.store.append_events(run_id, [{"kind": "error", "summary": reason, "node": "runtime"}])
                self.store.update_run(run_id, status="failed", summary=reason)
                raise ConflictError(reason) from None
            if opened:
                self.store.append_events(
                    run_id,
                    [
                        {
                            "kind": "decision_requested",
                            "node": "request_approval",
                            "source": "decision_queue",
                            "summary": f"Decision {decision_id}: {len(request)} action(s) await a reviewer "
                            f"(actions {stored['actions_hash']})",
                            "data": {
                                "decision_id": decision_id,
                                "interrupts": request,
                                "actions_hash": stored["actions_hash"],
                            },
                        }
                    ],
                )
            outcome.status, outcome.decision_id = "awaiting_decision", decision_id
        else:  # finished only when the run's own record says so (close wrote a final status), never from an
            # empty ``snapshot.next``: LangGraph leaves it empty when a step's writes are saved but the next has not run
            outcome.status = str(values.get("status") or "running")
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
        expected_hash: str | None = None,
    ) -> RunOutcome:
        """Decide a pending decision and execute what was approved.

        ``reviewer`` is an authenticated account name (the CLI and dashboard pass the signed-in account; this
        runtime is the trusted platform API, never reachable with a name taken from a request).

        Either ``responses`` (one agent-inbox HumanResponse per action), or a shorthand: ``approve=True``
        (everything, with ``edits`` replacing the arguments of actions by their 1-based number) or
        ``reject_reason`` (everything). A reviewer without the role is refused and the decision stays pending.
        ``expected_hash`` is the actions hash the reviewer was shown: the decision is refused (and stays pending)
        unless it, the stored request and the paused run's checkpoint all name the same actions.
        """
        decision = self.store.get_decision(decision_id)
        if decision.mission != self.mission:
            raise ValidationError(f"decision {decision_id} belongs to the {decision.mission} mission")
        if decision.status != "pending":
            unfinished = "" if decision.resumed else "; its execution was interrupted: `missions resume` finishes it"
            raise ConflictError(
                f"decision {decision_id} was already decided by {decision.decided_by} at {decision.decided_at}"
                f"{unfinished}"
            )
        role = role_of(reviewer, load_roster(self.home))
        interrupts = decision.request["interrupts"]
        if responses is not None:
            answers = check_responses(interrupts, responses)
        else:
            answers = check_responses(
                interrupts,
                shorthand(
                    interrupts,
                    approve=approve,
                    reject_reason=reject_reason,
                    edits=edits,
                    schemas=decision.request.get("schemas"),
                ),
            )
        snapshot = await self.graph.aget_state(_thread(decision.run_id))
        shown = self._check_same_actions(decision, snapshot, expected_hash)
        facts = snapshot.values.get("facts", {})
        final = approved_actions(interrupts, answers)
        rules = approval_rules(self.knowledge)
        case = authorization.decision_resource(
            self.store, decision, rules, facts=facts, verdict=snapshot.values.get("verdict") or {}
        )
        who = authorization.Person(reviewer, role)
        standing = [authorization.response_answer(who, case, p, a) for p, a in enumerate(answers)]
        if case.answered or (not all(standing) and case.shared):  # a plan no single role may approve: each
            return await self._cosign(decision, reviewer, role, answers, shown, case, rules, on_event)  # signs a part
        authorization.require_decide(who, case, answers)
        await self._open_systems_of(final)
        if problems := check_actions(self.spec, final, facts, schemas=self.systems.schemas()):
            raise ValidationError(f"the edited plan is refused by the guard: {'; '.join(problems)}")
        response: dict[str, Any] = {
            "decision_id": decision_id,
            "reviewer": reviewer,
            "role": role,
            "responses": answers,
            "actions_hash": shown,
        }
        # signed with the platform key: the graph acts only on answers the platform authenticated
        response["signature"] = sign(platform_key(self.home), json.loads(json.dumps(response, default=str)))
        decided = self.store.claim_decision(decision_id, reviewer=reviewer, role=role, response=response)
        self.store.update_run(decided.run_id, status="executing")  # no longer awaiting: decided, to execute
        self.store.append_events(
            decided.run_id,
            [
                {
                    "kind": "decision",
                    "node": "decision_queue",
                    "source": "reviewer",
                    "actor": f"{reviewer} ({role})",
                    "summary": describe(interrupts, answers),
                    "data": response,
                    "at": decided.decided_at,
                }
            ],
        )
        return await self.resume(decided, on_event=on_event, paused=snapshot)

    async def _cosign(
        self,
        decision: Decision,
        reviewer: str,
        role: str,
        answers: Sequence[Mapping[str, Any]],
        shown: str,
        case: authorization.DecisionResource,
        rules: Sequence[Any],
        on_event: EventHandler | None,
    ) -> RunOutcome:
        """Record the reviewer's signed part of a shared plan; execute only once every action is answered."""
        interrupts = decision.request["interrupts"]
        facts = case.facts or {}
        signed = coapproval.signoffs(self.store, decision.decision_id)
        if not all(coapproval.genuine(self.home, p, decision.decision_id, shown) for p in signed):
            raise ForbiddenError(coapproval.REFUSED)  # a stored part was edited or copied from another decision
        taken = coapproval.taken_by(signed)
        who = authorization.Person(reviewer, role)

        def standing(position: int, answer: Mapping[str, Any]) -> tuple[bool, str]:
            said = authorization.response_answer(who, case, position, answer)
            return said.allowed, said.reason

        part = coapproval.split(interrupts, answers, taken, rules, self.spec.tools, facts, standing)
        if not part.answers and reviewer in taken.values():  # the same reviewer again: their part stands
            if any(taken.get(p) == reviewer and not approves(a) for p, a in enumerate(answers)):
                raise ConflictError(f"{reviewer} already signed a part of decision {decision.decision_id}")
            return await self._settle(decision.run_id)
        if not part.answers:
            open_ = [interrupts[p]["action_request"]["action"] for p in part.left]
            signed_by = "".join(f"; action {p + 1} already signed by {who}" for p, who in sorted(taken.items()))
            raise ForbiddenError(
                f"{reviewer} ({role}) may not approve any open action of this plan ({', '.join(open_)}){signed_by}"
            )
        if any(approves(a) for a in part.answers.values()):  # a "no" is always taken: execution's guard refuses
            plan = coapproval.prospective(interrupts, signed, part.answers)  # what it would leave untrue
            await self._open_systems_of(plan)
            if problems := check_actions(self.spec, plan, facts, schemas=self.systems.schemas()):
                raise ValidationError(f"the edited plan is refused by the guard: {'; '.join(problems)}")
        signoff = coapproval.sign_off(self.home, decision.decision_id, shown, reviewer, role, part.answers)

        def complete(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
            if len(coapproval.taken_by(parts)) < len(interrupts):
                return None
            merged = coapproval.combined(self.home, parts, decision.decision_id, shown, len(interrupts))
            if merged is None:
                raise ForbiddenError(coapproval.REFUSED)
            signers = list(dict.fromkeys(merged[1]))
            roles = {str(p["reviewer"]): str(p["role"]) for p in parts}
            response: dict[str, Any] = {
                "decision_id": decision.decision_id,
                "reviewer": " + ".join(signers),
                "role": " + ".join(roles[s] for s in signers),
                "responses": merged[0],
                "actions_hash": shown,
                "signoffs": parts,
            }
            response["signature"] = sign(platform_key(self.home), json.loads(json.dumps(response, default=str)))
            return response

        parts, decided = coapproval.record(self.store, decision, signoff, complete)
        left = [p for p in range(len(interrupts)) if p not in coapproval.taken_by(parts)]
        numbers = ", ".join(str(int(p) + 1) for p in signoff["answers"])
        plan = coapproval.requested(interrupts)
        waiting = ", ".join(
            f"{plan[p]['tool']} (action {p + 1}) from "
            + (" or ".join(coapproval.roles_for(plan[p], rules, self.spec.tools, facts)) or "a role of record")
            for p in left
        )
        self.store.append_events(
            decision.run_id,
            [
                {
                    "kind": "signoff",
                    "node": "decision_queue",
                    "source": "reviewer",
                    "actor": f"{reviewer} ({role})",
                    "summary": f"{reviewer} ({role}) signed action(s) {numbers} of decision {decision.decision_id}"
                    + (f"; still awaiting {waiting}" if left else "; every action is answered"),
                    "data": signoff,
                }
            ],
        )
        if decided is None:
            return await self._settle(decision.run_id)
        response = decided.response or {}
        self.store.update_run(decided.run_id, status="executing")
        self.store.append_events(
            decided.run_id,
            [
                {
                    "kind": "decision",
                    "node": "decision_queue",
                    "source": "reviewer",
                    "actor": f"{response.get('reviewer')} ({response.get('role')})",
                    "summary": describe(interrupts, response.get("responses") or []),
                    "data": response,
                    "at": decided.decided_at,
                }
            ],
        )
        return await self.resume(decided, on_event=on_event)

    def _check_same_actions(self, decision: Decision, snapshot: Any, expected_hash: str | None) -> str:
        """The actions hash of the decision, the same in the stored request, its record and the checkpoint."""
        stored = request_hash(decision.request["interrupts"])
        recorded = decision.request.get("actions_hash", stored)
        paused = request_hash(snapshot.interrupts[0].value) if snapshot.interrupts else "none"
        verdict = snapshot.values.get("verdict") or {"actions": []}
        planned = actions_hash([(i, a["tool"], a["args"]) for i, a in review_actions(verdict["actions"])])
        found = {"stored request": stored, "its record": recorded, "paused run": paused, "run's verdict": planned}
        if expected_hash is not None:
            found["shown to the reviewer"] = expected_hash.strip()
        if len(set(found.values())) != 1:
            detail = ", ".join(f"{where} {digest}" for where, digest in found.items())
            raise ConflictError(
                f"decision {decision.decision_id}: the actions changed since they were shown ({detail}); "
                "nothing was approved and the decision stays pending"
            )
        return stored

    async def _open_systems_of(self, actions: Sequence[Mapping[str, Any]]) -> None:
        """Start the sessions of the systems these actions write to (a lazy gateway opens nothing else): their
        argument schemas must be known before the plan is checked, here and in the approval step."""
        opener = getattr(self._systems, "open_for", None)
        if opener is not None:
            await opener([str(a.get("tool")) for a in actions])

    async def resume(
        self, decision: Decision, *, on_event: EventHandler | None = None, paused: StateSnapshot | None = None
    ) -> RunOutcome:
        """Carry a decided decision into its run (again, after a crash: effects are never repeated). ``paused``: the
        run's state as :meth:`decide` read it before it claimed the decision, not read again (nothing but the claimed
        decision's own resume moves a paused run, and its approval step checks the answer against its interrupt)."""
        try:
            answers = (decision.response or {}).get("responses") or []
            approved = approved_actions(decision.request["interrupts"], answers)
        except (MissionsError, KeyError, TypeError, IndexError, ValueError, AttributeError):
            approved = []  # a malformed answer: the approval step refuses it, no write needs its system
        await self._open_systems_of(approved)
        config: RunnableConfig = {"configurable": {"thread_id": decision.run_id}}
        snapshot = paused if paused is not None else await self.graph.aget_state(config)
        run = self.store.get_run(decision.run_id)
        context = self.context(reasoner=run["reasoner"])
        if snapshot.interrupts:
            payload: Any = Command(resume=decision.response)
        elif not finished(snapshot.values):
            payload = None  # the resume was taken; finish from the last checkpoint and its saved writes
        else:
            self.store.mark_resumed(decision.decision_id)
            return await self._settle(decision.run_id)
        outcome = await self._drive(decision.run_id, payload, context, on_event)
        if outcome.status in FINAL_STATUSES:
            self.store.mark_resumed(decision.decision_id)
        return outcome

    def _may(self, verb: authorization.Verb, run: Mapping[str, Any], by: str) -> str:
        """``by``'s role of record, once the authorization point lets them ``verb`` (abandon, retry, resume) the run;
        ForbiddenError, its one line, otherwise."""
        role = role_of(by, load_roster(self.home))
        case = authorization.run_resource(self.store, run, approval_rules(self.knowledge), with_decision=True)
        authorization.require(authorization.Person(by, role), verb, case)
        return role

    async def retry(self, run_id: str, *, by: str | None, on_event: EventHandler | None = None) -> RunOutcome:
        """Run a failed run again from its last checkpoint (side effects already made replay, never repeat), as
        ``by`` (an authenticated account the authorization point lets ``retry`` it), or the platform itself when
        None (a worker taking over a run whose worker stopped).

        A run that failed after its decision was taken resumes that decision; one that failed before its first
        checkpoint starts over on the same subject, under the same run id."""
        run = self.store.get_run(run_id)
        if run["mission"] != self.mission:
            raise ValidationError(f"run {run_id} belongs to the {run['mission']} mission")
        who = f"{by} ({self._may('retry', run, by)})" if by is not None else "the platform (a worker's takeover)"
        run = self.store.reopen_run(run_id)  # once, and only while no other run or decision holds its case
        self.store.append_events(
            run_id,
            [
                {
                    "kind": "retry",
                    "node": "runtime",
                    "source": "runtime",
                    "actor": who,
                    "summary": f"retrying the failed run, by {who}",
                }
            ],
        )
        decided = [d for d in self.store.decisions_of(run_id) if d.status == "decided"]
        if decided:
            return await self.resume(decided[-1], on_event=on_event)
        snapshot = await self.graph.aget_state(_thread(run_id))
        context = self.context(reasoner=run["reasoner"])
        if snapshot.next or snapshot.interrupts:
            if snapshot.interrupts:
                return await self._settle(run_id)
            return await self._drive(run_id, None, context, on_event)
        trigger = {"source": "retry", "subject_id": run["subject_id"], "case_types": run["case_types"]}
        return await self._drive(run_id, {"subject_id": run["subject_id"], "trigger": trigger}, context, on_event)

    def abandon(self, run_id: str, reviewer: str, reason: str) -> RunOutcome:
        """Give up on a failed run without a new mission: a reviewer's decision, with the reason on the Explain rail
        and the audit trail; nothing is executed, and every grant of the run is revoked at the systems. A run whose
        last write's outcome is unknown is reconciled by ``resume`` first (every path that abandons comes through
        here)."""
        run = self.store.get_run(run_id)
        if run["mission"] != self.mission:
            raise ValidationError(f"run {run_id} belongs to the {run['mission']} mission")
        role = self._may("abandon", run, reviewer)  # before anything about the run is said to whoever asks
        refuse_unknown_outcome(run)
        if run["status"] != "failed":
            raise ConflictError(f"run {run_id} is {run['status']}: only a failed run is abandoned")
        if not reason.strip():
            raise ValidationError("say why the run is abandoned (--reason)")
        summary = f"abandoned by {reviewer} ({role}): {reason.strip()}"
        # first, so a crash after it leaves a failed run with dead grants, never an abandoned one with live ones
        scopes = [run_id, f"{run_id}:auto", *(d.decision_id for d in self.store.decisions_of(run_id))]
        grants.revoke(self.home, scopes, summary)
        self.store.append_events(
            run_id,
            [
                {
                    "kind": "abandoned",
                    "node": "runtime",
                    "source": "reviewer",
                    "actor": f"{reviewer} ({role})",
                    "summary": summary,
                    "data": {"grants_revoked_for": scopes},
                }
            ],
        )
        for decision in self.store.decisions_of(run_id):
            if decision.status == "decided":
                self.store.mark_resumed(decision.decision_id)  # nothing left to finish: recovery passes it by
        self.store.update_run(run_id, status="abandoned", summary=summary)
        return RunOutcome(run_id, self.mission, run["subject_id"], "abandoned", case_types=list(run["case_types"]))

    async def recover(self, *, by: str | None = None) -> list[RunOutcome]:
        """Finish every decided decision of this mission whose run did not get to execute it (a crash between): as
        ``by`` (an authenticated account), those the authorization point lets them ``resume``, each recorded on
        its run's audit trail with who resumed it; the platform itself (None) finishes them all."""
        outcomes = []
        for decision in self.store.decided_not_resumed(mission=self.mission):
            if by is not None:
                run = self.store.get_run(decision.run_id)
                try:
                    role = self._may("resume", run, by)
                except ForbiddenError:
                    continue  # left for a reviewer of its own
                summary = f"resuming the execution of decision {decision.decision_id}, by {by} ({role})"
                self.store.append_events(
                    decision.run_id,
                    [{"kind": "resumed", "node": "runtime", "source": "runtime", "actor": f"{by} ({role})",
                      "summary": summary}],
                )  # fmt: skip
            outcomes.append(await self.resume(decision))
        return outcomes

    async def state(self, run_id: str) -> dict[str, Any]:
        """The graph state of a run (facts, policies, verdict, results...)."""
        snapshot = await self.graph.aget_state(_thread(run_id))
        return dict(snapshot.values)


def _sqlite_saver(home: Path) -> Any:
    """The durable checkpointer: SQLite in WAL mode under ``home`` (the embedded default), or Postgres when
    ``MISSIONS_DATABASE_URL`` is set (see :func:`ai_missions.pg_checkpoints.postgres_saver`)."""
    import sqlite3

    if url := database_url():
        return postgres_saver(url)
    from contextlib import asynccontextmanager

    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    @asynccontextmanager
    async def opened() -> Any:
        path = home / "checkpoints.sqlite"
        connection = await aiosqlite.connect(path)
        try:
            try:
                await connection.execute("PRAGMA journal_mode=WAL")
                saver = AsyncSqliteSaver(connection)
                await saver.setup()
            except sqlite3.DatabaseError as exc:
                raise CorruptStoreError(path, exc) from None
            yield saver
        finally:
            await connection.close()

    return opened()


def finished(values: Mapping[str, Any]) -> bool:
    """Whether a run ended, from its own record: the close step wrote a final status."""
    return values.get("status") in FINAL_STATUSES


def _thread(run_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": run_id}}
