"""What starts a mission: a trigger finds the subjects that need one, over MCP, from the systems' current state.

A mission's trigger (``MissionSpec.trigger``) implements :class:`Trigger`. :func:`ai_missions.scanner.scan_and_start`
runs it: a subject gets a mission when it never had one, or when it changed since the last scan and now shows
other case types than its last mission saw (so a mission's own writes do not start it again).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol


class Systems(Protocol):
    """The systems gateway, as nodes, triggers and the runtime use it."""

    async def call(
        self,
        tool_name: str,
        args: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...

    def schemas(self) -> Mapping[str, dict[str, Any]]: ...


class Trigger(Protocol):
    @property
    def systems(self) -> tuple[str, ...]:
        """Systems the trigger reads (opened besides the mission's own when scanning)."""
        ...

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        """Every subject that needs the mission right now -> its case types."""
        ...

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        """Subjects changed since ``cursor`` (None: from the start), and the new cursor."""
        ...


async def feed_changes(
    systems: Systems, tool: str, key: str, cursor: str | None, *, page: int = 500, types: Collection[str] = ()
) -> tuple[set[str], str]:
    """A :meth:`Trigger.changed` read from a system's event feed: the ``key`` of every event ``tool`` gives after
    ``cursor`` (an event id; None: from the start), read a page at a time to the end, and the last event id seen;
    ``types``: only events of these types count (every event when empty), the cursor still moves past the others.
    The feed is one every system pages alike: ``after_id`` and ``limit`` in, ``events`` and ``next_after_id`` out."""
    changed: set[str] = set()
    after = int(cursor or 0)
    while True:
        answer = await systems.call(tool, {"after_id": after, "limit": page})
        events = answer.get("events", [])
        changed.update(str(e[key]) for e in events if not types or e["type"] in types)
        after = int(answer.get("next_after_id", after))
        if len(events) < page:
            return changed, str(after)
