"""What a simulated system declares, once: its tools as typed service functions, its tables, and the books that seed
it. The simulator's systems and a system from another package declare themselves alike and register the same way
(entry points ``ai_missions.systems``, ``ai_missions.contracts`` and ``ai_missions.books``).

A tool is one function, decorated with :meth:`SimulatedSystem.read` or :meth:`SimulatedSystem.write`. Its typed
parameters are the tool's arguments (an ``Annotated`` type's constraints and description are the argument's
schema), its return model the tool's output, its name the tool's name, its docstring's first paragraph the contract's
summary and the rest what the tool's description adds. Two parameters are the server's to give, never the caller's:
``conn`` (the system's database connection) and ``home`` (the ``MISSIONS_HOME`` it serves). The rest is derived from
the declaration: the MCP server and its annotations (:mod:`.serving`), the contract the platform reads (checked in
as JSON, :mod:`ai_missions.contracts`), the write lookup ``get_<system>_write``, the grant check of every write, and
the one idempotent-write path (:func:`.store.idempotent_write`): a write's body runs once per idempotency key,
atomically with the record of its result, and a call repeating the key gets that result back (``replayed`` set).

Nothing here imports the MCP stack: the seeds and the eval environment call the service functions without serving.
The server is built by :mod:`.system_server`, which imports nothing of the simulator's registry (no loop of modules).
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from ai_missions.integrations.arguments import IdempotencyKey
from ai_missions.integrations.backends import SQLITE, Backend, SQLiteFiles
from ai_missions.integrations.store import WriteRecord, idempotent_write, recorded_write
from ai_missions.kernel.settings import sandbox_dir
from ai_missions.kernel.tools import ToolKind, ToolSpec, write_lookup_name

if TYPE_CHECKING:
    from ai_missions.integrations.system_server import SystemServer

__all__ = [
    "COMMON",
    "COMMON_TABLES",
    "GIVEN",
    "Book",
    "BookRows",
    "DeclaredTool",
    "Replayable",
    "SimulatedSystem",
    "sandbox_dir",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Tables every system database carries besides its own: the book clock and seed (``meta``), ids for new records
#: (``sequences``) and the recorded results of writes (``idempotency``), so each system stands alone like a real one.
COMMON_TABLES: tuple[str, ...] = ("meta", "sequences", "idempotency")
COMMON = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sequences (prefix TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY, tool TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
"""
#: The parameters the server gives a tool (never part of its arguments).
GIVEN = ("conn", "home")
_TABLE = re.compile(r"^\s*CREATE TABLE (\w+)", re.MULTILINE)


@functools.cache
def _created_tables(ddl: str) -> tuple[str, ...]:
    """The tables a DDL creates, in order, read once per DDL (a load of a case's book asks each system's ~40 times)."""
    return tuple(_TABLE.findall(ddl))


BookRows = dict[str, dict[str, list[dict[str, Any]]]]


class Replayable(BaseModel):
    """A write's result that says whether it was done by an earlier call with the same idempotency key."""

    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Book:
    """A book of business: the rows that seed some systems (registered under ``ai_missions.books``)."""

    name: str
    #: What the size counts (``orders``, ``invoices``...) and its default.
    unit: str
    default_size: int
    #: ``(size, seed) -> {system: {table: rows}}``, deterministic.
    generate: Callable[[int, int], BookRows] | None = None
    #: The mission its flagship story is for, and ``home -> story subject id`` (None when it has none).
    mission: str | None = None
    story: Callable[[Path], str | None] | None = None
    #: ``(home, size, seed) -> rows`` for a book built over the books generated before it (it reads them from the
    #: sandbox under ``home``); used instead of ``generate``. Derived books are seeded after the generated ones.
    derive: Callable[[Path, int, int], BookRows] | None = None

    def __post_init__(self) -> None:
        if (self.generate is None) == (self.derive is None):
            raise ValueError(f"book {self.name!r}: give one of generate and derive")

    def rows(self, home: Path, size: int, seed: int) -> BookRows:
        if self.derive is not None:
            return self.derive(home, size, seed)
        assert self.generate is not None
        return self.generate(size, seed)


