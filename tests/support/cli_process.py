"""``missions ...`` in a process of its own on a home, its output piped: for the tests that kill it, race it
against another, or read what it printed (``ai_missions.testing.cli_process``)."""

from __future__ import annotations

from ai_missions.testing import cli_process

__all__ = ["cli_process"]
