"""The playbook's signal thresholds and risk weights (ACC-002 to ACC-008), in one place.

The same function scores an account from the cheap whole-book read (the morning scan ranks every account with
it) and from the full context a mission run gathers, so the brief's order and each run's facts agree. Thresholds
are the ones the policies' clauses state; a policy change means a change here too (a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ai_missions.graphs.account_save.vocabulary import FLAGGING

RECENT_DAYS = 14  # the usage window compared...
PRIOR_DAYS = 28  # ...with the four weeks before it
USAGE_DECLINE_PCT = -30.0  # ACC-003: active users down 30% or more (14 days vs the 28 before)
ESCALATIONS_14D = 2  # ACC-004: two or more escalated cases in two weeks
RENEWAL_WINDOW_DAYS = 90  # ACC-005
SILENT_DAYS = 45  # ACC-006
TIER_ONE_SCORE = 60.0  # ACC-002
TIER_TWO_SCORE = 35.0
TIER_WEIGHT = {"tier1": 1.2, "tier2": 1.0, "tier3": 0.85}


@dataclass(frozen=True, slots=True)
class Signals:
    """What an account shows, whichever read it came from (None: not known)."""

    tier: str
    owner_status: str
    usage_days: int
    usage_invalid_days: int
    usage_recent_avg: float | None
    usage_prior_avg: float | None
    escalations_7d: int
    escalations_14d: int
    renewal_days: int | None
    days_since_contact: int | None
    has_data: bool = True

    @property
    def usage_change_pct(self) -> float | None:
        if self.usage_invalid_days or self.usage_recent_avg is None or not self.usage_prior_avg:
            return None
        return round((self.usage_recent_avg - self.usage_prior_avg) / self.usage_prior_avg * 100, 1)


@dataclass(frozen=True, slots=True)
class Risk:
    score: float
    level: str
    signals: tuple[str, ...]
    reasons: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> bool:

        return any(s in FLAGGING for s in self.signals)


def assess(s: Signals) -> Risk:
    """Score and signals of one account; every signal comes with its reason (what was seen, against what)."""
    if not s.has_data:
        return Risk(0.0, "watch", ("no_data",), ("no usage, contacts or opportunities on record (ACC-008)",))
    signals: list[str] = []
    reasons: list[str] = []
    score = 0.0
    change = s.usage_change_pct
    if s.usage_invalid_days:
        signals.append("broken_usage")
        reasons.append(f"usage series has {s.usage_invalid_days} missing or negative day(s) (ACC-008)")
    elif change is not None and change < 0:
        score += min(40.0, -change * 0.8)
        if change <= USAGE_DECLINE_PCT:
            signals.append("usage_decline")
            reasons.append(f"usage down {-change:.0f}% (threshold {-USAGE_DECLINE_PCT:.0f}%, ACC-003)")
    if s.escalations_14d:
        score += min(35.0, 15.0 * s.escalations_14d + (10.0 if s.escalations_7d >= 2 else 0.0))
        if s.escalations_14d >= ESCALATIONS_14D:
            signals.append("escalations")
            reasons.append(f"{s.escalations_7d} escalated case(s) in 7 days, {s.escalations_14d} in 14 (ACC-004)")
    silent = s.days_since_contact is None or s.days_since_contact >= SILENT_DAYS
    if silent:
        days = s.days_since_contact if s.days_since_contact is not None else 120
        score += min(20.0, 10.0 + (days - SILENT_DAYS) / 5)
        signals.append("silent_account")
        said = f"{days} days" if s.days_since_contact is not None else "no contact on record"
        reasons.append(f"no meaningful contact for {said} (threshold {SILENT_DAYS}, ACC-006)")
    at_risk_before_renewal = bool(signals)
    if s.renewal_days is not None and 0 <= s.renewal_days <= RENEWAL_WINDOW_DAYS:
        score += 5.0 + 15.0 * (1 - s.renewal_days / RENEWAL_WINDOW_DAYS) if at_risk_before_renewal else 0.0
        signals.append("renewal_due")
        reasons.append(f"renewal in {s.renewal_days} days (window {RENEWAL_WINDOW_DAYS}, ACC-005)")
    if s.owner_status == "left":
        signals.append("owner_unavailable")
        reasons.append("the owner left the company (ACC-007)")
    score = round(min(100.0, score * TIER_WEIGHT.get(s.tier, 1.0)), 1)
    level = "tier_one" if score >= TIER_ONE_SCORE else "tier_two" if score >= TIER_TWO_SCORE else "watch"
    return Risk(score, level, tuple(signals) or ("healthy",), tuple(reasons))


def from_page_row(row: Mapping[str, Any]) -> Signals:
    """Signals from one row of ``list_account_signals``."""
    return Signals(
        tier=row["tier"],
        owner_status=row["owner_status"],
        usage_days=row["usage_days"],
        usage_invalid_days=row["usage_invalid_days"],
        usage_recent_avg=row["usage_recent_avg"],
        usage_prior_avg=row["usage_prior_avg"],
        escalations_7d=row["escalations_7d"],
        escalations_14d=row["escalations_14d"],
        renewal_days=row["renewal_days"],
        days_since_contact=row["days_since_contact"],
        has_data=bool(row["usage_days"] or row["open_cases"] or row["renewal_days"] is not None),
    )


def usage_only_change(row: Mapping[str, Any]) -> float:
    """The baseline rule's key: usage change alone (most negative first); unknown sorts last."""
    change = from_page_row(row).usage_change_pct
    return change if change is not None else float("inf")
