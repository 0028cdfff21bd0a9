"""A system served over streamable HTTP in a process of its own, killed and restarted on its port: the same
gateway reaches it again on the next call, a call to it while it is down fails at once (not at the call timeout),
a write retried with its key across the restart is applied once, and closing after a kill returns promptly."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ai_missions.client import MissionClient
from ai_missions.integrations.seed import story_order_id
from ai_missions.services.gateway import SystemsGateway, SystemUnavailable
from ai_missions.testing import operator_grant
from tests.support.erp_server import Server, served_erp

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with served_erp(tmp_path) as served:
        yield served


def gateway(server: Server) -> SystemsGateway:
    return SystemsGateway({"erp": {"transport": "streamable_http", "url": server.url}}, call_timeout_s=10)


async def test_a_restarted_system_is_reached_again_and_a_down_one_fails_at_once(server: Server) -> None:
    order = story_order_id(server.home)
    async with gateway(server) as systems:
        assert (await systems.call("get_order", {"order_id": order}))["order_id"] == order
        server.kill()
        started = time.monotonic()
        with pytest.raises(SystemUnavailable, match="erp"):
            await systems.call("get_order", {"order_id": order})
        assert time.monotonic() - started < 5  # refused at once, not at the 10 s call timeout
        server.start()
        assert (await systems.call("get_order", {"order_id": order}))["order_id"] == order  # same gateway
        assert systems.open_systems == {"erp"}


async def test_a_write_retried_across_a_restart_is_applied_once(server: Server) -> None:
    order = story_order_id(server.home)
    args = {"order_id": order, "reason": "verify address", "idempotency_key": "reconnect-hold-1"}
    meta = operator_grant(server.home, "place_order_hold", args)
    async with gateway(server) as systems:
        first = await systems.call("place_order_hold", args, meta=meta)
        assert first["replayed"] is False
        holds = (await systems.call("get_order", {"order_id": order}))["holds"]
        server.kill()
        with pytest.raises(SystemUnavailable):  # a write is not retried by the gateway: its caller decides
            await systems.call("place_order_hold", args, meta=meta)
        server.start()
        again = await systems.call("place_order_hold", args, meta=meta)  # the caller's retry, same key
        assert again["replayed"] is True
        assert {**again, "replayed": False} == first
        assert (await systems.call("get_order", {"order_id": order}))["holds"] == holds  # applied once


async def test_closing_after_a_kill_returns_promptly(server: Server) -> None:
    order = story_order_id(server.home)
    systems = gateway(server)
    await systems.__aenter__()
    await systems.call("get_order", {"order_id": order})
    server.kill()
    started = time.monotonic()
    await systems.__aexit__(None, None, None)
    assert time.monotonic() - started < 2.5


def test_a_mission_client_reconnects_and_closes_promptly_after_a_kill(server: Server) -> None:
    """The blocking client of a long-lived process: its runtime's next read reaches the restarted system, and
    closing it after a kill returns (it used to wait on the dead session's task for good)."""
    order = story_order_id(server.home)
    (server.home / "systems.json").write_text(json.dumps({"erp": {"transport": "streamable_http", "url": server.url}}))
    client = MissionClient(server.home).open()
    try:
        read = {"order_id": order}
        assert client.call_tool("get_order", read, mission="order-exception")["order_id"] == order
        server.kill()
        server.start()
        assert client.call_tool("get_order", read, mission="order-exception")["order_id"] == order
        server.kill()
        with pytest.raises(SystemUnavailable):
            client.call_tool("get_order", read, mission="order-exception")
    finally:
        started = time.monotonic()
        client.close()
    assert time.monotonic() - started < 3
