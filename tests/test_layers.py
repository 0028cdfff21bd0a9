"""The layers point one way, and no package forms a loop with another.

:data:`LAYERS` is the order, lowest first (docs/architecture.md, "Layers", shows the same list; a test holds the two
together). A module may refer to its own package and to packages in layers below its own, never to one above nor to
another package of its own layer. Every reference counts: import statements wherever they stand (at the top, inside
a function, under ``TYPE_CHECKING``), and module paths written as strings (``importlib.import_module("...")``,
``"package.module:attribute"``, an f-string's ``"ai_missions.integrations.{system}"``, the module a spawned process
runs), which load a module as surely as an import does. Every folder of code is scanned: the packages, ``examples/``,
``bench/`` and ``scripts/``. There are no exceptions to list.

The entry points and scripts in ``pyproject.toml`` and the graph and auth paths of ``langgraph.json`` are strings
too: each group names the layers it may point into. Beside the order, two rules: a mission never names another
mission, and only a mission's data generators (``graphs/<mission>/evals``) import the simulated systems, which stand
in for real ones that the platform reaches through the ``ai_missions.systems`` entry points and MCP.

A test also computes the strongly connected sets of the package graph (Tarjan's algorithm over every reference):
each must be one package, so no loop of packages can hide behind a reference the order happens to allow.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The layers, lowest first, each the folders it holds. A folder refers to its own modules and to layers below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kernel", ("kernel",)),
    ("contracts", ("contracts",)),
    ("knowledge", ("knowledge_index",)),
    ("services", ("services",)),
    ("nodes", ("nodes",)),
    ("runtime", ("core",)),
    ("evals", ("evals",)),
    ("dashboard", ("dashboard",)),
    ("cli", ("cli",)),
    ("testing", ("testing",)),
    ("simulator", ("integrations",)),
    ("missions", ("graphs", "examples")),
    ("benchmarks", ("benchmarks",)),
    ("tools", ("bench", "scripts")),
)
LAYER_OF = {folder: rank for rank, (_, folders) in enumerate(LAYERS) for folder in folders}
LAYER_NAMES = {name: rank for rank, (name, _) in enumerate(LAYERS)}
SCANNED = tuple(LAYER_OF)

#: Entry-point group -> the layers its entry points may point into (the loader finds them by string).
ENTRY_POINT_LAYERS = {
    "ai_missions.missions": ("missions",),
    "ai_missions.systems": ("simulator",),
    # the package holding each system's checked-in contract (the platform reads it, never the system)
    "ai_missions.contracts": ("contracts",),
    "ai_missions.books": ("simulator",),
    "ai_missions.environment": ("simulator",),
    # environments by name: the platform's own (a recorded case), the simulator's books, a benchmark's
    "ai_missions.environments": ("evals", "simulator", "benchmarks"),
    # the CLI's areas: the CLI's own, or a plug-in's below the missions (missions bring no commands of their own)
    "ai_missions.commands": ("cli", "simulator"),
    # console scripts: the platform's executables
    "scripts": ("cli",),
}
#: langgraph.json's auth is loaded by the server that runs the graphs: it must stand at the runtime or below.
AUTH_LAYERS = tuple(name for name, _ in LAYERS[: LAYER_NAMES["runtime"] + 1])

_MODULE_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@cache
def packages() -> dict[str, str]:
    """Import name -> folder: ``[tool.setuptools.package-dir]``, and the package of each example under examples/."""
    mapping: dict[str, str] = dict(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    )
    for init in sorted(ROOT.glob("examples/*/*/__init__.py")):
        mapping[init.parent.name] = str(init.parent.relative_to(ROOT))
    return dict(sorted(mapping.items(), key=lambda item: -len(item[0])))  # the longest prefix wins


def module_file(name: str) -> Path | None:
    """The file (or package folder) of a module name of ours, if it exists in this repository."""
    for prefix, folder in packages().items():
        if name == prefix or name.startswith(prefix + "."):
            rest = name[len(prefix) + 1 :].split(".") if name != prefix else []
            base = ROOT.joinpath(folder, *rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if rest and candidate.exists():
                    return candidate
            return ROOT / folder if not rest else None
    return None


def folder_of(name: str) -> str | None:
    """The scanned top-level folder a module name of ours lives in."""
    for prefix, folder in packages().items():
        if name == prefix or name.startswith(prefix + "."):
            return Path(folder).parts[0]
    return None


def _ours(name: str) -> bool:
    return folder_of(name) is not None


def _string_reference(text: str, *, prefix_only: bool = False) -> str | None:
    """The module a string names (``"pkg.mod"``, ``"pkg.mod:attr"``; with ``prefix_only``, the head of an
    f-string such as ``"ai_missions.integrations."``), when it is one of ours."""
    head = text.partition(":")[0].rstrip(".")
    if not _MODULE_PATH.fullmatch(head) or not _ours(head):
        return None
    if prefix_only:  # the rest is computed: a reference to any module under this package
        return head if module_file(head) is not None else None
    while head and module_file(head) is None:  # "pkg.mod.attr" names an attribute of pkg.mod
        head = head.rpartition(".")[0]
    return head if head not in ("", "ai_missions") else None


def module_name(relative_path: str) -> str | None:
    """The import name of the module at ``relative_path`` (``kernel/store.py`` -> ``ai_missions.kernel.store``)."""
    path = Path(relative_path)
    for prefix, folder in packages().items():
        if path.is_relative_to(folder):
            rest = path.relative_to(folder).with_suffix("").parts
            return ".".join((prefix, *(rest[:-1] if rest and rest[-1] == "__init__" else rest)))
    return None


def imported_from(node: ast.ImportFrom, filename: str) -> str | None:
    """The module a ``from ... import`` names, a relative one (``from ..cli import emit``) resolved against the
    package of the module at ``filename``; None when it climbs above the top package."""
    if node.level == 0:
        return node.module
    here = module_name(filename)
    if here is None:
        return None
    package = here.split(".") if Path(filename).name == "__init__.py" else here.split(".")[:-1]
    if node.level - 1 >= len(package):
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def references(source: str, filename: str = "<module>") -> frozenset[str]:
    """Every module of ours a module's source refers to, by import statement (at any depth, relative ones
    resolved) or by string (kept: the per-file test and the package graph read each file once)."""
    tree = ast.parse(source, filename=filename)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (module := imported_from(node, filename)) is not None:
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (name := _string_reference(node.value)) is not None:
                found.add(name)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            computed = len(node.values) > 1 and isinstance(first, ast.Constant) and isinstance(first.value, str)
            if computed and (name := _string_reference(str(first.value), prefix_only=True)) is not None:
                found.add(name)
    return frozenset(name for name in found if _ours(name))


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def back_arrows(relative_path: str, source: str) -> list[str]:
    """The references of the module at ``relative_path`` (``kernel/store.py``) that point up the layers or
    sideways to another package of its layer, or break one of the two rules beside the order."""
    parts = Path(relative_path).parts
    here = parts[0]
    refs = references(source, relative_path)
    found: set[str] = set()
    for name in refs:
        there = folder_of(name)
        assert there is not None
        if there != here and LAYER_OF[there] >= LAYER_OF[here]:
            found.add(name)
    if here == "graphs" and len(parts) > 2:
        mission = parts[1]
        found.update(n for n in refs if _under(n, "ai_missions.graphs") and n.split(".")[2:3] not in ([], [mission]))
        if "evals" not in parts:
            found.update(n for n in refs if _under(n, "ai_missions.integrations"))
    return sorted(found)


def package_graph(files: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Folder -> the folders its modules refer to, from ``(relative path, source)`` pairs."""
    graph: dict[str, set[str]] = {folder: set() for folder in SCANNED}
    for relative_path, source in files:
        here = Path(relative_path).parts[0]
        for name in references(source, relative_path):
            there = folder_of(name)
            if there is not None and there != here:
                graph.setdefault(here, set()).add(there)
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Tarjan's strongly connected sets of ``graph``: a set of more than one node is a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == node:
                    break
            found.append(members)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def entry_point_problems(pyproject: Mapping[str, Any]) -> list[str]:
    """Entry points (loaded by string) that point outside their group's layers or at no module of ours."""
    problems = []
    project = pyproject.get("project", {})
    groups: dict[str, Mapping[str, str]] = {**project.get("entry-points", {}), "scripts": project.get("scripts", {})}
    for group, points in groups.items():
        allowed = ENTRY_POINT_LAYERS.get(group)
        for name, value in points.items():
            module = value.partition(":")[0].strip()
            where = f"[{group}] {name} = {value!r}"
            folder = folder_of(module)
            if allowed is None:
                problems.append(f"{where}: a group the layer test does not know")
            elif module_file(module) is None or folder is None:
                problems.append(f"{where}: no such module")
            elif LAYERS[LAYER_OF[folder]][0] not in allowed:
                problems.append(f"{where}: in the {LAYERS[LAYER_OF[folder]][0]} layer, outside {', '.join(allowed)}")
    return problems


