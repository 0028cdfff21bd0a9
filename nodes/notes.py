"""Automatic notes say only what is true when they are written.

A mission may write an internal note without a reviewer (an automatable tool whose rule names its ``note_text``
argument). The note a policy proposes often reports the plan's outcome ("Authorization AUTH-1 captured ahead of
expiry") while the plan's other actions still wait for a reviewer, were only observed, or did not run. So the proposed
text is written only when every other action of the plan is done at that moment. Otherwise the note's text is composed
from the state as it is then: what is done, what waits for approval, what did not happen; and when a decision is still
to come, the proposed note waits for it: written after it when every action is done, else replaced by an update that
says what was decided (approved and done, rejected with the reviewer's reason, skipped, failed).

Each such write carries ``automatic`` on its result (and so on the audit trail, ``show`` and the run's data):
``proposed`` (written as proposed), ``interim`` (composed; the proposed note waits for the decision),
``after_decision`` (the proposed note, written once every action was done) or ``update`` (composed instead of it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ai_missions.kernel.missions import MissionSpec
from ai_missions.nodes.state import ActionResult, MissionState

Written = Literal["proposed", "interim", "after_decision", "update"]

#: Result status -> how a composed note words it.
_OUTCOME = {
    "done": "done",
    "failed": "failed",
    "skipped": "not run",
    "rejected": "not approved",
    "unknown": "outcome not known yet",
}


def note_arg(spec: MissionSpec, tool: str) -> str | None:
    """The argument holding what ``tool`` writes, when it is an automatic note; else None."""
    rule = spec.tools.get(tool)
    return rule.note_text if rule is not None and rule.automatable else None


def described(spec: MissionSpec, action: Mapping[str, Any]) -> str:
    """``capture_payment (authorization_id=AUTH-1, amount=1670.73)``: the tool, the records it names and the money
    it moves (not its other arguments: a reply's tags or status are what it would write, not what happened)."""
    rule = spec.tools.get(str(action["tool"]))
    keys = set(rule.ids) | ({rule.amount_arg} if rule.amount_arg else set()) if rule is not None else set()
    args = ", ".join(f"{k}={v}" for k, v in (action.get("args") or {}).items() if k in keys)
    return f"{action['tool']} ({args})" if args else str(action["tool"])


def observed_actions(state: MissionState) -> list[dict[str, Any]]:
    """The actions the tiers recorded as what the mission would have done (they never run)."""
    return [
        dict(a)
        for o in state.get("observations", [])
        if o.get("node") == "apply_tiers"
        for a in (o.get("data") or {}).get("observed", [])
    ]


def latest(results: Sequence[ActionResult]) -> dict[int, ActionResult]:
    """Action index -> its last result (an interim note is superseded by what is written after the decision)."""
    return {r["index"]: r for r in results}


def _sentence(label: str, items: Sequence[str]) -> str:
    return f"{label}: {'; '.join(items)}." if items else ""


def interim_text(
    spec: MissionSpec,
    actions: Sequence[Mapping[str, Any]],
    results: Mapping[int, ActionResult],
    observed: Sequence[Mapping[str, Any]],
    *,
    decision_to_come: bool,
) -> str:
    """What is true while some of the plan is not done: each other action as it stands now."""
    done, waiting, missed = [], [], []
    for i, action in enumerate(actions):
        if note_arg(spec, action["tool"]):
            continue
        result = results.get(i)
        if result is not None and result["status"] == "done":
            done.append(described(spec, action))
        elif action.get("tier") != "auto" and result is None:
            waiting.append(described(spec, action))
        else:
            status = _OUTCOME.get(result["status"], result["status"]) if result is not None else "not run"
            missed.append(f"{described(spec, action)} {status}")
    parts = [
        _sentence("Awaiting approval, not done", waiting),
        _sentence("Done", done),
        _sentence("Not done", missed),
        _sentence("Recorded only, not done (observe tier)", [described(spec, a) for a in observed]),
        "The mission's note on the outcome is written after the decision." if decision_to_come else "",
    ]
    return " ".join(p for p in parts if p)


def update_text(
    spec: MissionSpec,
    actions: Sequence[Mapping[str, Any]],
    results: Mapping[int, ActionResult],
    observed: Sequence[Mapping[str, Any]],
    decision: Mapping[str, Any],
) -> str:
    """What the decision did, when not every action is done: each action with its outcome (and a rejection's
    reason), instead of the note that assumed them all done."""
    by = str(decision.get("reviewer") or "the reviewer")
    lines = []
    for i, action in enumerate(actions):
        if note_arg(spec, action["tool"]):
            continue
        result = results.get(i)
        status = result["status"] if result is not None else "not run"
        if result is not None and (changed := edits(action, result)):
            proposed = ", ".join(f"{k}={action['args'].get(k)}" for k in changed)
            said = f"{described(spec, result)} {_OUTCOME.get(status, status)} as edited by the reviewer (proposed: "
            said += f"{proposed})"
        else:
            said = f"{described(spec, action)} {_OUTCOME.get(status, status)}"
        if status == "rejected" and result is not None and result.get("detail"):
            said += f" (the reviewer's reason: {result['detail']})"
        lines.append(said)
    observed_words = _sentence("Recorded only, not done (observe tier)", [described(spec, a) for a in observed])
    return " ".join(p for p in (f"Decided by {by}: {'; '.join(lines)}.", observed_words) if p)


def edits(action: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
    """The arguments a reviewer's edit changed, from the action as proposed to how it ran (none: as proposed)."""
    proposed, ran = action.get("args") or {}, result.get("args") or {}
    return [k for k in dict.fromkeys([*proposed, *ran]) if k != "idempotency_key" and proposed.get(k) != ran.get(k)]


def all_done(
    spec: MissionSpec,
    actions: Sequence[Mapping[str, Any]],
    results: Mapping[int, ActionResult],
    observed: Sequence[Mapping[str, Any]],
) -> bool:
    """Whether every action of the plan but its notes is done as proposed (so a note on the outcome is true): an
    action a reviewer edited (a capture of 150 where 338.03 was proposed) makes the proposed note untrue ("captured
    ahead of expiry" of a partial capture that left the rest uncaptured)."""
    others = [i for i, a in enumerate(actions) if not note_arg(spec, a["tool"])]
    return not observed and all(
        i in results and results[i]["status"] == "done" and not edits(actions[i], results[i]) for i in others
    )
