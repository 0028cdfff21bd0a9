"""Standard input holding one line, as ``--password-stdin`` reads it from a pipe (not a terminal)."""

from __future__ import annotations


class StdinLine:
    """Standard input holding one line (a password for ``--password-stdin``)."""

    def __init__(self, line: str) -> None:
        self.lines = [line + "\n"]

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""

    def isatty(self) -> bool:
        return False
