"""An import of ours inside a function is there for start-up time, and says so; none hides a loop of packages.

The layers (``tests/test_layers.py``) leave no package loop for a function-level import to dodge, so the only reason
left to defer one is the time a command, a page or a process spends starting: the ``missions`` command line imports
every area to build its parser, and LangGraph, Chroma and the MCP stack cost seconds. Each such import carries a
``# deferred: start-up time (...)`` comment, on its line or above the run of imports it opens (a comment on its line
that names the start-up time counts too), so a reader sees why it is not at the top.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.test_layers import ALL, relative

_IMPORT = re.compile(r"\s*(from\s+\S+\s+import\b|import\s)")
_MARK = "deferred: start-up time"


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and inside:
                names = [a.name for a in child.names] if isinstance(child, ast.Import) else [child.module or ""]
                if any(n.startswith("ai_missions") for n in names):
                    found.append(child)
            walk(child, inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    walk(tree, False)
    return found


def unexplained(source: str) -> list[str]:
    """The in-function imports of ours in ``source`` that do not say they are deferred for start-up time."""
    lines = source.splitlines()
    tree = ast.parse(source)
    import_lines = {
        n
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for n in range(node.lineno - 1, (node.end_lineno or node.lineno))
    }
    missing = []
    for node in _function_imports(tree):
        own = lines[node.lineno - 1]
        if "#" in own and "start-up" in own.partition("#")[2]:
            continue
        i = node.lineno - 2
        said = False
        while i >= 0:
            text = lines[i].strip()
            if text.startswith("#"):
                if _MARK in text:
                    said = True
                    break
            elif text and i not in import_lines and not _IMPORT.match(lines[i]):
                break
            i -= 1
        if not said:
            missing.append(f"{node.lineno}: {ast.unparse(node)}")
    return missing


@pytest.mark.parametrize("path", ALL, ids=relative)
def test_every_deferred_import_says_why(path: Path) -> None:
    assert unexplained(path.read_text()) == []


PLANTED = {
    "a bare deferred import": ("def f():\n    from ai_missions.runtime import MissionRuntime\n", 1),
    "a comment that gives another reason": (
        "def f():\n    # lazy\n    from ai_missions.runtime import MissionRuntime\n",
        1,
    ),
    "a marked run of imports": (
        "def f():\n    # deferred: start-up time (loads langgraph)\n    import ai_missions.runtime\n"
        "    from ai_missions.kernel.errors import MissionsError\n",
        0,
    ),
    "a mark on the import's line": (
        "def f():\n    from ai_missions.runtime import X  # for start-up time: LangGraph\n",
        0,
    ),
    "a mark above another statement does not reach past it": (
        "def f():\n    # deferred: start-up time (loads langgraph)\n    x = 1\n    import ai_missions.runtime\n",
        1,
    ),
    "an import at the top needs no mark": ("import ai_missions.runtime\n", 0),
    "another package's import needs no mark": ("def f():\n    import json\n", 0),
}


@pytest.mark.parametrize(("source", "count"), PLANTED.values(), ids=PLANTED)
def test_the_check_itself(source: str, count: int) -> None:
    assert len(unexplained(source)) == count
