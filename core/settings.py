"""Where state lives: everything is under one home directory, ``MISSIONS_HOME`` (default ``./.missions``)."""

from __future__ import annotations

import os
from pathlib import Path


def missions_home() -> Path:
    """The home directory for all state (systems sandbox, knowledge index, runs), created on first use."""
    home = Path(os.environ.get("MISSIONS_HOME", ".missions")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def sandbox_dir(home: Path | None = None) -> Path:
    """The simulated enterprise systems' databases (one SQLite file per system)."""
    path = (home or missions_home()) / "systems"
    path.mkdir(parents=True, exist_ok=True)
    return path


def knowledge_dir(home: Path | None = None) -> Path:
    """The Chroma persistent index of Enterprise Knowledge."""
    path = (home or missions_home()) / "knowledge"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_db(home: Path | None = None) -> Path:
    """The SQLite database holding mission checkpoints, the decision queue and audit trails."""
    return (home or missions_home()) / "runs.sqlite"
