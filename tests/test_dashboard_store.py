"""The run store's dashboard queries, and the small pure functions the pages are built from."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ai_missions.cli.dashboard_commands import HOST, streamlit_command
from ai_missions.dashboard import model
from ai_missions.dashboard.evals_source import EvalRun, compare, headline, metric_text
from ai_missions.kernel.store import MIGRATIONS, SCHEMA_VERSION, Decision, RunStore, StoreVersionError
from ai_missions.services.queries import RunQueries

VERDICT = {
    "outcome": "proceed",
    "confidence": 0.9,
    "summary": "Proceed",
    "policy_ids": ["PAY-001@3", "GOV-001@2"],
    "actions": [{"tool": "release_payment_hold", "args": {"order_id": "SO-1"}, "why": "benign", "tier": "review"}],
}
INTERRUPT = {
    "action_request": {"action": "release_payment_hold", "args": {"order_id": "SO-1"}},
    "description": "Proceed\n\nAction 1: release_payment_hold — benign (policies: PAY-001@3)",
    "metadata": {"decision_id": "D-1", "action_index": 0, "outcome": "proceed", "confidence": 0.9, "policy_ids": []},
}


def run(store: RunStore, run_id: str, subject_id: str, types: list[str], *, verdict: bool = True) -> None:
    store.create_run(run_id, mission="order-exception", subject_id=subject_id, reasoner="offline", case_types=types)
    store.append_events(run_id, [{"kind": "trigger", "node": "trigger", "source": "scan"}])
    if verdict:
        store.append_events(run_id, [{"kind": "verdict", "node": "validate", "source": "mission", "data": VERDICT}])


@pytest.fixture
def store(tmp_path: Path, store_backend: str) -> RunStore:
    """A run store on each backend (SQLite, and Postgres where a server is reachable)."""
    return RunStore(tmp_path / "runs.sqlite")


def test_citations_are_kept_by_the_trigger(store: RunStore) -> None:
    queries = RunQueries(store)
    run(store, "R-1", "SO-1", ["payment_review"])
    assert queries.citation_counts("PAY-001") == {3: 1}
    run(store, "R-2", "SO-2", ["oversell"])  # after: the trigger
    store.append_events("R-2", [{"kind": "verdict", "data": {**VERDICT, "policy_ids": ["PAY-001@4"]}}])
    store.append_events("R-2", [{"kind": "observation", "data": {"policy_ids": ["PAY-009@1"]}}])  # not a verdict
    assert queries.citation_counts("PAY-001") == {3: 2, 4: 1}
    assert queries.citation_counts("PAY-009") == {}
    citing = queries.citing_runs("PAY-001")
    assert [(r["run_id"], r["cited_version"]) for r in citing] == [("R-2", 4), ("R-2", 3), ("R-1", 3)]
    assert [r["run_id"] for r in queries.citing_runs("GOV-001", limit=1, offset=1)] == ["R-1"]
    if store.dialect != "sqlite":
        return  # Postgres plans a tiny table as a scan; the index is checked on SQLite
    plan = (
        store._db()
        .execute("EXPLAIN QUERY PLAN SELECT * FROM citations WHERE policy_id = 'PAY-001' ORDER BY at DESC")
        .fetchall()
    )
    (step,) = [row[3] for row in plan]
    assert step.startswith("SEARCH citations")
    assert "citations_by_policy_at (policy_id=?)" in step


def test_a_verdict_event_that_is_not_json_still_lands(store: RunStore) -> None:
    run(store, "R-1", "SO-1", [], verdict=False)
    store._db().execute(
        "INSERT INTO events (run_id, seq, at, kind, data) VALUES ('R-1', 9, '2026-01-01', 'verdict', 'not json')"
    )
    assert RunQueries(store).citation_counts("PAY-001") == {}


def test_a_first_version_store_is_migrated_in_place(tmp_path: Path) -> None:
    """A store written before missions were plug-ins: order columns renamed, decisions given their mission,
    verdicts cited, the schema version recorded; opening it again changes nothing."""
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0][1])
    db.execute(
        "INSERT INTO runs (run_id, mission, order_id, exception_types, reasoner, status, created_at, updated_at)"
        " VALUES ('R-1', 'order-exception', 'SO-1', '[\"payment_review\"]', 'offline', 'awaiting_decision', 'a', 'a')"
    )
    db.execute(
        "INSERT INTO events (run_id, seq, at, kind, data) VALUES ('R-1', 1, 'a', 'verdict', ?)", (json.dumps(VERDICT),)
    )
    db.execute(
        "INSERT INTO decisions (decision_id, run_id, order_id, status, created_at, request)"
        " VALUES ('D-1', 'R-1', 'SO-1', 'pending', 'a', '{\"interrupts\": []}')"
    )
    db.commit()
    db.close()
    store = RunStore(path)
    assert store.get_run("R-1")["subject_id"] == "SO-1"
    assert store.get_run("R-1")["case_types"] == ["payment_review"]
    assert store.get_decision("D-1").mission == "order-exception"
    assert RunQueries(store).citation_counts("PAY-001") == {3: 1}
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert RunStore(path).get_run("R-1")["subject_id"] == "SO-1"


def test_a_store_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    RunStore(path).set_meta("schema_version", str(SCHEMA_VERSION + 1))
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match="newer than this version"):
        RunStore(path)
    assert path.read_bytes() == before


def test_filter_runs_by_mission_type_status_and_time(store: RunStore) -> None:
    run(store, "R-1", "SO-1", ["payment_review"])
    run(store, "R-2", "SO-2", ["oversell", "payment_review"])
    run(store, "R-3", "SO-3", ["oversell"])
    store.update_run("R-3", status="closed")
    assert store.count_runs(case_type="payment_review") == 2
    assert [r["run_id"] for r in store.list_runs(case_type="oversell")] == ["R-3", "R-2"]
    assert [r["run_id"] for r in store.list_runs(status="closed")] == ["R-3"]
    assert store.count_runs(mission="other") == 0
    assert store.count_runs(since="2999-01-01") == 0
    assert store.count_runs(until="2999-01-01") == 3
    assert [r["run_id"] for r in store.list_runs(limit=1, offset=1)] == ["R-2"]
    queries = RunQueries(store)
    assert set(queries.run_facets()["status"]) == {"running", "closed"}
    assert queries.case_type_counts() == {"payment_review": 2, "oversell": 2}
    assert queries.case_type_counts(["closed"]) == {"oversell": 1}
    assert queries.status_counts() == {"running": 2, "closed": 1}
    assert queries.resolved_since("2000-01-01") == {"closed": 1}


def test_decision_figures(store: RunStore) -> None:
    for n in (1, 2, 3):
        run(store, f"R-{n}", f"SO-{n}", ["payment_review"])
        store.open_decision(
            f"D-{n}",
            run_id=f"R-{n}",
            mission="order-exception",
            subject_id=f"SO-{n}",
            request={"interrupts": [INTERRUPT]},
        )
    store.claim_decision("D-1", reviewer="omar", role="ops_lead", response={"responses": [{"type": "accept"}]})
    store.claim_decision(
        "D-2", reviewer="omar", role="ops_lead", response={"responses": [{"type": "response", "args": "no"}]}
    )
    queries = RunQueries(store)
    assert len(queries.pending_created_at()) == 1
    tally = queries.decision_tally("2000-01-01")
    assert sorted((t["answer"], t["count"]) for t in tally) == [("accept", 1), ("response", 1)]
    latencies = queries.decision_latencies("2000-01-01")
    assert len(latencies) == 2
    assert all(0 <= s < 60 for s in latencies)
    assert [d.decision_id for d in queries.recent_decisions()] == ["D-2", "D-1"]
    assert model.decision_summary(store.get_decision("D-2")) == "release_payment_hold rejected (no)"


def test_the_store_schema_is_only_added_to(store: RunStore, tmp_path: Path) -> None:
    if store.dialect == "sqlite":
        db = sqlite3.connect(tmp_path / "runs.sqlite")
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    else:
        names = {
            r[0]
            for r in store.read().execute(
                "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
                " UNION SELECT tgname FROM pg_trigger"
            )
        }
    assert {"runs", "events", "decisions", "meta", "citations", "citations_of_verdicts", "runs_by_updated"} <= names


# -- the pure parts of the pages ----------------------------------------------------------------------------------
def test_durations_and_ages() -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert model.duration_text(None) == "—"
    assert model.duration_text(42) == "42 s"
    assert model.duration_text(7 * 60) == "7 min"
    assert model.duration_text(3 * 3600 + 5 * 60) == "3 h 5 min"
    assert model.duration_text(2 * 86400 + 4 * 3600) == "2 d 4 h"
    created = [model.iso(now - timedelta(minutes=m)) for m in (5, 90, 300, 2000, 10000)]
    assert model.age_buckets(created, now) == [("< 1 h", 1), ("1-4 h", 1), ("4-24 h", 1), ("1-3 d", 1), ("> 3 d", 1)]
    assert model.age_text(created[0], now) == "5 min"
    assert model.median([3.0, 1.0, 2.0]) == 2.0
    assert model.median([]) is None


def test_what_the_submit_button_says() -> None:
    assert model.plan_text(["approve", "approve"]) == "Approve 2 actions"
    assert model.plan_text(["reject"]) == "Reject 1 action"
    assert model.plan_text(["approve", "edit", "reject"]) == "Approve 1, edit and approve 1, reject 1 actions"
    assert model.response_for("approve") == {"type": "accept"}
    assert model.response_for("reject", reason="no") == {"type": "response", "args": "no"}
    assert model.response_for("edit", tool="t", args={"a": 1}) == {
        "type": "edit",
        "args": {"action": "t", "args": {"a": 1}},
    }
    with pytest.raises(ValueError, match="unknown choice"):
        model.response_for("ignore")


def test_action_rows_say_where_each_action_stands() -> None:
    verdict = {**VERDICT, "actions": [*VERDICT["actions"], {"tool": "add_note", "args": {}, "tier": "auto"}]}
    rows = model.action_rows(verdict, [], "awaiting_decision")
    assert [(r.number, r.status) for r in rows] == [(1, "awaiting"), (2, "not_run")]
    done = [{"index": 0, "tool": "release_payment_hold", "args": {"order_id": "SO-1"}, "status": "done"}]
    assert [r.status for r in model.action_rows(verdict, done, "closed")] == ["done", "not_run"]


def test_queue_card_takes_reasons_from_the_verdict_or_the_request() -> None:
    decision = Decision("D-1", "R-1", "order-exception", "SO-1", "pending", "2026-01-01T00:00:00+00:00",
                        {"interrupts": [INTERRUPT]}, None, None, None, None, False)  # fmt: skip
    card = model.queue_card(decision, {"case_types": ["payment_review"]}, None)
    assert card.summary == "Proceed"
    assert [(a.number, a.tool, a.why) for a in card.actions] == [(1, "release_payment_hold", "benign")]
    assert card.case_types == ["payment_review"]
    assert model.queue_card(decision, None, VERDICT).actions[0].why == "benign"


def test_policies_of_a_run_put_the_cited_first() -> None:
    state = {
        "policies": [
            {"policy_id": "CUS-001", "version": 1, "title": "C", "domain": "customer", "sections": [], "text": "c"},
            {"policy_id": "PAY-001", "version": 3, "title": "P", "domain": "payments", "sections": ["s"], "text": "p"},
        ]
    }
    policies = model.policies_of(state, VERDICT)
    assert [(p.policy_id, p.cited) for p in policies] == [("GOV-001", True), ("PAY-001", True), ("CUS-001", False)]
    assert model.policy_markdown("## Title\ntext\n# Top\n#no") == "**Title**\n\ntext\n**Top**\n\n#no"


def test_evals_comparison_and_metric_text() -> None:
    base = EvalRun("E-1", "t", metrics={"accuracy": 0.8}, per_type={"oversell": {"accuracy": 0.5}})
    new = EvalRun("E-2", "t", metrics={"accuracy": 0.9, "cases": 70}, per_type={"oversell": {"accuracy": 0.75}})
    rows = {(r["scope"], r["metric"]): r for r in compare(base, new)}
    assert rows[("all", "accuracy")]["change"] == pytest.approx(0.1)
    assert rows[("all", "cases")]["change"] is None
    assert rows[("oversell", "accuracy")]["change"] == pytest.approx(0.25)
    assert metric_text("outcome_agreement", 0.905) == "90.5%"
    assert metric_text("unsafe_actions", 1.0) == "1"
    assert metric_text("cases", 70) == "70"
    assert metric_text("latency_p50_ms", 12.5) == "12 ms"
    assert metric_text("anything", None) == "—"
    assert headline({"cases": 1, "action_f1": 0.5, "outcome_agreement": 0.5}) == [
        "outcome_agreement",
        "action_f1",
        "cases",
    ]


def test_the_dashboard_command_serves_on_loopback_only() -> None:
    from ai_missions.cli import build_parser

    args = build_parser().parse_args(["dashboard", "--port", "8765"])
    assert args.port == 8765
    command = streamlit_command(8765)
    assert f"--server.address={HOST}" in command
    assert HOST == "127.0.0.1"
    assert "--server.port=8765" in command
    assert "--server.headless=true" in command
