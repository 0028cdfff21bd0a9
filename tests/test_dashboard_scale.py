"""The dashboard with 10,000 runs and 1,000 pending decisions: every page queries only what it shows.

What is asserted is the store's work, counted in SQLite's virtual-machine instructions (a progress handler), which a
loaded machine does not change. A page may count over the book through its indexes (the overview's runs by status),
but its render does less than reading every run twice: a query per run or a page read whole would not.

Times are printed, not asserted (``pytest -s tests/test_dashboard_scale.py``): each page's render time under AppTest
(warm: cached clients open) and its store queries' milliseconds, as the page's own caption reports them. A
millisecond ceiling failed CI on a loaded machine (254 ms against 250) where the same page took 55 ms alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
import streamlit as st

from ai_missions.kernel import store as run_store
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from tests.test_dashboard_support import Book, book_copy, bulk_load, open_page, texts

pytestmark = pytest.mark.slow

RUNS, PENDING, DECIDED = 10_000, 1_000, 3_000
#: SQLite calls the progress handler once every this many virtual-machine instructions.
TICK = 100
#: A page's store work, at most, in reads of the whole runs table (measured: 0.05 to 1.11).
READS_OF_THE_RUNS = 2


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


class StoreWork:
    """Counts the SQLite instructions run on the store's connections (each connection as it is handed out)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ticks = 0
        handed_out = run_store.RunStore._db

        def counted(store: RunStore) -> object:
            db = handed_out(store)
            db.set_progress_handler(self._tick, TICK)
            return db

        monkeypatch.setattr(run_store.RunStore, "_db", counted)

    def _tick(self) -> int:
        self.ticks += 1
        return 0  # go on

    def instructions(self, work: Callable[[], object]) -> int:
        self.ticks = 0
        work()
        return self.ticks * TICK


def render(page: str, work: StoreWork, **query: str) -> tuple[float, float, int, str]:
    """Render a page twice (the first run opens the cached clients); the second run's seconds, its store query
    milliseconds (from its caption), its store instructions and its text."""
    at = open_page(page, **query)
    started = time.perf_counter()
    instructions = work.instructions(at.run)
    seconds = time.perf_counter() - started
    assert not at.exception, at.exception
    page_text = texts(at)
    found = re.findall(r"store queries ([\d.]+) ms", page_text)
    return seconds, sum(float(f) for f in found), instructions, page_text


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
        ("views/queue.py", {}, "pending you may see, by deadline (GOV-005)"),
        ("views/knowledge.py", {"policy": "PAY-001"}, "Cited by version: v3: "),
    ],
    ids=["overview", "runs", "run", "queue", "policies"],
)
def test_pages_stay_fast_with_10000_runs_and_1000_pending(
    book: Book, page: str, query: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = StoreWork(monkeypatch)
    store = RunStore(runs_db(book.home))
    one_read = work.instructions(lambda: store.read().execute("SELECT * FROM runs").fetchall())
    seconds, query_ms, instructions, page_text = render(page, work, **query)
    print(
        f"\n{page}: rendered in {seconds * 1000:.0f} ms (AppTest, warm), store queries {query_ms:.1f} ms, "
        f"{instructions:,} SQLite instructions ({instructions / one_read:.2f} of reading the runs once)"
    )
    assert expected in page_text
    assert instructions < READS_OF_THE_RUNS * one_read, f"{page}: {instructions:,} instructions; the runs: {one_read:,}"
