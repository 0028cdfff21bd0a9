"""The morning brief over the whole book: a scheduled run of the account mission on 2,000 accounts.

    python3 -m uv run python bench/account_brief.py [--accounts 2000] [--concurrency 4] [--home DIR]

On a fresh home holding only the accounts book (offline reasoner, the real MCP server over stdio, the real Chroma
index, durable SQLite run store and checkpoints): the scheduler fires once at a weekday 07:00 Berlin; the trigger
scores every account from the cheap whole-book read (one kept-open MCP session, pages of 1,000) and the mission
runs in full (gather, policies, reasoning, guard, health note, a pending decision for the owner) on the flagged
ones. Prints wall time and accounts/s, then the ranking's quality against what happened to the accounts later
(precision@k and recall of later churn, against a usage-only baseline rule), then a second pass of the scheduler
(nothing to catch up: it does not fire again). Prints figures; asserts nothing. Building the policy index is
done once per home and is not in the timed figure.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ai_missions.graphs.account_save.drafts import draft_problems
from ai_missions.graphs.account_save.scoring import assess, from_page_row, usage_only_change
from ai_missions.integrations.accounts import list_account_signals
from ai_missions.integrations.accounts_seed import generate
from ai_missions.integrations.loader import write_book
from ai_missions.kernel.settings import knowledge_dir, sandbox_dir
from ai_missions.knowledge_index.index import build
from ai_missions.runtime import MissionRuntime
from ai_missions.schedules import fire_if_due

MORNING = datetime(2026, 3, 16, 6, 5, tzinfo=UTC)  # Monday 07:05 in Berlin, just after the 07:00 schedule


#: What a draft says for each signal (the template's wording); signals a draft does not speak of map to "".
_SAYS = {
    "escalations": "escalated",
    "usage_decline": "down",
    "renewal_due": "renewal",
    "silent_account": "a while since",
}


def _names(signal: str, body: str) -> bool:
    return _SAYS.get(signal, "") in body


def ranking_quality(home: Path) -> None:
    conn = sqlite3.connect(sandbox_dir(home) / "accounts.sqlite")
    conn.row_factory = sqlite3.Row
    rows = [r.model_dump() for r in list_account_signals(conn, "", 2000).accounts]
    while len(rows) % 2000 == 0 and rows:
        more = [r.model_dump() for r in list_account_signals(conn, rows[-1]["account_id"], 2000).accounts]
        if not more:
            break
        rows += more
    churned = {a for (a,) in conn.execute("SELECT account_id FROM account_outcomes WHERE outcome = 'churned'")}
    ranked = [r["account_id"] for r in sorted(rows, key=lambda r: (-assess(from_page_row(r)).score, r["account_id"]))]
    flagged = {r["account_id"] for r in rows if assess(from_page_row(r)).flagged}
    baseline = [r["account_id"] for r in sorted(rows, key=lambda r: (usage_only_change(r), r["account_id"]))]
    print(f"ranking quality: {len(churned)} of {len(rows)} accounts churned later")
    for k in (20, 50, 100, 200):
        ours = sum(a in churned for a in ranked[:k]) / k
        base = sum(a in churned for a in baseline[:k]) / k
        print(f"  precision@{k:<4} playbook {ours:.2f}   usage-only baseline {base:.2f}")
    recall = len(flagged & churned) / len(churned) if churned else 0.0
    precision = len(flagged & churned) / len(flagged) if flagged else 0.0
    print(f"  flagged {len(flagged)}: recall of later churn {recall:.2f}, precision {precision:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--durability", choices=("sync", "async", "exit"), default="sync")
    parser.add_argument("--home", type=Path, default=None, help="reuse a home (its policy index is kept)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="account-brief-"))
    write_book(generate(args.accounts, 7), home)
    for stale in ("runs.sqlite", "checkpoints.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{home}/{stale}{suffix}").unlink(missing_ok=True)
    if not (knowledge_dir(home) / "manifest.json").exists() and not any(knowledge_dir(home).glob("*")):
        started = time.perf_counter()
        build(directory=knowledge_dir(home))
        print(f"policy index built in {time.perf_counter() - started:.1f} s (once per home, not timed below)")
    async with MissionRuntime("account-save", home, durability=args.durability) as runtime:
        started = time.perf_counter()
        report = await fire_if_due(runtime, MORNING, concurrency=args.concurrency)
        wall = time.perf_counter() - started
        assert report is not None
        print(
            f"scheduled run over {args.accounts:,} accounts: {wall:.1f} s wall, {args.accounts / wall:.0f} accounts/s "
            f"(scan and score of the whole book {report.scan_seconds:.2f} s; {report.runs} full runs, "
            f"{report.awaiting} awaiting their owner, {report.failed} failed; "
            f"{report.runs / max(wall - report.scan_seconds, 1e-9):.1f} full runs/s)"
        )
        first = runtime.store.batch_runs(report.batch_id)
        print(f"  batch {report.batch_id}: {len(first)} runs listed together; top of the brief:")
        by_subject = {r["subject_id"]: r for r in first}
        for rank, subject in enumerate(report.ranked[:5], start=1):
            run = by_subject[subject]
            print(f"  {rank}. {subject} {run['outcome']}: {str(run['summary'])[:100]}")
        checked = passed = named = 0
        for run in first:
            state = await runtime.state(run["run_id"])
            facts = state.get("facts", {})
            for action in (state.get("verdict") or {}).get("actions", []):
                if action["tool"] == "send_account_email":
                    checked += 1
                    passed += not draft_problems(action["args"]["body"], facts)
                    named += all(_names(signal, action["args"]["body"]) for signal in facts["account.signals"])
        print(
            f"  drafts: {checked} proposed, {passed} pass the evidence check, {named} name every signal behind the flag"
        )
        again = await fire_if_due(runtime, MORNING.replace(hour=9))
        print(f"  second pass at 10:00 Berlin: {'fired again (wrong)' if again else 'nothing due (caught up once)'}")
    ranking_quality(home)
    print(f"home: {home}")


if __name__ == "__main__":
    asyncio.run(main())
