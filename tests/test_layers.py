"""The layers point one way: missions -> reusable nodes -> platform services -> nothing of a mission.

Checked on every reference one module makes to another: import statements wherever they stand (at the top, inside a
function, under ``TYPE_CHECKING``), and module paths written as strings (``importlib.import_module("...")``,
``"package.module:attribute"``, an f-string's ``"ai_missions.integrations.{system}"``, the module a spawned process
runs), which load a module as surely as an import does. The entry points and scripts in ``pyproject.toml`` and the
graph and auth paths of ``langgraph.json`` are strings too: each may point only into its own layer. The simulated
systems are a stand-in for real ones: outside a mission's data generators, nothing imports them; the platform reaches
them through the ``ai_missions.systems`` entry points and MCP, and the demo and the eval environment through the
admin hooks the simulator registers under ``ai_missions.environment``.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Top-level folders and the import names they are mapped to (``[tool.setuptools.package-dir]``).
FOLDERS = {
    "ai_missions.contracts": "contracts",
    "ai_missions.graphs": "graphs",
    "ai_missions.nodes": "nodes",
    "ai_missions.knowledge_index": "knowledge_index",
    "ai_missions.integrations": "integrations",
    "ai_missions.dashboard": "dashboard",
    "ai_missions.evals": "evals",
    "ai_missions": "core",
}

#: Platform services: what everything else stands on.
SERVICES = {
    "core/admission.py",
    "core/environment.py",
    "core/errors.py",
    "core/settings.py",
    "core/tools.py",
    "core/missions.py",
    "core/decisions.py",
    "core/governance.py",
    "core/gateway.py",
    "core/mcp_session.py",
    "core/connections.py",
    "core/serve_system.py",
    "core/store.py",
    "core/queries.py",
    "core/triggers.py",
}
ABOVE_SERVICES = (
    "ai_missions.nodes",
    "ai_missions.graphs",
    "ai_missions.integrations",
    "ai_missions.runtime",
    "ai_missions.client",
    "ai_missions.evals",
    "ai_missions.dashboard",
)

#: Entry-point group -> the import names its entry points may point into.
ENTRY_POINT_LAYERS = {
    "ai_missions.missions": ("ai_missions.graphs.",),
    "ai_missions.systems": ("ai_missions.integrations.",),
    # the package holding each system's checked-in contract (the platform reads it, never the system)
    "ai_missions.contracts": ("ai_missions.contracts",),
    "ai_missions.books": ("ai_missions.integrations.",),
    "ai_missions.environment": ("ai_missions.integrations.",),
    # the CLI's areas: any layer but a mission's (missions bring no commands of their own)
    "ai_missions.commands": ("ai_missions.",),
    # console scripts: the platform's executables (never a mission's module)
    "scripts": ("ai_missions.",),
}

_MODULE_PATH = re.compile(r"ai_missions(?:\.[A-Za-z_]\w*)+")


def module_file(name: str) -> Path | None:
    """The file (or package folder) of an ``ai_missions`` module name, if it exists in this repository."""
    for prefix, folder in FOLDERS.items():
        if name == prefix or name.startswith(prefix + "."):
            rest = name[len(prefix) + 1 :].split(".") if name != prefix else []
            base = ROOT.joinpath(folder, *rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if rest and candidate.exists():
                    return candidate
            return ROOT / folder if not rest else None
    return None


def _string_reference(text: str, *, prefix_only: bool = False) -> str | None:
    """The module a string names (``"pkg.mod"``, ``"pkg.mod:attr"``; with ``prefix_only``, the head of an
    f-string such as ``"ai_missions.integrations."``), when it is one of ours."""
    head = text.partition(":")[0].rstrip(".")
    if not _MODULE_PATH.fullmatch(head):
        return None
    if prefix_only:  # the rest is computed: a reference to any module under this package
        return head if module_file(head) is not None else None
    while head and module_file(head) is None:  # "pkg.mod.attr" names an attribute of pkg.mod
        head = head.rpartition(".")[0]
    return head if head not in ("", "ai_missions") else None


def references(source: str, filename: str = "<module>") -> set[str]:
    """Every ``ai_missions`` module a module's source refers to, by import statement or by string."""
    tree = ast.parse(source, filename=filename)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (name := _string_reference(node.value)) is not None:
                found.add(name)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            computed = len(node.values) > 1 and isinstance(first, ast.Constant) and isinstance(first.value, str)
            if computed and (name := _string_reference(str(first.value), prefix_only=True)) is not None:
                found.add(name)
    return {name for name in found if name.startswith("ai_missions")}


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def back_arrows(relative_path: str, source: str) -> list[str]:
    """The references of the module at ``relative_path`` (``core/store.py``) that point against the layers."""
    refs = references(source, relative_path)
    parts = Path(relative_path).parts
    found: set[str] = set()

    def forbid(*prefixes: str) -> None:
        found.update(n for n in refs if _under(n, *prefixes))

    if relative_path in SERVICES:
        forbid(*ABOVE_SERVICES)
    if parts[0] == "nodes":
        forbid("ai_missions.graphs", "ai_missions.integrations", "ai_missions.runtime")
    if parts[0] in ("core", "dashboard", "evals", "knowledge_index"):
        forbid("ai_missions.graphs")
    platform = parts[0] in ("core", "nodes", "dashboard", "evals", "knowledge_index")
    if platform:
        forbid("ai_missions.integrations")
    if parts[0] == "graphs" and len(parts) > 2:
        mission = parts[1]
        found.update(n for n in refs if _under(n, "ai_missions.graphs") and n.split(".")[2:3] not in ([], [mission]))
        if "evals" not in parts:
            forbid("ai_missions.integrations")
    if parts[0] in ("integrations", "contracts"):
        forbid("ai_missions.graphs", "ai_missions.nodes", "ai_missions.runtime", "ai_missions.missions")
    return sorted(found)


