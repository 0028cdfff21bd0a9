"""Calling the platform as one of its accounts, the way each surface would: the CLI in this process with the
account's token, the platform API's tools in-process, and a customer account for an order's customer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from ai_missions.cli import main
from ai_missions.kernel.store import RunStore
from ai_missions.platform_server import Platform, build_server
from ai_missions.services.identity import CUSTOMER_ROLE, Accounts
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.small_home import rows


def cli_as(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path, *args: str, as_: str = ""
) -> tuple[int, str, str]:
    """``missions ARGS`` on ``home`` (``as_``: signed in as that account, else nobody) -> exit code, stdout, stderr."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    if as_:
        monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, as_)["MISSIONS_TOKEN"])
    else:
        monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def platform_call(home: Path, monkeypatch: pytest.MonkeyPatch, who: str, tool: str, **args: Any) -> Any:
    """A platform API tool called in-process as ``who`` (the token the server would have checked)."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, who)["MISSIONS_TOKEN"])

    async def call() -> Any:
        async with Platform(home) as platform:
            result = await build_server(platform, with_auth=False).call_tool(tool, args)
        structured = result[1] if isinstance(result, tuple) else None
        if isinstance(structured, dict) and set(structured) == {"result"}:
            return structured["result"]
        if structured is not None:
            return structured
        return json.loads(result[0].text) if result else None  # type: ignore[index,union-attr]

    return anyio.run(call)


def customer_account(home: Path, order_id: str) -> str:
    """A customer account for the customer of ``order_id`` (account ``c-10003`` is customer ``C-10003``)."""
    ((customer,),) = rows(home, "erp", "SELECT customer_id FROM orders WHERE order_id = ?", order_id)
    return customer_named(home, str(customer))


def customer_named(home: Path, customer_id: str) -> str:
    """The account of customer ``customer_id``, added when it has none."""
    name = customer_id.lower()
    accounts = Accounts(RunStore(home / "runs.sqlite"))
    if name not in {a.name for a in accounts.list()}:
        accounts.add(name, CUSTOMER_ROLE, DEMO_PASSWORD, by="test")
    return name
