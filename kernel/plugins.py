"""Plug-ins found by entry point: a group's entry points by name, each name registered once."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from ai_missions.kernel.errors import ValidationError

__all__ = ["by_name"]


def by_name(group: str, kind: str) -> dict[str, EntryPoint]:
    """The ``group``'s entry points by name, sorted (none loaded); a name registered twice is a one-line error
    naming the ``kind`` of plug-in (a system, an environment)."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        if point.name in found:
            raise ValidationError(f"entry point {point.value} registers the {kind} {point.name!r} a second time")
        found[point.name] = point
    return dict(sorted(found.items()))
