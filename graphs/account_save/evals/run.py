"""Score the account mission on the recorded briefs: the seeded book's accounts run through the mission's own
steps (the context read served by the accounts system's service function, the facts, the offline reasoner over the
ACC playbooks that apply, the guard), exactly as the morning batch runs them after its reads, and compared with
what the owners did and what happened later.

Prints:

- ranking: precision@k of later churn for the brief's order and a usage-only baseline rule; recall of later
  churn among the flagged accounts and within the top k;
- agreement with the owners' actions, overall and per action (approved, edited, rejected, escalated, reassigned,
  nothing): the mission proposes the customer-facing actions the owner took, and nothing where they did nothing
  or rejected the outreach;
- draft checks on every outreach the mission drafts: no invented facts (every number and date in it is in the
  evidence, the greeting names one of the account's contacts, the signature the person who decides) and the
  right signals named (each signal behind the flag is spoken of; none the account does not show).

``python -m ai_missions.graphs.account_save.evals.run [--dataset FILE] [--limit N] [--json]``
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.graphs.account_save.evals.labeller import ACTIONS, agrees
from ai_missions.graphs.account_save.evals.recorded import RECORDED, read
from ai_missions.graphs.account_save.facts import derive_facts
from ai_missions.graphs.account_save.scoring import usage_only_change
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT
from ai_missions.integrations import accounts
from ai_missions.integrations.accounts_seed import generate
from ai_missions.integrations.loader import write_book
from ai_missions.kernel.settings import sandbox_dir
from ai_missions.knowledge_index.policies import Policy, parse_policy
from ai_missions.nodes.guard import guard
from ai_missions.nodes.offline_reasoner import reason

KS = (20, 50, 100, 200)
#: How a draft speaks of each signal it should name (the words a reader would look for).
SPOKEN = {
    "escalations": re.compile(r"\bescalat", re.IGNORECASE),
    "usage_decline": re.compile(r"\b(use|usage|users)\b.*\bdown\b|\bdown\b.*\b(use|usage)\b", re.IGNORECASE),
    "silent_account": re.compile(r"\b(a while since|last (sat|spoke|met)|catch up)", re.IGNORECASE),
    "renewal_due": re.compile(r"\brenewal\b", re.IGNORECASE),
}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@cache
def policies() -> tuple[Policy, ...]:
    assert SPEC.policies is not None
    return tuple(parse_policy(p) for p in sorted(Path(SPEC.policies).glob("*.md")))


def decide(context: Mapping[str, Any]) -> tuple[dict[str, Any], Any, list[dict[str, Any]]]:
    """Facts, risk and the guarded proposal's actions of one account (none when the brief does not flag it)."""
    facts, risk = derive_facts(context)
    if not risk.flagged:
        return facts, risk, []
    types = facts[TYPES_FACT]
    proposal = reason(SPEC, [p for p in policies() if any(p.applies(t) for t in types)], facts)
    verdict, _problems = guard(SPEC, proposal, facts, untrusted=[n["body"] for n in context.get("health_notes") or []])
    return facts, risk, [dict(a) for a in verdict.get("actions", [])]


