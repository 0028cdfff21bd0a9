"""A home after ``missions demo`` with its defaults (the README's first command), made once per test session and
copied into each test that needs one: the demo seeds every book, builds the index and runs every mission (~20 s of
CPU, a minute on a loaded 2-core machine), and two modules each ran the same command on an empty home. The first
caller runs it, in a process of its own as the README does, under a lock the xdist workers share; what it printed
is kept beside it, so a test of the demo's output reads what the command printed."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.built_index import shared_root


def demo_home(factory: pytest.TempPathFactory, destination: Path) -> str:
    """``destination`` (not yet there) made a copy of the session's demo home; what ``missions demo`` printed."""
    root = shared_root(factory)
    template, printed = root / "demo-home", root / "demo-home.out"
    with open(root / "demo-home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not printed.exists():
            shutil.rmtree(template, ignore_errors=True)
            env = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_TOKEN", "MISSIONS_DATABASE_URL")}
            env.update({"MISSIONS_HOME": str(template), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
            done = subprocess.run(
                [sys.executable, "-m", "ai_missions.cli", "demo"], env=env, capture_output=True, text=True, timeout=900
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            printed.write_text(done.stdout)  # written last: a demo cut short is run again by the next caller
        shutil.copytree(template, destination)
        return printed.read_text()
