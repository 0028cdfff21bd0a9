"""What a simulated system declares: its storage (:class:`SimulatedSystem`) and the book that seeds it
(:class:`Book`). The systems here are declared in :mod:`.systems` and :mod:`.books`; a system from elsewhere (a
mission's own package) registers its ``SimulatedSystem`` under the ``ai_missions.simulated`` entry points, with
its book, service module and server module, and no file of the simulator changes.

This module imports nothing of the simulator but the common tables (and where the sandbox is, for a book's
story): a plug-in's declaration is loaded while :mod:`.systems` builds its registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.integrations import schema
from ai_missions.settings import sandbox_dir

__all__ = ["COMMON_TABLES", "SIMULATED_GROUP", "Book", "BookRows", "SimulatedSystem", "sandbox_dir"]

#: Entry-point group of simulated systems from other packages: name -> ``module:SimulatedSystem``.
SIMULATED_GROUP = "ai_missions.simulated"
#: Tables every system database carries besides its own (book clock, id sequences, idempotency records).
COMMON_TABLES: tuple[str, ...] = ("meta", "sequences", "idempotency")

BookRows = dict[str, dict[str, list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class Book:
    name: str
    #: What the size counts (``orders``, ``invoices``...) and its default.
    unit: str
    default_size: int
    #: ``(size, seed) -> {system: {table: rows}}``, deterministic.
    generate: Callable[[int, int], BookRows]
    #: The mission its flagship story is for, and ``home -> story subject id`` (None when it has none).
    mission: str | None = None
    story: Callable[[Path], str | None] | None = None
    #: ``(home, size, seed) -> rows`` for a book built over the books seeded before it (it reads them from the
    #: sandbox under ``home``); used instead of ``generate`` when set.
    derive: Callable[[Path, int, int], BookRows] | None = None

    def rows(self, home: Path, size: int, seed: int) -> BookRows:
        return self.derive(home, size, seed) if self.derive is not None else self.generate(size, seed)


@dataclass(frozen=True, slots=True)
class SimulatedSystem:
    name: str
    #: The system's own tables (DDL), without the common ones.
    ddl: str
    #: Its own tables in insertion order (parents before children).
    own_tables: tuple[str, ...]
    #: False for a system with no database of its own (a report over the others' data).
    storage: bool = True
    #: The module of its service functions (the eval environment applies recorded actions through them) and of
    #: its MCP server (``build(home, **settings)``); by default the simulator's ``NAME`` and ``server_NAME``.
    service: str | None = None
    server: str | None = None
    #: The book that seeds it, for a system from another package (the simulator's own are in :mod:`.books`).
    book: Book | None = None

    @property
    def schema(self) -> str:
        return schema.COMMON + self.ddl

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table, in the order exports and imports carry them."""
        return COMMON_TABLES + self.own_tables

    @property
    def server_module(self) -> str:
        return self.server or f"ai_missions.integrations.server_{self.name}"

    @property
    def service_module(self) -> str:
        return self.service or f"ai_missions.integrations.{self.name}"