def _evidence(context: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Numbers (as written or rounded) and dates the evidence holds: the gathered facts and the context read."""
    numbers: set[str] = {"30"}  # "30 minutes": the meeting the template asks for, not a claim about the account
    dates: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            v = abs(float(value))
            numbers.update({f"{v:g}", f"{v:.0f}", f"{v:,.0f}", f"{v:.1f}", f"{round(v)}"})
        elif isinstance(value, str):
            dates.update(_DATE.findall(value))
            dates.update(d[:10] for d in re.findall(r"\d{4}-\d{2}-\d{2}T", value))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk({k: v for k, v in facts.items() if not k.startswith("draft.")})
    walk(context)
    return numbers, dates


def draft_check(body: str, facts: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Whether a draft invents nothing and names the right signals (with what is wrong, for the report)."""
    numbers, dates = _evidence(context, facts)
    problems: list[str] = []
    found_dates = _DATE.findall(body)
    for found in found_dates:
        if found not in dates:
            problems.append(f"date {found} not in the evidence")
    for number in _NUMBER.findall(_DATE.sub(" ", body)):
        token = number.rstrip(".,")
        if token not in numbers and token.replace(",", "") not in numbers:
            problems.append(f"number {token} not in the evidence")
    greeting = re.match(r"\s*(?:Hi|Hello|Dear)\s+([^,\n]+),", body)
    contacts = {str(c["name"]).split(" ")[0] for c in context.get("contacts") or []}
    if greeting and greeting.group(1).strip() not in contacts | {"there"}:
        problems.append(f"greets {greeting.group(1).strip()!r}, not a contact of the account")
    signed = body.rstrip().splitlines()[-1].strip() if body.strip() else ""
    signer = {facts.get("account.sender_name"), "Your account team"}
    if signed not in signer:
        problems.append(f"signed {signed!r}, not by the person who decides")
    signals = [s for s in facts.get(TYPES_FACT) or [] if s in SPOKEN]
    missing = [s for s in signals if not SPOKEN[s].search(body)]
    spurious = [s for s, pattern in SPOKEN.items() if s not in signals and pattern.search(body)]
    return {
        "invented": problems,
        "signals_named": not missing and not spurious,
        "missing_signals": missing,
        "spurious_signals": spurious,
    }


def contexts(seed: int, size: int) -> dict[str, dict[str, Any]]:
    """Every account's context read, from the seeded book written to a scratch sandbox."""
    with tempfile.TemporaryDirectory(prefix="account-briefs-") as scratch:
        home = Path(scratch)
        write_book(generate(size, seed), home)
        conn = sqlite3.connect(sandbox_dir(home) / "accounts.sqlite")
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


def precision_at(ranked: Sequence[str], churned: set[str], k: int) -> float:
    top = ranked[:k]
    return sum(a in churned for a in top) / len(top) if top else 0.0


def score(path: Path = RECORDED, limit: int | None = None) -> dict[str, Any]:
    header, briefs = read(path)
    briefs = briefs[:limit] if limit else briefs
    started = time.perf_counter()
    read_all = contexts(int(header["seed"]), int(header["accounts"]))
    by_id = {b["account_id"]: b for b in briefs}
    churned = {b["account_id"] for b in briefs if b["later"] == "churned"}
    results: dict[str, dict[str, Any]] = {}
    drafts: list[dict[str, Any]] = []
    for account_id in by_id:
        context = read_all[account_id]
        facts, risk, actions = decide(context)
        tools = [a["tool"] for a in actions]
        results[account_id] = {"score": risk.score, "flagged": risk.flagged, "tools": tools}
        for proposed_action in actions:
            if proposed_action["tool"] == "send_account_email":
                body = proposed_action["args"]["body"]
                drafts.append({"account_id": account_id, **draft_check(body, facts, context)})
    ranked = sorted(results, key=lambda a: (-results[a]["score"], a))
    baseline = sorted(results, key=lambda a: (usage_only_change(read_all[a]["_signals_row"]), a))
    flagged = {a for a, r in results.items() if r["flagged"]}
    per_action: dict[str, dict[str, Any]] = {}
    for action in ACTIONS:
        ids = [a for a, b in by_id.items() if b["action"] == action]
        agreed = sum(agrees(action, results[a]["tools"]) for a in ids)
        proposed = Counter("+".join(sorted(set(results[a]["tools"]) - {"add_health_note"})) or "none" for a in ids)
        per_action[action] = {
            "accounts": len(ids),
            "agreement": agreed / len(ids) if ids else None,
            "mission_proposed": dict(proposed.most_common()),
        }
    agreed_all = sum(agrees(b["action"], results[a]["tools"]) for a, b in by_id.items())
    return {
        "dataset": str(path),
        "accounts": len(by_id),
        "churned": len(churned),
        "seconds": round(time.perf_counter() - started, 1),
        "precision_at": {
            k: {"mission": precision_at(ranked, churned, k), "usage_only": precision_at(baseline, churned, k)}
            for k in KS
        },
        "recall_at": {k: len(set(ranked[:k]) & churned) / len(churned) if churned else 0.0 for k in KS},
        "flagged": len(flagged),
        "flagged_recall": len(flagged & churned) / len(churned) if churned else 0.0,
        "flagged_precision": len(flagged & churned) / len(flagged) if flagged else 0.0,
        "agreement": agreed_all / len(by_id) if by_id else 0.0,
        "agreement_per_action": per_action,
        "drafts": {
            "checked": len(drafts),
            "no_invented_facts": sum(not d["invented"] for d in drafts),
            "right_signals_named": sum(d["signals_named"] for d in drafts),
            "examples": [d for d in drafts if d["invented"] or not d["signals_named"]][:5],
        },
    }


def render(report: Mapping[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:5.2f}"

    lines = [
        f"recorded briefs: {report['accounts']} accounts, {report['churned']} churned later "
        f"({Path(report['dataset']).name}; scored in {report['seconds']} s)",
        "ranking (later churn):",
    ]
    for k, p in report["precision_at"].items():
        lines.append(
            f"  precision@{k:<4} mission {p['mission']:.2f}   usage-only baseline {p['usage_only']:.2f}   "
            f"recall@{k} {report['recall_at'][k]:.2f}"
        )
    lines.append(
        f"  flagged {report['flagged']}: recall of later churn {report['flagged_recall']:.2f}, "
        f"precision {report['flagged_precision']:.2f}"
    )
    lines.append(f"agreement with owners' actions: {report['agreement']:.2f} overall")
    for action, row in report["agreement_per_action"].items():
        proposed = ", ".join(f"{k} {v}" for k, v in row["mission_proposed"].items())
        lines.append(f"  {action:<10} {row['accounts']:>5} accounts  agreement {pct(row['agreement'])}   ({proposed})")
    d = report["drafts"]
    lines.append(
        f"drafts: {d['checked']} checked; no invented facts {d['no_invented_facts']}/{d['checked']}; "
        f"right signals named {d['right_signals_named']}/{d['checked']}"
    )
    for example in d["examples"]:
        lines.append(f"  {example}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=RECORDED)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = score(args.dataset, args.limit)
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
