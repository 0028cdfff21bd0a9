"""A session lists its system's tools once, without LangChain; an agent asks for LangChain tools explicitly."""

from __future__ import annotations

from pathlib import Path

from ai_missions.contracts import contracts
from ai_missions.integrations.seed import seed_book, story_order_id
from ai_missions.services.connections import connections
from ai_missions.services.gateway import SystemsGateway


async def test_a_session_lists_its_contract_and_wraps_it_for_an_agent_only_when_asked(missions_home: Path) -> None:
    seed_book(60, 3, missions_home)
    async with SystemsGateway(connections(["erp"], missions_home, "in-process")) as systems:
        declared = {t.name for t in contracts()["erp"]}
        assert set(systems.schemas()) == declared
        assert {systems.system_of[name] for name in declared} == {"erp"}
        assert "order_id" in systems.schemas()["get_order"]["properties"]
        tools = await systems.langchain_tools()
        assert {t.name for t in tools} == declared
        order = next(t for t in tools if t.name == "get_order")
        assert order.args_schema == systems.schemas()["get_order"]
        # called through the session the gateway holds (in-process: a ServedSession), as an agent calls it
        story = story_order_id(missions_home)
        answer = await order.ainvoke({"order_id": story})
        assert story in str(answer)
