"""The learning loop: every reviewer decision kept as an eval case, and where reviewers overrule the mission.

When a reviewer decides (approve, reject with a reason, edit), :func:`record_review` keeps the decision as a
:class:`~ai_missions.kernel.cases.Case` of the ``reviewed`` dataset (``$MISSIONS_HOME/evals/reviewed/MISSION.jsonl``)
with the systems around the subject at decision time (the mission's eval plugin's ``snapshotter``). The reviewer's
decision is the gold: what they approved, as they edited it, is the resolution; a plan rejected outright is an
escalation. ``missions eval run --dataset reviewed`` replays them.

What the mission proposed and which policy clauses each reviewed action cited are kept in the case's tags
(``upheld:PAY-001@3/hold-high-risk``, ``overruled:...``: the clause the policy matched with, from the run's
observations; the policy alone when none was observed), so :func:`disagreements` groups the overrules by clause
and names the clause to revisit, without replaying anything.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.kernel.cases import Case, load_cases
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import ESCALATE, MissionSpec, mission_names

DATASET = "reviewed"
#: Actions that cite no clause are grouped under this name.
NO_CLAUSE = "(no clause cited)"


def reviewed_path(home: Path, mission: str) -> Path:
    """Where the reviewed cases of a mission are kept."""
    return home / "evals" / DATASET / f"{mission}.jsonl"


def _review_word(answers: Sequence[Mapping[str, Any]]) -> str:
    kinds = {str(a.get("type")) for a in answers}
    if kinds <= {"accept"}:
        return "approved"
    if kinds <= {"response", "ignore"}:
        return "rejected"
    if kinds <= {"accept", "edit"}:
        return "edited"
    return "mixed"


def matched_clauses(observations: Sequence[Mapping[str, Any]], outcome: str | None = None) -> dict[str, list[str]]:
    """``{"PAY-001@3": ["PAY-001@3/hold-high-risk"]}``: the clauses each policy matched with, as observed; of a
    policy's matched clauses, those that call for ``outcome`` when there are some (the others were overridden)."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for seen in observations:
        source, data = str(seen.get("source", "")), seen.get("data") or {}
        if source.startswith("policy:") and data.get("matched") and data.get("clause"):
            policy = source.removeprefix("policy:")
            found.setdefault(policy, []).append((f"{policy}/{data['clause']}", data.get("outcome")))
    chosen: dict[str, list[str]] = {}
    for policy, clauses in found.items():
        deciding = [c for c, said in clauses if said == outcome] or [c for c, _ in clauses]
        chosen[policy] = list(dict.fromkeys(deciding))
    return chosen


def review_case(
    spec: MissionSpec,
    *,
    decision_id: str,
    run_id: str,
    subject_id: str,
    case_types: Sequence[str],
    trigger: Mapping[str, Any],
    verdict: Mapping[str, Any],
    interrupts: Sequence[Mapping[str, Any]],
    answers: Sequence[Mapping[str, Any]],
    reviewer: str,
    role: str | None,
    decided_at: str,
    snapshot: Mapping[str, Any],
    observations: Sequence[Mapping[str, Any]] = (),
) -> Case:
    """The decision as a case: the plan as the reviewer let it run is the gold (ValidationError if it does not fit
    the mission's vocabulary and tool policy). ``observations`` (the run's) name the clauses each cited policy
    matched with, so the tags say ``PAY-001@3/hold-high-risk`` rather than the whole policy when they can."""
    matched = matched_clauses(observations, verdict.get("outcome"))
    answer_at = {int(i["metadata"]["action_index"]): a for i, a in zip(interrupts, answers, strict=True)}
    gold: list[dict[str, Any]] = []
    upheld: list[str] = []
    overruled: list[str] = []
    for index, action in enumerate(verdict.get("actions", [])):
        cited = [c for p in action.get("policy_ids") or [] for c in matched.get(p, [p])] or [NO_CLAUSE]
        answer = answer_at.get(index)
        if answer is None:  # ran without a reviewer: part of the plan as it stood
            gold.append({"tool": action["tool"], "args": dict(action["args"])})
            continue
        kind = answer.get("type")
        if kind == "edit" and dict(answer["args"]["args"]) == dict(action["args"]):
            kind = "accept"  # "edited" to what was proposed: approved as it stood
        if kind == "accept":
            gold.append({"tool": action["tool"], "args": dict(action["args"])})
            upheld.extend(cited)
        elif kind == "edit":
            gold.append({"tool": action["tool"], "args": dict(answer["args"]["args"])})
            overruled.extend(cited)
        else:
            overruled.extend(cited)
    outcome = str(verdict.get("outcome") or ESCALATE)
    if answers and all(a.get("type") in ("response", "ignore") for a in answers):
        outcome = ESCALATE  # the whole plan turned down: the case goes back to people, as an escalation does
    if outcome == ESCALATE:
        gold = []
    reasons = [str(a.get("args")).strip() for a in answers if a.get("type") == "response"]
    word = _review_word(answers)
    tags = [
        f"review:{word}",
        f"proposed:{verdict.get('outcome')}",
        f"decision:{decision_id}",
        f"run:{run_id}",
        *(f"upheld:{p}" for p in dict.fromkeys(upheld)),
        *(f"overruled:{p}" for p in dict.fromkeys(overruled)),
    ]
    types = [t for t in case_types if t in spec.vocabulary.case_types]
    return Case.model_validate(
        {
            "case_id": f"review-{decision_id}",
            "mission": spec.name,
            "recorded_at": decided_at,
            "trigger": {
                "system": str(trigger.get("system") or (spec.systems[0] if spec.systems else "decision_queue")),
                "event": str(trigger.get("event") or "reviewed_decision"),
                "subject_id": subject_id,
                "case_types": types,
            },
            "snapshot": dict(snapshot),
            "resolution": {
                "outcome": outcome,
                "actions": gold,
                "decided_by": reviewer,
                "note": "; ".join(dict.fromkeys(r for r in reasons if r)),
            },
            "tags": tags + ([f"role:{role}"] if role else []),
        }
    )


