"""The cyclic collector in a process that loads the whole stack and then works for a while (a command, a replay).

Importing LangGraph, Chroma, the MCP SDK and the missions leaves a heap of ~230,000 objects, nearly none of them
garbage, and CPython's collector walks all of them in every full collection and counts 700 allocations between
first-generation ones. Such a process collects less often (:data:`GC_THRESHOLD`) and keeps what it has loaded out of
the collections (``gc.freeze``: still alive, still freed by reference counting, never walked again), so a collection
walks only what the work itself made (docs/performance.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: The collector's first-generation threshold in such a process (CPython's default: 700 allocations).
GC_THRESHOLD = 10_000


@contextmanager
def loaded_heap_kept() -> Iterator[None]:
    """For the work inside: what is alive now is frozen and the collector runs at :data:`GC_THRESHOLD`; both undone
    after (the heap stays frozen if the process had frozen it already, a pool worker)."""
    frozen_before = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(GC_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()
