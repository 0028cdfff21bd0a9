"""The dashboard freezes what its process has loaded (``dashboard/heap.py``), so the full collection Streamlit runs
after every script run walks only what came after: once per new set of modules, never on a run that loaded none."""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterator

import pytest

from ai_missions.dashboard import heap


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As in a new dashboard server (serving, nothing frozen yet); this test process's heap is unfrozen afterwards."""
    monkeypatch.setattr(heap, "_modules_at_freeze", 0)
    monkeypatch.setattr(heap, "_serving", True)
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_loaded_objects_leave_the_collected_heap_once_until_more_modules_are_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collected_before = len(gc.get_objects())
    assert heap.freeze_loaded_modules()
    assert gc.get_freeze_count() >= collected_before // 2  # the loaded modules' objects are frozen
    assert len(gc.get_objects()) < collected_before // 10  # and the collector no longer walks them
    frozen = gc.get_freeze_count()

    assert not heap.freeze_loaded_modules()  # a run that imported nothing freezes nothing
    assert gc.get_freeze_count() == frozen

    monkeypatch.setitem(sys.modules, "a_page_module_imported_later", types.ModuleType("a_page_module_imported_later"))
    assert heap.freeze_loaded_modules()  # a page's first import is frozen on the next run
    assert gc.get_freeze_count() >= frozen


def test_a_process_that_does_not_serve_the_dashboard_is_never_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest runs ``app.py`` in the test's own process: its heap is left as it is."""
    monkeypatch.setattr(heap, "_modules_at_freeze", 0)
    frozen = gc.get_freeze_count()
    assert not heap.freeze_loaded_modules()
    assert gc.get_freeze_count() == frozen
