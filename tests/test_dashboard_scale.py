"""The dashboard with 10,000 runs and 1,000 pending decisions: every page renders quickly because it queries only
what it shows. Prints the figures (``pytest -s tests/test_dashboard_scale.py``): each page's render time under
AppTest (warm: cached clients open) and the time its store queries took, as the page's own caption reports it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import streamlit as st

from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from tests.test_dashboard_support import Book, book_copy, bulk_load, open_page, texts

pytestmark = pytest.mark.slow

RUNS, PENDING, DECIDED = 10_000, 1_000, 3_000
#: Generous ceilings for a loaded CI machine; the measured figures are far below (see the README).
RENDER_BUDGET_S = 3.0
QUERY_BUDGET_MS = 250.0


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    copy = book_copy(tmp_path_factory.mktemp("scale") / "home", tmp_path_factory)
    existing = RunStore(runs_db(copy.home)).count_runs()
    bulk_load(copy.home, runs=RUNS - existing, pending=PENDING, decided=DECIDED)
    yield copy
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _home(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(book.home))


def render(page: str, **query: str) -> tuple[float, float, str]:
    """Render a page twice (the first run opens the cached clients); the second run's seconds, its store query
    milliseconds (from its caption) and its text."""
    at = open_page(page, **query)
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    assert not at.exception, at.exception
    page_text = texts(at)
    found = re.findall(r"store queries ([\d.]+) ms", page_text)
    return seconds, sum(float(f) for f in found), page_text


def test_the_store_holds_the_load(book: Book) -> None:
    store = RunStore(runs_db(book.home))
    assert store.count_runs() == RUNS
    assert store.count_pending() >= PENDING
    assert store.count_pending() < PENDING + 10  # the book's own few


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [
        ("views/overview.py", {}, "10,000 runs"),
        ("views/runs.py", {}, "10,000 runs match"),
        ("views/run.py", {"run": "R-load0009990"}, "Run R-load0009990"),
        ("views/queue.py", {}, "pending, by deadline (GOV-005)"),
        ("views/knowledge.py", {"policy": "PAY-001"}, "Cited by version: v3: "),
    ],
    ids=["overview", "runs", "run", "queue", "policies"],
)
def test_pages_stay_fast_with_10000_runs_and_1000_pending(
    book: Book, page: str, query: dict[str, str], expected: str
) -> None:
    seconds, query_ms, page_text = render(page, **query)
    print(f"\n{page}: rendered in {seconds * 1000:.0f} ms (AppTest, warm), store queries {query_ms:.1f} ms")
    assert expected in page_text
    assert seconds < RENDER_BUDGET_S
    assert query_ms < QUERY_BUDGET_MS
