"""The facts of one account, derived from its context read: the signals (as the morning scan computes them from
the whole-book read), the risk score and its reasons, who approves, and the drafts filled from those facts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ai_missions.graphs.account_save.drafts import draft_email, health_note
from ai_missions.graphs.account_save.scoring import PRIOR_DAYS, RECENT_DAYS, Risk, Signals, assess
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT
from ai_missions.nodes.api import (
    READ,
    THRESHOLD,
    UNEXPLAINED,
    OfflineReader,
    Source,
    Text,
    place_texts,
    read_facts,
    read_in_order,
    reading_model,
    unexplained_facts,
)

#: The author of the health notes the mission writes itself: its own records, never evidence of what people said.
NOTE_AUTHOR = "account-save"
#: Notes and call logs are read by the reading layer's rules (no embedding model: read the same way every time).
READER = OfflineReader(semantic=False)
#: The kinds of fact this mission reads from what people wrote: every statement about the account is placed against
#: them, or it is unexplained (issue 57).
KINDS_READ = ("contact_paused", "contact_departed")
#: What the mission reads from what people wrote, as a typed model: a field per kind it decides on, with the words
#: that decide it, and what was not read (issue 57).
READING = reading_model("AccountReading", KINDS_READ)
#: The facts each kind read decides (what a clause must read for a statement of the kind to be acted on).
DERIVES = {"contact_paused": ("contact.do_not_contact",), "contact_departed": ("contact.departed",)}


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def signals_of(context: Mapping[str, Any]) -> Signals:
    """The account's signals from its context read (the same definitions as ``list_account_signals``)."""
    now = _moment(context["book_now"])
    today = now.date()
    recent_from = today - timedelta(days=RECENT_DAYS)
    prior_from = recent_from - timedelta(days=PRIOR_DAYS)
    window = [p for p in context.get("usage") or [] if _day(p["day"]) > prior_from]
    valid = [p for p in window if p["active_users"] is not None and p["active_users"] >= 0]
    recent = [p["active_users"] for p in valid if _day(p["day"]) > recent_from]
    prior = [p["active_users"] for p in valid if _day(p["day"]) <= recent_from]
    cases = context.get("support_cases") or []
    escalated = [_moment(c["escalated_at"]) for c in cases if c["escalated"] and c.get("escalated_at")]
    renewals = [
        o
        for o in context.get("opportunities") or []
        if o["kind"] == "renewal" and o["stage"] not in ("closed_won", "closed_lost")
    ]
    renewal = min(renewals, key=lambda o: o["close_date"]) if renewals else None
    contacts = [_moment(a["at"]) for a in context.get("activities") or [] if a["meaningful"]]
    owner = context.get("owner") or {}
    open_cases = sum(1 for c in cases if c["status"] == "open")
    return Signals(
        tier=(context.get("account") or {}).get("tier", "tier3"),
        owner_status=owner.get("status", "left"),
        usage_days=len(window),
        usage_invalid_days=len(window) - len(valid),
        usage_recent_avg=round(sum(recent) / len(recent), 2) if recent else None,
        usage_prior_avg=round(sum(prior) / len(prior), 2) if prior else None,
        escalations_7d=sum(1 for at in escalated if at >= now - timedelta(days=7)),
        escalations_14d=sum(1 for at in escalated if at >= now - timedelta(days=14)),
        renewal_days=(_day(renewal["close_date"]) - today).days if renewal else None,
        days_since_contact=(today - max(contacts).date()).days if contacts else None,
        has_data=bool(window or open_cases or renewal),
    )


