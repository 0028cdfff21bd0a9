"""The simulated systems as environments and the simulator's admin hooks (:mod:`ai_missions.kernel.environment`).

:class:`BooksEnvironment` (registered as ``books`` under ``ai_missions.environments``) is the simulated books at a
snapshot's state: in memory, or in the database files of a sandbox under ``home`` that the systems' MCP servers
serve. Its tools are the systems' own service functions (a write through its idempotent path), its snapshot the
databases' page images (a reset from one is a copy, not an insert per row), its view the rows a projection's SQL
selects. The demo's hooks (:data:`ENVIRONMENT`, registered under ``ai_missions.environment``) seed the books.
The platform loads both by their entry points and never imports the simulator's modules.
"""

from __future__ import annotations

import inspect
import sqlite3
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from ai_missions.contracts import contract, tool_spec
from ai_missions.integrations.books import seed_books, stories
from ai_missions.integrations.loader import insert_rows
from ai_missions.integrations.snapshot import load_snapshot, load_snapshot_in_place, read_snapshot
from ai_missions.integrations.support_seed import co_approval_ticket
from ai_missions.integrations.systems import declared, is_storage_system, schema, storage_systems, tables
from ai_missions.kernel.environment import SimulatedEnvironment, View
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.missions import get_mission

__all__ = ["ENVIRONMENT", "BookImage", "BooksEnvironment", "copy_book", "memory_book", "service"]


@cache
def service(tool: str) -> tuple[str, Callable[..., Any]]:
    """The system and the function behind a tool (a write's through its idempotent path), as its server calls it;
    looked up once per tool."""
    system = tool_spec(tool).system
    try:
        return system, declared(system).tools[tool].function
    except KeyError:
        raise NotFoundError(f"{system} declares no tool {tool!r}") from None


@cache
def _empty(system: str) -> bytes:
    """An empty in-memory database image with the system's schema (built once per process)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(schema(system))
    image = conn.serialize()
    conn.close()
    return image


def _from_image(image: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.deserialize(image)
    conn.row_factory = sqlite3.Row
    return conn


def _rows_of(conn: Any, system: str) -> dict[str, list[dict[str, Any]]]:
    """Every table of a system as rows (a connection of any backend)."""
    return {
        table: [dict(zip(r.keys(), r, strict=True)) for r in conn.execute(f"SELECT * FROM {table}")]
        for table in tables(system)
    }


def memory_book(snapshot: Mapping[str, Any]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of a snapshot's systems, one connection per system (rows by name, like the servers)."""
    conns: dict[str, sqlite3.Connection] = {}
    for system, rows in snapshot["systems"].items():
        conns[system] = conn = _from_image(_empty(system))
        insert_rows(conn, system, rows)
    return conns


def _image(conn: sqlite3.Connection) -> bytes:
    image = bytearray(conn.serialize())
    image[18:20] = b"\x01\x01"  # rollback journal: an in-memory database cannot open a WAL-flagged image
    return bytes(image)


def copy_book(conns: Mapping[str, sqlite3.Connection]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of open systems' databases (a page image each: much faster than re-inserting rows)."""
    return {system: _from_image(_image(source)) for system, source in conns.items()}


@dataclass(frozen=True)
class BookImage:
    """The books as they stood (what :meth:`BooksEnvironment.snapshot` gives): each system's SQLite page image, or
    its rows when another backend keeps it."""

    images: Mapping[str, bytes | dict[str, list[dict[str, Any]]]]

    def connections(self) -> dict[str, sqlite3.Connection]:
        """An in-memory SQLite copy of each system."""
        return {
            system: _from_image(held) if isinstance(held, bytes) else memory_book({"systems": {system: held}})[system]
            for system, held in self.images.items()
        }


@cache
def _models(tool: str) -> dict[str, type[BaseModel]]:
    """The service function's arguments that are records (an address...): parameter -> its model."""
    _, function = service(tool)
    hints = typing.get_type_hints(function)
    return {
        name: hints[name]
        for name in inspect.signature(function).parameters
        if isinstance(hints.get(name), type) and issubclass(hints[name], BaseModel)
    }


def _arguments(tool: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments as the service function takes them: a record given as a JSON object (as it arrives over MCP, and
    as a case file holds it) becomes its model, as the MCP server's validation makes it."""
    models = _models(tool)
    return {k: models[k].model_validate(v) if k in models and isinstance(v, Mapping) else v for k, v in args.items()}


class BooksEnvironment:
    """The simulated books at a state: in memory, or in the databases of the sandbox under ``home`` (which its
    systems' MCP servers serve; a reset changes the tables inside the open files, so the servers keep serving).
    Before any reset, one over ``home`` holds the books already there (``systems``: which of them; by default the
    ``mission``'s, or every system with a database there)."""

    name = "books"

    def __init__(
        self, home: Path | None = None, mission: str | None = None, systems: Sequence[str] | None = None
    ) -> None:
        self.home = home
        self.served = home is not None
        self.conns: dict[str, sqlite3.Connection] = {}
        self._applied = 0
        if home is not None:
            held = systems if systems is not None else get_mission(mission).systems if mission else storage_systems()
            self.conns = {s: declared(s).database(home) for s in held if is_storage_system(s) and _exists(s, home)}

    def reset(self, state: Any) -> None:
        if isinstance(state, BookImage):
            if self.home is not None and self.conns:  # back into the served files, as rows
                load_snapshot_in_place(_as_snapshot(state), connections=self.conns, checked=True)
                return
            self.close()
            self.conns = state.connections()
            return
        if self.home is None:
            self.close()
            self.conns = memory_book(read_snapshot(state))
            return
        if not self.conns:  # the first state creates the sandbox's files
            data = read_snapshot(state)
            load_snapshot(data, self.home)
            self.conns = {system: declared(system).database(self.home) for system in data["systems"]}
            return
        load_snapshot_in_place(dict(state), connections=self.conns, checked=isinstance(state, dict))

    def snapshot(self) -> BookImage:
        return BookImage(
            {
                system: _image(conn) if isinstance(conn, sqlite3.Connection) else _rows_of(conn, system)
                for system, conn in self.conns.items()
            }
        )

    async def call(self, tool_name: str, args: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        system, function = service(tool_name)
        answer = function(self.conns[system], **_arguments(tool_name, args))
        found: dict[str, Any] = to_jsonable_python(answer)
        return found

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        return {t.name: dict(t.input_schema) for s in self.conns for t in contract(s).tools if t.input_schema}

    def apply(self, action: Mapping[str, Any]) -> None:
        tool = str(action["tool"])
        system, function = service(tool)
        self._applied += 1
        key = f"applied:{self._applied}"
        function(self.conns[system], **_arguments(tool, action.get("args") or {}), idempotency_key=key)

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """One transaction per system, rolled back on leaving: what is applied inside is viewed, then undone (a
        write's own transaction is a savepoint of it). Served files stay locked for writing while it lasts."""
        begun = []
        try:
            for conn in self.conns.values():
                conn.execute("BEGIN IMMEDIATE")
                begun.append(conn)
            yield
        finally:
            for conn in begun:
                conn.execute("ROLLBACK")

    def view(self, projection: Mapping[str, Any]) -> View:
        """The rows each ``(system, SQL)`` of ``projection`` selects; an empty projection: every table held."""
        if not projection:
            projection = {
                f"{system}.{table}": (system, f"SELECT * FROM {table} ORDER BY 1")
                for system in self.conns
                for table in tables(system)
            }
        return {
            label: [tuple(row) for row in self.conns[system].execute(sql)]
            for label, (system, sql) in projection.items()
        }

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()
        self.conns = {}


def _exists(system: str, home: Path) -> bool:
    return declared(system).exists(home)


def _as_snapshot(image: BookImage) -> dict[str, Any]:
    """A book image as a snapshot's rows (what a reset of served files writes back)."""
    systems = {}
    for system, conn in image.connections().items():
        try:
            systems[system] = _rows_of(conn, system)
        finally:
            conn.close()
    return {"format": "ai-missions/snapshot@1", "systems": systems}


def demo_cases(home: Path) -> dict[str, list[str]]:
    """Mission -> cases the demo runs besides its spread, made in the seeded books: a support refund that may take
    two roles, to try co-approval on."""
    ticket = co_approval_ticket(home)
    return {"support": [ticket]} if ticket else {}


class _Simulator:
    """The hooks, as the functions of the simulator's modules (the same ones its commands and servers use)."""

    seed_books = staticmethod(seed_books)
    stories = staticmethod(stories)
    demo_cases = staticmethod(demo_cases)
    read_snapshot = staticmethod(read_snapshot)


ENVIRONMENT: SimulatedEnvironment = _Simulator()
