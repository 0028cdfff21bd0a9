"""The dashboard process's long-lived objects, kept out of the full collection Streamlit runs after every script run.

Streamlit calls ``gc.collect(2)`` when a script run ends (its ``runner.postScriptGC``), so that a session's cycles do
not pile up between runs. In this process that walked every object the loaded modules hold (~100,000 once the pages'
modules are imported: Streamlit, pandas, the kernel, the services), 40-60 ms of CPU after each rerun a reviewer
causes: a click, a link, the queue's watch every few seconds. Those objects live as long as the process, so once
loaded they are frozen (``gc.freeze``): still alive and still freed by reference counting, but never scanned again,
and each run's collection walks only what came after them.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
#: Whether this process serves the dashboard (:func:`serving`); a test's AppTest runs the pages in its own process.
_serving = False
#: How many modules were loaded at the last freeze.
_modules_at_freeze = 0


def serving() -> None:
    """This process is ``missions dashboard``'s server (``served.py``, which only the server imports, calls it):
    from now on :func:`freeze_loaded_modules` freezes. Elsewhere (Streamlit's AppTest runs ``app.py`` in a test's
    process) the heap is not the dashboard's to freeze, and nothing is."""
    global _serving
    _serving = True


def freeze_loaded_modules() -> bool:
    """In the dashboard's server, freeze the heap if modules were imported since the last freeze (the first runs,
    which import the pages' modules; the first page that opens the mission client, which imports the runtime);
    otherwise do nothing. Whether it froze.

    Called early in each script run: what a page imports later in the run is frozen by the next one. Garbage is
    collected first, so none is frozen; the run's own live objects, a few next to the modules', are frozen with the
    rest (freed by reference counting when their session lets them go; those in a cycle stay, once per freeze)."""
    global _modules_at_freeze
    loaded = len(sys.modules)
    if not _serving or loaded <= _modules_at_freeze:
        return False
    with _lock:  # sessions run their scripts in threads of their own
        if loaded <= _modules_at_freeze:
            return False
        gc.collect()
        gc.freeze()
        _modules_at_freeze = loaded
    return True
