"""The simulator's admin hooks for the demo and the eval harness, registered under the ``ai_missions.environment``
entry points (:mod:`ai_missions.kernel.environment` says what they are for). The platform loads this object by its entry
point and never imports the simulator's modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_missions.integrations.books import seed_books, stories
from ai_missions.integrations.loader import insert_rows
from ai_missions.integrations.snapshot import load_snapshot, load_snapshot_in_place, read_snapshot
from ai_missions.integrations.support_seed import co_approval_ticket
from ai_missions.integrations.systems import connect, declared, schema
from ai_missions.kernel.environment import SimulatedEnvironment
from ai_missions.kernel.errors import NotFoundError

__all__ = ["ENVIRONMENT"]


def _service(system: str, tool: str) -> Callable[..., Any]:
    """The function behind a system's tool (a write's through its idempotent path), as its server calls it."""
    try:
        return declared(system).tools[tool].function
    except KeyError:
        raise NotFoundError(f"{system} declares no tool {tool!r}") from None


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
    schema = staticmethod(schema)
    service = staticmethod(_service)
    insert_rows = staticmethod(insert_rows)
    connect = staticmethod(connect)
    read_snapshot = staticmethod(read_snapshot)
    load_snapshot = staticmethod(load_snapshot)
    load_snapshot_in_place = staticmethod(load_snapshot_in_place)


ENVIRONMENT: SimulatedEnvironment = _Simulator()
