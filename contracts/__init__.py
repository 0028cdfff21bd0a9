"""The tool contracts of the enterprise systems: what the platform and the missions know of each system's tools.

A system declares its tools once, as typed service functions (:class:`ai_missions.integrations.kit.SimulatedSystem`);
its contract (tool names, reads and writes, the amount argument, irreversible and outside-reaching writes, the
arguments' JSON schema) is derived from that declaration and checked in as ``<system>.json`` in the package its
``ai_missions.contracts`` entry point names (``erp = "ai_missions.contracts"``: ``contracts/erp.json`` here). The
platform reads these files and never imports the system; ``missions systems contract --check`` (and a test) says
when a checked-in contract differs from its declaration, ``--write`` regenerates it.

Tool names are unique across systems (a mission calls a tool by name; the gateway routes it to its system).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable

from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.tools import SystemContract, ToolSpec

#: Entry-point group of the systems' contracts: system name -> the package holding ``<name>.json``.
CONTRACTS_GROUP = "ai_missions.contracts"


def contract_file(point: EntryPoint) -> Traversable:
    """The checked-in contract an entry point names: ``<name>.json`` in its package."""
    if point.attr:
        raise TypeError(
            f"entry point {point.name} = {point.value} names an attribute; name the package of {point.name}.json"
        )
    return files(point.module) / f"{point.name}.json"


def read_contract(point: EntryPoint) -> SystemContract:
    """The contract an entry point registers, checked against its name."""
    path = contract_file(point)
    try:
        registered = SystemContract.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValueError(f"entry point {point.name} = {point.value}: no readable contract at {path}: {exc}") from None
    if registered.system != point.name:
        raise ValueError(f"entry point {point.name} = {point.value}: {path} is the contract of {registered.system!r}")
    return registered


@cache
def contracts() -> dict[str, SystemContract]:
    """Every system's contract, by system name."""
    found: dict[str, SystemContract] = {}
    for point in entry_points(group=CONTRACTS_GROUP):
        if point.name in found:
            raise ValueError(f"entry point {point.value} registers the contract of {point.name!r} a second time")
        found[point.name] = read_contract(point)
    return dict(sorted(found.items()))


def contract(system: str) -> SystemContract:
    """One system's contract; NotFoundError naming the known systems otherwise."""
    try:
        return contracts()[system]
    except KeyError:
        raise NotFoundError(f"unknown system {system!r}; known: {', '.join(contracts())}") from None


@cache
def tools_by_name() -> dict[str, ToolSpec]:
    """Every tool of every system, by its (globally unique) name."""
    tools: dict[str, ToolSpec] = {}
    for system_contract in contracts().values():
        for spec in system_contract.tools:
            if spec.name in tools:
                raise ValueError(f"tool {spec.name!r} is served by both {tools[spec.name].system} and {spec.system}")
            tools[spec.name] = spec
    return tools


def tool_spec(name: str) -> ToolSpec:
    """The contract of one tool, by name."""
    try:
        return tools_by_name()[name]
    except KeyError:
        raise NotFoundError(f"no system serves a tool named {name!r}") from None
