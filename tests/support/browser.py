"""Debian's Chromium for the browser tests (marked ``browser``): a missing browser fails them, in one line saying
how to install it or leave them out (``-m 'not ... and not browser'``); a test that was not run is never reported
as passed or skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def require_chromium() -> None:
    """Fail, in one line, when Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does), or leave the browser tests out with "
            "-m 'not extended and not live and not browser'",
            pytrace=False,
        )