def record_review(home: Path, spec: MissionSpec, **decision: Any) -> Case | None:
    """Keep one decision as a reviewed case (see :func:`review_case` for the arguments but the snapshot).

    None when the mission's eval plugin cannot snapshot its subject. Raises on any other problem: the caller
    records that the case was not kept and never fails the decision for it.
    """
    plugin = plugin_of(spec.name)
    snapshot = plugin.snapshot_subject(str(decision["subject_id"]), home)
    if snapshot is None:
        return None
    case = review_case(spec, snapshot=snapshot, **decision)
    path = reviewed_path(home, spec.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and f'"case_id":"{case.case_id}"' in path.read_text():
        return case  # the step ran again (a crash after it kept the case): kept once
    # one write of one line, appended: a CLI and the dashboard deciding at once never interleave a line
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, (case.to_line() + "\n").encode())
    finally:
        os.close(descriptor)
    return case


def reviewed_cases(home: Path, mission: str | None = None) -> list[Case]:
    """The reviewed cases of one mission, or of every mission that has some."""
    names = [mission] if mission else list(mission_names())
    cases: list[Case] = []
    for name in names:
        path = reviewed_path(home, name)
        if path.exists():
            cases.extend(load_cases(path))
    if mission and not reviewed_path(home, mission).exists():
        raise NotFoundError(f"no reviewed decisions of {mission} yet: decide some in the Decision Queue")
    return cases


def _clause(cited: str) -> str:
    """``PAY-001/hold-high-risk`` from ``PAY-001@3/hold-high-risk`` (``PAY-001`` when no clause was observed)."""
    policy, _, clause = cited.partition("/")
    return policy.split("@", 1)[0] + (f"/{clause}" if clause else "")


def _tagged(case: Case, prefix: str) -> list[str]:
    return [t.removeprefix(prefix) for t in case.tags if t.startswith(prefix)]


def disagreements(cases: Iterable[Case]) -> dict[str, Any]:
    """Where reviewers overrule the mission, by policy clause, and the clause to revisit.

    A clause counts once per decision it was cited in: overruled when a reviewer rejected or edited an action that
    cited it, upheld when every action citing it was approved as proposed. The clause to revisit is the one
    overruled most often (then at the highest rate, then by name).
    """
    cases = list(cases)
    clauses: dict[str, dict[str, Any]] = {}
    reviews: Counter[str] = Counter()
    for case in cases:
        word = next(iter(_tagged(case, "review:")), "unknown")
        reviews[word] += 1
        overruled = {_clause(p) for p in _tagged(case, "overruled:")}
        cited = _tagged(case, "upheld:") + _tagged(case, "overruled:")
        for name in dict.fromkeys(_clause(p) for p in cited):
            row = clauses.setdefault(
                name,
                {
                    "clause": name,
                    "versions": [],
                    "decisions": 0,
                    "overruled": 0,
                    "upheld": 0,
                    "reasons": [],
                    "overruled_cases": [],
                    "reviews": Counter(),
                },
            )
            row["decisions"] += 1
            row["versions"] = sorted({*row["versions"], *(p for p in cited if _clause(p) == name)})
            if name in overruled:
                row["overruled"] += 1
                row["reviews"][word] += 1
                row["overruled_cases"].append(case.case_id)
                if case.resolution.note and case.resolution.note not in row["reasons"]:
                    row["reasons"].append(case.resolution.note)
            else:
                row["upheld"] += 1
    rows = []
    for row in clauses.values():
        row["overrule_rate"] = row["overruled"] / row["decisions"]
        row["reviews"] = dict(row["reviews"])
        rows.append(row)
    rows.sort(key=lambda r: (-r["overruled"], -r["overrule_rate"], r["clause"]))
    revisit = next((r for r in rows if r["overruled"] and r["clause"] != NO_CLAUSE), None)
    return {
        "decisions": len(cases),
        "overruled_decisions": sum(1 for c in cases if _tagged(c, "overruled:")),
        "reviews": dict(reviews),
        "clauses": rows,
        "revisit": None
        if revisit is None
        else {
            "clause": revisit["clause"],
            "why": f"overruled in {revisit['overruled']} of {revisit['decisions']} decisions citing it",
            "reasons": revisit["reasons"][:5],
            "cases": revisit["overruled_cases"],
        },
    }


def render_disagreements(report: Mapping[str, Any]) -> str:
    """The report as text for the terminal (and as the notebook's first look)."""
    if not report["decisions"]:
        return "no reviewed decisions yet"
    reviews = ", ".join(f"{n} {w}" for w, n in sorted(report["reviews"].items()))
    lines = [
        f"{report['decisions']} reviewed decisions ({reviews}); reviewers overruled the mission in "
        f"{report['overruled_decisions']}",
        "",
        f"{'clause':<44} {'cited':>5} {'overruled':>9} {'rate':>5}  reasons",
    ]
    for row in report["clauses"]:
        reasons = "; ".join(row["reasons"])[:60]
        lines.append(
            f"{row['clause']:<44} {row['decisions']:>5} {row['overruled']:>9} {row['overrule_rate']:>5.0%}  {reasons}"
        )
    revisit = report["revisit"]
    lines.append("")
    if revisit is None:
        lines.append("no clause to revisit: reviewers approved every cited clause as proposed")
    else:
        lines.append(f"revisit {revisit['clause']}: {revisit['why']}")
        lines.extend(f"  - {r}" for r in revisit["reasons"])
    return "\n".join(lines)
