"""A write whose call fails without the system's own "no" is in doubt, never recorded as not done: the erp served
over streamable HTTP in a process of its own (as ``tests/test_gateway_reconnect.py`` starts it), its answers
spoiled on the way back. A result that breaks the tool's output schema, or an MCP error code the gateway does not
know (a server's crash outside the tool answers code 0; a proxy in front of a system answers its own -320xx), is
read back by its idempotency key: done if the system did it, retried with the same key if it did not, applied once
either way. The system's own error result and JSON-RPC's refusals of a malformed request stay refusals (recorded
failed at once, nothing read back)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.shared.exceptions import McpError
from mcp.types import INVALID_PARAMS, ErrorData

from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.tools import write_lookup_name
from ai_missions.nodes.execute import call_write
from ai_missions.services.gateway import IN_DOUBT, SystemError_, SystemsGateway
from ai_missions.testing import operator_grant
from tests.support.erp_server import Server, served_erp

pytestmark = pytest.mark.slow

HOLD = "place_order_hold"


@pytest.fixture
def erp(tmp_path: Path) -> Iterator[Server]:
    with served_erp(tmp_path) as served:
        yield served


class Spoiled:
    """The erp's session, with its answers to ``HOLD`` spoiled by an MCP error of code ``code``: after the call
    reached the system (``reached``), or instead of sending it. Every tool called is counted in ``calls``."""

    def __init__(self, session: Any, code: int, *, reached: bool, times: int = 1) -> None:
        self.session, self.code, self.reached, self.times = session, code, reached, times
        self.calls: list[str] = []

    async def call_tool(self, name: str, args: dict[str, Any], **kwargs: Any) -> Any:
        self.calls.append(name)
        if name != HOLD or self.times == 0:
            return await self.session.call_tool(name, args, **kwargs)
        self.times -= 1
        if self.reached:
            await self.session.call_tool(name, args, **kwargs)
        raise McpError(ErrorData(code=self.code, message="upstream failed"))


def spoil(systems: SystemsGateway, code: int, *, reached: bool) -> Spoiled:
    held = systems._held["erp"]
    held.session = Spoiled(held.session, code, reached=reached)  # type: ignore[assignment]
    return held.session  # type: ignore[return-value]


def hold_args(home: Path, key: str) -> tuple[dict[str, Any], dict[str, str]]:
    args = {"order_id": story_order_id(home), "reason": "verify address", "idempotency_key": key}
    return args, operator_grant(home, HOLD, args)


async def holds(systems: SystemsGateway, order_id: str) -> list[Any]:
    return list((await systems.call("get_order", {"order_id": order_id}))["holds"])


def gateway(server: Server) -> SystemsGateway:
    return SystemsGateway({"erp": {"transport": "streamable_http", "url": server.url}}, call_timeout_s=10)


async def test_a_write_whose_result_breaks_its_output_schema_is_read_back_not_recorded_failed(erp: Server) -> None:
    """The system applied the hold and answered; the answer breaks the schema the client holds for the tool (a
    system upgraded under a long-lived session): the write is done, as the system's record by its key says."""
    args, meta = hold_args(erp.home, "in-doubt-schema-1")
    async with gateway(erp) as systems:
        before = await holds(systems, args["order_id"])
        session = systems._held["erp"].session
        schema = session._tool_output_schemas[HOLD]  # type: ignore[attr-defined]
        strict = {**schema, "required": [*schema.get("required", []), "added_in_a_later_version"]}
        session._tool_output_schemas[HOLD] = strict  # type: ignore[attr-defined]
        with pytest.raises(SystemError_) as broken:
            await systems.call(HOLD, args, meta=meta)
        assert (broken.value.code, broken.value.refused) == (IN_DOUBT, False)
        assert len(await holds(systems, args["order_id"])) == len(before) + 1  # it did happen

        status, answer, detail = await call_write(systems, "erp", HOLD, args, meta=meta)
        assert status == "done", detail
        assert detail.startswith("reconciled: the system did it")
        assert answer is not None
        assert answer["hold_ids"]
        assert len(await holds(systems, args["order_id"])) == len(before) + 1  # applied once


@pytest.mark.parametrize("code", [0, -32001, -32042])
async def test_an_unknown_mcp_error_after_the_write_reached_the_system_is_read_back(erp: Server, code: int) -> None:
    """0: the MCP server's answer to an exception outside the tool; -32001: a proxy's own (an upstream timeout);
    -32042: one the gateway gives no meaning (URL elicitation). The hold was applied: done, by its record, once."""
    args, meta = hold_args(erp.home, f"in-doubt-reached{code}")
    async with gateway(erp) as systems:
        before = await holds(systems, args["order_id"])
        spoiled = spoil(systems, code, reached=True)
        status, _, detail = await call_write(systems, "erp", HOLD, args, meta=meta)
        assert status == "done", detail
        assert spoiled.calls == [HOLD, write_lookup_name("erp")]  # read back by its key, not sent again
        assert len(await holds(systems, args["order_id"])) == len(before) + 1


async def test_an_unknown_mcp_error_before_the_write_reached_the_system_is_retried_with_its_key(erp: Server) -> None:
    """The write never reached the system: not found by its key, so it is sent again with the same key (safe),
    and applied once."""
    args, meta = hold_args(erp.home, "in-doubt-unreached")
    async with gateway(erp) as systems:
        before = await holds(systems, args["order_id"])
        spoiled = spoil(systems, -32001, reached=False)
        status, answer, detail = await call_write(systems, "erp", HOLD, args, meta=meta)
        assert status == "done", detail
        assert detail.startswith("retried safely with the same key")
        assert answer is not None
        assert answer["replayed"] is False  # the retry applied it: the first never did
        assert spoiled.calls == [HOLD, write_lookup_name("erp"), HOLD]
        assert len(await holds(systems, args["order_id"])) == len(before) + 1
        again, replay, _ = await call_write(systems, "erp", HOLD, args, meta=meta)  # a resume sends it once more
        assert again == "done"
        assert replay is not None
        assert replay["replayed"] is True
        assert len(await holds(systems, args["order_id"])) == len(before) + 1


async def test_the_systems_own_error_and_a_malformed_request_stay_refusals(erp: Server) -> None:
    """The erp's own error result (an order it does not know) and JSON-RPC's INVALID_PARAMS: recorded failed at
    once, nothing read back, nothing written."""
    args, meta = hold_args(erp.home, "refused-1")
    unknown = {**args, "order_id": "ORD-NOPE"}
    async with gateway(erp) as systems:
        before = await holds(systems, args["order_id"])
        spoiled = spoil(systems, INVALID_PARAMS, reached=False)
        spoiled.times = 0  # first the system's own answer
        refusal = operator_grant(erp.home, HOLD, unknown)
        status, _, detail = await call_write(systems, "erp", HOLD, unknown, meta=refusal)
        assert status == "failed", detail
        assert "not_found" in detail
        spoiled.times = 1
        status, _, detail = await call_write(systems, "erp", HOLD, args, meta=meta)
        assert status == "failed", detail
        assert "upstream failed" in detail
        assert spoiled.calls == [HOLD, HOLD]  # neither read back
        assert await holds(systems, args["order_id"]) == before
