"""A small home (both books seeded, the policy index built) made once per test worker and copied per module:
modules that only need *a* home should not each seed one (the index is the session's, ``built_index``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ai_missions.integrations.books import seed_books
from tests.support.built_index import built_index


def small_home(factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the session's small home, for one module to change as it likes."""
    template = factory.getbasetemp() / "small-home-template"
    if not (template / ".ready").exists():
        shutil.rmtree(template, ignore_errors=True)
        seed_books(template, seed=7, sizes={"commerce": 300, "payables": 200})
        built_index(factory, template)
        (template / ".ready").touch()
    home = factory.mktemp(name)
    shutil.copytree(template, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ready"))
    return home
