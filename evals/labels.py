"""The shapes a team's labeller writes, shared by the missions' labellers: a recorded resolution with analysis tags
(:class:`Label`), one facet's view of a case before the views are combined (:class:`View`), and how a snapshot's
timestamps and cents read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Action = dict[str, Any]


@dataclass
class Label:
    """The recorded resolution of a case, with analysis tags."""

    outcome: str
    actions: list[Action]
    decided_by: str
    note: str
    tags: list[str] = field(default_factory=list)

    def resolution(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "actions": self.actions, "decided_by": self.decided_by, "note": self.note}


@dataclass
class View:
    """One facet's view: an outcome, its actions, why, and tags."""

    outcome: str
    actions: list[Action] = field(default_factory=list)
    why: str = ""
    tags: list[str] = field(default_factory=list)


def snapshot_time(text: str) -> datetime:
    """A snapshot's timestamp (``2026-11-25T09:00:00Z``) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def snapshot_stamp(moment: datetime) -> str:
    """A datetime as a snapshot's timestamp (the inverse of :func:`snapshot_time`): what a hand-written scenario
    writes into the records it moves in time."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(cents: int) -> float:
    """Cents as the amount a resolution records."""
    return round(cents / 100, 2)
