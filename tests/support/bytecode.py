"""The project's bytecode, compiled once before a test run starts.

The project is installed editable, so ``uv sync --compile-bytecode`` compiles the dependencies but not the code
folders; where ``PYTHONDONTWRITEBYTECODE`` is set (as on the development machines) nothing writes it later, and
every process a test starts (CLI calls, MCP servers, dashboards, notebook kernels, crash children) compiled the
~300 modules it imports again: ~0.8 s of CPU a process that imports the stack. ``.ci/run`` compiles them the same way
(``compileall``); doing it here gives the README's test command the same start. A compiled file is checked against
its source's time stamp, so an edit recompiles only what changed."""

from __future__ import annotations

import compileall
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def code_folders() -> list[Path]:
    """The folders mapped into the ``ai_missions`` namespace (pyproject's package-dir), and the test helpers that
    tests run as child processes."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    return [ROOT / folder for folder in sorted(set(mapping.values()))] + [ROOT / "tests" / "support"]


def compile_project() -> None:
    """Write the missing or stale ``__pycache__`` files of :func:`code_folders` (a stat per file when none is)."""
    for folder in code_folders():
        compileall.compile_dir(folder, quiet=1)


@contextmanager
def bytecode_written() -> Iterator[None]:
    """Python writes bytecode inside, whatever ``PYTHONDONTWRITEBYTECODE`` says. pytest keeps a test module's
    assertion-rewritten bytecode (``tests/__pycache__``) only where Python may write bytecode: otherwise each xdist
    worker rewrote and compiled all ~180 test modules again, every run (~12 s of CPU a worker, four workers here)."""
    was = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        yield
    finally:
        sys.dont_write_bytecode = was
