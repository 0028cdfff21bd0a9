"""Start a mission for every new case its trigger finds.

A subject's case is new when the subject never had a run of the mission, or when it changed since the last scan
(per the trigger's cursor, stored in the run store) and now shows other case types than its last run saw, so a
mission's own writes do not start it again. Subjects with a run in progress are skipped. One failing start does
not stop the scan: the run is recorded as failed and the scan goes on with the next subject.

A dead run is never taken for one in progress: a run idle for ``idle_s`` with a decided decision is finished (as
``missions resume`` would: effects are not repeated), and one that died before its decision is marked failed.
"""

from __future__ import annotations

from collections.abc import Callable

from ai_missions.runtime import MissionRuntime, RunOutcome

#: A run in progress records an event every few seconds; one silent this long has lost its process.
IDLE_S = 900.0


def cursor_key(mission: str) -> str:
    return f"scan.cursor.{mission}"


async def cases_now(runtime: MissionRuntime) -> dict[str, list[str]]:
    """The trigger's scan: subject id -> case types."""
    trigger = runtime.spec.get_trigger()
    return await trigger.find(runtime.systems)


async def scan_and_start(
    runtime: MissionRuntime,
    *,
    reasoner: str = "offline",
    limit: int | None = None,
    subjects: list[str] | None = None,
    idle_s: float = IDLE_S,
    on_started: Callable[[str], None] | None = None,
) -> list[RunOutcome]:
    """Start runs for new cases (or for ``subjects`` among them); returns their outcomes. ``on_started`` hears of
    each subject once its run has gone as far as it goes (to show progress)."""
    mission = runtime.mission
    found, candidates, cursor = await new_cases(runtime, limit=limit, subjects=subjects, idle_s=idle_s)
    outcomes = []
    for subject_id in candidates:
        trigger_event = {"source": "scan", "subject_id": subject_id, "case_types": found[subject_id]}
        try:
            outcomes.append(await runtime.start(subject_id, reasoner=reasoner, trigger=trigger_event))
        except Exception:  # recorded as a failed run by the runtime; the scan goes on with the next subject
            continue
        finally:
            if on_started is not None:
                on_started(subject_id)
    runtime.store.set_meta(cursor_key(mission), cursor)
    return outcomes


async def new_cases(
    runtime: MissionRuntime, *, limit: int | None = None, subjects: list[str] | None = None, idle_s: float = IDLE_S
) -> tuple[dict[str, list[str]], list[str], str]:
    """The trigger's scan (subject -> case types), the subjects with a new case, and the cursor to store once
    they are handled."""
    mission = runtime.mission
    await settle_dead_runs(runtime, idle_s)
    trigger = runtime.spec.get_trigger()
    changed, cursor = await trigger.changed(runtime.systems, runtime.store.get_meta(cursor_key(mission)))
    found = await trigger.find(runtime.systems)
    seen = runtime.store.last_types_by_subject(mission)
    candidates = [s for s in found if s not in seen or (s in changed and sorted(found[s]) != seen[s])]
    if subjects is not None:
        wanted = set(subjects)
        candidates = [s for s in candidates if s in wanted]
    active = runtime.store.active_subjects(mission)
    return found, [s for s in candidates if s not in active][:limit], cursor


async def settle_dead_runs(runtime: MissionRuntime, idle_s: float) -> None:
    """Finish the decided runs whose process died; mark failed the ones that died before a decision."""
    store = runtime.store
    decided = {d.run_id: d for d in store.decided_not_resumed(mission=runtime.mission)}
    for run in store.stale_runs(runtime.mission, idle_s=idle_s):
        if run["run_id"] in decided:
            try:
                await runtime.resume(decided[run["run_id"]])
            except Exception:  # recorded on the run's trail by the runtime; `missions resume` can try again
                continue
        elif run["status"] == "running":
            reason = f"interrupted: no progress for {idle_s:g} s (its process stopped); a new scan may start it again"
            store.append_events(run["run_id"], [{"kind": "error", "node": "scanner", "summary": reason}])
            store.update_run(run["run_id"], status="failed", summary=reason)