def langgraph_problems(config: Mapping[str, Any]) -> list[str]:
    """``langgraph.json`` loads graphs by file path and its auth by module path: each graph must be a mission's
    graph module, the auth a module at the runtime's layer or below."""
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
        folder = folder_of(module)
        if module_file(module) is None or folder is None:
            problems.append(f"auth {auth!r}: no such module")
        elif LAYERS[LAYER_OF[folder]][0] not in AUTH_LAYERS:
            problems.append(f"auth {auth!r}: in the {LAYERS[LAYER_OF[folder]][0]} layer, above the runtime")
    return problems


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


ALL = modules(*SCANNED)


@pytest.mark.parametrize("path", ALL, ids=relative)
def test_no_reference_points_up(path: Path) -> None:
    assert back_arrows(relative(path), path.read_text()) == []


def test_every_code_folder_has_a_layer() -> None:
    """A new folder of code cannot escape the order: each one with a module in it is in :data:`LAYERS`."""
    outside = {"tests", "notebooks", "build", "dist"}  # the suite, the analysts' notebooks, build output
    folders = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name not in outside]
    assert {d.name for d in folders if next(d.rglob("*.py"), None) is not None} == set(SCANNED)
    assert {Path(folder).parts[0] for folder in packages().values()} <= set(SCANNED)


