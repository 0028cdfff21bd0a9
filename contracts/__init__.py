"""The tool contracts of the enterprise systems, one module per system (``ai_missions.contracts.erp``...).

Each module defines ``CONTRACT``, a :class:`~ai_missions.tools.SystemContract`. Missions build their tool policies
on these contracts; the simulated systems (:mod:`ai_missions.integrations`) implement them and a test checks that
each server serves exactly its contract. Adding a system is adding a module here: nothing lists them; a system
from another package registers its ``SystemContract`` under the ``ai_missions.contracts`` entry points.

Tool names are unique across systems (a mission calls a tool by name; the gateway routes it to its system).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

from ai_missions.errors import NotFoundError
from ai_missions.tools import SystemContract, ToolSpec

#: Entry-point group of contracts from other packages: system name -> ``module:CONTRACT``.
CONTRACTS_GROUP = "ai_missions.contracts"


@cache
def contracts() -> dict[str, SystemContract]:
    """Every system's contract, by system name."""
    found: dict[str, SystemContract] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        contract = importlib.import_module(f"{__name__}.{module.name}").CONTRACT
        found[contract.system] = contract
    for point in entry_points(group=CONTRACTS_GROUP):
        registered = point.load()
        if not isinstance(registered, SystemContract) or registered.system != point.name:
            raise TypeError(f"entry point {point.name} = {point.value} is not the SystemContract of {point.name!r}")
        if registered.system in found:
            raise ValueError(f"entry point {point.value} registers the contract of {point.name!r} a second time")
        found[registered.system] = registered
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
