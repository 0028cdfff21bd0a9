"""``missions ...`` in a process of its own on a home, its output piped: for the tests that kill it, race it
against another, or read what it printed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def cli_process(home: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """``missions *args`` started on ``home`` (with ``env`` added to this process's environment), not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "ai_missions.cli", *args],
        env={**os.environ, "MISSIONS_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
