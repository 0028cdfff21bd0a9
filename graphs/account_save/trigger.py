"""What raises the account mission: the morning scan of the whole book through the cheap signals read (pages of
500 accounts over one MCP session), scored with the playbook's weights. Accounts showing a flagging signal are
the cases; the brief ranks them by score. There is no event feed: the book is scanned on a schedule."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.account_save.scoring import Risk, assess, from_page_row
from ai_missions.mission_api import Systems

PAGE = 1000


async def score_book(systems: Systems) -> dict[str, tuple[Risk, dict[str, Any]]]:
    """Every account of the book: its risk and the signals row it was scored from."""
    scored: dict[str, tuple[Risk, dict[str, Any]]] = {}
    after = ""
    while True:
        page = await systems.call("list_account_signals", {"after": after, "limit": PAGE})
        for row in page.get("accounts", []):
            scored[row["account_id"]] = (assess(from_page_row(row)), row)
        if not page.get("next_after"):
            return scored
        after = page["next_after"]


class AccountSaveTrigger:
    systems = ("accounts",)

    async def find(self, systems: Systems) -> dict[str, list[str]]:
        scored = await score_book(systems)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0].score, item[0]))
        return {account: list(risk.signals) for account, (risk, _row) in ranked if risk.flagged}

    async def changed(self, systems: Systems, cursor: str | None) -> tuple[set[str], str]:
        return set(await self.find(systems)), cursor or ""


TRIGGER = AccountSaveTrigger()
