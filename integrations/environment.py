"""The simulator's admin hooks for the demo and the eval harness, registered under the ``ai_missions.environment``
entry points (:mod:`ai_missions.environment` says what they are for). The platform loads this object by its entry
point and never imports the simulator's modules."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ai_missions.environment import SimulatedEnvironment
from ai_missions.integrations.books import seed_books, stories
from ai_missions.integrations.loader import insert_rows
from ai_missions.integrations.snapshot import load_snapshot, load_snapshot_in_place, read_snapshot
from ai_missions.integrations.store import connect
from ai_missions.integrations.systems import SCHEMAS, SIMULATED

__all__ = ["ENVIRONMENT"]


def _schema(system: str) -> str:
    return SCHEMAS[system]


def _service(system: str, tool: str) -> Callable[..., Any]:
    function: Callable[..., Any] = getattr(importlib.import_module(SIMULATED[system].service_module), tool)
    return function


class _Simulator:
    """The hooks, as the functions of the simulator's modules (the same ones its commands and servers use)."""

    seed_books = staticmethod(seed_books)
    stories = staticmethod(stories)
    schema = staticmethod(_schema)
    service = staticmethod(_service)
    insert_rows = staticmethod(insert_rows)
    connect = staticmethod(connect)
    read_snapshot = staticmethod(read_snapshot)
    load_snapshot = staticmethod(load_snapshot)
    load_snapshot_in_place = staticmethod(load_snapshot_in_place)


ENVIRONMENT: SimulatedEnvironment = _Simulator()