def entry_point_problems(pyproject: Mapping[str, Any]) -> list[str]:
    """Entry points (loaded by string) that point outside their group's layer or at no module of ours."""
    problems = []
    project = pyproject.get("project", {})
    groups: dict[str, Mapping[str, str]] = {**project.get("entry-points", {}), "scripts": project.get("scripts", {})}
    for group, points in groups.items():
        allowed = ENTRY_POINT_LAYERS.get(group)
        for name, value in points.items():
            module = value.partition(":")[0].strip()
            where = f"[{group}] {name} = {value!r}"
            if allowed is None:
                problems.append(f"{where}: a group the layer test does not know")
            elif not module.startswith(allowed):
                problems.append(f"{where}: outside {', '.join(allowed)}")
            elif module_file(module) is None:
                problems.append(f"{where}: no such module")
            elif group in ("ai_missions.commands", "scripts") and _under(module, "ai_missions.graphs"):
                problems.append(f"{where}: a mission's module")
    return problems


def langgraph_problems(config: Mapping[str, Any]) -> list[str]:
    """``langgraph.json`` loads graphs by file path and its auth by module path: each graph must be a mission's
    graph module, the auth a platform module (neither a mission's nor the simulator's)."""
    problems = []
    for name, value in config.get("graphs", {}).items():
        path = value.partition(":")[0]
        parts = Path(path).parts
        if parts[:1] != ("graphs",) or len(parts) < 3:
            problems.append(f"graph {name} = {value!r}: not a mission's module under graphs/")
        elif not (ROOT / path).is_file():
            problems.append(f"graph {name} = {value!r}: no such file")
    auth = config.get("auth", {}).get("path")
    if auth is not None:
        module = auth.partition(":")[0]
        if _under(module, "ai_missions.graphs", "ai_missions.integrations") or module_file(module) is None:
            problems.append(f"auth {auth!r}: not a platform module")
    return problems


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


ALL = modules("core", "nodes", "dashboard", "evals", "knowledge_index", "graphs", "integrations", "contracts")


@pytest.mark.parametrize("path", ALL, ids=relative)
def test_no_back_arrow(path: Path) -> None:
    assert back_arrows(relative(path), path.read_text()) == []


def test_the_entry_points_point_into_their_layers() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert entry_point_problems(pyproject) == []
    assert pyproject["project"]["entry-points"]["ai_missions.missions"]  # the check saw the registry


def test_langgraph_json_loads_missions_graphs_and_a_platform_auth() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["graphs"]
    assert langgraph_problems(config) == []


def test_every_service_module_exists() -> None:
    assert all((ROOT / p).exists() for p in SERVICES)


# The checker itself: a back-arrow planted where the layers forbid it is reported, in each form it can take.

