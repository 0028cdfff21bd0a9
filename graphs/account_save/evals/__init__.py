"""The account mission's eval plugin (``missions eval run --mission account-save --dataset briefs``).

Cases (``data/briefs_ci.jsonl.gz``, from :mod:`.book_cases`) are recorded briefs of a slice of the seeded book
(its first 150 accounts and those of the owner who left): each account's records as a snapshot, the resolution
being what its owner did (:mod:`.labeller`: approved, edited, escalated the renewal, reassigned, rejected or did
nothing) and tags naming that action and what happened to the account later. They replay through the real
accounts MCP server like every mission's cases; the ``owner_briefs`` scorer adds agreement with the owners'
actions (overall and per action), the ranking's precision@k and recall of later churn within the slice, and the
draft checks. The whole book's 2,000 recorded briefs are a recorded set (``missions eval recorded --mission
account-save``): each decided by the plugin's decider (:mod:`.briefs`) and scored by ``recorded_briefs`` (the same
labeller and checks, without sandboxes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.evals.api import Replayed, Result, Scorer, ok, rate, register
from ai_missions.graphs.account_save.evals.book_cases import generate, rulebook
from ai_missions.graphs.account_save.evals.drafts import draft_check
from ai_missions.graphs.account_save.evals.labeller import ACTIONS, CUSTOMER_FACING, agrees
from ai_missions.graphs.account_save.evals.recorded import RECORDED
from ai_missions.mission_api import DEFAULT_SCORERS, EvalPlugin, MissionSpec, holds_row

DATA = Path(__file__).resolve().parent / "data"
BRIEFS_CI = DATA / "briefs_ci.jsonl.gz"
#: Written from the playbooks alone, outside the book and its labeller (see :mod:`.holdout`); reported apart.
HOLDOUT = DATA / "holdout.jsonl.gz"
KS = (5, 10, 20)

#: table -> (system, query): what owners' decisions change (ids, timestamps and text left out).
PROJECTION: dict[str, tuple[str, str]] = {
    "accounts.sent_emails": (
        "accounts",
        "SELECT account_id, contact_id, count(*) FROM sent_emails GROUP BY account_id, contact_id ORDER BY 1, 2",
    ),
    "accounts.renewals": ("accounts", "SELECT opportunity_id, escalated FROM opportunities ORDER BY opportunity_id"),
    "accounts.owners": ("accounts", "SELECT account_id, owner_id FROM accounts ORDER BY account_id"),
}


def _tag(result: Result, prefix: str) -> str | None:
    return next((t.split(":", 1)[1] for t in result.get("tags", []) if t.startswith(prefix + ":")), None)


def _score(case: Replayed) -> dict[str, Any]:
    actions = list((case.verdict or {}).get("actions", []))
    proposed = sorted({str(a["tool"]) for a in actions} & set(CUSTOMER_FACING))
    taken = sorted({str(a["tool"]) for a in case.gold_actions} & set(CUSTOMER_FACING))
    context = (case.state.get("gathered") or {}).get("accounts.get_account_context") or {}
    drafts = [
        draft_check(str(a["args"].get("body", "")), case.facts, context)
        for a in actions
        if a["tool"] == "send_account_email"
    ]
    return {
        "owner_agree": proposed == taken,
        "customer_facing": proposed,
        "risk_score": case.facts.get("risk.score"),
        "drafts_checked": len(drafts),
        "drafts_invented": sum(bool(d["invented"]) for d in drafts),
        "drafts_signals_named": sum(d["signals_named"] for d in drafts),
    }


def _summary(results: Sequence[Result]) -> dict[str, Any]:
    done = ok(results)
    out: dict[str, Any] = {"owner_agreement": rate(sum(bool(r.get("owner_agree")) for r in done), len(results))}
    for action in ACTIONS:
        mine = [r for r in results if _tag(r, "owner") == action]
        out[f"owner_agreement_{action}"] = rate(sum(bool(r.get("owner_agree")) for r in mine), len(mine))
    churned = {r["case_id"] for r in results if _tag(r, "later") == "churned"}
    ranked = [r["case_id"] for r in sorted(done, key=lambda r: (-(r.get("risk_score") or 0.0), r["case_id"]))]
    for k in KS:
        top = ranked[:k]
        out[f"churn_precision_at_{k}"] = rate(sum(c in churned for c in top), len(top))
        out[f"churn_recall_at_{k}"] = rate(sum(c in churned for c in top), len(churned))
    checked = sum(r.get("drafts_checked", 0) for r in done)
    out["drafts_checked"] = checked
    out["drafts_no_invented_facts"] = rate(checked - sum(r.get("drafts_invented", 0) for r in done), checked)
    out["drafts_right_signals"] = rate(sum(r.get("drafts_signals_named", 0) for r in done), checked)
    return out


OWNER_BRIEFS = register(
    Scorer(
        "owner_briefs",
        (
            "owner_agreement",
            *(f"owner_agreement_{a}" for a in ACTIONS),
            *(f"churn_{m}_at_{k}" for k in KS for m in ("precision", "recall")),
            "drafts_checked",
            "drafts_no_invented_facts",
            "drafts_right_signals",
        ),
        _score,
        _summary,
    )
)

#: The ranks the whole book's recorded briefs are scored at.
BOOK_KS = (20, 50, 100, 200)


def _score_brief(case: Replayed) -> dict[str, Any]:
    """One recorded brief: the risk score, the tools proposed, whether they agree with the owner, the drafts' checks."""
    recorded = case.extra["case"]
    brief = recorded["brief"]
    actions = list((case.verdict or {}).get("actions", []))
    tools = [str(a["tool"]) for a in actions]
    drafts = [
        draft_check(str(a["args"]["body"]), case.facts, recorded["context"])
        for a in actions
        if a["tool"] == "send_account_email"
    ]
    return {
        "risk_score": case.facts.get("risk.score"),
        "usage_only": recorded["usage_only"],
        "flagged": bool((case.verdict or {}).get("flagged")),
        "owner_action": brief["action"],
        "later": brief["later"],
        "proposed": "+".join(sorted(set(tools) - {"add_health_note"})) or "none",
        "owner_agree": agrees(brief["action"], tools),
        "drafts": drafts,
    }


