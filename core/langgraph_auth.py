"""Sign-in and authorization for LangGraph's own server (``langgraph dev``, named in ``langgraph.json``).

**Sign-in.** A request carries a platform API token (``Authorization: Bearer mst_...``, what ``missions login``
issues; or ``x-api-key: mst_...``, the only header Agent Inbox sends) and is served as that account; anything else
is refused (401). Studio sends neither: it goes through ``missions langgraph-proxy``
(:mod:`ai_missions.token_proxy`). The account's name and role of record ride with the server's user, and with them a
seal made with the platform key (``reviewer``, ``expires``): the approval node takes a reviewer from a resume (an
Agent Inbox "accept") only with that seal, so an exported graph resumed directly, without the platform's key, still
names nobody. Studio's own sign-in (the ``x-auth-scheme: langsmith`` header) is off: ``langgraph.json`` sets
``disable_studio_auth``, so Studio too needs a token. Turned on there, it reads threads and graphs only when the
server's environment says so (``MISSIONS_LANGGRAPH_STUDIO=read``), and starts, answers and writes nothing (it names
no account).

**Authorization.** Every resource the server offers asks :mod:`ai_missions.services.authorization`, the platform's one
authorization point, through the ``@auth.on`` handlers below; what no handler names is refused (403):

- a thread is one run of a mission. Creating one takes an account that may start some mission; it is stamped with
  its ``owner`` (what a client writes in its metadata under the platform's keys is dropped). Reading it (its state,
  its runs, its stream) takes the standing to see its run (a reviewer of its mission), or, before it ran, being its
  owner; a customer reads no thread, their own run's included (its state is the mission's reasoning: the fraud
  score, the reviewers), and sees their case through the portal or ``read_run``'s customer view. A search returns
  only those threads: the owner's, and those of the missions the account reviews.
- a run on a thread starts its mission from a subject (the account may start that mission; the subject, and the
  context's reasoner, are checked before anything is recorded: an unknown subject is a one-line 404, a context naming
  anything but the reasoner a 403, the ``llm`` reasoner on a server without an endpoint a 422), or answers its
  pending decision (``Command(resume=...)``: an account that may see that decision; the approval step then checks
  the standing for each action, and an answer without it decides nothing), or goes on from where it stopped.
  Anything else a client can ask of a run (``Command(update=..., goto=...)``, an earlier checkpoint,
  ``interrupt_before/after``, a webhook, a run without a thread, a rollback) is refused before it starts.
- a thread's state and metadata are written by its steps only: ``update_state``, metadata updates, copies and
  deletions are refused; cancelling a run (``interrupt``) takes the standing to see it.
- assistants (the missions' graphs) are read by those who may start or review a mission, never written; crons and
  the store are not offered (a mission runs on its own through ``missions scheduler``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from uuid import UUID, uuid5

from langgraph_sdk import Auth

from ai_missions.kernel import settings
from ai_missions.kernel.errors import ConflictError, ForbiddenError, MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.missions import MissionSpec, get_mission, registry
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
from ai_missions.kernel.signing import platform_key, seal
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.nodes.context import MissionContext, server_context
from ai_missions.nodes.resources import systems_of
from ai_missions.nodes.trust import INPUT_FIELDS
from ai_missions.services.admission import refuse_open_case, refuse_unknown_subject
from ai_missions.services.authorization import (
    Person,
    answer,
    customer_of,
    decision_resource,
    mission_resource,
    run_resource,
)
from ai_missions.services.governance import approval_rules
from ai_missions.services.identity import Account, Accounts

#: How long the server's word for a reviewer holds (a run resumed later needs a fresh request).
SEAL_MINUTES = 30
#: The thread metadata the platform writes (a client's value under these keys is dropped): who created the thread,
#: and the graph LangGraph's server records for its runs.
OWNER = "owner"
PLATFORM_KEYS = (OWNER, "graph_id", "assistant_id")
#: The namespace LangGraph's server derives a graph's own assistant id from (``uuid5(namespace, graph_id)``).
GRAPH_NAMESPACE = UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
#: The server's setting that lets Studio's own sign-in read threads and graphs (``read``), once ``langgraph.json`` turns
#: that sign-in on (``"disable_studio_auth": false``); otherwise Studio, like any client, signs in with a token.
STUDIO_SETTING = "MISSIONS_LANGGRAPH_STUDIO"
#: Errors of the platform as the HTTP status they are refused with.
STATUS: dict[type[MissionsError], int] = {NotFoundError: 404, ValidationError: 422, ConflictError: 409}

auth = Auth()
T = TypeVar("T")


# -- sign-in -----------------------------------------------------------------------------------------------------
@cache
def _store(path: str) -> RunStore:
    return RunStore(Path(path))


def _account(token: str) -> tuple[Account, str]:
    home = missions_home()
    account = Accounts(_store(str(runs_db(home)))).account_for_token(token)
    expires = (datetime.now(UTC) + timedelta(minutes=SEAL_MINUTES)).isoformat(timespec="seconds")
    return account, seal(platform_key(home), {"reviewer": account.name, "role": account.role, "expires": expires})


@auth.authenticate
async def authenticate(authorization: str | None, headers: Mapping[bytes, bytes]) -> dict[str, Any]:
    """The account of the request's missions token: ``Authorization: Bearer mst_...``, or ``x-api-key: mst_...``,
    the one header Agent Inbox sends (its "LangSmith API key" setting; a LangSmith key there is still refused: the
    platform takes no identity from one)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        token = headers.get(b"x-api-key", b"").decode("latin-1") if not authorization else ""
    if not token.startswith("mst_"):
        raise Auth.exceptions.HTTPException(
            status_code=401, detail="sign in: Authorization: Bearer <missions token> (or x-api-key: <missions token>)"
        )
    try:
        account, sealed = await asyncio.to_thread(_account, token.strip())
    except MissionsError as exc:
        raise Auth.exceptions.HTTPException(status_code=401, detail=str(exc)) from None
    return {"identity": account.name, "role": account.role, "platform_seal": sealed, "is_authenticated": True}


