"""Debian's Chromium for the browser tests: they run wherever it is installed; with ``MISSIONS_REQUIRE_BROWSER=1``
(set by ``.ci/run``, which installs it) a missing browser fails them instead of skipping them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def require_chromium() -> None:
    """Skip (or, where the browser is required, fail) when Chromium is not installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("MISSIONS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MISSIONS_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (`apt-get install chromium`)")
    pytest.skip(f"needs Debian's chromium at {CHROMIUM} (`apt-get install chromium`; .ci/run installs it)")
