"""``missions serve``: the platform as a long-lived MCP server (streamable HTTP, or stdio for a local agent).

Its tools start a mission, list the Decision Queue, read a run with its Explain rail, and decide. Every call is
made as an account: over HTTP the bearer token of ``missions login`` (``Authorization: Bearer mst_...``, checked
by the MCP SDK's bearer middleware before any tool runs), over stdio the sign-in of whoever started the server.
The account's name and role come from the token, never from a tool's arguments. What it may see and start is the
authorization point's to say (:mod:`ai_missions.services.authorization`): the queue lists the decisions it may see (a
customer's token none), runs are listed and read only when it may see them (a customer's: only runs about their
own records), and a mission starts only for one of its reviewers. Deciding goes through
:meth:`MissionRuntime.decide`, which asks the same point, as the CLI and the dashboard do.

The server keeps one runtime per mission open (its MCP sessions to the systems, the knowledge base, the
checkpointer), so a decision through it costs the decision, not a cold start. While it runs, it writes
``$MISSIONS_HOME/serve.json`` (its URL and pid): the CLI finds it there (:mod:`ai_missions.services.platform_client`).
"""

from __future__ import annotations

import functools
import json
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import anyio
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError

from ai_missions.kernel.errors import MissionsError, NotFoundError
from ai_missions.kernel.missions import get_mission, registry
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.clauses import ApprovalRule
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.services import authorization, queue_filters
from ai_missions.services.customer_view import customer_run, customer_view
from ai_missions.services.governance import approval_rules
from ai_missions.services.identity import CUSTOMER_ROLE, Account, Accounts, saved_token
from ai_missions.services.platform_client import SERVE_FILE

if TYPE_CHECKING:
    from ai_missions.runtime import MissionRuntime

P = ParamSpec("P")
T = TypeVar("T")


class AccountTokens:
    """The MCP SDK's token verifier over the store's API tokens: a token is valid while its account's is."""

    def __init__(self, store: RunStore) -> None:
        self.accounts = Accounts(store)

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            account = self.accounts.account_for_token(token)
        except MissionsError:
            return None
        return AccessToken(token=token, client_id=account.name, scopes=[])


class Platform:
    """One runtime per mission, opened on first use (or by :meth:`warm`) and shared by every call after."""

    def __init__(self, home: Path, missions: Sequence[str] = ()) -> None:
        self.home = home
        self.store = RunStore(home / "runs.sqlite")
        self.accounts = Accounts(self.store)
        #: The missions served: all registered ones unless the server was started for some.
        self.missions = [get_mission(m).name for m in missions] or list(registry())
        self.runtimes: dict[str, MissionRuntime] = {}
        self._stack = AsyncExitStack()
        self._opening = anyio.Lock()
        self._shared: tuple[Any, Any] | None = None

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def warm(self) -> None:
        """Open every served mission's runtime now (its systems' sessions), so the first call is not slow."""
        for mission in self.missions:
            await self.runtime(mission)

    def caller(self) -> Account:
        """The account making this call: the bearer token's (HTTP), else the server's own sign-in (stdio)."""
        access = get_access_token()
        token = access.token if access is not None else saved_token(self.home)
        return self.accounts.account_for_token(token)

    def rules(self) -> list[ApprovalRule]:
        """The approval rules of record (read from the index's manifest); none before an index: nobody may then
        see or start anything (fails closed)."""
        try:
            return approval_rules(PolicyBook(knowledge_dir(self.home)))
        except (MissionsError, OSError):
            return []

    async def runtime(self, mission: str) -> MissionRuntime:
        name = get_mission(mission).name
        if name not in self.missions:
            raise NotFoundError(f"this server does not serve the {name} mission (it serves {', '.join(self.missions)})")
        async with self._opening:
            if name not in self.runtimes:
                # deferred: start-up time (loads langgraph and langchain_core)
                from ai_missions.runtime import MissionRuntime, _sqlite_saver

                if self._shared is None:
                    # deferred: start-up time (loads chromadb and numpy)
                    from ai_missions.knowledge_index.retrieval import KnowledgeBase

                    saver = await self._stack.enter_async_context(_sqlite_saver(self.home))
                    knowledge_base: Any = KnowledgeBase(knowledge_dir(self.home))
                    self._shared = (saver, knowledge_base)
                saver, knowledge = self._shared
                spec = get_mission(name)
                runtime = MissionRuntime(
                    spec,
                    self.home,
                    store=self.store,
                    knowledge=knowledge,
                    checkpointer=saver,
                    extra_systems=spec.trigger.systems if spec.trigger else (),
                )
                self.runtimes[name] = await self._stack.enter_async_context(runtime)
        return self.runtimes[name]


