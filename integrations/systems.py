"""The simulated systems: which are registered, their declarations, and where each one's database is.

Every system, the simulator's own and one from another package alike, registers its :class:`SimulatedSystem` under
the ``ai_missions.systems`` entry points (the platform serves it from there); nothing lists them here. A declaration
is loaded when its system is first needed, so a process serving one system imports that system's module only; the
functions over every system (:func:`storage_systems`, a snapshot, the status) load them all. The platform never
imports this package: it loads the servers through the entry points and talks to them over MCP.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from functools import cache
from pathlib import Path

from ai_missions.integrations.plugin import COMMON_TABLES, SimulatedSystem
from ai_missions.integrations.store import get_meta
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.plugins import by_name
from ai_missions.kernel.tools import SYSTEMS_GROUP

__all__ = [
    "COMMON_TABLES",
    "SERVED",
    "SYSTEMS_GROUP",
    "SimulatedSystem",
    "all_paths",
    "check_system",
    "connect",
    "declared",
    "is_storage_system",
    "schema",
    "simulated",
    "storage_systems",
    "system_path",
    "tables",
]


_POINTS = by_name(SYSTEMS_GROUP, "system")
#: Every registered system, by name (without loading any).
SERVED: tuple[str, ...] = tuple(_POINTS)


@cache
def declared(system: str) -> SimulatedSystem:
    """The declaration of one simulated system (its module imported on first use)."""
    if system not in _POINTS:
        raise ValidationError(f"unknown system {system!r}; expected one of {', '.join(SERVED)}")
    found = _POINTS[system].load()
    if not isinstance(found, SimulatedSystem) or found.name != system:
        raise ValidationError(f"system {system!r} ({_POINTS[system].value}) is not a simulated system")
    return found


@cache
def simulated() -> dict[str, SimulatedSystem]:
    """Every registered simulated system (a real system's adapter registered beside them is left out)."""
    found = {}
    for name, point in _POINTS.items():
        system = point.load()
        if isinstance(system, SimulatedSystem) and system.name == name:
            found[name] = system
    return found


@cache
def storage_systems() -> tuple[str, ...]:
    """Every simulated system that keeps a database (what books, snapshots and sandboxes hold)."""
    return tuple(name for name, system in simulated().items() if system.storage)


def schema(system: str) -> str:
    """A system's full DDL (the common tables included)."""
    return declared(check_system(system)).schema


def tables(system: str) -> tuple[str, ...]:
    """A system's tables, in the order exports and imports carry them."""
    return declared(check_system(system)).tables


def is_storage_system(system: str) -> bool:
    """Whether ``system`` is a simulated system with a database (loading its declaration only)."""
    try:
        return system in _POINTS and declared(system).storage
    except ValidationError:  # registered, but not a simulated system
        return False


def check_system(system: str) -> str:
    """``system`` when it is a simulated system with a database; ValidationError naming those otherwise."""
    if not is_storage_system(system):
        raise ValidationError(f"unknown system {system!r}; expected one of {', '.join(storage_systems())}")
    return system


def system_path(system: str, home: Path | None = None) -> Path:
    """The SQLite file of one system."""
    return declared(check_system(system)).path(home)


def connect(system: str, home: Path | None = None) -> sqlite3.Connection:
    """Open a system's database (it must exist: seed or import a book first)."""
    return declared(check_system(system)).database(home)


def book_meta(system: str, key: str, home: Path | None = None) -> str | None:
    """A value the book seeded under ``home`` keeps in a system's ``meta`` table (its flagship story's subject)."""
    with closing(connect(system, home)) as conn:
        return get_meta(conn, key)


def all_paths(home: Path | None = None) -> dict[str, Path]:
    return {system: system_path(system, home) for system in storage_systems()}
