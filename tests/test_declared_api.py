"""Missions import only the declared API: every module of the in-tree missions (``graphs/``) and of the example
(``examples/``) names, of the platform, only the declared API modules and its own package. A name is read wherever
it is written: an import at the top, in a function or under ``TYPE_CHECKING``, a relative import, and a string
naming a module (``"ai_missions.x:attr"``, ``import_module("ai_missions.x")``, an f-string's
``f"ai_missions.x.{name}"``).

The one more thing a mission may import is the simulated systems (``ai_missions.integrations``), and only from its
eval side (``<mission>/evals/``): a generator seeds a book with them, as a test would. A mission's steps reach a
system over MCP only (``nodes.api.systems_of``).
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The declared API modules, each with an explicit ``__all__`` (docs/missions.md, "The declared API").
DECLARED = (
    "ai_missions.mission_api",  # the declaration: spec, vocabulary, tool policy, trigger, tiers, eval plugin
    "ai_missions.nodes.api",  # the graph, the gather step and the fact builders
    "ai_missions.evals.api",  # the eval side: cases, generation helpers, labels, scorers
    "ai_missions.dashboard.api",  # the mission's dashboard pages
    "ai_missions.integrations.kit",  # a simulated system the mission package brings (the example's)
)
#: The simulated systems: a mission's eval side only (its generators and eval data).
SIMULATOR = "ai_missions.integrations"


@dataclass(frozen=True)
class Mission:
    """A mission package: its folder and the dotted name it is imported as."""

    folder: Path
    package: str


def missions(root: Path = ROOT) -> list[Mission]:
    """The in-tree missions (``graphs/<name>``) and the example's package (``examples/<project>/<package>``)."""
    found = [Mission(p, f"ai_missions.graphs.{p.name}") for p in sorted((root / "graphs").iterdir()) if _package(p)]
    for project in sorted((root / "examples").iterdir()) if (root / "examples").is_dir() else []:
        found += [Mission(p, p.name) for p in sorted(project.iterdir()) if _package(p)]
    return found


def _package(path: Path) -> bool:
    return path.is_dir() and (path / "__init__.py").exists()


def module_name(mission: Mission, path: Path) -> str:
    parts = path.relative_to(mission.folder).with_suffix("").parts
    return ".".join((mission.package, *(p for p in parts if p != "__init__")))


def references(mission: Mission, path: Path) -> Iterator[tuple[int, str]]:
    """Each platform or mission module the file names: (line, dotted module)."""
    module = module_name(mission, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # ``from . import x`` is the package's own; each further dot one package up
                anchor = package.split(".")[: package.count(".") + 2 - node.level]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # ``from ai_missions.dashboard import api`` names the module ``...api``
                named = f"{base}.{alias.name}"
                yield node.lineno, named if named in DECLARED or _is_module(named) else base
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.split(":")[0]
            if text.startswith("ai_missions.") and all(p.isidentifier() for p in text.split(".")):
                yield node.lineno, text
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(first := node.values[0], ast.Constant):
            text = str(first.value).split(":")[0]  # f"ai_missions.integrations.{name}": its whole components
            if text.startswith("ai_missions."):
                yield node.lineno, text.rpartition(".")[0]


#: Where each platform package's files are (``[tool.setuptools.package-dir]``), to tell a module from a name.
FOLDERS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]


