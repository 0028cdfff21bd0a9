"""A small home (both books seeded, the policy index built) made once per test session and copied per module:
modules that only need *a* home should not each seed one (the index is the session's, ``built_index``)."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli.account_commands import seed_demo_accounts
from ai_missions.integrations.books import seed_books
from tests.support.built_index import built_index, shared_root


def small_home(factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the session's small home, for one module to change as it likes."""
    return _copy_of(factory, name, "small-home-template", {"commerce": 300, "payables": 200})


def support_home(factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the support modules' home (the default commerce book, with its helpdesk tickets, and a small
    payables book), seeded once per session rather than once per module."""
    return _copy_of(factory, name, "support-home-template", {"payables": 30})


def every_book_home(factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the session's home of every book at its default size (seed 7, as ``missions demo`` seeds them),
    with the policy index: what each mission's conformance kit runs on (~1.4 s of CPU a seeding, five modules)."""
    return _copy_of(factory, name, "every-book-template", {})


def small_home_fixture(
    name: str,
    prepare: Callable[[Path], object] | None = None,
    *,
    copy_of: Callable[[pytest.TempPathFactory, str], Path] = small_home,
) -> Any:
    """A module-scoped ``home`` fixture: a copy (``small_home`` or ``support_home``) named ``name``, then
    ``prepare(home)`` (signing someone in, say) when given."""

    @pytest.fixture(scope="module")
    def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
        home = copy_of(tmp_path_factory, name)
        if prepare is not None:
            prepare(home)
        return home

    return home


def demo_home_fixture(name: str) -> Any:
    """A module-scoped ``home`` fixture: a small home (``name``) with the demo accounts of every roster signed up,
    for modules that sign in as the demo reviewers."""
    return small_home_fixture(name, lambda home: seed_demo_accounts(home=home))


def _copy_of(factory: pytest.TempPathFactory, name: str, template_name: str, sizes: dict[str, int]) -> Path:
    template = shared_root(factory) / template_name  # one for the session: the first worker to ask makes it
    with open(f"{template}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / ".ready").exists():
            shutil.rmtree(template, ignore_errors=True)
            seed_books(template, seed=7, sizes=sizes)
            built_index(factory, template)
            (template / ".ready").touch()
    home = factory.mktemp(name)
    shutil.copytree(template, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ready"))
    return home


def rows(home: Path, system: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows ``sql`` reads from one simulated system's database in ``home``."""
    with sqlite3.connect(home / "systems" / f"{system}.sqlite") as conn:
        return conn.execute(sql, params).fetchall()
