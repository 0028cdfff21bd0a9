"""How the account mission asks Enterprise Knowledge about each signal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS: dict[str, str] = {
    "usage_decline": "product usage of the account dropped: usage decline threshold and check-in play",
    "escalations": "escalated support cases on the account: escalation signal and outreach",
    "renewal_due": "renewal date approaching on an at-risk account: renewal window and save desk escalation",
    "silent_account": "no meaningful contact with the account for weeks: silent account play",
    "owner_unavailable": "account owner left the company: owner coverage and reassignment",
    "broken_usage": "usage data of the account is broken or missing days: data quality",
    "no_data": "account without any data: data quality escalation",
    "healthy": "healthy account with no risk signal: watch list",
}


def question_for(case_type: str, facts: Mapping[str, Any]) -> str:
    level = facts.get("risk.level")
    return QUESTIONS[case_type] + (f" (risk {level})" if level else "")