def _is_module(name: str) -> bool:
    """Whether a dotted name is a platform module, from the files alone (importing it would cost seconds)."""
    package = max((p for p in FOLDERS if name.startswith(p + ".")), key=len, default=None)
    if package is None:
        return False
    path = ROOT / FOLDERS[package] / Path(*name.removeprefix(package + ".").split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def problems(mission: Mission, path: Path) -> list[str]:
    """What the file names of the platform outside the declared API, one line each."""
    on_eval_side = path.relative_to(mission.folder).parts[0] == "evals"
    found = []
    for line, name in references(mission, path):
        if name.split(".")[0] != "ai_missions" or name in DECLARED:
            continue  # the standard library, third parties, the example's own package; the declared API
        if name == mission.package or name.startswith(mission.package + "."):
            continue
        simulator = name == SIMULATOR or name.startswith(SIMULATOR + ".")
        if simulator and on_eval_side:
            continue
        where = "the simulator: only a mission's evals/ may import it" if simulator else "not a declared API"
        found.append(f"{path.relative_to(mission.folder.parent)}:{line}: {name} ({where})")
    return found


def mission_files(root: Path = ROOT) -> list[tuple[Mission, Path]]:
    return [(m, p) for m in missions(root) for p in sorted(m.folder.rglob("*.py"))]


def _id(item: tuple[Mission, Path]) -> str:
    return str(item[1].relative_to(ROOT))


FILES = mission_files()


def test_every_mission_is_scanned() -> None:
    """The five in-tree missions and the example, each with its modules (so an empty scan cannot pass)."""
    packages = {m.package for m in missions()}
    assert {
        "ai_missions.graphs.order_exception",
        "ai_missions.graphs.invoice_approval",
        "ai_missions.graphs.support",
        "ai_missions.graphs.account_save",
        "ai_missions.graphs.retail_exceptions",
        "warranty_claims",
    } <= packages
    assert len(FILES) > 100


@pytest.mark.parametrize("item", FILES, ids=_id)
def test_a_mission_imports_only_the_declared_api(item: tuple[Mission, Path]) -> None:
    """Every mission module, its eval side's recorded deciders included: they decide a case with the mission's own
    gather step and ``nodes.api.decide``, never with the platform's internals."""
    mission, path = item
    assert problems(mission, path) == []


# -- planted references fail it ------------------------------------------------------------------------------------
PLANTED = {
    "a platform module": ("gather.py", "from ai_missions.kernel.grants import mint\n", "ai_missions.kernel.grants"),
    "a module, imported whole": (
        "gather.py",
        "import ai_missions.cli.tier_commands\n",
        "ai_missions.cli.tier_commands",
    ),
    "a module named from its package": ("page.py", "from ai_missions import authorization\n", "ai_missions"),
    "dashboard internals": ("page.py", "from ai_missions.dashboard import resources\n", "dashboard.resources"),
    "an import in a function": (
        "gather.py",
        "def late():\n    from ai_missions.services.review import case_facts\n    return case_facts\n",
        "ai_missions.services.review",
    ),
    "an import for type checking": (
        "gather.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ai_missions.kernel.store import RunStore\n",
        "ai_missions.kernel.store",
    ),
    "a module path in a string": ("spec.py", 'GRAPH = "ai_missions.nodes.pipeline:mission_graph"\n', "nodes.pipeline"),
    "a module loaded by name": (
        "spec.py",
        'import importlib\nGRANTS = importlib.import_module("ai_missions.kernel.grants")\n',
        "ai_missions.kernel.grants",
    ),
    "a module path in an f-string": (
        "trigger.py",
        'def system(name: str) -> str:\n    return f"ai_missions.integrations.{name}:SYSTEM"\n',
        "ai_missions.integrations",
    ),
    "another mission": ("gather.py", "from ai_missions.graphs.support.facts import x\n", "graphs.support.facts"),
    "a relative import out of the package": ("evals/labels.py", "from ... import grants\n", "ai_missions.graphs"),
    "the simulator outside the eval side": ("gather.py", "from ai_missions.integrations import erp\n", "simulator"),
    "the simulator's store outside the eval side": (
        "facts.py",
        "from ai_missions.integrations.store import book_now\n",
        "integrations.store",
    ),
}
ALLOWED = {
    "the declared APIs": (
        "gather.py",
        "from ai_missions.mission_api import MissionSpec\nfrom ai_missions.nodes.api import observe\n"
        "from ai_missions.evals.api import Case\nfrom ai_missions.integrations.kit import money\n",
    ),
    "the UI API as a module": ("page.py", "from ai_missions.dashboard import api as ui\n"),
    "its own modules": ("gather.py", "from ai_missions.graphs.planted.facts import x\nfrom . import facts\n"),
    "its own modules, relatively": ("evals/labels.py", "from ..facts import derive\nfrom . import generate\n"),
    "its own modules by name": ("spec.py", 'GRAPH = "ai_missions.graphs.planted.graph:build_graph"\n'),
    "its own modules in an f-string": ("spec.py", 'PART = "graph"\nGRAPH = f"ai_missions.graphs.planted.{PART}:x"\n'),
    "the simulator on the eval side": ("evals/generate.py", "from ai_missions.integrations import erp, retail_seed\n"),
}


def planted(tmp_path: Path, file: str, source: str) -> list[str]:
    """The problems of a tree whose one mission, ``planted``, holds the planted module."""
    folder = tmp_path / "graphs" / "planted"
    (folder / "evals").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "evals" / "__init__.py").write_text("")
    (tmp_path / "examples").mkdir()
    (folder / file).write_text(source)
    return [p for m, path in mission_files(tmp_path) for p in problems(m, path)]


@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_reference_fails_it(tmp_path: Path, kind: str) -> None:
    file, source, named = PLANTED[kind]
    found = planted(tmp_path, file, source)
    assert len(found) == 1, found
    assert found[0].startswith(f"planted/{file}:"), found
    assert named in found[0], found


@pytest.mark.parametrize("kind", ALLOWED)
def test_what_a_mission_may_import_passes(tmp_path: Path, kind: str) -> None:
    assert planted(tmp_path, *ALLOWED[kind]) == []


# -- the APIs themselves ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DECLARED)
def test_each_api_declares_exactly_what_it_exports(name: str) -> None:
    """``__all__`` is the API: every name in it is there, and every public name the module binds is in it (a name
    imported for the API's own use would leak as API)."""
    module = importlib.import_module(name)
    declared = list(module.__all__)
    assert len(declared) == len(set(declared)) > 0
    # what the module binds, less the typing names its annotations use and ``from __future__ import annotations``
    public = {n for n, v in vars(module).items() if not n.startswith("_") and getattr(v, "__module__", "") != "typing"}
    public -= {"annotations"}
    assert set(declared) == public, (sorted(public - set(declared)), sorted(set(declared) - public))


def test_the_declaration_and_eval_apis_stay_light() -> None:
    """Listing missions loads every spec and its eval plugin: the APIs they import bring in no graph, vector store,
    MCP client or Streamlit."""
    code = (
        "import json, sys\n"
        "import ai_missions.mission_api, ai_missions.evals.api\n"
        "from ai_missions.kernel.missions import registry\n"
        "from ai_missions.kernel.eval_plugin import plugin_of\n"
        "for name in registry():\n"
        "    plugin_of(name)\n"
        "heavy = ('langgraph', 'langchain_core', 'chromadb', 'mcp', 'streamlit', 'ai_missions.nodes.api')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []
