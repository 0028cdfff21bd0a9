"""The dashboard decides and lists the Decision Queue through ``missions serve`` when one runs on its home, as the
session's signed-in account (an API token the server checks like the CLI's), and in-process otherwise.

A real server (serving the account-save mission: one system) in a subprocess; the dashboard's functions called in
this process, whose own runtime is made to fail if anything reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st

from ai_missions.dashboard import resources, sight
from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.kernel.store import RunStore
from ai_missions.knowledge_index.policy_book import PolicyBook
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.resources import systems_of
from ai_missions.services import authorization
from ai_missions.services.governance import approval_rules, default_roster
from ai_missions.services.identity import Account, Accounts
from ai_missions.services.platform_client import RunningServer, running_server
from ai_missions.testing import signed_in_as
from tests.support.platform_serve import missions_serve
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow

MISSION = "account-save"


home = small_home_fixture("dashboard-serve", lambda home: signed_in_as(home, "ana"))


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[RunningServer]:
    with missions_serve(home, MISSION) as served:
        yield served.server


@pytest.fixture(autouse=True)
def _dashboard(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The dashboard on ``home``, a fresh session, and no in-process runtime: reaching it fails the test."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    st.session_state.clear()

    def no_local_runtime() -> Any:
        raise AssertionError("the dashboard opened its own runtime while missions serve runs")

    monkeypatch.setattr(resources, "client", no_local_runtime)
    yield
    st.session_state.clear()


@pytest.fixture(scope="module")
def pending(home: Path, server: RunningServer) -> list[str]:
    """Decisions of the served mission, started through the server (as ana) until two await a reviewer."""
    import anyio

    spec = get_mission(MISSION)

    async def subjects() -> list[str]:
        found = await spec.get_trigger().find(await systems_of(MissionContext(home=str(home)), spec.systems))
        return sorted(s for s, types in found.items() if types)

    manager = next(name for name, role in default_roster().items() if role == "account_manager")
    token = signed_in_as(home, manager)["MISSIONS_TOKEN"]  # a reviewer of the mission starts it (not ana, ops_agent)
    decisions: list[str] = []
    for subject in anyio.run(subjects)[:10]:
        outcome = server.call("start_mission", {"mission": MISSION, "subject_id": subject}, token=token)
        if outcome["decision_id"]:
            decisions.append(outcome["decision_id"])
        if len(decisions) == 2:
            return decisions
    raise AssertionError(f"fewer than two {MISSION} cases ask a reviewer")


def able(home: Path, decision_id: str, verb: authorization.Verb) -> list[Account]:
    """The accounts the authorization point lets ``verb`` the decision."""
    store = RunStore(home / "runs.sqlite")
    case = authorization.decision_resource(store, store.get_decision(decision_id), rules(home))
    return [a for a in Accounts(store).list() if authorization.answer(a, verb, case)]


def rules(home: Path) -> list[Any]:
    return approval_rules(PolicyBook(knowledge_dir(home)))


def test_the_queue_lists_through_the_server_as_the_signed_in_reviewer(
    home: Path, pending: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = able(home, pending[0], "approve")[0]  # the account's owner: the server lists what they may see
    store = RunStore(home / "runs.sqlite")
    expected = [
        d.decision_id
        for d in store.pending_decisions(limit=10)
        if authorization.answer(viewer, "see", authorization.decision_resource(store, d, rules(home)))
    ]
    assert pending[0] in expected

    def no_local_read(*_: Any, **__: Any) -> Any:
        raise AssertionError("the queue was read in the dashboard's process")

    monkeypatch.setattr(RunStore, "pending_decisions", no_local_read)
    assert [d.decision_id for d in sight.queue(viewer, limit=10)] == expected
    assert [d.decision_id for d in sight.queue(viewer, limit=10, offset=1)] == expected[1:]
    assert [d.decision_id for d in sight.queue(authorization.Person("omar", "ops_lead"), limit=10)] == []  # no account


def test_a_reviewer_without_the_role_is_refused_by_the_server(home: Path, pending: list[str]) -> None:
    decision_id = pending[0]
    request = RunStore(home / "runs.sqlite").get_decision(decision_id).request
    with pytest.raises(ForbiddenError, match=r"cole \(customer_care\) may not approve"):
        resources.decide(decision_id, "cole", responses=[{"type": "accept"} for _ in request["interrupts"]])
    assert RunStore(home / "runs.sqlite").get_decision(decision_id).status == "pending"


def test_a_decision_taken_in_the_dashboard_is_taken_by_the_server_as_the_session_account(
    home: Path, pending: list[str]
) -> None:
    decision_id = pending[1]
    store = RunStore(home / "runs.sqlite")
    interrupts = store.get_decision(decision_id).request["interrupts"]
    rejects = [{"type": "response", "args": "not now"}] * len(interrupts)
    with pytest.raises(ForbiddenError, match=r"omar \(ops_lead\) may not reject this"):  # no standing: #42 item 7
        resources.decide(decision_id, "omar", responses=rejects)
    owner = able(home, decision_id, "reject")[0]
    outcome = resources.decide(decision_id, owner.name, responses=rejects)
    assert outcome["status"] in ("closed", "closed_partially", "escalated")
    decided = store.get_decision(decision_id)
    assert (decided.status, decided.decided_by, decided.reviewer_role) == ("decided", owner.name, owner.role)

    # the session's token is the account's: once signed out, it opens nothing on the server
    token = st.session_state[resources.API_TOKEN][1]
    resources.end_session()
    server = running_server(home)
    assert server is not None
    with pytest.raises(ForbiddenError, match="refused the sign-in"):
        server.call("list_queue", {}, token=token)