# -- who asks, about what ----------------------------------------------------------------------------------------
def refuse(status: int, why: str) -> NoReturn:
    raise Auth.exceptions.HTTPException(status_code=status, detail=why)


def studio_reads(ctx: Auth.types.AuthContext) -> bool:
    """Whether the request comes through Studio's own sign-in and the server lets that read (:data:`STUDIO_SETTING`):
    it names no account, so it reads and never starts, answers or writes anything."""
    setting = os.environ.get(STUDIO_SETTING, "").strip().lower()
    return isinstance(ctx.user, Auth.types.StudioUser) and setting == "read"


def person(ctx: Auth.types.AuthContext) -> Person:
    """The signed-in account asking (its role of record, looked up when its token was checked for this request);
    403 for anyone else (a Studio user, when Studio's own sign-in is turned on: it names no account)."""
    role = getattr(ctx.user, "role", None)
    if isinstance(ctx.user, Auth.types.StudioUser) or not isinstance(role, str) or not role:
        refuse(
            403, "sign in with a missions token (Authorization: Bearer mst_...): Studio's own sign-in names no account"
        )
    return Person(str(ctx.user.identity), role)


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker thread (store and index reads block), a platform refusal as its HTTP status."""
    try:
        return await asyncio.to_thread(function, *args)
    except ForbiddenError as exc:
        refuse(403, str(exc))
    except MissionsError as exc:
        refuse(STATUS.get(type(exc), 400), str(exc))


def _rules(home: Path) -> list[ApprovalRule]:
    """The approval rules of record (read from the index's manifest: no vector store); none before an index."""
    try:
        return approval_rules(PolicyBook(knowledge_dir(home)))
    except (MissionsError, OSError):
        return []


def _graph_of(assistant_id: Any) -> MissionSpec:
    """The mission whose graph an assistant id is: the server's own assistant of a graph named in
    ``langgraph.json`` (a client cannot create others)."""
    for name in registry():
        if str(uuid5(GRAPH_NAMESPACE, name)) == str(assistant_id):
            return get_mission(name)
    raise NotFoundError(f"no mission's graph has the assistant id {assistant_id}")


def missions_seen(who: Person, home: Path) -> list[str]:
    """The missions whose runs ``who`` may see (a reviewer's)."""
    rules = _rules(home)
    return [name for name, spec in registry().items() if answer(who, "see", mission_resource(spec, rules))]


def visible(who: Person, home: Path) -> dict[str, Any]:
    """The filter on thread metadata a search answers with: the threads ``who`` created, and those of the missions
    they review (a customer: their own, which is none, since a customer starts no mission here)."""
    missions = missions_seen(who, home)
    owned = {OWNER: who.name}
    return {"$or": [owned, *({"graph_id": m} for m in missions)]} if missions else owned


#: Why a customer reads no thread, their own run's included.
CUSTOMER_THREADS = (
    "a customer reads their own case through the portal or the platform API (read_run), not a thread: its state "
    "holds the mission's internal reasoning (facts, fraud score, reviewers)"
)


def thread_access(who: Person, thread_id: Any, home: Path) -> dict[str, Any] | None:
    """Whether ``who`` may read the thread: its run (the thread is the run) as the authorization point says,
    ForbiddenError when it may not; a thread that has not run yet is its owner's (the filter returned)."""
    store = _store(str(runs_db(home)))
    try:
        run = store.get_run(str(thread_id))
    except NotFoundError:
        return {OWNER: who.name}
    said = answer(who, "see", run_resource(store, run, _rules(home)))
    if not said:
        raise ForbiddenError(said.reason)
    if customer_of(who) is not None:  # their own run: but its thread's state is the mission's reasoning
        raise ForbiddenError(CUSTOMER_THREADS)
    return None


def _without_platform_keys(metadata: Any) -> None:
    """Drop what a client wrote under the platform's metadata keys (in place: the server stores this dict)."""
    if isinstance(metadata, dict):
        for key in PLATFORM_KEYS:
            metadata.pop(key, None)


# -- threads -----------------------------------------------------------------------------------------------------
@auth.on.threads.create
async def create_thread(ctx: Auth.types.AuthContext, value: Any) -> dict[str, Any]:
    who = person(ctx)
    if "metadata" not in value:  # the server's copy of a thread asks to create one without any
        refuse(403, "a mission's thread is one run: it is not copied (start a run from its subject)")
    home = await off_loop(missions_home)
    if not await off_loop(missions_started_by, who, home):
        refuse(403, f"{who.name} ({who.role}) may start no mission, so creates no thread")
    metadata = value["metadata"]
    _without_platform_keys(metadata)
    metadata[OWNER] = who.name
    return {OWNER: who.name}  # an existing thread of that id is someone else's: refused as taken


def missions_started_by(who: Person, home: Path) -> list[str]:
    rules = _rules(home)
    return [name for name, spec in registry().items() if answer(who, "start", mission_resource(spec, rules))]


async def threads_seen(who: Person, thread_id: Any) -> dict[str, Any] | None:
    """What ``who`` may search or cancel: the thread named (:func:`thread_access`), or with none named every thread
    they may see (:func:`visible`)."""
    home = await off_loop(missions_home)
    if thread_id is None:
        return await off_loop(visible, who, home)
    return await off_loop(thread_access, who, thread_id, home)


@auth.on.threads.read
async def read_thread(ctx: Auth.types.AuthContext, value: Any) -> dict[str, Any] | None:
    if studio_reads(ctx):
        return None
    who = person(ctx)
    return await off_loop(thread_access, who, value.get("thread_id"), await off_loop(missions_home))


@auth.on.threads.search
async def search_threads(ctx: Auth.types.AuthContext, value: Any) -> dict[str, Any] | None:
    if studio_reads(ctx):
        return None
    return await threads_seen(person(ctx), value.get("thread_id"))  # with a thread named: that thread's runs


@auth.on.threads.update
async def update_thread(ctx: Auth.types.AuthContext, value: Any) -> dict[str, Any] | None:
    who = person(ctx)
    if value.get("action") == "interrupt":  # cancelling a run of the thread (a rollback would undo checkpoints)
        return await threads_seen(who, value.get("thread_id"))
    refuse(
        403,
        "a mission's thread is written by its own steps only: update_state, metadata updates and rollbacks are "
        "refused; answer its decision (Command(resume=...)) instead",
    )


@auth.on.threads.delete
async def delete_thread(ctx: Auth.types.AuthContext, value: Any) -> NoReturn:
    person(ctx)
    refuse(403, "a mission's thread holds its run's checkpoints and its decision: it is not deleted")


@auth.on.threads.create_run
async def create_run(ctx: Auth.types.AuthContext, value: Any) -> dict[str, Any] | None:
    who = person(ctx)
    kwargs = value.get("kwargs") or {}
    if (problem := run_problem(value, kwargs)) is not None:
        refuse(403, problem)
    _without_platform_keys(value.get("metadata"))
    _without_platform_keys((kwargs.get("config") or {}).get("metadata"))
    spec = await off_loop(_graph_of, value.get("assistant_id"))
    home = await off_loop(missions_home)
    thread_id = value["thread_id"]
    command, given = kwargs.get("command"), kwargs.get("input")
    if given is not None:
        subject_id = await off_loop(startable, who, spec, thread_id, given, home)
        context = await off_loop(server_context, kwargs.get("context"))  # names a home, an endpoint, a key: refused
        if context.reasoner == "llm" and not (settings.llm_base_url() or settings.llm_api_key()):
            refuse(422, "the llm reasoner needs an endpoint this server has not set (OPENAI_BASE_URL): nothing ran")
        try:  # the subject's system of record knows it (the gateway the graph's steps use on this event loop)
            await refuse_unknown_subject(await systems_of(MissionContext(), spec.systems), spec, subject_id)
        except NotFoundError as exc:
            refuse(404, str(exc))
        if isinstance(metadata := value.get("metadata"), dict):
            metadata[OWNER] = who.name  # a thread made for this run (``if_not_exists="create"``) is the starter's
        return {OWNER: who.name}  # a thread that has not run yet: only its owner starts it
    access = await off_loop(thread_access, who, thread_id, home)
    if command is not None:
        await off_loop(may_answer, who, thread_id, home)
    return access


def run_problem(value: Mapping[str, Any], kwargs: Mapping[str, Any]) -> str | None:
    """Why a client may not ask for this run (None when it may): only a start from a subject, an answer to the
    decision, or going on from where the run stopped, on a thread of its own."""
    if value.get("thread_id") is None:
        return "a mission runs on a thread (its run's record): create a thread first, then start the run on it"
    command = kwargs.get("command")
    if command is not None and (
        not isinstance(command, Mapping) or any(command.get(k) is not None for k in ("update", "goto", "graph"))
    ):
        return (
            "a mission's run is continued only by a reviewer's answer (Command(resume=...)); "
            "Command(update=...) and Command(goto=...) are refused: nothing ran"
        )
    if command is not None and kwargs.get("input") is not None:
        return "a run either starts from a subject or answers a decision, not both"
    if kwargs.get("interrupt_before") or kwargs.get("interrupt_after"):
        return "a mission's run stops only at its decision: interrupt_before and interrupt_after are refused"
    configurable = (kwargs.get("config") or {}).get("configurable") or {}
    if any(configurable.get(k) for k in ("checkpoint_id", "checkpoint_ns", "checkpoint_map")):
        return "a mission's run goes on from where it stopped, never from an earlier checkpoint"
    if kwargs.get("webhook"):
        return "endpoints come from the server's settings: a run's webhook is refused"
    if value.get("multitask_strategy") in ("rollback", "interrupt"):
        return "a run in progress is not interrupted or rolled back by another (its writes may be under way)"
    return None


def startable(who: Person, spec: MissionSpec, thread_id: Any, given: Any, home: Path) -> str:
    """The subject a run starts on, once ``who`` may start the mission on this thread and on that subject (a valid
    id, a case no other decision or run holds); the refusal otherwise (a :class:`MissionsError`)."""
    store = _store(str(runs_db(home)))
    said = answer(who, "start", mission_resource(spec, _rules(home)))
    if not said:
        raise ForbiddenError(said.reason)
    if not isinstance(given, Mapping) or (extra := sorted(str(k) for k in given if k not in INPUT_FIELDS)):
        named = f"; its input also names {', '.join(extra)}" if isinstance(given, Mapping) else ""
        raise ForbiddenError(f"a run starts from its subject alone ({', '.join(INPUT_FIELDS)}){named}: nothing ran")
    try:
        store.get_run(str(thread_id))
    except NotFoundError:
        pass
    else:
        raise ConflictError(f"thread {thread_id} already ran its mission (a thread is one run): start on a new thread")
    subject_id = spec.check_subject(str(given.get("subject_id") or ""))
    refuse_open_case(store, spec, subject_id)
    return subject_id


def may_answer(who: Person, thread_id: Any, home: Path) -> None:
    """ForbiddenError unless the thread's run has a pending decision ``who`` may see (the approval step then checks
    the standing to answer each action): a customer, or a reviewer of other missions, does not reach it."""
    store = _store(str(runs_db(home)))
    pending = [d for d in store.decisions_of(str(thread_id)) if d.status == "pending"]
    if not pending:
        raise ConflictError(f"thread {thread_id} has no decision awaiting an answer")
    said = answer(who, "see", decision_resource(store, pending[-1], _rules(home)))
    if not said:
        raise ForbiddenError(said.reason)


# -- assistants, crons, the store, and anything else --------------------------------------------------------------
@auth.on.assistants.read
async def read_assistant(ctx: Auth.types.AuthContext, value: Any) -> None:
    await _reviewer(ctx)


@auth.on.assistants.search
async def search_assistants(ctx: Auth.types.AuthContext, value: Any) -> None:
    await _reviewer(ctx)


async def _reviewer(ctx: Auth.types.AuthContext) -> None:
    if studio_reads(ctx):
        return
    who = person(ctx)
    home = await off_loop(missions_home)
    if not await off_loop(missions_seen, who, home):
        refuse(403, f"{who.name} ({who.role}) reviews no mission, so reads none of their graphs")


@auth.on.crons
async def crons(ctx: Auth.types.AuthContext, value: Any) -> NoReturn:
    person(ctx)
    refuse(403, "crons are not offered: a mission runs on its own through `missions scheduler`")


@auth.on.store
async def store(ctx: Auth.types.AuthContext, value: Any) -> NoReturn:
    person(ctx)
    refuse(403, "the server's store is not offered")


@auth.on
async def anything_else(ctx: Auth.types.AuthContext, value: Any) -> NoReturn:
    person(ctx)
    refuse(403, f"{ctx.action} on {ctx.resource} is not offered by the missions' server")
