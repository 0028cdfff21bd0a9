"""The first read of a run's subject, where every mission's gather step starts: a subject its system of record
cannot answer for stops the mission before anything is recorded, with one line saying why."""

from __future__ import annotations

from typing import Any

from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.resources import systems_of
from ai_missions.services.gateway import SystemError_


async def read_subject(
    context: MissionContext,
    spec: MissionSpec,
    subject_id: str,
    tool: str | None = None,
    args: dict[str, Any] | None = None,
    *,
    part: str | None = None,
) -> tuple[Any, Any]:
    """The run's systems (``spec.systems``) and ``tool``'s answer for ``args`` (by default the spec's lookup tool
    and its id argument). ``part``, when given, must be in the answer: a context read reports the parts it could not
    read under ``missing``, and a subject without its main part is as unknown as one the call does not find."""
    kind, lookup = spec.subject.kind, spec.subject.lookup or (None, f"{spec.subject.kind}_id")
    name = tool or lookup[0]
    if name is None:
        raise ValueError(f"mission {spec.name!r} names no lookup tool: its gather step must name the tool it reads")
    systems = await systems_of(context, spec.systems)
    try:
        answer = await systems.call(name, {lookup[1]: subject_id} if args is None else args)
    except SystemError_ as exc:
        raise NotFoundError(f"cannot start a mission on {kind} {subject_id!r}: {exc}") from exc
    if part is not None and answer.get(part) is None:
        reason = (answer.get("missing") or {}).get(part, f"the {part} could not be read")
        raise NotFoundError(f"cannot start a mission on {kind} {subject_id!r}: {reason}")
    return systems, answer