def test_no_package_loop() -> None:
    graph = package_graph((relative(p), p.read_text()) for p in ALL)
    assert graph["core"]  # the graph saw the references
    assert [sorted(s) for s in strongly_connected(graph) if len(s) > 1] == []


def test_the_namespace_package_imports_nothing_of_ours() -> None:
    """Every import of ``ai_missions.<anything>`` first runs ``core/__init__.py``: it must stay below everything."""
    assert references((ROOT / "core" / "__init__.py").read_text()) == frozenset()


def test_the_docs_show_the_same_order() -> None:
    """docs/architecture.md's layer table lists the layers in this order, with the same folders."""
    text = (ROOT / "docs/architecture.md").read_text()
    rows = re.findall(r"^\| (\d+) \| (\w+) \| ([^|]+) \|", text, re.M)
    assert [(int(rank), name, tuple(re.findall(r"`(\w+)/`", folders))) for rank, name, folders in rows] == [
        (rank, name, folders) for rank, (name, folders) in enumerate(LAYERS)
    ]


def test_the_entry_points_point_into_their_layers() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert entry_point_problems(pyproject) == []
    assert pyproject["project"]["entry-points"]["ai_missions.missions"]  # the check saw the registry


def test_langgraph_json_loads_missions_graphs_and_a_platform_auth() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["graphs"]
    assert langgraph_problems(config) == []


# The checker itself: a reference planted where the order forbids it is reported, in each form it can take and in
# each scanned folder (pointing at the layer above, or at a package beside it in its own layer for the top layers).


def _planted_target(folder: str) -> tuple[str, str]:
    """A module of the layer above ``folder`` (or beside it, in the top layers), and where it lives."""
    rank = LAYER_OF[folder]
    candidates = [f for f in LAYERS[rank][1] if f != folder] + [f for _, fs in LAYERS[rank + 1 :] for f in fs]
    for target in candidates:
        for name, where in packages().items():
            if Path(where).parts[0] == target and (module := _some_module(name, where)) is not None:
                return module, target
    raise LookupError(folder)


def _some_module(package: str, where: str) -> str | None:
    files = sorted(p for p in (ROOT / where).rglob("*.py") if p.name != "__init__.py" and "__pycache__" not in p.parts)
    if not files:
        return None
    return ".".join((package, *files[0].relative_to(ROOT / where).with_suffix("").parts))


KINDS = {
    "a top-level import": "import {module}\n",
    "a from-import": "from {module} import something\n",
    "a from-import of the module from its package": "from {package} import {leaf}\n",
    "an import inside a function": "def load():\n    from {module} import something\n    return something\n",
    "an import under TYPE_CHECKING": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {module}\n",
    "importlib with a literal module": "import importlib\nLOADED = importlib.import_module('{module}')\n",
    "a module:attribute string": "WHERE = '{module}:something'\n",
    "an f-string naming a module's submodules": "def name(x):\n    return f'{module}.{{x}}'\n",
    "a spawned process's module": "import sys\nCOMMAND = [sys.executable, '-m', '{module}']\n",
}


