"""The analyst notebooks are stored without outputs and run top to bottom with the public API, from one shared
built home (the index is built once for all of them), with no network: each leaves at least one chart as a PNG
image, and no output loads a script (a chart from a CDN shows nothing offline)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow

#: Run first in each notebook's kernel (an IPython startup file, not stored in the notebook): any connection off this
#: machine fails there.
NO_NETWORK = """
import socket as _socket
_connect = _socket.socket.connect
def _loopback_only(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"the notebook test allows no network: {address!r}")
    return _connect(self, address)
_socket.socket.connect = _loopback_only
"""


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the notebooks' shared built home is made (once, by the first notebook) for this module."""
    return tmp_path_factory.mktemp("notebook-home") / "home"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: clear outputs before committing"
            assert cell.execution_count is None, f"{path.name}: clear outputs before committing"
            assert "from tests" not in cell.source, "public API only"


#: The headless command docs/notebooks.md gives, as it gives it (a line of its first ``bash`` block after the heading).
DOCUMENTED = re.compile(r"^(mkdir -p notebooks/executed && python3 -m uv run jupyter execute .*)$", re.MULTILINE)
#: A dict printed as Python or JSON writes it (``{'order_id': ...``), and a float with more decimals than a person
#: reads (``latency_ms 4715.012173``, ``0.9933333333333333``).
RAW_DICT = re.compile(r"\{['\"]")
RAW_FLOAT = re.compile(r"(?<![\w.#-])\d+\.\d{4,}(?![\w.])")


def documented_command() -> str:
    found = DOCUMENTED.findall((ROOT / "docs" / "notebooks.md").read_text())
    assert len(found) == 1, "docs/notebooks.md gives one headless command"
    return found[0]


def read_outputs(notebook: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """Every text a person reads in the outputs: (cell, kind, text) for streams and text/plain or text/html data."""
    texts = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append((number, "stream", str(output["text"])))
            for kind, body in output.get("data", {}).items():
                if kind in ("text/plain", "text/html"):
                    texts.append((number, kind, body if isinstance(body, str) else "".join(body)))
    return texts


def unreadable(notebook: nbformat.NotebookNode) -> list[str]:
    """Raw dicts and unformatted floats in a notebook's outputs, each with where it is and what is around it."""
    found = []
    for number, kind, text in read_outputs(notebook):
        for what, pattern in (("a raw dict", RAW_DICT), ("an unformatted float", RAW_FLOAT)):
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
                found.append(f"cell {number} ({kind}): {what}: ...{around}...")
    return found


@pytest.mark.timeout(1800)  # six notebooks, 4.5 minutes on this machine alone
def test_all_six_notebooks_run_headless_with_the_documented_command_offline_and_read_well(
    shared_home: Path, tmp_path: Path
) -> None:
    """Issue 60 item 9: the documented headless command, on a copy of the notebooks, with connections off the machine
    refused in every kernel (an IPython startup file); each leaves a chart as a PNG image, loads no script, and prints
    no raw dict or unformatted float (01 printed the HumanInterrupt dict and its plan's arguments as dicts, 03
    ``latency_ms 4715.012173``, 06 its report as a dict)."""
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns("executed", "figures"))
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(NO_NETWORK)
    figures = tmp_path / "figures"
    command = documented_command().replace("python3 -m uv run jupyter", f"{shlex.quote(sys.executable)} -m jupyter")
    env = {
        **os.environ,
        "MISSIONS_NOTEBOOK_HOME": str(shared_home),
        "MISSIONS_FIGURES": str(figures),
        "IPYTHONDIR": str(tmp_path / "ipython"),
    }
    env.pop("OPENAI_BASE_URL", None)  # 04 runs against its scripted stand-in, as on a clone with no endpoint
    done = subprocess.run(command, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=1700)
    assert done.returncode == 0, done.stderr[-4000:]
    executed = {p.name: p for p in (work / "notebooks" / "executed").glob("*.ipynb")}
    assert sorted(executed) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        notebook = nbformat.read(executed[path.name], as_version=4)
        shown = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
        assert any("image/png" in o.get("data", {}) for o in shown), f"{path.name}: a chart is shown as an image"
        for output in shown:
            for kind, body in output.get("data", {}).items():
                assert "<script" not in str(body), f"{path.name}: an output loads a script ({kind})"
        assert not (problems := unreadable(notebook)), f"{path.name}:\n" + "\n".join(problems)
    charts = sorted(figures.glob("*.png"))
    assert len(charts) >= len(NOTEBOOKS), "each notebook saves a chart"
    assert all(c.read_bytes().startswith(b"\x89PNG") and c.stat().st_size > 2000 for c in charts)
    said = " ".join(text for _, _, text in read_outputs(nbformat.read(executed["04_llm_reasoner.ipynb"], as_version=4)))
    assert "No model endpoint is set (OPENAI_BASE_URL)" in said  # what it needs, and what it did instead
    assert "outcome agreement: not measured" in said
    assert "../shared" not in "".join(
        c.source for c in nbformat.read(ROOT / "notebooks" / "04_llm_reasoner.ipynb", as_version=4).cells
    )
