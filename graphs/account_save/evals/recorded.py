"""Recorded briefs: the seeded book's morning brief as it was lived, one line per account: what its owner did
with it (:mod:`.labeller`) and what happened to the account later (renewed or churned, from the book's history).

The file (``data/recorded_briefs.jsonl.gz``) starts with a header naming the book (seed, size, clock); the
accounts' records are the seeded book's own, so they are regenerated from the header instead of being stored.
``python -m ai_missions.graphs.account_save.evals.recorded`` regenerates it (deterministic: same bytes each time).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ai_missions.graphs.account_save.evals.labeller import label
from ai_missions.integrations.accounts_seed import BOOK_NOW, generate
from ai_missions.mission_api import ValidationError

DATA = Path(__file__).resolve().parent / "data"
RECORDED = DATA / "recorded_briefs.jsonl.gz"
SEED, ACCOUNTS = 7, 2000
FORMAT = "ai-missions/account-briefs@1"

_BY_ACCOUNT = {
    "contacts": "contacts",
    "activities": "activities",
    "support_cases": "cases",
    "opportunities": "opportunities",
    "usage_daily": "usage",
}


def records(book: Mapping[str, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Each account's raw records (account, owner, manager, usage, cases, activities, opportunities, contacts)
    and its later outcome (None when the book does not hold it, as in a case's snapshot), in account order."""
    owners = {o["owner_id"]: o for o in book["owners"]}
    parts: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for table, name in _BY_ACCOUNT.items():
        for row in book[table]:
            parts[row["account_id"]][name].append(row)
    later = {o["account_id"]: o for o in book.get("account_outcomes", [])}
    for account in book["accounts"]:
        owner = owners.get(account["owner_id"]) or {}
        yield {
            "account": account,
            "owner": owner,
            "manager": owners.get(owner.get("manager_id") or ""),
            **parts[account["account_id"]],
            "later": later.get(account["account_id"]),
        }


def brief_lines(seed: int = SEED, size: int = ACCOUNTS, now: datetime = BOOK_NOW) -> list[dict[str, Any]]:
    book = generate(size, seed, now)["accounts"]
    lines: list[dict[str, Any]] = []
    for record in records(book):
        done = label(record, now)
        owner = record["owner"]
        manager = record["manager"] or {}
        decided_by = owner.get("owner_id") if owner.get("status") == "active" else manager.get("owner_id")
        lines.append(
            {
                "account_id": record["account"]["account_id"],
                "tier": record["account"]["tier"],
                "owner": owner.get("owner_id"),
                "decided_by": decided_by,
                "action": done.action,
                "reason": done.reason,
                "saw": list(done.trouble),
                "later": record["later"]["outcome"],
                "later_at": record["later"]["at"],
            }
        )
    return lines


def write(path: Path = RECORDED, seed: int = SEED, size: int = ACCOUNTS) -> dict[str, Any]:
    header = {"format": FORMAT, "seed": seed, "accounts": size, "book_now": BOOK_NOW.isoformat()}
    lines = brief_lines(seed, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(x, sort_keys=True) for x in [header, *lines]) + "\n"
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(text.encode())
    return {"briefs": len(lines), "path": str(path)}


def read(path: Path = RECORDED) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the recorded briefs; one clear error when the file is not a recorded-briefs file."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as exc:
        raise ValidationError(f"{path}: not a recorded-briefs file ({exc})") from None
    if not rows or rows[0].get("format") != FORMAT:
        raise ValidationError(f"{path}: not a recorded-briefs file (expected a {FORMAT} header)")
    return rows[0], rows[1:]


if __name__ == "__main__":
    print(write())
