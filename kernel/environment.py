"""The simulated systems' admin hooks: what the demo and the eval harness do to a sandbox besides calling its
tools (seed the books, load and read snapshots, apply a recorded action through a system's own service function).

The platform never imports the simulator: it loads whichever package registered itself under the
``ai_missions.environment`` entry points (the simulator does, in this repository's ``pyproject.toml``), as it loads
systems' servers from ``ai_missions.systems``. A deployment against real systems registers none; the demo and the
eval harness then stop with one line saying so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from ai_missions.kernel.errors import MissionsError

__all__ = ["ENVIRONMENT_GROUP", "SimulatedEnvironment", "simulated_environment"]

#: Entry-point group of the simulated systems' admin hooks: name -> ``module:object`` (one registration).
ENVIRONMENT_GROUP = "ai_missions.environment"

Snapshot = dict[str, Any]
Rows = list[dict[str, Any]]


class SimulatedEnvironment(Protocol):
    """What a simulator offers the demo and the eval harness, a test double's admin interface."""

    def seed_books(self, home: Path, *, seed: int, sizes: Mapping[str, int] | None = None) -> list[str]:
        """Seed every book into the sandbox under ``home``; one line per book."""
        ...

    def stories(self, home: Path) -> dict[str, str]:
        """Mission -> its flagship story's subject in the seeded books."""
        ...

    def demo_cases(self, home: Path) -> dict[str, list[str]]:
        """Mission -> cases the demo runs besides its spread (made in the seeded books when needed), e.g. a plan
        that takes two roles, so co-approval can be tried."""
        ...

    def schema(self, system: str) -> str:
        """The DDL of a system's database."""
        ...

    def service(self, system: str, tool: str) -> Callable[..., Any]:
        """The service function behind a write tool (the one its MCP server calls)."""
        ...

    def insert_rows(self, conn: sqlite3.Connection, system: str, tables: Mapping[str, Rows]) -> None:
        """Insert a snapshot's rows of one system into an open database."""
        ...

    def connect(self, system: str, home: Path | None = None) -> sqlite3.Connection:
        """A connection to a system's database in the sandbox under ``home``."""
        ...

    def read_snapshot(self, source: Snapshot | str | Path) -> Snapshot:
        """A snapshot from a dict, a JSON string or a file path, with its format checked."""
        ...

    def load_snapshot(self, source: Snapshot | str | Path, home: Path | None = None) -> Path:
        """Replace the sandbox's systems a snapshot holds; returns the sandbox dir."""
        ...

    def load_snapshot_in_place(
        self,
        source: Snapshot | str | Path,
        home: Path | None = None,
        *,
        connections: Mapping[str, sqlite3.Connection] | None = None,
        checked: bool = False,
    ) -> None:
        """Reset the tables inside the sandbox's open databases to a snapshot."""
        ...


@cache
def simulated_environment() -> SimulatedEnvironment:
    """The registered simulator's hooks (loaded once); none or several registered is a one-line error."""
    found = list(entry_points(group=ENVIRONMENT_GROUP))
    if len(found) != 1:
        names = ", ".join(sorted(point.name for point in found)) or "none"
        raise MissionsError(
            f"the demo and the eval harness need exactly one simulator registered under the {ENVIRONMENT_GROUP} "
            f"entry points; registered: {names}"
        )
    hooks: SimulatedEnvironment = found[0].load()
    return hooks
