"""A corrupt or truncated SQLite file gives one line naming the file (exit 2), never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ai_missions.integrations.seed import seed_book
from ai_missions.kernel.store import RunStore
from ai_missions.testing import signed_in_as

pytestmark = pytest.mark.slow


def missions(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_missions.cli", *args],
        env={**os.environ, "MISSIONS_HOME": str(home), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, it is a note someone saved here" * 20)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3 or 50])
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("corrupt") / "home"
    seed_book(300, 7, home)
    store = RunStore(home / "runs.sqlite")
    for n in range(200):
        store.create_run(
            f"R-{n:06d}", mission="order-exception", subject_id=f"SO-{n}", reasoner="offline", case_types=[]
        )
    return home


@pytest.mark.parametrize(
    ("relative", "damage", "command"),
    [
        ("runs.sqlite", garbage, ("runs",)),
        ("runs.sqlite", truncate, ("queue",)),
        ("systems/payments.sqlite", garbage, ("exceptions",)),
        ("systems/erp.sqlite", truncate, ("exceptions",)),
        ("checkpoints.sqlite", garbage, ("resume",)),
    ],
    ids=["runs-garbage", "runs-truncated", "payments-garbage", "erp-truncated", "checkpoints-garbage"],
)
def test_a_corrupt_store_is_one_line_naming_the_file(
    template: Path, tmp_path: Path, relative: str, damage: object, command: tuple[str, ...]
) -> None:
    home = tmp_path / "home"
    shutil.copytree(template, home)
    path = home / relative
    if not path.exists():
        path.write_bytes(b"")
    damage(path)  # type: ignore[operator]
    if relative == "checkpoints.sqlite":  # resume reads checkpoints only when a decision waits to be executed
        import sqlite3

        with sqlite3.connect(home / "runs.sqlite") as db:
            db.execute(
                "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at, request, resumed)"
                " VALUES ('D-1', 'R-000001', 'order-exception', 'SO-1', 'decided', '2026-01-01', '{}', 0)"
            )
    # resume changes systems, so it is signed in; the others read
    token = signed_in_as(home, "omar") if command == ("resume",) else {}
    done = missions(home, *command, env=token)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("missions: error:")]
    assert errors, done.stderr
    assert str(path) in errors[-1] or any(str(path) in e for e in errors), done.stderr
    assert "not a readable SQLite database" in done.stderr
