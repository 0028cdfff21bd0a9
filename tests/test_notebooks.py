"""The analyst notebooks are stored without outputs and run top to bottom with the public API, from one shared
built home (the index is built once for all of them), with no network: each leaves at least one chart as a PNG
image, and no output loads a script (a chart from a CDN shows nothing offline)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow

#: Run first in the notebook's kernel (not stored in it): any connection off this machine fails there.
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_offline_and_leaves_a_chart(
    path: Path, shared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert "from tests" not in cell.source, "public API only"
    figures = tmp_path / "figures"
    monkeypatch.setenv("MISSIONS_NOTEBOOK_HOME", str(shared_home))
    monkeypatch.setenv("MISSIONS_FIGURES", str(figures))
    notebook.cells.insert(0, nbformat.v4.new_code_cell(NO_NETWORK))
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    charts = sorted(figures.glob("*.png"))
    assert charts, f"{path.name} saved no chart"
    assert all(c.read_bytes().startswith(b"\x89PNG") and c.stat().st_size > 2000 for c in charts)
    shown = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert any("image/png" in o.get("data", {}) for o in shown), "a chart is shown as an image"
    for output in shown:
        for kind, body in output.get("data", {}).items():
            assert "<script" not in str(body), f"{path.name}: an output loads a script ({kind})"
