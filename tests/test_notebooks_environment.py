"""The notebooks are opened as documented without changing the project's environment: the documented command runs
Jupyter from a throwaway environment layered on the project's (``uv run --with``), and afterwards
``uv sync --locked --check`` still finds ``.venv`` as the lock says (issue 39 item 7: ``--group notebooks`` left
Jupyter in ``.venv``, and every process importing the MCP stack paid ~2 s for it until the next ``uv sync``)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Where the command is documented; the first is the page that explains it.
PAGES = (ROOT / "docs" / "notebooks.md", ROOT / "notebooks" / "README.md", ROOT / "README.md")


def documented_command() -> list[str]:
    """The command docs/notebooks.md gives for opening the notebooks, as words."""
    text = PAGES[0].read_text(encoding="utf-8")
    found = re.search(r"^python3 -m uv run .*jupyter lab notebooks/$", text, flags=re.MULTILINE)
    assert found, "docs/notebooks.md documents no `python3 -m uv run ... jupyter lab notebooks/` command"
    return shlex.split(found.group(0))


def uv() -> list[str]:
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    if found := shutil.which("uv"):
        return [found]
    return ["python3", "-m", "uv"]


def test_every_page_documents_the_throwaway_environment_and_none_installs_jupyter_into_the_project() -> None:
    command = documented_command()
    assert "--with" in command, command
    assert "--group" not in command, command
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert "--group notebooks" not in text, f"{page.name} still documents Jupyter installed into .venv"
        assert "uv run --with" in text, f"{page.name} does not give the documented command"
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert not re.search(r"^notebooks\s*=", project, flags=re.MULTILINE), "a `notebooks` group puts Jupyter in .venv"


def sync_check() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*uv(), "sync", "--locked", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.extended  # the first `--with` resolution downloads Jupyter from PyPI (later ones use uv's cache)
def test_the_documented_command_leaves_the_project_environment_as_locked() -> None:
    before = sync_check()
    # a project environment out of sync to begin with says nothing either way: run `uv sync --locked` first
    assert before.returncode == 0, f"not in sync to begin with: {before.stderr.strip()[-200:]}"
    command = documented_command()
    # The documented command, up to what it runs: the same environment resolution, then a probe instead of a server.
    resolution = command[: command.index("jupyter")]
    assert resolution[:3] == ["python3", "-m", "uv"], resolution
    probe = "import jupyterlab, sys; print(sys.prefix)"
    ran = subprocess.run(
        [*uv(), *resolution[3:], "python", "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert Path(ran.stdout.strip().splitlines()[-1]).resolve() != (ROOT / ".venv").resolve(), "Jupyter ran in .venv"
    after = sync_check()
    assert after.returncode == 0, after.stderr[-2000:]
    assert "Would make no changes" in after.stderr + after.stdout, after.stderr[-2000:]
