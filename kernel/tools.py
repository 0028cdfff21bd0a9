"""What an enterprise system's MCP tools are, as the platform and the missions see them: the tool contract.

A contract names a system's tools, whether each reads or writes, which argument carries money, whether a write is
irreversible (capture, refund, void, cancel, release a hold, ship, tell a customer...), and the JSON schema of each
tool's arguments. A system declares its tools once, as typed service functions
(:class:`ai_missions.integrations.kit.SimulatedSystem`); its contract is derived from them and checked in as JSON
beside the package its ``ai_missions.contracts`` entry point names (:mod:`ai_missions.contracts`), so the platform
and the missions read the interface without importing the system behind it.

Irreversible writes are served with ``destructiveHint: true``; every write takes an ``idempotency_key``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ToolKind = Literal["read", "write"]
#: The entry-point group systems register under: name -> a factory ``(home, **settings)`` of its MCP server.
SYSTEMS_GROUP = "ai_missions.systems"


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
    #: The JSON schema of the arguments, as the system's server lists it (None: declared without one).
    input_schema: Mapping[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("read", "write"):
            raise ValueError(f"{self.name}: kind {self.kind!r} is neither read nor write")
        if self.input_schema is None:
            return
        arguments = self.arguments
        if self.amount_arg is not None and self.amount_arg not in arguments:
            raise ValueError(f"{self.name}: its amount argument {self.amount_arg!r} is not one of its arguments")
        if self.is_write and "idempotency_key" not in arguments:
            raise ValueError(f"{self.name}: a write takes an idempotency_key")

    @property
    def is_write(self) -> bool:
        return self.kind == "write"

    @property
    def arguments(self) -> tuple[str, ...]:
        """The names of the arguments the tool takes (empty when its contract has no schema)."""
        return tuple((self.input_schema or {}).get("properties", {}))

    def to_json(self) -> dict[str, Any]:
        """The tool as its system's checked-in contract holds it."""
        found: dict[str, Any] = {"name": self.name, "kind": self.kind, "summary": self.summary}
        if self.is_write:
            found |= {"amount_arg": self.amount_arg, "irreversible": self.irreversible}
            found["reaches_outside"] = self.reaches_outside
        return found | {"input_schema": self.input_schema}


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

    def to_json(self) -> dict[str, Any]:
        """The contract as it is checked in (``<system>.json``)."""
        return {"system": self.system, "title": self.title, "tools": [t.to_json() for t in self.tools]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SystemContract:
        """A contract from its checked-in JSON; ValueError on one that is not well formed."""
        try:
            system = str(data["system"])
            tools = tuple(
                ToolSpec(
                    system,
                    str(t["name"]),
                    t["kind"],
                    str(t["summary"]),
                    t.get("amount_arg"),
                    bool(t.get("irreversible", False)),
                    bool(t.get("reaches_outside", False)),
                    t["input_schema"],
                )
                for t in data["tools"]
            )
            return cls(system, str(data["title"]), tools)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a system contract: {exc!r} missing or malformed") from None


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
