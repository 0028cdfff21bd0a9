"""Environments: the worlds a mission decides in, chosen by name, several at once.

An environment is a set of systems at a state, with a lifecycle: :meth:`Environment.reset` to a case's state,
:meth:`~Environment.call` a tool as its system answers it (an environment is a ``Systems`` a mission's graph runs
over), :meth:`~Environment.apply` a recorded action directly, :meth:`~Environment.snapshot` the state it holds (which
``reset`` takes back) and :meth:`~Environment.view` the tables an end state is compared on. Nothing in it names a
storage: the simulated books keep SQLite databases, a recorded case keeps what the mission read, tau-bench keeps its
own JSON database, and each is one implementation registered under the ``ai_missions.environments`` entry points
(name -> factory). The harness, the benchmarks and the conformance kit open them by name
(:func:`open_environment`); the platform imports none of them.

The simulator's admin hooks (:class:`SimulatedEnvironment`: seed the demo's books, find their stories) stay a
separate, single registration (``ai_missions.environment``): a deployment against real systems registers none, and
the demo then stops with one line saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ai_missions.kernel.errors import MissionsError, NotFoundError
from ai_missions.kernel.plugins import by_name
from ai_missions.kernel.triggers import Systems

__all__ = [
    "ENVIRONMENTS_GROUP",
    "ENVIRONMENT_GROUP",
    "Environment",
    "RollsBack",
    "SimulatedEnvironment",
    "View",
    "environment_names",
    "open_environment",
    "simulated_environment",
]

#: Entry-point group of the environments: name -> a factory ``(**options) -> Environment``.
ENVIRONMENTS_GROUP = "ai_missions.environments"
#: Entry-point group of the simulated systems' admin hooks (one registration).
ENVIRONMENT_GROUP = "ai_missions.environment"

Snapshot = dict[str, Any]
#: An end state as compared: table label -> its rows, each a tuple.
View = dict[str, list[tuple[Any, ...]]]


@runtime_checkable
class Environment(Systems, Protocol):
    """A world of systems at a state, with the lifecycle a replay, a benchmark and a conformance check go through.
    It is a :class:`~ai_missions.kernel.triggers.Systems`: ``call`` a tool as its system answers it (a refusal raises
    the system's error), and each tool's input ``schemas`` (what the guard checks arguments against)."""

    #: The name it is registered under.
    name: str
    #: Whether a mission reaches it over its systems' MCP servers (served from ``home``): the simulated books; else
    #: the mission's graph calls it in-process, as its ``Systems``.
    served: bool

    def reset(self, state: Any) -> None:
        """Hold ``state`` from now on: a case's state (a snapshot, a recorded case, a task) or one :meth:`snapshot`
        returned."""
        ...

    def apply(self, action: Mapping[str, Any]) -> None:
        """Apply one action (``tool``, ``args``) directly, as its system would: how an expected end state is made.
        A refused action raises the system's error and changes nothing."""
        ...

    def snapshot(self) -> Any:
        """The state held now, in a form :meth:`reset` takes back."""
        ...

    def view(self, projection: Mapping[str, Any]) -> View:
        """The tables ``projection`` names (a mission's eval plugin declares it in this environment's terms)."""
        ...

    def close(self) -> None:
        """Release what it holds."""
        ...


@runtime_checkable
class RollsBack(Protocol):
    """An environment that can undo what is done to it: actions applied inside :meth:`rolled_back` are seen (its
    ``view``) and undone on leaving. An expected end state is then made in place, without a copy of the state in a
    second environment (which costs the books a page image and a schema read per system, every case)."""

    def rolled_back(self) -> AbstractContextManager[None]:
        """A context whose changes are all undone when it ends, however it ends."""
        ...


def _points() -> dict[str, Any]:
    return by_name(ENVIRONMENTS_GROUP, "environment")


def environment_names() -> list[str]:
    """The registered environments' names (none loaded)."""
    return list(_points())


@cache
def _factory(name: str) -> Callable[..., Environment]:
    points = _points()
    if name not in points:
        raise NotFoundError(f"no environment {name!r} is registered (registered: {', '.join(points) or 'none'})")
    factory: Callable[..., Environment] = points[name].load()
    return factory


def open_environment(name: str, **options: Any) -> Environment:
    """A new environment of the kind registered as ``name`` (``options``: what that kind takes, e.g. ``home``)."""
    opened = _factory(name)(**options)
    if not isinstance(opened, Environment):
        raise MissionsError(f"the environment {name!r} does not implement the environment protocol")
    return opened


class SimulatedEnvironment(Protocol):
    """What a simulator offers the demo: seeded books, their stories, and the snapshot format it reads."""

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

    def read_snapshot(self, source: Snapshot | str | Path) -> Snapshot:
        """A snapshot from a dict, a JSON string or a file path, with its format checked."""
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
