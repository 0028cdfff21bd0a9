"""What a customer sees of a run about their own records: where their case stands and what was sent to them, never
the mission's internal reasoning.

The authorization point lets a customer see a run whose case is theirs (:mod:`ai_missions.services.authorization`);
what they see of it is this view, on every surface that shows a customer a run (the platform API's ``read_run`` and
``list_runs``, the CLI's ``runs`` and ``show``). A reviewer's view holds the facts the mission gathered (a fraud
score and its reasons, a customer's history), the policy clauses, the verdict and who decided: none of that is the
customer's to read (issue 59, item 9: ``read_run`` gave a customer their run's fraud score, its reasons and the
reviewers' names). The view keeps the run's identity and status, each decision's status, and the texts that reached
the customer (a reply sent, as sent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.store import Decision

#: What a customer reads of a run's record.
RUN_FIELDS = ("run_id", "mission", "subject_id", "status", "created_at", "updated_at")


def customer_run(run: Mapping[str, Any]) -> dict[str, Any]:
    """A run's record as its customer reads it: which case, and where it stands (no verdict, no case types)."""
    return {k: run.get(k) for k in RUN_FIELDS}


def sent_to_customer(mission: str, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The texts that reached someone outside (a reply to the customer), as sent: each done action of a tool that
    reaches outside, with its free-text arguments only."""
    tools = get_mission(mission).tools
    sent = []
    for event in events:
        data = event.get("data") or {}
        rule = tools.get(str(data.get("tool"))) if event.get("kind") == "action_result" else None
        if rule is None or not rule.spec.reaches_outside or data.get("status") != "done":
            continue
        args = data.get("args") or {}
        sent.append({"at": event.get("at"), "tool": data["tool"], **{k: args[k] for k in rule.free_text if k in args}})
    return sent


def customer_view(
    run: Mapping[str, Any], decisions: Sequence[Decision], events: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A run as its customer reads it: its record's identity and status, each decision's status (not who decided,
    nor what was proposed), and what was sent to them."""
    return {
        "run": customer_run(run),
        "decisions": [{"decision_id": d.decision_id, "status": d.status} for d in decisions],
        "sent": sent_to_customer(str(run["mission"]), events),
    }