@dataclass(frozen=True, slots=True)
class DeclaredTool:
    """One tool of a system, as its service function declares it."""

    name: str
    kind: ToolKind
    #: The declared function, and the function callers call (for a write, the idempotent path around it).
    body: Callable[..., Any]
    function: Callable[..., Any]
    #: The contract's one-line summary, and the description the server lists (the summary and the details).
    summary: str
    description: str
    amount_arg: str | None = None
    irreversible: bool = False
    reaches_outside: bool = False
    _hints: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def spec(self, system: str) -> ToolSpec:
        """The tool's contract, without its schema (the server derives that: :func:`.serving.contract_of`)."""
        return ToolSpec(
            system, self.name, self.kind, self.summary, self.amount_arg, self.irreversible, self.reaches_outside
        )

    def hints(self) -> dict[str, Any]:
        """The declared function's annotations, evaluated (on first use: they may name models defined after it)."""
        if not self._hints:
            self._hints.update(typing.get_type_hints(self.body, include_extras=True))
        return self._hints

    def served(self, given: Mapping[str, Any]) -> Callable[..., Any]:
        """The function the MCP server registers: the tool's own arguments only (their evaluated annotations are its
        input schema), with ``conn`` and ``home`` given from ``given``."""
        hints = self.hints()
        parameters = inspect.signature(self.body).parameters.values()
        taken = {p.name: given[p.name] for p in parameters if p.name in GIVEN}
        function = self.function

        def call(**arguments: Any) -> Any:
            return function(**taken, **arguments)

        call.__name__ = call.__qualname__ = self.body.__name__  # what names its arguments' schema
        call.__doc__ = self.description
        call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [p.replace(annotation=hints.get(p.name, Any)) for p in parameters if p.name not in GIVEN],
            return_annotation=hints["return"],
        )
        return call


