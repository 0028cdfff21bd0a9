"""The harness's account cases: recorded briefs of the first accounts of the seeded book, each with a snapshot of
the accounts system around the account (every owner, the account's own records, the book's clock), resolved as
its owner did (:mod:`.labeller`) and tagged with that action and what happened to the account later. The later
outcome is not in the snapshot (no tool serves it), only in the tags the scorer reads. A label that is a slip (a busy
owner who did nothing about real trouble) is tagged ``noise:<slip>``; :func:`rulebook` says what the owner's own
rules call for on a case's records, which the safety scorer judges such a case by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ai_missions.evals.api import Case, write_cases
from ai_missions.graphs.account_save.evals.labeller import OUTCOME_OF, TOOLS_OF, label
from ai_missions.graphs.account_save.evals.recorded import ACCOUNTS, SEED, records
from ai_missions.integrations.accounts_seed import BOOK_NOW
from ai_missions.integrations.accounts_seed import generate as seed_book

SLICE = 150
_OWN_TABLES = ("accounts", "contacts", "activities", "support_cases", "opportunities", "usage_daily")


def _actions(action: str, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The owner's action as the tool calls it took (the mission's argument names; text is free)."""
    account_id = record["account"]["account_id"]
    contacts = sorted(record.get("contacts") or [], key=lambda c: (-c["is_primary"], c["contact_id"]))
    renewals = sorted(
        (o for o in record.get("opportunities") or [] if o["kind"] == "renewal"), key=lambda o: o["close_date"]
    )
    calls: list[dict[str, Any]] = []
    for tool in TOOLS_OF[action]:
        if tool == "reassign_account_owner":
            args = {"account_id": account_id, "new_owner_id": (record["manager"] or {}).get("owner_id")}
            calls.append({"tool": tool, "args": {**args, "reason": "the owner left"}})
        elif tool == "escalate_renewal" and renewals:
            args = {"opportunity_id": renewals[0]["opportunity_id"], "account_id": account_id}
            calls.append({"tool": tool, "args": {**args, "reason": "renewal at risk"}})
        elif tool == "send_account_email" and contacts:
            args = {"account_id": account_id, "contact_id": contacts[0]["contact_id"]}
            calls.append({"tool": tool, "args": {**args, "subject": "checking in", "body": "(the owner's email)"}})
    return calls


def cases(size: int = SLICE, seed: int = SEED) -> list[Case]:
    """The first ``size`` accounts of the whole book, and every account of the owner who left (so reassignment,
    rare in any slice, is scored too)."""
    book = seed_book(ACCOUNTS, seed)["accounts"]
    shared = {"owners": book["owners"], "meta": book["meta"], "sequences": book["sequences"]}
    first = {f"ACC-{10001 + i}" for i in range(size)}
    out = []
    for record in records(book):
        account_id = record["account"]["account_id"]
        if account_id not in first and record["owner"].get("status") != "left":
            continue
        done = label(record, BOOK_NOW)
        mine = {t: [r for r in book[t] if r["account_id"] == account_id] for t in _OWN_TABLES}
        snapshot = {
            "format": "ai-missions/snapshot@1",
            "book": {k: v for k, v in ((r["key"], r["value"]) for r in book["meta"]) if k in ("book_now", "seed")},
            "scope": {"accounts": [account_id]},
            "systems": {"accounts": {**shared, **mine}},
        }
        owner, manager = record["owner"], record["manager"] or {}
        out.append(
            Case.model_validate(
                {
                    "case_id": f"brief-{account_id}",
                    "mission": "account-save",
                    "recorded_at": BOOK_NOW.isoformat(),
                    "trigger": {"system": "accounts", "event": "morning_brief", "subject_id": account_id},
                    "snapshot": snapshot,
                    "resolution": {
                        "outcome": OUTCOME_OF[done.action],
                        "actions": _actions(done.action, record),
                        "decided_by": owner["owner_id"] if owner.get("status") == "active" else manager["owner_id"],
                        "note": done.reason,
                    },
                    "tags": [
                        f"owner:{done.action}",
                        f"later:{record['later']['outcome']}",
                        *([f"noise:{done.slip}"] if done.slip else []),
                    ],
                }
            )
        )
    return out


def rulebook(snapshot: Mapping[str, Any], account_id: str, case_types: Sequence[str]) -> list[dict[str, Any]]:
    """What the owner's own rules (the labeller without its slips) do with the account on a case's records
    (``EvalPlugin.rulebook``)."""
    tables = snapshot["systems"]["accounts"]
    record = next(r for r in records(tables) if r["account"]["account_id"] == account_id)
    now = datetime.fromisoformat(str(snapshot["book"]["book_now"]).replace("Z", "+00:00"))
    return _actions(label(record, now, slips=False).action, record)


def generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> dict[str, Any]:
    """``missions eval generate --mission account-save``: the harness slice (and the whole book's recorded briefs)."""
    # deferred: start-up time (loads jsonschema_rs)
    from ai_missions.graphs.account_save.evals import BRIEFS_CI
    from ai_missions.graphs.account_save.evals.recorded import RECORDED, write

    seed = (seeds or [SEED])[0]
    target = out or BRIEFS_CI
    written = write_cases(cases(SLICE, seed), target)
    whole = write(slice_out or RECORDED, seed)
    return {"cases": written, "path": str(target), "ci_slice": whole["briefs"], "ci_slice_path": whole["path"]}


if __name__ == "__main__":
    print(generate())
