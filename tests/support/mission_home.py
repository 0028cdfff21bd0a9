"""The set-up every end-to-end mission module shares: a home seeded with a book and holding the session's policy
index, and one ``MissionClient`` over it for the module. A module names its book and takes the two fixtures:

    home = seeded_home_fixture("book", lambda home: seed_book(2000, 7, home))
    missions = client_fixture()

(pytest names a fixture after the module attribute that holds it, so the assignments above are the fixtures
``home`` and ``missions``.)"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.books import stories
from ai_missions.runtime import RunOutcome
from tests.support.built_index import built_index


def seeded_home(
    factory: pytest.TempPathFactory, name: str, seed: Callable[[Path], object], *, policies: bool = True
) -> Path:
    """A fresh home named after ``name``, seeded by ``seed`` and holding the session's policy index (unless
    ``policies`` is false: a module that only reads and writes the books does not pay for the copy)."""
    home = factory.mktemp(name)
    seed(home)
    if policies:
        built_index(factory, home)
    return home


def seeded_home_fixture(name: str, seed: Callable[[Path], object], *, policies: bool = True) -> Any:
    """A module-scoped fixture of ``seeded_home(name, seed, policies=policies)``, named after the module attribute
    that holds it (``home``, or ``book`` for a module that calls the systems' functions on the book directly)."""

    @pytest.fixture(scope="module")
    def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return seeded_home(tmp_path_factory, name, seed, policies=policies)

    return home


def client_fixture(scope: Any = "module") -> Any:
    """A ``missions`` fixture: a ``MissionClient`` open over the ``home`` fixture, closed after its scope."""

    @pytest.fixture(scope=scope)
    def missions(home: Path) -> Iterator[MissionClient]:
        with MissionClient(home) as client:
            yield client

    return missions


def awaiting_decision(missions: MissionClient, order_id: str) -> RunOutcome:
    """The order-exception mission started on the order, checked to wait for a decision: its run's outcome."""
    outcome = missions.start("order-exception", order_id)
    assert outcome.decision_id is not None
    return outcome


def releasing_review(missions: MissionClient, orders: Iterable[str]) -> tuple[str, RunOutcome]:
    """The first of these orders whose order-exception run proposes releasing its payment hold first (a payment
    review that proceeds), started and awaiting its decision: the order and the run's outcome. The test fails where
    none does."""
    for order_id in orders:
        outcome = missions.start("order-exception", order_id)
        if outcome.verdict and [a["tool"] for a in outcome.verdict["actions"]][:1] == ["release_payment_hold"]:
            assert outcome.decision_id is not None
            return order_id, outcome
    pytest.fail("no payment review in the book proceeds")


def flagships_fixture() -> Any:
    """A module-scoped ``flagships`` fixture: mission -> (run id, decision id) of its flagship story in ``home``, each
    started and awaiting a decision."""

    @pytest.fixture(scope="module")
    def flagships(home: Path) -> dict[str, tuple[str, str]]:
        found = {}
        with MissionClient(home) as client:
            for mission, subject in stories(home).items():
                outcome = client.start(mission, subject)
                assert outcome.decision_id is not None, (mission, outcome.status)
                found[mission] = (outcome.run_id, outcome.decision_id)
        return found

    return flagships
