"""The account mission's words: the risk signals an account can show, the save plays a verdict can call, and the
facts the playbooks (``policies/ACC-*.md``) are written against."""

from __future__ import annotations

from ai_missions.mission_api import Vocabulary

#: Signals (case types) in the order the brief names them.
CASE_TYPES: tuple[str, ...] = (
    "usage_decline",
    "escalations",
    "renewal_due",
    "silent_account",
    "owner_unavailable",
    "broken_usage",
    "no_data",
    "healthy",
)
#: The signals that flag an account for the morning brief on their own (a renewal date alone does not).
FLAGGING: tuple[str, ...] = (
    "usage_decline",
    "escalations",
    "silent_account",
    "owner_unavailable",
    "broken_usage",
    "no_data",
)

OUTCOMES: tuple[str, ...] = ("save_play", "check_in", "reassign", "watch", "escalate")
ADVANCING: tuple[str, ...] = ("save_play", "check_in", "reassign")
DOMAINS: tuple[str, ...] = ("account_management",)
TYPES_FACT = "account.signals"

FACTS: dict[str, tuple[str, str]] = {
    TYPES_FACT: ("list", "risk signals found on the account (healthy when none)"),
    "account.id": ("str", "the account id"),
    "account.name": ("str", "the account's name"),
    "account.tier": ("str", "tier1, tier2 or tier3 (by contract value)"),
    "account.arr": ("number", "annual contract value"),
    "account.owner": ("str", "the owner of record (an owner id, which is the owner's sign-in name)"),
    "account.owner_name": ("str", "the owner's full name"),
    "account.owner_status": ("str", "active, away or left"),
    "account.owner_manager": ("str", "the owner's manager (owner id)"),
    "account.approver": (
        "str",
        "who decides this account's customer-facing actions: the owner, or their manager when the owner is away or "
        "left (none when neither is active)",
    ),
    "account.sender_name": ("str", "whose name outreach is signed with (the approver's full name)"),
    "account.contact_id": ("str", "the primary contact"),
    "account.contact_name": ("str", "the primary contact's name"),
    "contact.do_not_contact": (
        "bool",
        "a health note or the call log says the customer asked not to be contacted (no e-mails or calls, for now or "
        "until a date); read with its words; None when neither could be read or it is said unsurely",
    ),
    "contact.departed": (
        "bool",
        "a health note or the call log says the contact has left the company; None when neither could be read or "
        "it is said unsurely",
    ),
    "usage.change_pct": ("number", "active users, last 14 days vs the 28 before, in percent (negative: down)"),
    "usage.recent_avg": ("number", "average daily active users over the last 14 days"),
    "usage.prior_avg": ("number", "average daily active users over the 28 days before"),
    "usage.invalid_days": ("int", "days of the usage series that are missing or negative"),
    "cases.escalated_7d": ("int", "support cases escalated in the last 7 days"),
    "cases.escalated_14d": ("int", "support cases escalated in the last 14 days"),
    "cases.open": ("int", "open support cases"),
    "renewal.opportunity_id": ("str", "the open renewal opportunity"),
    "renewal.days": ("int", "days until the renewal closes"),
    "renewal.close_date": ("str", "the renewal date"),
    "renewal.escalated": ("bool", "the renewal is already escalated"),
    "contact.days_since": ("int", "days since the last meaningful contact (meeting, call, review)"),
    "risk.score": ("number", "risk score 0-100 from the playbook's weights (ACC-002)"),
    "risk.level": ("str", "tier_one, tier_two or watch"),
    "risk.reasons": ("str", "the signals behind the score, in one line"),
    "draft.subject": ("str", "the outreach email's subject, from the template"),
    "draft.body": ("str", "the outreach email, filled only with gathered facts"),
    "draft.note": ("str", "the internal health note recording the flag"),
}

VOCABULARY = Vocabulary(
    case_types=CASE_TYPES,
    outcomes=OUTCOMES,
    facts=FACTS,
    domains=DOMAINS,
    types_fact=TYPES_FACT,
    advancing_outcomes=ADVANCING,
)