PLANTED = {
    "an import inside a function": (
        "core/store.py",
        "def load():\n    from ai_missions.graphs.order_exception.spec import SPEC\n    return SPEC\n",
        ["ai_missions.graphs.order_exception.spec", "ai_missions.graphs.order_exception.spec.SPEC"],
    ),
    "an import under TYPE_CHECKING": (
        "nodes/guard.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import ai_missions.runtime\n",
        ["ai_missions.runtime"],
    ),
    "importlib with a literal module": (
        "core/queries.py",
        "import importlib\n\ndef erp():\n    return importlib.import_module('ai_missions.integrations.erp')\n",
        ["ai_missions.integrations.erp"],
    ),
    "a module:attribute string": (
        "evals/harness.py",
        "SPEC = 'ai_missions.graphs.support.spec:SPEC'\n",
        ["ai_missions.graphs.support.spec"],
    ),
    "an f-string naming a package's modules": (
        "dashboard/app.py",
        "def server(system):\n    return f'ai_missions.integrations.server_{system}'\n",
        ["ai_missions.integrations"],
    ),
    "a spawned process's module": (
        "core/connections.py",
        "import sys\nCOMMAND = [sys.executable, '-m', 'ai_missions.integrations.serving']\n",
        ["ai_missions.integrations.serving"],
    ),
    "the demo seeding the simulator's books itself": (
        "core/demo.py",
        "def seed(home):\n    from ai_missions.integrations.books import seed_books\n    return seed_books(home)\n",
        ["ai_missions.integrations.books", "ai_missions.integrations.books.seed_books"],
    ),
    "the eval environment importing the simulator's snapshots": (
        "evals/environment.py",
        "from ai_missions.integrations.snapshot import read_snapshot\n",
        ["ai_missions.integrations.snapshot", "ai_missions.integrations.snapshot.read_snapshot"],
    ),
    "one mission naming another": (
        "graphs/support/gather.py",
        "from ai_missions.graphs.order_exception import facts\n",
        ["ai_missions.graphs.order_exception", "ai_missions.graphs.order_exception.facts"],
    ),
    "the simulator naming the mission registry by string": (
        "integrations/erp.py",
        "GROUP = 'ai_missions.missions:registry'\n",
        ["ai_missions.missions"],
    ),
}


@pytest.mark.parametrize(("where", "source", "expected"), PLANTED.values(), ids=PLANTED)
def test_a_planted_back_arrow_is_reported(where: str, source: str, expected: list[str]) -> None:
    assert back_arrows(where, source) == expected


def test_strings_that_name_no_module_are_not_references() -> None:
    """Entry-point group names and prose are not modules: ``ai_missions.systems`` is a group, not a file."""
    source = "GROUP = 'ai_missions.systems'\nTEXT = 'see ai_missions.graphs for the missions'\n"
    assert back_arrows("core/mcp_session.py", source) == []
    assert back_arrows("core/missions.py", "GROUP = 'ai_missions.missions'\n") == []


PLANTED_ENTRY_POINTS = {
    "a mission registered from the simulator": (
        "ai_missions.missions",
        "ai_missions.integrations.erp:SYSTEM",
        "outside ai_missions.graphs.",
    ),
    "a system registered from a mission": (
        "ai_missions.systems",
        "ai_missions.graphs.order_exception.spec:SPEC",
        "outside ai_missions.integrations.",
    ),
    "a system that does not exist": ("ai_missions.systems", "ai_missions.integrations.nowhere:SYSTEM", "no such"),
    "a contract read from the simulator": (
        "ai_missions.contracts",
        "ai_missions.integrations",
        "outside ai_missions.contracts",
    ),
    "a book from a mission": (
        "ai_missions.books",
        "ai_missions.graphs.support.spec:SPEC",
        "outside ai_missions.integrations.",
    ),
    "the environment hooks registered from a mission": (
        "ai_missions.environment",
        "ai_missions.graphs.support.spec:SPEC",
        "outside ai_missions.integrations.",
    ),
    "a command from a mission": ("ai_missions.commands", "ai_missions.graphs.support.portal:main", "a mission's"),
    "a group nobody checks": ("ai_missions.plugins", "ai_missions.graphs.support.spec:SPEC", "does not know"),
}


@pytest.mark.parametrize(("group", "value", "problem"), PLANTED_ENTRY_POINTS.values(), ids=PLANTED_ENTRY_POINTS)
def test_a_planted_entry_point_is_reported(group: str, value: str, problem: str) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pyproject["project"]["entry-points"].setdefault(group, {})["planted"] = value
    found = entry_point_problems(pyproject)
    assert len(found) == 1
    assert found[0].startswith(f"[{group}] planted = ")
    assert problem in found[0]


PLANTED_LANGGRAPH = {
    "a graph from the simulator": ({"graphs": {"x": "./integrations/erp.py:SYSTEM"}}, "not a mission's module"),
    "a graph that does not exist": ({"graphs": {"x": "./graphs/nowhere/graph.py:graph"}}, "no such file"),
    "an auth from a mission": ({"auth": {"path": "ai_missions.graphs.support.portal:auth"}}, "not a platform module"),
}


@pytest.mark.parametrize(("config", "problem"), PLANTED_LANGGRAPH.values(), ids=PLANTED_LANGGRAPH)
def test_a_planted_langgraph_path_is_reported(config: dict[str, Any], problem: str) -> None:
    found = langgraph_problems(config)
    assert len(found) == 1
    assert problem in found[0]


def test_a_script_from_a_mission_is_reported() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pyproject["project"]["scripts"]["planted"] = "ai_missions.graphs.support.portal:main"
    assert entry_point_problems(pyproject) == [
        "[scripts] planted = 'ai_missions.graphs.support.portal:main': a mission's module"
    ]
