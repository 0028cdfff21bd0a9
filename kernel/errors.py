"""Errors a user can act on. The CLI prints them as one line; nothing else is shown to a user as a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable


class MissionsError(Exception):
    """Base class: an error with a message meant for a person."""


class NotFoundError(MissionsError):
    """An unknown id: order, customer, policy, run or decision."""


class ValidationError(MissionsError):
    """Malformed input: wrong type, missing field, out-of-range value."""


class ConflictError(MissionsError):
    """The request contradicts the current state (an invariant, an idempotency key reused differently...)."""


class ForbiddenError(MissionsError):
    """The caller lacks the role the request needs."""


class OutcomeUnknownError(MissionsError):
    """A write neither answered nor could be read back: its run stops unfinished, to be resumed safely."""


class CorruptStoreError(MissionsError):
    """A SQLite file is corrupt, truncated or not a database: the message names the file."""

    def __init__(self, path: object, exc: BaseException) -> None:
        super().__init__(f"{path} is not a readable SQLite database ({exc}); restore it from a backup or move it aside")


def process_exit(run: Callable[[], object]) -> int:
    """A server process's exit code for ``run``: 0 when it returns, 2 with the error as one line on stderr when it
    raises an error a user can act on, 130 when stopped with Ctrl-C (no traceback either way)."""
    try:
        run()
    except MissionsError as exc:
        print(f"missions: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
