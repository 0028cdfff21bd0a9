"""Read-only queries over the run store for the dashboard's overview and policy pages.

Each is served by an index or one pass over the runs (see the store's schema: ``runs_by_updated``,
``decisions_by_decided`` and the ``citations`` table kept by a trigger on the audit trail).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ai_missions.kernel.store import ACTIVE_STATUSES, FINAL_STATUSES, Decision, RunStore, decision_row, run_row


class RunQueries:
    """The dashboard's questions about one run store."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def _db(self) -> Any:
        return self.store._db()

    def run_facets(self) -> dict[str, list[str]]:
        """The missions, statuses and outcomes present, to offer as filters."""
        db = self._db()
        return {
            column: [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM runs WHERE {column} IS NOT NULL")]
            for column in ("mission", "status", "outcome")
        }

    def status_counts(self, *, mission: str | None = None) -> dict[str, int]:
        where, params = ("WHERE mission = ?", [mission]) if mission else ("", [])
        rows = self._db().execute(f"SELECT status, count(*) FROM runs {where} GROUP BY status", params)
        return {r[0]: int(r[1]) for r in rows}

    def case_type_counts(self, statuses: Sequence[str] | None = None, *, mission: str | None = None) -> dict[str, int]:
        """Runs per case type (a combined case counts once for each of its types)."""
        sql = "SELECT t.value, count(*) FROM runs, json_each(runs.case_types) AS t"
        if self.store.dialect == "postgresql":
            sql = "SELECT t.value, count(*) FROM runs, jsonb_array_elements_text(runs.case_types::jsonb) AS t"
        where: list[str] = []
        params: list[Any] = []
        if statuses is not None:
            where.append(f"runs.status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if mission:
            where.append("runs.mission = ?")
            params.append(mission)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._db().execute(sql + " GROUP BY t.value", params)
        return {str(r[0]): int(r[1]) for r in rows}

    def pending_created_at(self) -> list[str]:
        """When each pending decision was opened, oldest first (read from the (status, created_at) index)."""
        rows = self._db().execute("SELECT created_at FROM decisions WHERE status = 'pending' ORDER BY created_at")
        return [r[0] for r in rows]

    def resolved_since(self, since: str) -> dict[str, int]:
        """Runs that reached a final status at or after ``since``, per status."""
        marks = ", ".join("?" * len(FINAL_STATUSES))
        rows = self._db().execute(
            f"SELECT status, count(*) FROM runs WHERE updated_at >= ? AND status IN ({marks}) GROUP BY status",
            (since, *FINAL_STATUSES),
        )
        return {r[0]: int(r[1]) for r in rows}

    def decision_tally(self, since: str) -> list[dict[str, Any]]:
        """Reviewers' answers per action decided since ``since``: ``{day, answer, count}`` with answer one of
        ``accept``, ``edit``, ``response`` (a rejection) or ``ignore``."""
        answers = "json_extract(a.value, '$.type')", "json_each(d.response, '$.responses')"
        if self.store.dialect == "postgresql":
            answers = "a.value ->> 'type'", "jsonb_array_elements(d.response::jsonb -> 'responses')"
        rows = self._db().execute(
            f"SELECT substr(d.decided_at, 1, 10) AS day, {answers[0]} AS answer, count(*)"
            f" FROM decisions AS d, {answers[1]} AS a"
            " WHERE d.decided_at >= ? AND d.status = 'decided' GROUP BY day, answer ORDER BY day",
            (since,),
        )
        return [{"day": r[0], "answer": r[1], "count": int(r[2])} for r in rows]

    def decision_latencies(self, since: str) -> list[float]:
        """Seconds from each run's trigger to its reviewer's decision, for decisions made since ``since``."""
        seconds = "(julianday(d.decided_at) - julianday(r.created_at)) * 86400.0"
        if self.store.dialect == "postgresql":
            seconds = "extract(epoch FROM d.decided_at::timestamptz - r.created_at::timestamptz)"
        rows = self._db().execute(
            f"SELECT {seconds} FROM decisions AS d"
            " JOIN runs AS r ON r.run_id = d.run_id WHERE d.decided_at >= ? AND d.status = 'decided'",
            (since,),
        )
        return [float(r[0]) for r in rows if r[0] is not None]

    def recent_decisions(self, *, limit: int = 20, offset: int = 0) -> list[Decision]:
        """Decided decisions, newest first."""
        rows = self._db().execute(
            "SELECT * FROM decisions WHERE decided_at IS NOT NULL ORDER BY decided_at DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [decision_row(r) for r in rows]

    def citing_runs(self, policy_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Runs whose verdict cited ``policy_id`` (any version), newest first, with the version cited."""
        rows = self._db().execute(
            "SELECT c.version AS cited_version, c.at AS cited_at, r.* FROM citations AS c"
            " JOIN runs AS r ON r.run_id = c.run_id WHERE c.policy_id = ? ORDER BY c.at DESC LIMIT ? OFFSET ?",
            (policy_id, limit, offset),
        )
        return [run_row(r) for r in rows]

    def citation_counts(self, policy_id: str) -> dict[int, int]:
        """How many runs cited each version of ``policy_id``."""
        rows = self._db().execute(
            "SELECT version, count(*) FROM citations WHERE policy_id = ? GROUP BY version ORDER BY version",
            (policy_id,),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def active_subjects(self) -> dict[str, set[str]]:
        """Subjects with a run in progress, per mission."""
        found: dict[str, set[str]] = {}
        marks = ", ".join("?" * len(ACTIVE_STATUSES))
        rows = self._db().execute(
            f"SELECT DISTINCT mission, subject_id FROM runs WHERE status IN ({marks})", ACTIVE_STATUSES
        )
        for mission, subject in rows:
            found.setdefault(mission, set()).add(subject)
        return found
