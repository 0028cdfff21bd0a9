"""A support plan read back to the customer (SUP-010 v8) and their yes: the read-back approved and sent, the
customer's answer written on the ticket as the helpdesk's customer tool writes it, and the run that answer starts
(its plan goes on, waiting in the Decision Queue). Tests of what an approved support plan does start from here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ai_missions.client import MissionClient
from ai_missions.testing import operator_grant

YES = "Yes, please go ahead."


def read_back_of(outcome: Any) -> dict[str, Any]:
    """The reply that reads the plan back (the run's verdict must be one)."""
    assert outcome.verdict is not None
    assert outcome.verdict["outcome"] == "ask_customer", outcome.verdict["summary"]
    reply = next(a["args"] for a in outcome.verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert "read_back" in reply["tags"], reply["body"]
    return dict(reply)


def confirmed(missions: MissionClient, home: Path, outcome: Any, reviewer: str = "sam", answer: str = YES) -> Any:
    """The run after the customer said ``answer`` to the plan ``outcome`` read back (sent once ``reviewer``
    approved it)."""
    ticket_id = read_back_of(outcome)["ticket_id"]
    missions.decide(outcome.decision_id, reviewer, approve=True)
    args = {"ticket_id": ticket_id, "body": answer, "idempotency_key": f"read-back-yes:{outcome.run_id}"}
    meta = operator_grant(home, "add_customer_message", args)
    missions.call_tool("add_customer_message", args, mission="support", meta=meta)
    return missions.start("support", ticket_id)