def _summary_briefs(results: Sequence[Result]) -> dict[str, Any]:
    churned = {r["case_id"] for r in results if r.get("later") == "churned"}
    ranked = [r["case_id"] for r in sorted(results, key=lambda r: (-(r.get("risk_score") or 0.0), r["case_id"]))]
    baseline = [r["case_id"] for r in sorted(results, key=lambda r: (r.get("usage_only") or 0.0, r["case_id"]))]
    flagged = {r["case_id"] for r in results if r.get("flagged")}
    drafts = [d for r in results for d in r.get("drafts", [])]
    out: dict[str, Any] = {"accounts": len(results), "churned": len(churned)}
    for k in BOOK_KS:
        out[f"precision_at_{k}"] = rate(len(set(ranked[:k]) & churned), len(ranked[:k]))
        out[f"usage_only_precision_at_{k}"] = rate(len(set(baseline[:k]) & churned), len(baseline[:k]))
        out[f"recall_at_{k}"] = rate(len(set(ranked[:k]) & churned), len(churned))
    out["flagged"] = len(flagged)
    out["flagged_recall"] = rate(len(flagged & churned), len(churned))
    out["flagged_precision"] = rate(len(flagged & churned), len(flagged))
    out["agreement"] = rate(sum(bool(r.get("owner_agree")) for r in results), len(results))
    for action in ACTIONS:
        mine = [r for r in results if r.get("owner_action") == action]
        out[f"agreement_{action}"] = rate(sum(bool(r.get("owner_agree")) for r in mine), len(mine))
        out[f"accounts_{action}"] = len(mine)
        out[f"proposed_{action}"] = dict(Counter(str(r.get("proposed")) for r in mine).most_common())
    out["drafts_checked"] = len(drafts)
    out["drafts_no_invented_facts"] = sum(not d["invented"] for d in drafts)
    out["drafts_right_signals_named"] = sum(bool(d["signals_named"]) for d in drafts)
    out["drafts_failing"] = [d for d in drafts if d["invented"] or not d["signals_named"]][:5]
    return out


RECORDED_BRIEFS = register(
    Scorer(
        "recorded_briefs",
        (
            "accounts",
            "churned",
            *(f"{m}_at_{k}" for k in BOOK_KS for m in ("precision", "usage_only_precision", "recall")),
            "flagged",
            "flagged_recall",
            "flagged_precision",
            "agreement",
            *(f"{m}_{a}" for a in ACTIONS for m in ("agreement", "accounts", "proposed")),
            "drafts_checked",
            "drafts_no_invented_facts",
            "drafts_right_signals_named",
            "drafts_failing",
        ),
        _score_brief,
        _summary_briefs,
    )
)


def _decide(mission: MissionSpec, case: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    # deferred: start-up time (a brief is decided by the mission's gather step and reasoner: LangGraph and the
    # reader's lexicon, about 3 s, which loading the plugin for its datasets and scorers does not need)
    from ai_missions.graphs.account_save.evals.briefs import decide

    return decide(mission, case)


def _read_briefs(path: Path) -> list[dict[str, Any]]:
    # deferred: start-up time (the briefs module loads LangGraph, about 3 s)
    from ai_missions.graphs.account_save.evals.briefs import read_cases

    return read_cases(path)


PLUGIN = EvalPlugin(
    mission="account-save",
    # the slice is what `missions demo` and CI replay; the holdout is reported apart
    datasets={"briefs": BRIEFS_CI, "ci": BRIEFS_CI, "holdout": HOLDOUT},
    projection=PROJECTION,
    holds_subject=holds_row("accounts", "accounts", "account_id"),
    scorers=(*DEFAULT_SCORERS, "owner_briefs"),
    thresholds={"drafts_no_invented_facts": 1.0, "errors": 0},
    directions={"drafts_no_invented_facts": "min"},
    generator=generate,
    rulebook=rulebook,
    decider=_decide,
    recorded={"book": RECORDED},
    recorded_reader=_read_briefs,
    recorded_scorers=(RECORDED_BRIEFS.name,),
)
