"""What every registered mission must do is the conformance kit's (``ai_missions.testing.conformance.validate``:
the story found, a decision waiting, executed once, kill-and-resume, bad input, the CI set within its thresholds),
and each mission's own test module calls it (``tests/support/conformance.py``). Here: that every registered mission
does call it, and what holds of the registry as a whole."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import registry
from tests.support.cli_process import cli_process

TESTS = Path(__file__).resolve().parent
MISSIONS = list(registry().values())


def test_every_registered_mission_calls_the_conformance_kit_from_its_own_tests() -> None:
    """Every mission this project registers (a mission of another package calls it from its own tests)."""
    called = {
        name
        for path in TESTS.glob("test_*.py")
        for name in re.findall(r'conformance_test\("([\w-]+)"', path.read_text(encoding="utf-8"))
    }
    ours = tomllib.loads((TESTS.parent / "pyproject.toml").read_text())["project"]["entry-points"][
        "ai_missions.missions"
    ]
    assert set(ours) <= called


@pytest.mark.slow
def test_an_unknown_mission_is_refused(tmp_path: Path) -> None:
    run = cli_process(tmp_path, "eval", "run", "--mission", "no-such-mission")
    code, _out, err = run.wait(timeout=60), *run.communicate()
    assert code == 2
    assert "no-such-mission" in err.strip().splitlines()[-1]


def test_every_mission_with_evals_has_the_ci_slice_that_the_demo_and_ci_replay() -> None:
    for spec in MISSIONS:
        if spec.evals:
            assert plugin_of(spec.name).dataset("ci").exists(), spec.name
