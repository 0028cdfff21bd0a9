"""Progress of an eval run on stderr: a redrawn bar on a terminal, a line every tenth of the run otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

Progress = Callable[[int, int, Mapping[str, Any]], None]


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal, a line every tenth of the run otherwise."""

    def __init__(self, stream: Any = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.started: float | None = None
        self.agree = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, result: Mapping[str, Any]) -> None:
        now = time.perf_counter()
        if self.started is None:  # the first case: sandboxes are up, measure from here
            self.started = now
        self.agree += bool(result.get("agree"))
        rate = (done - 1) / (now - self.started) if now > self.started else 0.0
        if not self.tty and done != total and done % max(1, total // 10):
            return
        filled = int(self.width * done / total)
        left = f"~{(total - done) / rate:4.0f}s left" if rate else ""
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {rate:5.1f} cases/s "
            f"agree {self.agree / done:5.1%} {left}"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done == total:
            self.stream.write("\n")
        self.stream.flush()