class SimulatedSystem:
    """A simulated system: its name and title, its tables (DDL), and its tools, declared with :meth:`read` and
    :meth:`write` on the module-level object its ``ai_missions.systems`` entry point names. Calling it builds its
    MCP server over the book under ``home`` (what the platform's in-process and stdio transports do)."""

    def __init__(
        self, name: str, title: str, ddl: str = "", *, storage: bool = True, backend: Backend = SQLITE
    ) -> None:
        """``storage``: False for a system with no database of its own (a report over the others' data);
        ``backend``: where its tables live (a SQLite file in the sandbox by default, :mod:`.backends`)."""
        if storage != bool(ddl.strip()):
            raise ValueError(f"system {name!r}: a system with storage has a DDL, one without has none")
        self.name = name
        self.title = title
        #: Its own tables (DDL), without the common ones.
        self.ddl = ddl
        self.storage = storage
        self.backend = backend
        self.tools: dict[str, DeclaredTool] = {}

    def __repr__(self) -> str:
        return f"SimulatedSystem({self.name!r}, {len(self.tools)} tools)"

    @property
    def own_tables(self) -> tuple[str, ...]:
        """Its own tables, in the order its DDL creates them (parents before children)."""
        return _created_tables(self.ddl)

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table, in the order exports and imports carry them."""
        return COMMON_TABLES + self.own_tables

    @property
    def schema(self) -> str:
        """The full DDL of its database (the common tables included)."""
        return COMMON + self.ddl

    @property
    def lookup(self) -> str:
        return write_lookup_name(self.name)

    def served_tools(self) -> tuple[DeclaredTool, ...]:
        """Its tools in the order it lists them: the declared ones, then the write lookup when it has writes."""
        declared = tuple(self.tools.values())
        if not any(t.kind == "write" for t in declared):
            return declared
        return (*declared, _lookup_tool(self.lookup))

    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(t.spec(self.name) for t in self.served_tools())

    def read(self, fn: F) -> F:
        """Declare ``fn`` a read tool of this system; ``fn`` itself is returned, callable as before."""
        self._add(fn, "read", fn)
        return fn

    @overload
    def write(self, fn: F, /) -> F: ...

    @overload
    def write(
        self,
        fn: None = None,
        /,
        *,
        amount: str | None = None,
        irreversible: bool = False,
        reaches_outside: bool = False,
    ) -> Callable[[F], F]: ...

    def write(
        self,
        fn: Callable[..., Any] | None = None,
        /,
        *,
        amount: str | None = None,
        irreversible: bool = False,
        reaches_outside: bool = False,
    ) -> Any:
        """Declare a write tool: ``amount`` names its money argument (checked against approval limits),
        ``irreversible`` a write no other write takes back (served ``destructiveHint``), ``reaches_outside`` one that
        reaches a customer or a vendor (``openWorldHint``). The function takes ``conn`` and an ``idempotency_key``;
        what is returned runs its body through the idempotent-write path."""

        def decorate(body: Callable[..., Any]) -> Callable[..., Any]:
            function = _idempotent(body)
            self._add(body, "write", function, amount, irreversible, reaches_outside)
            return function

        return decorate if fn is None else decorate(fn)

    def _add(
        self,
        body: Callable[..., Any],
        kind: ToolKind,
        function: Callable[..., Any],
        amount: str | None = None,
        irreversible: bool = False,
        reaches_outside: bool = False,
    ) -> None:
        name = body.__name__
        parameters = inspect.signature(body).parameters
        problem = None
        if name in self.tools or name == self.lookup:
            problem = "is declared twice"
        elif not (body.__doc__ or "").strip():
            problem = "has no docstring (its first paragraph is the contract's summary)"
        elif kind == "write" and not {"conn", "idempotency_key"} <= set(parameters):
            problem = "is a write without a conn and an idempotency_key"
        elif kind == "read" and "idempotency_key" in parameters:
            problem = "is a read that takes an idempotency_key"
        elif amount is not None and amount not in parameters:
            problem = f"names {amount!r} as its amount, which it does not take"
        if problem is not None:
            raise TypeError(f"{self.name}.{name} {problem}")
        summary, description = _described(body.__doc__ or "", kind)
        self.tools[name] = DeclaredTool(
            name, kind, body, function, summary, description, amount, irreversible, reaches_outside
        )

    def path(self, home: Path | None = None) -> Path:
        """Its SQLite file in the sandbox under ``home`` (a system on another backend has none: ValueError)."""
        if not isinstance(self.backend, SQLiteFiles):
            raise ValueError(f"the {self.name} system keeps its tables in {self.backend.where(self.name, home)}")
        return self.backend.path(self.name, home)

    def exists(self, home: Path | None = None) -> bool:
        """Whether the sandbox under ``home`` holds its tables."""
        return self.storage and self.backend.exists(self.name, home)

    def database(self, home: Path | None = None) -> Any:
        """A connection to its tables in the sandbox under ``home`` (they must exist: seed or import a book first)."""
        return self.backend.connect(self.name, home)

    def __call__(self, home: Path | None = None, **settings: Any) -> SystemServer:
        """Its MCP server over the book under ``home`` (``settings``: FastMCP's host, port, ``in_process``...)."""
        # deferred: start-up time (the MCP server stack costs ~0.6 s of CPU to import, which the seeds, the eval
        # environment and `missions --help`, calling the service functions and never a server, do not pay)
        from ai_missions.integrations.system_server import build

        return build(self, home, **settings)


def _described(doc: str, kind: ToolKind) -> tuple[str, str]:
    """The summary (the docstring's first paragraph, on one line) and the description a tool is listed with."""
    first, _, details = inspect.cleandoc(doc).partition("\n\n")
    summary = " ".join(first.split())
    description = f"{summary}\n\n{details}".strip()
    return summary, description + ("\n\nWrite: takes an idempotency_key." if kind == "write" else "")


def _idempotent(body: F) -> F:
    """``body`` run through the idempotent-write path: once per idempotency key, atomically with the record of its
    result, which a call with the same key and arguments gets back (``replayed`` set when its model has it); the same
    key with other arguments is refused. The fingerprint is of the arguments as given, the key and ``conn`` aside."""
    signature = inspect.signature(body)
    tool = body.__name__
    returns: list[type[BaseModel]] = []

    @functools.wraps(body)
    def write(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        conn, key = arguments.pop("conn"), arguments.pop("idempotency_key")
        if not returns:  # evaluated on first use: the model may be defined after the function
            returns.append(typing.get_type_hints(body)["return"])
        fingerprinted = to_jsonable_python({k: v for k, v in arguments.items() if k not in GIVEN})
        return idempotent_write(conn, tool, key, fingerprinted, returns[0], lambda: body(*bound.args, **bound.kwargs))

    return write  # type: ignore[return-value]


@functools.cache  # one declaration a name, as for a declared tool: the server derives its schema once (serving)
def _lookup_tool(name: str) -> DeclaredTool:
    """The read every system with writes serves: the write recorded under a key, how a client learns the outcome of
    a write whose answer it lost (a system records a write's result atomically with its effect)."""

    def get_write(conn: Any, idempotency_key: IdempotencyKey) -> WriteRecord:
        """Whether a write with this key happened, and the result it returned (``found`` false: it did not,
        or not yet). How a client learns the outcome of a write whose answer it lost."""
        return recorded_write(conn, idempotency_key)

    summary = "The write recorded under an idempotency key, if any."
    return DeclaredTool(
        name, "read", get_write, get_write, summary, f"{summary}\n\n{inspect.cleandoc(get_write.__doc__ or '')}"
    )
