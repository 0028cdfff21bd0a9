"""The layers point one way: missions -> reusable nodes -> platform services -> nothing of a mission.

Checked on the import statements of every module (not on strings: the platform spawns the simulated systems by
module name, which is a process boundary, not an import). The simulated systems are a stand-in for real ones:
outside the eval environment and a mission's data generators, nothing imports them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Platform services: what everything else stands on.
SERVICES = {
    "core/admission.py",
    "core/errors.py",
    "core/settings.py",
    "core/tools.py",
    "core/missions.py",
    "core/decisions.py",
    "core/governance.py",
    "core/gateway.py",
    "core/mcp_session.py",
    "core/connections.py",
    "core/store.py",
    "core/queries.py",
    "core/triggers.py",
}
#: Where the simulator may be imported: the eval environment, the demo that seeds it, and missions' data generators.
SIMULATOR_ALLOWED = ("evals/environment.py", "core/demo.py")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("ai_missions")}


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def offending(path: Path, *prefixes: str) -> list[str]:
    return sorted(name for name in imports(path) if name.startswith(prefixes))


@pytest.mark.parametrize("path", [ROOT / p for p in sorted(SERVICES)], ids=sorted(SERVICES))
def test_platform_services_import_no_node_mission_or_simulator(path: Path) -> None:
    assert not offending(
        path,
        "ai_missions.nodes",
        "ai_missions.graphs",
        "ai_missions.integrations",
        "ai_missions.runtime",
        "ai_missions.client",
        "ai_missions.evals",
        "ai_missions.dashboard",
    )


@pytest.mark.parametrize("path", modules("nodes"), ids=relative)
def test_reusable_nodes_import_no_mission_and_no_simulator(path: Path) -> None:
    assert not offending(path, "ai_missions.graphs", "ai_missions.integrations", "ai_missions.runtime")


@pytest.mark.parametrize("path", modules("core", "dashboard", "evals", "knowledge_index"), ids=relative)
def test_the_platform_names_no_mission(path: Path) -> None:
    assert not offending(path, "ai_missions.graphs")


@pytest.mark.parametrize("path", modules("core", "nodes", "dashboard", "evals", "knowledge_index"), ids=relative)
def test_the_platform_reaches_the_systems_over_mcp_only(path: Path) -> None:
    if relative(path) in SIMULATOR_ALLOWED:
        return
    assert not offending(path, "ai_missions.integrations")


@pytest.mark.parametrize("path", modules("graphs"), ids=relative)
def test_missions_stand_alone(path: Path) -> None:
    """A mission imports no other mission, and no simulator outside its eval data generators."""
    mission = path.relative_to(ROOT / "graphs").parts[0]
    other = [n for n in imports(path) if n.startswith("ai_missions.graphs.") and n.split(".")[2] != mission]
    assert not other
    if "evals" not in path.relative_to(ROOT / "graphs").parts:
        assert not offending(path, "ai_missions.integrations")


@pytest.mark.parametrize("path", modules("integrations", "contracts"), ids=relative)
def test_the_simulator_and_the_contracts_import_no_platform_above_them(path: Path) -> None:
    """The simulated systems implement the contracts; neither reaches into missions, nodes or the runtime."""
    assert not offending(path, "ai_missions.graphs", "ai_missions.nodes", "ai_missions.runtime", "ai_missions.missions")
