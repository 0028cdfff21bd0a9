"""The eval environment: sandboxes of the simulated systems, reset and read directly between cases.

The evaluation harness reaches the simulator here without MCP, as a test reaches its double's admin interface: it
loads a case's snapshot into a sandbox, copies and reads the sandbox's state, and applies a case's recorded
actions through the systems' own service functions to compute the expected end state. It does so through the
hooks the simulator registers under the ``ai_missions.environment`` entry points
(:mod:`ai_missions.kernel.environment`), never by importing it. A mission under evaluation still talks to the sandbox's
systems over MCP like to any others.

States are compared as tau-bench compares database states: the tables a mission's eval plugin names
(``EvalPlugin.projection``), each projected onto what a decision changes (generated ids, timestamps, free text
and internal notes left out).
"""

from __future__ import annotations

import inspect
import sqlite3
import typing
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ai_missions.contracts import tool_spec
from ai_missions.kernel.environment import Snapshot, simulated_environment
from ai_missions.kernel.errors import MissionsError

__all__ = ["connect", "load_snapshot", "load_snapshot_in_place", "read_snapshot"]

State = dict[str, list[tuple[Any, ...]]]
Projection = Mapping[str, tuple[str, str]]


def connect(system: str, home: Path | None = None) -> sqlite3.Connection:
    """A connection to a system's database in the sandbox under ``home``."""
    return simulated_environment().connect(system, home)


def read_snapshot(source: Snapshot | str | Path) -> Snapshot:
    """A snapshot from a dict, a JSON string or a file path, with its format checked."""
    return simulated_environment().read_snapshot(source)


def load_snapshot(source: Snapshot | str | Path, home: Path | None = None) -> Path:
    """Replace the sandbox's systems a snapshot holds; returns the sandbox dir."""
    return simulated_environment().load_snapshot(source, home)


def load_snapshot_in_place(
    source: Snapshot | str | Path,
    home: Path | None = None,
    *,
    connections: Mapping[str, sqlite3.Connection] | None = None,
    checked: bool = False,
) -> None:
    """Reset the tables inside the sandbox's open databases to a snapshot (MCP servers holding them keep serving)."""
    simulated_environment().load_snapshot_in_place(source, home, connections=connections, checked=checked)


@cache
def service(tool: str) -> tuple[str, Callable[..., Any]]:
    """The system and service function behind a write tool (the same function its MCP server calls); looked up
    once per tool (every case's expected state applies its recorded actions through them)."""
    system = tool_spec(tool).system
    return system, simulated_environment().service(system, tool)


@cache
def _empty(system: str) -> bytes:
    """An empty in-memory database image with the system's schema (built once per process)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(simulated_environment().schema(system))
    image = conn.serialize()
    conn.close()
    return image


def memory_book(snapshot: Mapping[str, Any]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of a snapshot's systems, one connection per system (rows by name, like the servers)."""
    conns: dict[str, sqlite3.Connection] = {}
    hooks = simulated_environment()
    for system, tables in snapshot["systems"].items():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.deserialize(_empty(system))
        conn.row_factory = sqlite3.Row
        hooks.insert_rows(conn, system, tables)
        conns[system] = conn
    return conns


def copy_book(conns: Mapping[str, sqlite3.Connection]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of open systems' databases (a page image each: much faster than re-inserting rows)."""
    copies: dict[str, sqlite3.Connection] = {}
    for system, source in conns.items():
        image = bytearray(source.serialize())
        image[18:20] = b"\x01\x01"  # rollback journal: an in-memory database cannot open a WAL-flagged image
        copy = sqlite3.connect(":memory:", isolation_level=None)
        copy.deserialize(bytes(image))
        copy.row_factory = sqlite3.Row
        copies[system] = copy
    return copies


def open_systems(snapshot: Mapping[str, Any], home: Path) -> dict[str, sqlite3.Connection]:
    """Connections to the sandbox's databases of the systems a snapshot holds."""
    hooks = simulated_environment()
    return {system: hooks.connect(system, home) for system in snapshot["systems"]}


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
    """A recorded action's arguments as the service function takes them: a record given as a JSON object (as it
    arrives over MCP, and as a case file holds it) becomes its model, as the MCP server's validation makes it."""
    models = _models(tool)
    return {k: models[k].model_validate(v) if k in models and isinstance(v, Mapping) else v for k, v in args.items()}


def apply_actions(conns: Mapping[str, sqlite3.Connection], actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Apply actions in order through the service functions; returns what failed (the rest still applies)."""
    problems = []
    for index, action in enumerate(actions):
        tool = str(action["tool"])
        system, function = service(tool)
        try:
            args = _arguments(tool, action.get("args") or {})
            function(conns[system], **args, idempotency_key=f"expected:{index}")
        except (MissionsError, TypeError, KeyError, PydanticValidationError) as exc:
            problems.append(f"action {index + 1} {action['tool']}: {exc}")
    return problems


def project(conns: Mapping[str, sqlite3.Connection], projection: Projection) -> State:
    """The relevant content of every compared table."""
    return {name: [tuple(row) for row in conns[system].execute(sql)] for name, (system, sql) in projection.items()}


def expected_state(
    snapshot: Mapping[str, Any], actions: Sequence[Mapping[str, Any]], projection: Projection
) -> tuple[State, list[str]]:
    """The state the recorded actions produce on the snapshot, and any action that did not apply."""
    return expected_state_of(memory_book(snapshot), actions, projection)


def expected_state_of(
    conns: Mapping[str, sqlite3.Connection], actions: Sequence[Mapping[str, Any]], projection: Projection
) -> tuple[State, list[str]]:
    """The same from in-memory databases already holding the snapshot (:func:`copy_book`); they are closed after."""
    try:
        problems = apply_actions(conns, actions)
        return project(conns, projection), problems
    finally:
        for conn in conns.values():
            conn.close()


def diff(expected: State, actual: State, *, limit: int = 3) -> list[str]:
    """Where two states differ, table by table (``limit`` rows of each side per table)."""
    found = []
    for table in expected.keys() | actual.keys():
        want, have = set(expected.get(table, [])), set(actual.get(table, []))
        if want == have:
            continue
        missing = sorted(want - have, key=repr)[:limit]
        extra = sorted(have - want, key=repr)[:limit]
        found.append(f"{table}: expected {_rows(missing)}; found {_rows(extra)}")
    return sorted(found)


def _rows(rows: Sequence[tuple[Any, ...]]) -> str:
    return ", ".join("(" + ", ".join(str(v) for v in row) + ")" for row in rows) or "nothing else"