def _targets() -> list[tuple[str, str, str]]:
    """(scanned folder, a module above it, that module's package) for each scanned folder with one above."""
    found = []
    for folder in SCANNED:
        try:
            module, _ = _planted_target(folder)
        except LookupError:
            continue
        found.append((folder, module, module.rpartition(".")[0]))
    return found


TARGETS = _targets()


def test_every_scanned_folder_but_the_top_gets_a_planted_reference() -> None:
    assert {folder for folder, _, _ in TARGETS} == set(SCANNED) - {"bench", "scripts", "benchmarks"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("folder", "module", "package"), TARGETS, ids=[t[0] for t in TARGETS])
def test_a_planted_reference_is_reported(folder: str, module: str, package: str, kind: str) -> None:
    source = KINDS[kind].format(module=module, package=package, leaf=module.rpartition(".")[2])
    found = back_arrows(f"{folder}/planted.py", source)
    assert found, f"{kind} from {folder}/ to {module} went unreported"
    assert all(folder_of(name) != folder for name in found)


def test_a_planted_package_loop_is_a_strongly_connected_set() -> None:
    files = [(relative(p), p.read_text()) for p in ALL]
    files.append(("kernel/planted.py", "def load():\n    import ai_missions.runtime\n"))
    loops = [sorted(s) for s in strongly_connected(package_graph(files)) if len(s) > 1]
    assert len(loops) == 1
    assert {"kernel", "core", "services", "nodes"} <= set(loops[0])


RELATIVE_IMPORTS = {
    "up from the kernel to the command line": ("kernel/planted.py", "from ..cli import emit\n", ["ai_missions.cli"]),
    "up from the nodes to the runtime": (
        "nodes/planted.py",
        "from .. import runtime\n",
        ["ai_missions", "ai_missions.runtime"],
    ),
    "sideways from one mission to another": (
        "graphs/support/planted.py",
        "from ..order_exception.facts import derive\n",
        ["ai_missions.graphs.order_exception.facts"],
    ),
    "within its own package": ("kernel/planted.py", "from .errors import ValidationError\nfrom . import tools\n", []),
}


@pytest.mark.parametrize(("where", "source", "expected"), RELATIVE_IMPORTS.values(), ids=RELATIVE_IMPORTS)
def test_a_planted_relative_import_is_read_like_an_absolute_one(where: str, source: str, expected: list[str]) -> None:
    assert [n for n in back_arrows(where, source) if not n.endswith((".emit", ".derive"))] == expected


