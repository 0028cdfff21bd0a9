"""A mission's own test module calls the conformance kit (``ai_missions.testing.conformance``) through this:

    conformance_home = conformance_home_fixture()
    test_the_mission_passes_the_conformance_kit = conformance_test("support")

on a home seeded with every book (seed 7, as the demo) and holding the session's policy index: a copy of one seeded
once per session (``tests/support/small_home.py``), not seeded again by each mission's module. The light checks
run by default; the slow ones (a process killed and resumed, the CI set replayed) by default for the missions that
say so, and for the others with ``pytest -m extended``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ai_missions.testing.conformance import MISSION_CHECKS, validate
from tests.support.small_home import every_book_home

LIGHT = ("story", "decision", "once", "bad_input")
SLOW = tuple(c for c in MISSION_CHECKS if c not in LIGHT)


def conformance_home_fixture() -> Any:
    """A module-scoped ``conformance_home``: every book seeded, the policy index built."""

    @pytest.fixture(scope="module")
    def conformance_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return every_book_home(tmp_path_factory, "conformance")

    return conformance_home


def conformance_test(mission: str, *, slow_by_default: bool = False) -> Any:
    """The test that runs the kit's checks on ``mission``."""

    @pytest.mark.slow
    @pytest.mark.parametrize(
        "checks",
        [
            pytest.param(LIGHT, id="light"),
            pytest.param(SLOW, id="slow", marks=() if slow_by_default else pytest.mark.extended),
        ],
    )
    def test_the_mission_passes_the_conformance_kit(conformance_home: Path, checks: tuple[str, ...]) -> None:
        report = validate(mission, conformance_home, checks=checks)
        print(report.passed)
        assert list(report.passed) == list(checks)

    return test_the_mission_passes_the_conformance_kit
