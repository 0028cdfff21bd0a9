"""The gather node over the systems' own functions: one context read per system, failures become observations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from langgraph.runtime import Runtime

from ai_missions.contracts import tools_by_name
from ai_missions.graphs.order_exception.gather import gather
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.integrations import crm, erp, inventory, payments, shipping
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.seed import generate, story_order_id
from ai_missions.integrations.systems import connect
from ai_missions.nodes.context import MissionContext
from ai_missions.services.gateway import SystemUnavailable

MODULES = {"erp": erp, "crm": crm, "inventory": inventory, "payments": payments, "shipping": shipping}


class DirectSystems:
    """The systems' service functions behind the gateway's ``call``; ``down`` systems do not answer."""

    def __init__(self, conns: Mapping[str, sqlite3.Connection], down: frozenset[str] = frozenset()) -> None:
        self.conns, self.down = conns, down
        self.calls: list[str] = []

    async def call(
        self, tool: str, args: Mapping[str, Any], *, meta: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        system = tools_by_name()[tool].system
        self.calls.append(tool)
        if system in self.down:
            raise SystemUnavailable(f"{system} did not answer {tool} within 10s")
        result = getattr(MODULES[system], tool)(self.conns[system], **args)
        return result.model_dump(mode="json")


@pytest.fixture
def book(missions_home: Path) -> Iterator[tuple[dict[str, sqlite3.Connection], str]]:
    write_book(generate(orders=300, seed=11), missions_home)
    conns = {s: connect(s, missions_home) for s in MODULES}
    story = story_order_id(missions_home)
    assert story is not None
    yield conns, story
    for conn in conns.values():
        conn.close()


async def run_gather(systems: DirectSystems, order_id: str) -> dict[str, Any]:
    runtime = Runtime(context=MissionContext(systems=systems))
    return await gather(SPEC, {"subject_id": order_id}, runtime)  # type: ignore[arg-type,typeddict-item]


async def test_one_read_per_system(book: tuple[dict[str, sqlite3.Connection], str]) -> None:
    conns, story = book
    systems = DirectSystems(conns)
    out = await run_gather(systems, story)
    assert systems.calls[0] == "get_order_context"
    assert len(systems.calls) == 5
    assert set(systems.calls) == {
        t for t, spec in tools_by_name().items() if t.endswith("_context") and spec.system in SPEC.systems
    }
    gathered, facts = out["gathered"], out["facts"]
    assert gathered["payments.get_fraud_assessment"]["elevated"] is True
    assert facts["payment.hold_active"] is True
    assert facts["customer.days_since_address_change"] == pytest.approx(
        14.0
    )  # the flagship customer moved two weeks ago
    assert not [o for o in out["observations"] if "failed" in o["finding"]]


async def test_a_system_that_is_down_leaves_its_facts_unknown(book: tuple[dict[str, sqlite3.Connection], str]) -> None:
    conns, story = book
    out = await run_gather(DirectSystems(conns, down=frozenset({"payments"})), story)
    failed = [o for o in out["observations"] if "failed" in o["finding"]]
    assert [o["source"] for o in failed] == ["payments"]
    assert "did not answer" in failed[0]["finding"]
    assert out["gathered"]["payments.get_payment"] is None
    assert out["facts"].get("payment.hold_active") is None
    assert out["gathered"]["crm.get_customer"]["customer_id"] == out["gathered"]["erp.get_order"]["customer_id"]
