"""What an enterprise system's MCP tools are, as the platform and the missions see them: the tool contract.

A contract names a system's tools, whether each reads or writes, which argument carries money, and whether a
write is irreversible (capture, refund, void, cancel, release a hold, ship, tell a customer...). The contracts of
the systems live in :mod:`ai_missions.contracts`; the simulated systems implement them (and never the reverse),
so the platform and the missions depend on an interface, not on the stand-in behind it.

Irreversible writes are served with ``destructiveHint: true``; every write takes an ``idempotency_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

ToolKind = Literal["read", "write"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One MCP tool of a system."""

    system: str
    name: str
    kind: ToolKind
    summary: str
    #: The argument holding a money amount (checked against approval limits), if any.
    amount_arg: str | None = None
    #: A write whose effect cannot be taken back by another write (money moved, goods shipped, a hold lifted,
    #: an order cancelled). Served with ``destructiveHint: true``.
    irreversible: bool = False
    #: The write reaches someone outside the company (a customer, a vendor): ``openWorldHint: true``.
    reaches_outside: bool = False

    @property
    def is_write(self) -> bool:
        return self.kind == "write"


@dataclass(frozen=True, slots=True)
class SystemContract:
    """A system's tools, in the order its server lists them."""

    system: str
    title: str
    tools: tuple[ToolSpec, ...]

    def __post_init__(self) -> None:
        names = [t.name for t in self.tools]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.system}: a tool is listed twice")
        if foreign := [t.name for t in self.tools if t.system != self.system]:
            raise ValueError(f"{self.system}: tools of another system listed: {foreign}")

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self.tools)

    def tool(self, name: str) -> ToolSpec:
        for spec in self.tools:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def writes(self) -> tuple[ToolSpec, ...]:
        return tuple(t for t in self.tools if t.is_write)


def read(system: str, name: str, summary: str) -> ToolSpec:
    return ToolSpec(system, name, "read", summary)


def write_lookup_name(system: str) -> str:
    """The read tool every system with writes serves: a write recorded under an idempotency key.

    The platform uses it to learn the outcome of a write whose answer was lost (a timeout, a dropped session)
    before reporting anything: the systems record a write's result atomically with its effect.
    """
    return f"get_{system}_write"


def write_lookup(system: str) -> ToolSpec:
    return read(system, write_lookup_name(system), "The write recorded under an idempotency key, if any.")


def write(
    system: str,
    name: str,
    summary: str,
    *,
    amount_arg: str | None = None,
    irreversible: bool = False,
    reaches_outside: bool = False,
) -> ToolSpec:
    return ToolSpec(system, name, "write", summary, amount_arg, irreversible, reaches_outside)
