"""The recorded cases as an environment (registered as ``recorded`` under ``ai_missions.environments``): a case kept
with what the mission read rather than a snapshot of its systems (support's recorded tickets) is a world whose reads
answer as the case recorded them and whose writes are kept as its state.

Which reads a case answers, and how, is the mission's: its eval plugin's ``recorded_systems`` makes the reader of one
case (support: :class:`~ai_missions.graphs.support.evals.recorded.RecordedSystems`). The mission's graph runs over
it in-process, as over any systems: its gather reads the case, retrieval and the guard (with the tools' schemas from
the contracts) run as they always do, and the writes it makes, an automatic note or an approved action, are kept.
The end state compared is those writes, each as its tool and key arguments (free text left out), internal notes
left out as the books' projections leave them out (the tools the mission's policy lets run without a reviewer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.contracts import tool_spec, tools_by_name
from ai_missions.kernel.environment import View
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import get_mission

__all__ = ["Recorded", "RecordedEnvironment"]

#: The view's one table: the writes made, each as (tool, key arguments as JSON).
WRITES = "writes"


@dataclass(frozen=True)
class Recorded:
    """A recorded case as an environment holds it: the case, and the writes made on it so far."""

    case: Mapping[str, Any]
    writes: tuple[tuple[str, str], ...] = ()


class RecordedEnvironment:
    """A recorded case of ``mission``: its reads answered by the reader the mission's eval plugin makes of it."""

    name = "recorded"
    served = False

    def __init__(self, home: Path | None = None, mission: str | None = None) -> None:
        self.mission = mission
        tools = get_mission(mission).tools if mission else None
        self._free = tools.free_text if tools is not None else frozenset({"idempotency_key"})
        self._internal = tools.automatable if tools is not None else frozenset()
        self._reads: Any = None
        self._state = Recorded({})

    def reset(self, state: Any) -> None:
        self._state = state if isinstance(state, Recorded) else Recorded(dict(state))
        self._read(self._state.case)

    def _read(self, case: Mapping[str, Any]) -> None:
        """Answer reads from ``case`` with the reader the mission's eval plugin makes of it."""
        self._reads = None
        if self.mission is not None and case:
            make = plugin_of(self.mission).recorded_systems
            if make is None:
                raise NotFoundError(f"the {self.mission} mission declares no reader of its recorded cases")
            self._reads = make(case)

    async def call(self, tool_name: str, args: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        if tool_spec(tool_name).is_write:
            self.apply({"tool": tool_name, "args": args})
            return {"recorded": True, "replayed": False}
        if self._reads is None:
            raise NotFoundError(f"{tool_name}: no recorded case is loaded")
        answer: dict[str, Any] = await self._reads.call(tool_name, args)
        return answer

    def schemas(self) -> Mapping[str, dict[str, Any]]:
        return {name: dict(spec.input_schema) for name, spec in tools_by_name().items() if spec.input_schema}

    def apply(self, action: Mapping[str, Any]) -> None:
        key = {k: v for k, v in (action.get("args") or {}).items() if k not in self._free}
        write = (str(action["tool"]), json.dumps(key, sort_keys=True, default=str))
        self._state = Recorded(self._state.case, (*self._state.writes, write))

    def snapshot(self) -> Any:
        return self._state

    def view(self, projection: Mapping[str, Any]) -> View:
        return {WRITES: sorted(w for w in self._state.writes if w[0] not in self._internal)}

    def close(self) -> None:
        self._reads = None