def approver_of(owner: Mapping[str, Any] | None, manager: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Who decides for the account: its owner when active, else the owner's manager when active, else nobody."""
    if owner and owner.get("status") == "active":
        return owner
    if manager and manager.get("status") == "active":
        return manager
    return None


def held_contact(activities: list[Mapping[str, Any]] | None, person: Mapping[str, Any] | None) -> bool | None:
    """Whether ``person`` held a meaningful contact with the account (a meeting, call or review logged as theirs):
    what lets a draft they sign speak of a shared history. None when the activities could not be read."""
    if activities is None:
        return None
    return person is not None and any(a["meaningful"] and a.get("held_by") == person["owner_id"] for a in activities)


def derive_facts(context: Mapping[str, Any]) -> tuple[dict[str, Any], Risk]:
    signals = signals_of(context)
    risk = assess(signals)
    account = context.get("account") or {}
    owner = context.get("owner") or {}
    manager = context.get("manager")
    approver = approver_of(owner, manager)
    contact = next(iter(context.get("contacts") or []), None)
    renewals = [
        o
        for o in context.get("opportunities") or []
        if o["kind"] == "renewal" and o["stage"] not in ("closed_won", "closed_lost")
    ]
    renewal = min(renewals, key=lambda o: o["close_date"]) if renewals else None
    signals_found = list(risk.signals)
    if approver is None and "owner_unavailable" not in signals_found:
        # ACC-001: neither the owner nor their manager is active (an owner away whose manager is away or left too):
        # nobody may decide, which is what ACC-007 escalates to sales leadership.
        signals_found = [s for s in signals_found if s != "healthy"] + ["owner_unavailable"]
    facts: dict[str, Any] = {
        TYPES_FACT: signals_found,
        "account.id": account.get("account_id"),
        "account.name": account.get("name"),
        "account.tier": account.get("tier"),
        "account.arr": account.get("arr"),
        "account.owner": owner.get("owner_id"),
        "account.owner_name": owner.get("name"),
        "account.owner_status": owner.get("status"),
        "account.owner_manager": owner.get("manager_id"),
        "account.approver": approver["owner_id"] if approver else None,
        "account.sender_name": approver["name"] if approver else None,
        "account.contact_id": contact["contact_id"] if contact else None,
        "account.contact_name": contact["name"] if contact else None,
        "usage.change_pct": signals.usage_change_pct,
        "usage.recent_avg": signals.usage_recent_avg,
        "usage.prior_avg": signals.usage_prior_avg,
        "usage.invalid_days": signals.usage_invalid_days,
        "cases.escalated_7d": signals.escalations_7d,
        "cases.escalated_14d": signals.escalations_14d,
        "cases.open": sum(1 for c in context.get("support_cases") or [] if c["status"] == "open"),
        "renewal.opportunity_id": renewal["opportunity_id"] if renewal else None,
        "renewal.days": signals.renewal_days,
        "renewal.close_date": renewal["close_date"] if renewal else None,
        "renewal.escalated": renewal["escalated"] if renewal else None,
        "contact.days_since": signals.days_since_contact,
        "contact.sender_met": held_contact(context.get("activities"), approver),
        "risk.score": risk.score,
        "risk.level": risk.level,
        "risk.reasons": "; ".join(risk.reasons) or "no risk signal",
    }
    facts["contact.do_not_contact"] = said_in_text(context, "contact_paused")
    facts["contact.departed"] = said_in_text(context, "contact_departed")
    names = [str(account.get("name") or ""), *(str(c.get("name") or "") for c in context.get("contacts") or [])]
    names += [str(owner.get("name") or "")]
    placed = place_texts(texts_about(context), KINDS_READ, READER, known=names)
    facts[UNEXPLAINED], facts[READ] = unexplained_facts(placed), read_facts(placed, DERIVES)
    facts["draft.subject"], facts["draft.body"] = draft_email(facts)
    facts["draft.note"] = health_note(facts)
    return facts, risk


def said_in_text(context: Mapping[str, Any], kind: str) -> bool | None:
    """Whether people's health notes, the call log (activities' summaries) or the subjects of the account's support
    cases state a fact of ``kind`` about the account (the reading layer, with its words): True when one does, False
    when none does (or the kind's words are barely there), None when none of them could be read or what one says is
    unsure (then a person decides)."""
    notes, activities, cases = context.get("health_notes"), context.get("activities"), context.get("support_cases")
    if notes is None and activities is None and cases is None:
        return None
    texts = texts_about(context)
    texts += [
        Text(
            Source("accounts", str(c["case_id"]), "support case subject"),
            str(c["subject"]),
            str(c.get("opened_at") or ""),
        )
        for c in cases or []
    ]
    now = context.get("book_now")
    reading = read_in_order(texts, [kind], READER, today=_day(now) if now else None)
    fact = reading.facts.get(kind)
    if fact is not None and fact.confidence >= THRESHOLD and reading.get(kind) is None:
        return None
    return reading.affirmed(kind) is True


def texts_about(context: Mapping[str, Any]) -> list[Text]:
    """What people wrote about the account: its health notes (the mission's own excepted) and the call log's
    summaries, with when each was written. A support case's subject is the case's title, whose status is data."""
    texts = [
        Text(
            Source("accounts", str(n["note_id"]), "health note", writer="staff"), str(n["body"]), str(n.get("at") or "")
        )
        for n in context.get("health_notes") or []
        if n["author"] != NOTE_AUTHOR
    ]
    texts += [
        Text(Source("accounts", str(a["activity_id"]), f"{a['kind']} log", writer="staff"), str(a["summary"]),
             str(a.get("at") or ""))
        for a in context.get("activities") or []
    ]  # fmt: skip
    return texts