def _one_line_errors(tool: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A tool whose refusals carry the error's kind (``[ForbiddenError] ...``), for the CLI to exit as it would
    in-process; anything else is the SDK's generic tool error."""

    @functools.wraps(tool)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await tool(*args, **kwargs)
        except MissionsError as exc:
            raise ToolError(f"[{type(exc).__name__}] {exc}") from exc

    return guarded


def build_server(platform: Platform, *, host: str = "127.0.0.1", port: int = 0, with_auth: bool = True) -> FastMCP:
    """The MCP server over ``platform``; ``with_auth`` puts the bearer check in front of HTTP calls."""
    url = f"http://{host}:{port}"
    auth: dict[str, Any] = {}
    if with_auth:
        auth = {
            "token_verifier": AccountTokens(platform.store),
            "auth": AuthSettings(issuer_url=url, resource_server_url=url, validate_token_resource=False),  # type: ignore[arg-type]
        }
    server = FastMCP(
        "ai-missions",
        instructions="Start missions, read runs and their Explain rails, decide the Decision Queue as your account.",
        host=host,
        port=port,
        stateless_http=True,  # each call stands alone: a CLI can call in one HTTP request
        json_response=True,
        log_level="WARNING",
        **auth,
    )

    @server.tool()
    @_one_line_errors
    async def start_mission(mission: str, subject_id: str, reasoner: str = "offline") -> dict[str, Any]:
        """Run a mission on one subject (an order, an invoice...) until its verdict, pending decision or end."""
        caller = platform.caller()
        authorization.require(caller, "start", authorization.mission_resource(mission, platform.rules()))
        outcome = await (await platform.runtime(mission)).start(subject_id, reasoner=reasoner)
        return outcome.to_dict()

    @server.tool()
    @_one_line_errors
    async def list_queue(mission: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """The pending decisions the calling account may see, by deadline then oldest first, each with its actions
        and actions hash (``offset`` skips as many, for paging)."""
        caller = platform.caller()
        if mission is not None:
            mission = get_mission(mission).name
        if caller.role == CUSTOMER_ROLE:
            return []  # a customer answers no decision and sees none
        page, _ = queue_filters.pending(
            platform.store,
            queue_filters.QueueFilter(viewer=caller),
            platform.rules(),
            mission=mission,
            limit=max(0, min(limit, 500)),
            offset=max(0, offset),
        )
        return [asdict(d) for d in page]

    @server.tool()
    @_one_line_errors
    async def list_runs(mission: str | None = None, status: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The mission runs the calling account may see, newest first (a customer's: as a customer reads them)."""
        caller = platform.caller()
        runs = authorization.visible_runs(
            platform.store,
            caller,
            platform.rules(),
            limit=max(0, min(limit, 500)),
            mission=mission,
            status=status,
        )
        return [customer_run(r) for r in runs] if authorization.customer_of(caller) else runs

    @server.tool()
    @_one_line_errors
    async def read_run(run_id: str) -> dict[str, Any]:
        """A run: its record, its decisions, its Explain rail (observations, verdict, actions) and its audit trail;
        for a customer, their case as they read it (:mod:`ai_missions.services.customer_view`)."""
        caller = platform.caller()
        run = platform.store.get_run(run_id)
        events = platform.store.events(run_id)
        authorization.require(
            caller, "see", authorization.run_resource(platform.store, run, platform.rules(), events=events)
        )
        if authorization.customer_of(caller):
            return customer_view(run, platform.store.decisions_of(run_id), events)
        rail = [e for e in events if e["kind"] in ("observation", "verdict", "action_result", "decision")]
        return {
            "run": run,
            "decisions": [asdict(d) for d in platform.store.decisions_of(run_id)],
            "explain": rail,
            "audit": events,
        }

    @server.tool()
    @_one_line_errors
    async def decide(
        decision_id: str,
        approve: bool = False,
        reject_reason: str | None = None,
        edits: dict[str, dict[str, Any]] | None = None,
        responses: list[dict[str, Any]] | None = None,
        expected_hash: str | None = None,
    ) -> dict[str, Any]:
        """Decide a pending decision as the calling account: approve every action (``edits`` replacing the
        arguments of actions by number), reject every action with a reason, or give one agent-inbox response per
        action. The account's role must be allowed to approve the actions; refused decisions stay pending."""
        account = platform.caller()
        decision = platform.store.get_decision(decision_id)
        numbered = {int(k): v for k, v in edits.items()} if edits else None
        outcome = await (await platform.runtime(decision.mission)).decide(
            decision_id,
            account.name,
            responses=responses,
            approve=approve,
            reject_reason=reject_reason,
            edits=numbered,
            expected_hash=expected_hash,
        )
        return outcome.to_dict()

    return server


def _bound_socket(host: str, port: int) -> socket.socket:
    """The server's socket, listening already: ``serve.json`` announces the URL before uvicorn starts, and a client that
    reads it connects at once (queued until uvicorn accepts, never refused)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(socket.SOMAXCONN)
    return sock


async def serve_http(
    home: Path,
    *,
    host: str,
    port: int,
    missions: Sequence[str] = (),
    on_ready: Callable[[str], None] | None = None,
    tls: tuple[Path, Path] | None = None,
) -> None:
    """Serve over streamable HTTP until cancelled, announcing the URL in ``serve.json`` while it runs; over HTTPS
    when ``tls`` (certificate, key) is given."""
    import uvicorn

    sock = _bound_socket(host, port)
    port = sock.getsockname()[1]
    async with Platform(home, missions) as platform:
        await platform.warm()
        server = build_server(platform, host=host, port=port)
        certificate, key = tls if tls is not None else (None, None)
        config = uvicorn.Config(
            server.streamable_http_app(),
            log_level="warning",
            lifespan="on",
            ssl_certfile=certificate,
            ssl_keyfile=key,
        )
        web = uvicorn.Server(config)
        url = f"{'https' if tls else 'http'}://{host}:{port}/mcp"
        announce = home / SERVE_FILE
        try:
            announce.write_text(json.dumps({"url": url, "pid": os.getpid(), "missions": platform.missions}))
            if on_ready is not None:
                on_ready(url)
            await web.serve(sockets=[sock])
        finally:
            if announce.exists() and json.loads(announce.read_text() or "{}").get("pid") == os.getpid():
                announce.unlink()


async def serve_stdio(home: Path, missions: Sequence[str] = ()) -> None:
    """Serve one local agent over stdio, as the account signed in where the server starts."""
    async with Platform(home, missions) as platform:
        platform.caller()  # refuse to start unsigned: every call would be refused anyway
        await platform.warm()
        await build_server(platform, with_auth=False).run_stdio_async()
