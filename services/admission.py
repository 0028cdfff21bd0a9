"""What is checked before a run is recorded: the case waits on no open decision, and its system of record knows the
subject.

Apart from the runtime so that a refusal costs a read of the run store and one MCP call, not LangGraph's and the
vector store's imports: ``missions run`` on an unknown id answers before it loads the mission's graph.
"""

from __future__ import annotations

from ai_missions.kernel.errors import ConflictError, NotFoundError
from ai_missions.kernel.missions import MissionSpec
from ai_missions.kernel.store import RunStore
from ai_missions.kernel.triggers import Systems
from ai_missions.services.gateway import SystemError_


def refuse_open_case(store: RunStore, spec: MissionSpec, subject_id: str) -> None:
    """ConflictError naming what holds the case: a decision still open (pending, or approved and not executed to the
    end), or a run of it in progress. A case is decided once, whichever path starts it; this is the early, cheap
    refusal, and the runtime records a run only in the transaction that checks the same again
    (:meth:`~ai_missions.kernel.store.RunStore.create_run` ``exclusive``), so two starts racing cannot both pass."""
    if (held := store.case_held(spec.name, subject_id)) is not None:
        raise ConflictError(f"{spec.subject.kind} {held}")


async def refuse_unknown_subject(systems: Systems, spec: MissionSpec, subject_id: str) -> None:
    """NotFoundError when the subject's system of record does not know it (a system that cannot answer is not a
    verdict on the id: the run starts and records why it could not read)."""
    if spec.subject.lookup is None:
        return
    tool, argument = spec.subject.lookup
    try:
        await systems.call(tool, {argument: subject_id})
    except SystemError_ as exc:
        if exc.code == "not_found":
            raise NotFoundError(f"unknown {spec.subject.kind} {subject_id!r}: {exc}") from None
