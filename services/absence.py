"""Who is away: an account marked away (by itself, or by an admin for someone who cannot sign in) until a day, or
until it is marked back.

Absence is governance, like a role: it moves who decides. A rule that names the one person who approves (an
``approver_fact``, an account's owner) and who stands in for them (a ``stand_in_fact``, ACC-001: the owner's manager)
lets the stand-in approve in their place while they are away, their pending decisions included, and the person away
approve nothing of it until they are back (:func:`ai_missions.services.governance.deciding_person`). So absences are
a row of record (:mod:`ai_missions.kernel.records`): one signed meta row, each change a new version on the audit
chain, with an ``absence_recorded`` entry saying who marked whom; a row written, put back or deleted behind the
platform's back is refused by name, never read as nobody being away.

Who may mark whom is the authorization point's to say (``mark_away``,
:func:`ai_missions.services.authorization.answer`); :func:`ai_missions.services.review.mark_away` asks it, then
records the absence here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ai_missions.kernel import records
from ai_missions.kernel.database import database_url
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.grants import is_private
from ai_missions.kernel.records import ABSENCES_KEY, META, UnsignedRowError
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore, audit_entry, chain, utc_now

#: The longest reason kept (it is shown on cards and in the audit trail).
REASON_CHARS = 200
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Absence:
    """One account away: since when, until which day (the last day away, inclusive; None: until marked back), why,
    and who marked it."""

    name: str
    since: str
    until: str | None
    reason: str
    by: str

    def in_force(self, today: date) -> bool:
        return self.until is None or today <= date.fromisoformat(self.until)

    def words(self) -> str:
        """``away until 2026-12-05 (parental leave)`` / ``away (on leave)``."""
        until = f" until {self.until}" if self.until else ""
        return f"away{until}" + (f" ({self.reason})" if self.reason else "")


def today() -> date:
    return datetime.now(UTC).date()


def last_day(text: str | None, *, now: date | None = None) -> str | None:
    """A ``--until`` day: ``YYYY-MM-DD``, today or later; None for none (away until marked back)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        day = date.fromisoformat(text) if DAY.match(text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"--until {text!r}: the last day away, as YYYY-MM-DD (e.g. 2026-12-05)")
    if day < (now or today()):
        raise ValidationError(f"--until {text}: that day has passed (today is {(now or today()).isoformat()})")
    return day.isoformat()


def recorded(store: RunStore) -> dict[str, Absence]:
    """Every absence on record, ended or not (an ended one is gone from the row); UnsignedRowError naming the row
    when it was written, put back or deleted outside the platform."""
    text = store.get_meta(ABSENCES_KEY)
    db = store.read()
    if text is None:
        last = records.latest(db, store.audit, META, ABSENCES_KEY).get(ABSENCES_KEY)
        if last is not None and last.signature is not None:
            raise UnsignedRowError(
                f"the meta row {ABSENCES_KEY!r}",
                why=f"deleted: audit entry {last.n} recorded it (version {last.version})",
            )
        return {}
    value, _ = records.meta_value(db, store.audit, ABSENCES_KEY, text)
    return {name: Absence(**fields) for name, fields in dict(value).items()}


def away(store: RunStore, *, on: date | None = None) -> frozenset[str]:
    """The accounts away on the day ``on`` (today by default)."""
    day = on or today()
    return frozenset(name for name, absence in recorded(store).items() if absence.in_force(day))


def away_in(home: Path) -> frozenset[str]:
    """The accounts away today in ``home``'s run store (none where it has no store yet): what the graph's approval
    step asks when a decision resumes, as the authorization point's pre-check did); none in an eval sandbox, whose
    home keeps to itself: it never reads the deployment's database, with a key that is not the deployment's."""
    if is_private(home) or (database_url() is None and not runs_db(home).exists()):
        return frozenset()
    return away(RunStore(runs_db(home)))


def record(
    store: RunStore, name: str, *, by: str, until: str | None = None, reason: str = "", back: bool = False
) -> Absence | None:
    """Mark ``name`` away (``back``: back again), signed and on the audit chain; returns the absence recorded (None
    when marked back). Ask the authorization point first (:func:`ai_missions.services.review.mark_away`)."""
    reason = " ".join(reason.split())[:REASON_CHARS]
    with store.transaction() as db:
        current = recorded(store)
        ended = current.pop(name, None)
        if back:
            if ended is None:
                return None
            summary = f"{name} is back (was {ended.words()}); marked by {by}"
            absence = None
        else:
            absence = Absence(name, utc_now(), until, reason, by)
            current[name] = absence
            summary = f"{name} is {absence.words()}; marked by {by}"
        data: dict[str, Any] = {"name": name, "back": back, **(asdict(absence) if absence else {})}
        chain(db, [audit_entry(None, {"kind": "absence_recorded", "actor": by, "summary": summary, "data": data})])
        value: Mapping[str, Any] = {n: asdict(a) for n, a in sorted(current.items())}
        records.put_meta(db, store.audit, ABSENCES_KEY, value, by=by, why=f"{name} {'back' if back else 'away'}")
    return absence
