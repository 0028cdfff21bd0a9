"""Issue 59, item 6: ``abandon`` and ``resume RUN`` asked for a sign-in only. A customer and another mission's
reviewer abandoned a run (its grants revoked, its approved decision settled unexecuted), a customer re-drove a
failed capture, and the retry's audit event named nobody. Abandoning, retrying and resuming now go through the
authorization point with verbs of their own: a reviewer of the run's mission who may see the decision it holds.
Each refusal is one line and changes nothing; each allowed one names its account on the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.testing import operator_grant
from tests.support.as_account import cli_as as cli
from tests.support.as_account import customer_account
from tests.support.mission_home import client_fixture
from tests.support.small_home import demo_home_fixture, rows

pytestmark = pytest.mark.slow

MISSION = "order-exception"

home = demo_home_fixture("run-verbs")


missions = client_fixture()


def captures(home: Path, low: float, high: float) -> Iterator[str]:
    """Orders whose only exception is an expiring authorization of more than ``low`` and at most ``high``."""
    for row in scan_exceptions(home):
        ((cents,),) = rows(home, "payments", "SELECT amount_cents FROM authorizations WHERE order_id = ?", row.order_id)
        if list(row.types) == ["auth_expiring"] and low * 100 < cents <= high * 100:
            yield row.order_id


@pytest.fixture(scope="module")
def failed(home: Path, missions: MissionClient) -> dict[str, Any]:
    """A capture omar (ops_lead) approved that failed when it ran (its authorization voided elsewhere meanwhile):
    a failed run holding a decided decision."""
    order_id = next(captures(home, 200, 1000))
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    authorization = str(outcome.state["facts"]["payment.authorization_id"])
    void = {"authorization_id": authorization, "idempotency_key": "voided-elsewhere"}
    grant = operator_grant(home, "void_authorization", void)
    missions.call_tool("void_authorization", void, mission=MISSION, meta=grant)
    decided = missions.decide(outcome.decision_id, "omar", approve=True)
    assert decided.status == "failed", decided.status
    return {"run_id": outcome.run_id, "order_id": order_id, "customer": customer_account(home, order_id)}


@pytest.mark.attack("59.6")
@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("customer", "a customer abandons, retries or resumes no run"),
        ("priya", "its reviewers are"),  # ap_clerk: a reviewer of the invoice mission only
        ("cole", "it holds decision"),  # customer_care: reviews the order mission, not this capture
    ],
)
@pytest.mark.parametrize("verb", ["abandon", "resume"])
def test_a_failed_run_is_abandoned_or_retried_only_by_a_reviewer_of_its_decision(
    home: Path,
    missions: MissionClient,
    failed: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    who: str,
    why: str,
    verb: str,
) -> None:
    account = failed["customer"] if who == "customer" else who
    run_id = failed["run_id"]
    before = len(missions.store.events(run_id))
    args = ("abandon", run_id, "--reason", "giving up") if verb == "abandon" else ("resume", run_id)
    code, out, err = cli(capsys, monkeypatch, home, *args, as_=account)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert f"may not {'abandon' if verb == 'abandon' else 'retry'} run {run_id}" in err
    assert why in err
    assert missions.store.get_run(run_id)["status"] == "failed"
    assert len(missions.store.events(run_id)) == before  # nothing recorded, no grant revoked


@pytest.mark.attack("59.6")
def test_a_reviewer_of_the_decision_retries_then_abandons_and_the_audit_trail_names_them(
    home: Path,
    missions: MissionClient,
    failed: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_id = failed["run_id"]
    code, out, err = cli(capsys, monkeypatch, home, "resume", run_id, as_="omar")
    assert code == 1, (out, err)  # the authorization is still voided: the retry fails again, said so
    (retry,) = missions.store.events(run_id, kind="retry")
    assert retry["actor"] == "omar (ops_lead)"
    assert retry["summary"] == "retrying the failed run, by omar (ops_lead)"
    code, out, err = cli(capsys, monkeypatch, home, "abandon", run_id, "--reason", "voided by the bank", as_="omar")
    assert code == 0, err
    (abandoned,) = missions.store.events(run_id, kind="abandoned")
    assert abandoned["actor"] == "omar (ops_lead)"
    assert missions.store.get_run(run_id)["status"] == "abandoned"


@pytest.mark.attack("59.6")
def test_an_interrupted_execution_is_resumed_only_by_a_reviewer_of_its_decision(
    home: Path,
    missions: MissionClient,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finance approves a capture above 1,000 and the execution stops right after the claim (decided, not
    executed). ``missions resume`` as a customer or another mission's reviewer finishes nothing and says whose it
    is; as finance it captures once, and the audit trail names who resumed it."""
    order_id = next(captures(home, 1000, 1_000_000))
    outcome = missions.start(MISSION, order_id)
    assert outcome.decision_id is not None
    runtime = missions.runtime(MISSION)

    async def stopped(decision: Any, **_: Any) -> Any:
        return None  # the process stops right after the claim

    monkeypatch.setattr(runtime, "resume", stopped)
    missions.decide(outcome.decision_id, "fiona", approve=True)
    monkeypatch.undo()
    assert missions.store.get_decision(outcome.decision_id).resumed is False
    captured = "SELECT count(*) FROM captures WHERE order_id = ?"
    for account in (customer_account(home, order_id), "priya", "cole"):
        code, out, err = cli(capsys, monkeypatch, home, "resume", as_=account)
        assert code == 0, err
        assert f"left for its reviewers: decision {outcome.decision_id} (" in out, out
        assert missions.store.get_decision(outcome.decision_id).resumed is False, account
        assert rows(home, "payments", captured, order_id) == [(0,)], account
    code, out, err = cli(capsys, monkeypatch, home, "resume", as_="fiona")
    assert code == 0, err
    assert missions.store.get_decision(outcome.decision_id).resumed is True
    assert rows(home, "payments", captured, order_id) == [(1,)]
    (resumed,) = missions.store.events(outcome.run_id, kind="resumed")
    assert resumed["actor"] == "fiona (finance)"
