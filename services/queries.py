"""Read-only queries over the run store for the dashboard's overview, runs and policy pages.

Each is served by an index or one pass over the runs (see the store's schema: ``runs_by_updated``,
``decisions_by_decided`` and the ``citations`` table kept by a trigger on the audit trail). A ``RunQueries`` may be
narrowed to some missions (``missions``: those the signed-in account may see, as the authorization point answers):
every count, listing and figure then covers their runs and decisions alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Unpack

from ai_missions.kernel.store import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    Decision,
    RunFilters,
    RunStore,
    decision_row,
    run_row,
)


class RunQueries:
    """The dashboard's questions about one run store, over every mission or only ``missions``."""

    def __init__(self, store: RunStore, missions: Sequence[str] | None = None) -> None:
        self.store = store
        self.missions = None if missions is None else tuple(missions)

    def _db(self) -> Any:
        return self.store._db()

    def _among(self, column: str = "mission") -> tuple[str, list[Any]]:
        """``AND <column> IN (...)`` for the missions this is narrowed to (empty when it is not)."""
        if self.missions is None:
            return "", []
        if not self.missions:
            return " AND 1 = 0", []
        return f" AND {column} IN ({', '.join('?' * len(self.missions))})", list(self.missions)

    def run_facets(self) -> dict[str, list[str]]:
        """The missions, statuses and outcomes present, to offer as filters."""
        db = self._db()
        among, params = self._among()
        return {
            column: [
                r[0]
                for r in db.execute(
                    f"SELECT DISTINCT {column} FROM runs WHERE {column} IS NOT NULL{among} ORDER BY {column}", params
                )
            ]
            for column in ("mission", "status", "outcome")
        }

    def list_runs(self, *, limit: int = 50, offset: int = 0, **filters: Unpack[RunFilters]) -> list[dict[str, Any]]:
        """:meth:`RunStore.list_runs` over these missions' runs."""
        if self.missions is None:
            return self.store.list_runs(limit=limit, offset=offset, **filters)
        if filters.get("mission") is not None:
            return (
                self.store.list_runs(limit=limit, offset=offset, **filters)
                if filters["mission"] in self.missions
                else []
            )
        found: list[dict[str, Any]] = []
        for mission in self.missions:  # newest first across them: each mission's first limit+offset, merged
            one: RunFilters = {**filters, "mission": mission}
            found += self.store.list_runs(limit=limit + offset, **one)
        found.sort(key=lambda r: r["created_at"], reverse=True)
        return found[offset : offset + limit]

    def count_runs(self, **filters: Unpack[RunFilters]) -> int:
        """:meth:`RunStore.count_runs` over these missions' runs."""
        if self.missions is None:
            return self.store.count_runs(**filters)
        if filters.get("mission") is not None:
            return self.store.count_runs(**filters) if filters["mission"] in self.missions else 0
        counts = [self.store.count_runs(**RunFilters(**{**filters, "mission": m})) for m in self.missions]
        return sum(counts)

    def status_counts(self, *, mission: str | None = None) -> dict[str, int]:
        among, params = self._among()
        if mission:
            among, params = f"{among} AND mission = ?", [*params, mission]
        rows = self._db().execute(f"SELECT status, count(*) FROM runs WHERE 1 = 1{among} GROUP BY status", params)
        return {r[0]: int(r[1]) for r in rows}

    def case_type_counts(self, statuses: Sequence[str] | None = None, *, mission: str | None = None) -> dict[str, int]:
        """Runs per case type (a combined case counts once for each of its types)."""
        sql = "SELECT t.value, count(*) FROM runs, json_each(runs.case_types) AS t WHERE 1 = 1"
        if self.store.dialect == "postgresql":
            sql = (
                "SELECT t.value, count(*) FROM runs, jsonb_array_elements_text(runs.case_types::jsonb) AS t WHERE 1 = 1"
            )
        among, params = self._among("runs.mission")
        sql += among
        if statuses is not None:
            sql += f" AND runs.status IN ({', '.join('?' * len(statuses))})"
            params.extend(statuses)
        if mission:
            sql += " AND runs.mission = ?"
            params.append(mission)
        rows = self._db().execute(sql + " GROUP BY t.value", params)
        return {str(r[0]): int(r[1]) for r in rows}

    def pending_created_at(self) -> list[str]:
        """When each pending decision was opened, oldest first (read from the (status, created_at) index)."""
        among, params = self._among()
        rows = self._db().execute(
            f"SELECT created_at FROM decisions WHERE status = 'pending'{among} ORDER BY created_at", params
        )
        return [r[0] for r in rows]

    def resolved_since(self, since: str) -> dict[str, int]:
        """Runs that reached a final status at or after ``since``, per status."""
        marks = ", ".join("?" * len(FINAL_STATUSES))
        among, params = self._among()
        rows = self._db().execute(
            f"SELECT status, count(*) FROM runs WHERE updated_at >= ? AND status IN ({marks}){among} GROUP BY status",
            (since, *FINAL_STATUSES, *params),
        )
        return {r[0]: int(r[1]) for r in rows}

    def decision_tally(self, since: str) -> list[dict[str, Any]]:
        """Reviewers' answers per action decided since ``since``: ``{day, answer, count}`` with answer one of
        ``accept``, ``edit``, ``response`` (a rejection) or ``ignore``."""
        answers = "json_extract(a.value, '$.type')", "json_each(d.response, '$.responses')"
        if self.store.dialect == "postgresql":
            answers = "a.value ->> 'type'", "jsonb_array_elements(d.response::jsonb -> 'responses')"
        among, params = self._among("d.mission")
        rows = self._db().execute(
            f"SELECT substr(d.decided_at, 1, 10) AS day, {answers[0]} AS answer, count(*)"
            f" FROM decisions AS d, {answers[1]} AS a"
            f" WHERE d.decided_at >= ? AND d.status = 'decided'{among} GROUP BY day, answer ORDER BY day",
            (since, *params),
        )
        return [{"day": r[0], "answer": r[1], "count": int(r[2])} for r in rows]

    def decision_latencies(self, since: str) -> list[float]:
        """Seconds from each run's trigger to its reviewer's decision, for decisions made since ``since``."""
        seconds = "(julianday(d.decided_at) - julianday(r.created_at)) * 86400.0"
        if self.store.dialect == "postgresql":
            seconds = "extract(epoch FROM d.decided_at::timestamptz - r.created_at::timestamptz)"
        among, params = self._among("d.mission")
        rows = self._db().execute(
            f"SELECT {seconds} FROM decisions AS d"
            f" JOIN runs AS r ON r.run_id = d.run_id WHERE d.decided_at >= ? AND d.status = 'decided'{among}",
            (since, *params),
        )
        return [float(r[0]) for r in rows if r[0] is not None]

    def recent_decisions(self, *, limit: int = 20, offset: int = 0) -> list[Decision]:
        """Decided decisions, newest first."""
        among, params = self._among()
        rows = self._db().execute(
            f"SELECT * FROM decisions WHERE decided_at IS NOT NULL{among} ORDER BY decided_at DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [decision_row(r) for r in rows]

    def citing_runs(self, policy_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Runs whose verdict cited ``policy_id`` (any version), newest first, with the version cited."""
        among, params = self._among("r.mission")
        rows = self._db().execute(
            "SELECT c.version AS cited_version, c.at AS cited_at, r.* FROM citations AS c"
            f" JOIN runs AS r ON r.run_id = c.run_id WHERE c.policy_id = ?{among} ORDER BY c.at DESC LIMIT ? OFFSET ?",
            (policy_id, *params, limit, offset),
        )
        return [run_row(r) for r in rows]

    def citation_counts(self, policy_id: str) -> dict[int, int]:
        """How many runs cited each version of ``policy_id``."""
        if self.missions is None:
            sql, params = "SELECT version, count(*) FROM citations WHERE policy_id = ?", [policy_id]
        else:
            among, params = self._among("r.mission")
            sql = (
                "SELECT c.version, count(*) FROM citations AS c JOIN runs AS r ON r.run_id = c.run_id"
                f" WHERE c.policy_id = ?{among}"
            )
            params = [policy_id, *params]
        rows = self._db().execute(f"{sql} GROUP BY 1 ORDER BY 1", params)
        return {int(r[0]): int(r[1]) for r in rows}

    def active_subjects(self) -> dict[str, set[str]]:
        """Subjects with a run in progress, per mission."""
        found: dict[str, set[str]] = {}
        marks = ", ".join("?" * len(ACTIVE_STATUSES))
        among, params = self._among()
        rows = self._db().execute(
            f"SELECT DISTINCT mission, subject_id FROM runs WHERE status IN ({marks}){among}",
            (*ACTIVE_STATUSES, *params),
        )
        for mission, subject in rows:
            found.setdefault(mission, set()).add(subject)
        return found
