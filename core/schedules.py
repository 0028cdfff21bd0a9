"""Scheduled missions and batches: a mission with a ``schedule`` (cron expression, time zone) runs over every case
its trigger finds, each morning say, as one *batch* whose runs share a batch id.

``missions scheduler`` is the long-running process: it wakes every ``tick`` seconds and fires each schedule whose
latest cron time is newer than the last fire recorded in the run store. A scheduler that was down for three days
fires once when it comes back (the latest missed time), not three times; the fire time is recorded before the
batch starts, so a crash mid-batch does not fire it again (``missions resume`` finishes the runs it left). Cron
times are computed by ``croniter`` in the schedule's own time zone (daylight saving included).

Without a long-running process, a cron line does the same (the fire is still recorded, so an overlapping or
repeated call within the same slot does nothing)::

    0 7 * * 1-5  cd /srv/missions && MISSIONS_HOME=/srv/missions/home missions scheduler --once
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from ai_missions.kernel.errors import MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.missions import MissionSpec, registry
from ai_missions.runtime import MissionRuntime, RunOutcome

LAST_FIRE_KEY = "schedule.{mission}.last_fire"
BATCH_KEY = "batch.{batch_id}"


def check_schedule(cron: str, tz: str) -> ZoneInfo:
    """The schedule's time zone; ValidationError naming what is wrong with either part."""
    if not croniter.is_valid(cron):
        raise ValidationError(f"{cron!r} is not a valid cron expression (e.g. '0 7 * * 1-5')")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone {tz!r} (e.g. Europe/Berlin)") from None


def latest_fire(cron: str, tz: str, now: datetime) -> datetime:
    """The most recent cron time at or before ``now`` (UTC), computed in the schedule's time zone."""
    zone = check_schedule(cron, tz)
    local = now.astimezone(zone)
    if croniter.match(cron, local.replace(second=0, microsecond=0)) and local.second == 0:
        return local.astimezone(UTC)
    previous: datetime = croniter(cron, local).get_prev(datetime)
    return previous.astimezone(UTC)


def due(cron: str, tz: str, last_fire: datetime | None, now: datetime) -> datetime | None:
    """The fire time to run now, if any: the latest cron time not yet fired (missed ones collapse into it)."""
    fire = latest_fire(cron, tz, now)
    if last_fire is not None and fire <= last_fire:
        return None
    return fire


@dataclass
class BatchReport:
    batch_id: str
    mission: str
    started_at: str
    scheduled_for: str | None
    cases: int = 0
    runs: int = 0
    awaiting: int = 0
    failed: int = 0
    seconds: float = 0.0
    scan_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: Subjects in the order the trigger ranked them (the brief's order).
    ranked: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def run_batch(
    runtime: MissionRuntime,
    *,
    scheduled_for: datetime | None = None,
    concurrency: int = 4,
    reasoner: str | None = None,
    limit: int | None = None,
    on_outcome: Callable[[RunOutcome], None] | None = None,
) -> BatchReport:
    """One run per case the mission's trigger finds now, under one batch id; a case that fails is counted and
    named, never stops the others."""
    started = time.perf_counter()
    batch_id = f"B-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    report = BatchReport(
        batch_id,
        runtime.mission,
        datetime.now(UTC).isoformat(timespec="seconds"),
        scheduled_for.isoformat(timespec="seconds") if scheduled_for else None,
    )
    cases = await runtime.spec.get_trigger().find(runtime.systems)
    report.scan_seconds = round(time.perf_counter() - started, 3)
    active = runtime.store.active_subjects(runtime.mission)
    subjects = [s for s in cases if s not in active][:limit]
    report.cases = len(cases)
    report.ranked = subjects
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(subject_id: str) -> None:
        trigger = {
            "source": "schedule" if scheduled_for else "batch",
            "subject_id": subject_id,
            "case_types": cases[subject_id],
            "batch_id": batch_id,
        }
        async with gate:
            try:
                outcome = await runtime.start(subject_id, reasoner=reasoner, trigger=trigger)
            except MissionsError as exc:
                report.failed += 1
                report.errors.append(f"{subject_id}: {exc}")
                return
        report.runs += 1
        report.awaiting += outcome.status == "awaiting_decision"
        if on_outcome is not None:
            on_outcome(outcome)

    await asyncio.gather(*(one(s) for s in subjects))
    report.seconds = round(time.perf_counter() - started, 3)
    runtime.store.set_meta(BATCH_KEY.format(batch_id=batch_id), json.dumps(report.to_dict()))
    return report


def batch_report(store: Any, batch_id: str) -> dict[str, Any]:
    """A batch's report as recorded when it finished; NotFoundError for an unknown batch."""
    text = store.get_meta(BATCH_KEY.format(batch_id=batch_id))
    if text is None:
        raise NotFoundError(f"unknown batch {batch_id!r}")
    report: dict[str, Any] = json.loads(text)
    return report


def last_fire(runtime: MissionRuntime) -> datetime | None:
    text = runtime.store.get_meta(LAST_FIRE_KEY.format(mission=runtime.mission))
    return datetime.fromisoformat(text) if text else None


async def fire_if_due(runtime: MissionRuntime, now: datetime, **options: Any) -> BatchReport | None:
    """Run the mission's batch when its schedule is due; the fire is recorded first (at most once per slot)."""
    if runtime.spec.schedule is None:
        return None
    cron, tz = runtime.spec.schedule
    fire = due(cron, tz, last_fire(runtime), now)
    if fire is None:
        return None
    runtime.store.set_meta(LAST_FIRE_KEY.format(mission=runtime.mission), fire.isoformat())
    return await run_batch(runtime, scheduled_for=fire, **options)


def scheduled_missions() -> list[MissionSpec]:
    return [spec for spec in registry().values() if spec.schedule is not None]


async def scheduler(
    home: Any,
    *,
    once: bool = False,
    tick_s: float = 30.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_report: Callable[[BatchReport], None] | None = None,
    **options: Any,
) -> None:
    """Fire every scheduled mission when due, until stopped (or one pass with ``once``)."""
    specs = scheduled_missions()
    if not specs:
        raise ValidationError("no installed mission has a schedule")
    for spec in specs:
        assert spec.schedule is not None
        check_schedule(*spec.schedule)
    while True:
        for spec in specs:
            # a batch checkpoints where each run pauses or ends ("exit"): its steps before the pause are reads and an
            # idempotent internal note, and writing every step to disk costs a third of the morning's wall time
            async with MissionRuntime(spec, home, durability="exit") as runtime:
                report = await fire_if_due(runtime, clock(), **options)
            if report is not None and on_report is not None:
                on_report(report)
        if once:
            return
        await asyncio.sleep(tick_s)
