"""The recorded briefs of the whole book as cases the harness scores (``missions eval recorded --mission
account-save``): each account's context read from the seeded book (the accounts service's own functions on a scratch
copy), decided by the graph's own gather step on that context (``gather.gathered_from``) and the platform's
decision on its facts (``nodes.api.decide``: the offline reasoner over the ACC playbooks that apply, the guard).
The account eval plugin declares :func:`decide` as its decider and :func:`read_cases` as its reader of recorded
sets.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_missions.graphs.account_save.evals.labeller import OUTCOME_OF
from ai_missions.graphs.account_save.evals.recorded import read
from ai_missions.graphs.account_save.gather import gathered_from
from ai_missions.graphs.account_save.scoring import usage_only_change
from ai_missions.integrations import accounts
from ai_missions.integrations.accounts_seed import generate
from ai_missions.integrations.loader import write_book
from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import decide as decide_facts


def decide(mission: MissionSpec, case: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts and the verdict of ``mission`` on one recorded brief (``case["context"]``: the account's context
    read). An account the brief does not flag gets no run: its verdict is ``not_flagged`` with no actions."""
    update, risk = gathered_from(case["context"])
    facts = update["facts"]
    if not risk.flagged:
        return facts, {"outcome": "not_flagged", "actions": [], "flagged": False}
    verdict, _problems = decide_facts(mission, facts, untrusted=update["customer_text"])
    return facts, {**verdict, "actions": [dict(a) for a in verdict.get("actions", [])], "flagged": True}


def contexts(seed: int, size: int) -> dict[str, dict[str, Any]]:
    """Every account's context read, from the seeded book written to a scratch sandbox."""
    with tempfile.TemporaryDirectory(prefix="account-briefs-") as scratch:
        home = Path(scratch)
        sandbox = write_book(generate(size, seed), home)
        conn = sqlite3.connect(sandbox / "accounts.sqlite")
        conn.row_factory = sqlite3.Row
        try:
            ids = [r[0] for r in conn.execute("SELECT account_id FROM accounts ORDER BY account_id")]
            found = {a: accounts.get_account_context(conn, a).model_dump(mode="json") for a in ids}
            page, rows = "", []
            while True:
                chunk = accounts.list_account_signals(conn, page, 2000)
                rows += [r.model_dump() for r in chunk.accounts]
                if not chunk.next_after:
                    break
                page = chunk.next_after
        finally:
            conn.close()
    for row in rows:
        found[row["account_id"]]["_signals_row"] = row
    return found


def read_cases(path: Path) -> list[dict[str, Any]]:
    """A recorded briefs file as cases: per account its brief (what the owner did, what happened later), its
    context read from the book the file names, and the usage-only baseline's sort key."""
    header, briefs = read(path)
    read_all = contexts(int(header["seed"]), int(header["accounts"]))
    return [
        {
            "case_id": brief["account_id"],
            "brief": brief,
            "context": read_all[brief["account_id"]],
            "usage_only": usage_only_change(read_all[brief["account_id"]]["_signals_row"]),
            "resolution": {"outcome": OUTCOME_OF[brief["action"]], "actions": []},
        }
        for brief in briefs
    ]
