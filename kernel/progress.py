"""Progress of a long command on stderr: a redrawn line on a terminal, a line every tenth of the work otherwise
(so logs stay short), and nothing on stdout, which stays the command's answer."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """``progress = Progress("Running missions", total)``, then ``progress.advance()`` per item done."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, *_: Any) -> None:
        self.done += 1
        if not self.tty and self.done != self.total and self.done % max(1, self.total // 10):
            return
        elapsed = time.perf_counter() - self.started
        line = f"{self.label}: {self.done}/{self.total} ({elapsed:.1f}s)"
        try:
            if self.tty:
                end = "\n" if self.done >= self.total else ""
                self.stream.write(f"\r\033[K{line}{end}")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):  # stderr went away: the work goes on
            pass


def note(text: str, stream: TextIO | None = None) -> None:
    """One line saying what a long step is doing, before it starts."""
    print(text, file=stream or sys.stderr, flush=True)