def module_graph(files: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Module -> the modules of ours its imports run, at any depth (a function's too; not under ``TYPE_CHECKING``,
    which never runs). A package a module sits in is left out: importing the module runs it first anyway."""
    files = list(files)
    known = {module_name(relative_path) for relative_path, _ in files}
    graph: dict[str, set[str]] = {}
    for relative_path, source in files:
        here = module_name(relative_path)
        if here is None:
            continue
        tree = ast.parse(source, filename=relative_path)
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        named: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (module := imported_from(node, relative_path)) is not None:
                named.update(f"{module}.{alias.name}" for alias in node.names)
                named.add(module)
        found = set()
        for name in named:
            while name and ((name not in known and module_file(name) is None) or name == "ai_missions"):
                name = name.rpartition(".")[0]
            if name and name != here and not here.startswith(name + "."):
                found.add(name)
        graph[here] = found
    return graph


def test_no_import_closes_a_loop_of_modules() -> None:
    """No import, at the top or inside a function, closes a loop of modules: an import moved into a function may
    save start-up time, never hide a cycle (docs/architecture.md)."""
    graph = module_graph((relative(p), p.read_text()) for p in ALL)
    assert [sorted(s) for s in strongly_connected(graph) if len(s) > 1] == []


def test_a_planted_loop_of_modules_through_a_function_is_found() -> None:
    files = [(relative(p), p.read_text()) for p in modules("kernel")]
    files.append(("kernel/planted.py", "def load():\n    from ai_missions.kernel import planted_too\n"))
    files.append(("kernel/planted_too.py", "from ai_missions.kernel.planted import load\n"))
    loops = [sorted(s) for s in strongly_connected(module_graph(files)) if len(s) > 1]
    assert loops == [["ai_missions.kernel.planted", "ai_missions.kernel.planted_too"]]


RULES_BESIDE_THE_ORDER = {
    "one mission naming another": (
        "graphs/support/gather.py",
        "from ai_missions.graphs.order_exception import facts\n",
        ["ai_missions.graphs.order_exception", "ai_missions.graphs.order_exception.facts"],
    ),
    "a mission's step importing the simulator": (
        "graphs/support/gather.py",
        "from ai_missions.integrations.snapshot import read_snapshot\n",
        ["ai_missions.integrations.snapshot", "ai_missions.integrations.snapshot.read_snapshot"],
    ),
}


@pytest.mark.parametrize(("where", "source", "expected"), RULES_BESIDE_THE_ORDER.values(), ids=RULES_BESIDE_THE_ORDER)
def test_a_planted_break_of_a_rule_beside_the_order_is_reported(where: str, source: str, expected: list[str]) -> None:
    assert back_arrows(where, source) == expected


def test_a_missions_data_generator_may_import_the_simulator() -> None:
    source = "from ai_missions.integrations.seed import BOOK\n"
    assert back_arrows("graphs/support/evals/generate.py", source) == []


def test_strings_that_name_no_module_are_not_references() -> None:
    """Entry-point group names and prose are not modules: ``ai_missions.systems`` is a group, not a file."""
    source = "GROUP = 'ai_missions.systems'\nTEXT = 'see ai_missions.graphs for the missions'\n"
    assert back_arrows("services/mcp_session.py", source) == []
    assert back_arrows("kernel/missions.py", "GROUP = 'ai_missions.missions'\n") == []


PLANTED_ENTRY_POINTS = {
    "a mission registered from the simulator": (
        "ai_missions.missions",
        "ai_missions.integrations.erp:SYSTEM",
        "outside missions",
    ),
    "a system registered from a mission": (
        "ai_missions.systems",
        "ai_missions.graphs.order_exception.spec:SPEC",
        "outside simulator",
    ),
    "a system that does not exist": ("ai_missions.systems", "ai_missions.integrations.nowhere:SYSTEM", "no such"),
    "a contract read from the simulator": ("ai_missions.contracts", "ai_missions.integrations", "outside contracts"),
    "a book from a mission": ("ai_missions.books", "ai_missions.graphs.support.spec:SPEC", "outside simulator"),
    "the environment hooks registered from a mission": (
        "ai_missions.environment",
        "ai_missions.graphs.support.spec:SPEC",
        "outside simulator",
    ),
    "an environment from a mission": (
        "ai_missions.environments",
        "ai_missions.graphs.support.spec:SPEC",
        "outside evals, simulator, benchmarks",
    ),
    "a command from a mission": ("ai_missions.commands", "ai_missions.graphs.support.portal:main", "outside cli"),
    "a script from a mission": ("scripts", "ai_missions.graphs.support.portal:main", "outside cli"),
    "a script from the simulator": ("scripts", "ai_missions.integrations.serving:main", "outside cli"),
    "a group nobody checks": ("ai_missions.plugins", "ai_missions.graphs.support.spec:SPEC", "does not know"),
}


@pytest.mark.parametrize(("group", "value", "problem"), PLANTED_ENTRY_POINTS.values(), ids=PLANTED_ENTRY_POINTS)
def test_a_planted_entry_point_is_reported(group: str, value: str, problem: str) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    where = pyproject["project"] if group == "scripts" else pyproject["project"]["entry-points"]
    where.setdefault(group, {})["planted"] = value
    found = entry_point_problems(pyproject)
    assert len(found) == 1
    assert found[0].startswith(f"[{group}] planted = ")
    assert problem in found[0]


def test_every_entry_point_group_gets_a_planted_one() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    planted = {group for group, _, _ in PLANTED_ENTRY_POINTS.values()}
    assert {*pyproject["project"]["entry-points"], "scripts"} <= planted


PLANTED_LANGGRAPH = {
    "a graph from the simulator": ({"graphs": {"x": "./integrations/erp.py:SYSTEM"}}, "not a mission's module"),
    "a graph that does not exist": ({"graphs": {"x": "./graphs/nowhere/graph.py:graph"}}, "no such file"),
    "an auth from a mission": ({"auth": {"path": "ai_missions.graphs.support.portal:auth"}}, "above the runtime"),
    "an auth from the command line": ({"auth": {"path": "ai_missions.cli.demo:auth"}}, "above the runtime"),
}


@pytest.mark.parametrize(("config", "problem"), PLANTED_LANGGRAPH.values(), ids=PLANTED_LANGGRAPH)
def test_a_planted_langgraph_path_is_reported(config: dict[str, Any], problem: str) -> None:
    found = langgraph_problems(config)
    assert len(found) == 1
    assert problem in found[0]
