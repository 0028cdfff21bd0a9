"""Deciding starts only the systems a decision writes to: a lazy gateway opens a system's session on the first call
to one of its tools (and keeps it), and the deciding runtime opens the systems of the approved actions before the
plan is checked against their schemas. A rejection starts none."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.missions import get_mission
from ai_missions.runtime import MissionRuntime
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemError_, SystemsGateway
from ai_missions.testing import signed_in_as
from tests.support.small_home import small_home_fixture

pytestmark = pytest.mark.slow


home = small_home_fixture("lazy", lambda home: signed_in_as(home, "ana"))


async def test_a_lazy_gateway_opens_a_system_on_its_first_call_and_keeps_it(home: Path) -> None:
    async with SystemsGateway(connections(("erp", "crm"), home), lazy=True) as gateway:
        assert gateway.open_systems == set()
        assert gateway.schemas() == {}
        with pytest.raises(SystemError_):  # an unknown order: the erp answered
            await gateway.call("get_order", {"order_id": "SO-000000"})
        assert gateway.open_systems == {"erp"}
        assert gateway.schemas()
        assert {gateway.system_of[t] for t in gateway.schemas()} == {"erp"}
        session = gateway._sessions["erp"]
        with pytest.raises(SystemError_):
            await gateway.call("get_order", {"order_id": "SO-000001"})
        assert gateway._sessions["erp"] is session  # the same session, not a new server
        with pytest.raises(NotFoundError):  # a tool of no contract: every system is opened to look for it
            await gateway.call("no_such_tool", {})
        assert gateway.open_systems == {"erp", "crm"}


async def test_deciding_starts_the_systems_of_the_approved_actions_only(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ai_missions.cli.commands import _deciding_runtime

    monkeypatch.setenv("MISSIONS_HOME", str(home))
    spec = get_mission("order-exception")
    order_id = story_order_id(home)
    assert order_id is not None
    async with MissionRuntime(spec, home) as runs:
        first = await runs.start(order_id)
        assert first.decision_id is not None
        async with _deciding_runtime(spec.name) as deciding:
            rejected = await deciding.decide(first.decision_id, "omar", reject_reason="not today")
            assert deciding.systems.open_systems == set()  # nothing to write: no system started
        asked = {
            i["action_request"]["action"] for i in runs.store.get_decision(first.decision_id).request["interrupts"]
        }
        assert not [r for r in rejected.results if r["tool"] in asked and r["status"] == "done"]

        second = await runs.start(order_id)  # the order still has its exception: a new decision
        assert second.decision_id is not None
    request = runs.store.get_decision(second.decision_id).request["interrupts"]
    writes = {spec.tools[i["action_request"]["action"]].spec.system for i in request}
    assert writes < set(spec.systems)
    async with _deciding_runtime(spec.name) as deciding:
        approved = await deciding.decide(second.decision_id, "omar", approve=True)
        assert deciding.systems.open_systems == writes
    assert approved.status == "closed"
    assert [r["status"] for r in approved.results if r["tool"] in {i["action_request"]["action"] for i in request}] == [
        "done"
    ] * len(request)
