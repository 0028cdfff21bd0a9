"""Outreach drafts: an offline template filled only with facts the mission gathered, and the check every draft
passes (the template's, the LLM's and an owner's edit alike): it may state no number, make no promise and claim no
shared history that the evidence does not hold.

The check is deliberately literal: each number in the draft (``36%``, ``2``, ``2026-05-15``, ``1,200``) must be
one of the numbers the facts give, as written or rounded; promises of money or terms (discounts, credits, free
months, refunds) are never in the evidence (ACC-009); a meeting or conversation the writer claims to have had with
the customer ("since we last sat down", "as we discussed", words in ``words.toml``) must be one the signer held, per
the activities on record. A manager standing in for an owner who is away or left writes in their own voice: who
they are, whom they cover for, and what the records say.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_missions.mission_api import display_name, plain_text_problems

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_PROMISES = re.compile(r"\b(discount|credit|free|refund|waive|complimentary|price (?:cut|freeze))\w*", re.IGNORECASE)
_WORDS = tomllib.loads(Path(__file__).with_name("words.toml").read_text(encoding="utf-8"))


def _phrases(name: str) -> re.Pattern[str]:
    """Any phrase of the named list (every language), as whole words, longest first."""
    phrases = sorted({p for listed in _WORDS[name].values() for p in listed}, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


#: A meeting, call or conversation the writer claims to have had with the customer.
SHARED_HISTORY = _phrases("shared_history")


def shared_history_claims(text: str) -> list[str]:
    """The phrases of ``text`` that claim a history its writer shares with the customer, each once."""
    plain = text.replace("\u2019", "'")
    return sorted({" ".join(m.group(0).lower().split()) for m in SHARED_HISTORY.finditer(plain)})


def first_name(name: str | None) -> str:
    """The contact's first plain name (a CRM record's name is data: no link or markup reaches the e-mail)."""
    return display_name(name, first=True)


def draft_email(facts: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of the outreach, from the facts alone (one sentence per signal present)."""
    signals = facts.get("account.signals") or []
    lines: list[str] = []
    if "escalations" in signals:
        lines.append(
            f"I saw that {facts['cases.escalated_14d']} of your support cases were escalated over the last two "
            "weeks, and I want to make sure they get the attention they need."
        )
    if "usage_decline" in signals and facts.get("usage.change_pct") is not None:
        lines.append(
            f"Your team's use of the product is down {abs(round(facts['usage.change_pct']))}% over the last two "
            "weeks compared with the month before; I'd like to understand what changed."
        )
    if "silent_account" in signals:
        lines.append(_silence(facts))
    if "renewal_due" in signals and facts.get("renewal.close_date"):
        lines.append(
            f"With your renewal coming up on {facts['renewal.close_date']}, it is a good moment to review how "
            "things are going."
        )
    if not lines:
        lines.append("I'd like to check in on how things are going with your team.")
    body = (
        f"Hi {first_name(facts.get('account.contact_name'))},\n\n"
        + " ".join([*_standing_in(facts), *lines])
        + "\n\nWould you have 30 minutes this week for a call?\n\nBest regards,\n"
        + display_name(facts.get("account.sender_name"), fallback="Your account team")
    )
    account = str(facts.get("account.name") or "")
    subject = f"{account}: checking in" if account and not plain_text_problems(account) else "Checking in"
    return subject, body


def _standing_in(facts: Mapping[str, Any]) -> list[str]:
    """Who writes, when it is not the account's owner: the owner's manager, covering while the owner is away or
    after they left (ACC-007); nothing when the owner writes."""
    if facts.get("account.approver") in (None, facts.get("account.owner")):
        return []
    sender = display_name(facts.get("account.sender_name"), fallback="")
    owner = display_name(facts.get("account.owner_name"), fallback="")
    if not sender or not owner:
        return ["I am writing on behalf of your account manager."]
    first = display_name(owner, first=True)
    if facts.get("account.owner_status") == "away":
        return [f"I am {sender}, {owner}'s manager, and I am looking after your account while {first} is away."]
    return [f"I am {sender}, {owner}'s manager; {first} has left the company, and I am looking after your account."]


def _silence(facts: Mapping[str, Any]) -> str:
    """The silent account's sentence: a shared history only when the signer held the last meetings themself."""
    if facts.get("contact.sender_met") is True:
        return "It has been a while since we last sat down together, and I'd like to catch up."
    days = facts.get("contact.days_since")
    if days is not None:
        return f"The last meeting or call with your team on record was {days} days ago, and I'd like to catch up."
    if facts.get("contact.sender_met") is None:  # the call log could not be read: nothing to say about it
        return "I'd like to catch up with your team."
    return "I could not find a meeting or call with your team in our records, and I'd like to catch up."


def health_note(facts: Mapping[str, Any]) -> str:
    return f"Flagged {facts.get('risk.level')} (score {facts.get('risk.score')}): {facts.get('risk.reasons')}"


def _forms(value: Any) -> set[str]:
    """The ways a fact's number may be written."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float):
        number = float(value)
        forms = {f"{abs(number):g}", f"{abs(number):.0f}", f"{abs(number):,.0f}", f"{abs(number):.1f}"}
        forms |= {f"{abs(number):,.2f}", f"{abs(number):.2f}"}
        return forms
    if isinstance(value, str):
        return {m.replace(",", "") for m in NUMBER.findall(value)} | set(NUMBER.findall(value))
    if isinstance(value, list):
        return set().union(*(_forms(v) for v in value)) if value else set()
    return set()


#: Numbers any email may state whatever the facts: "30 minutes", "this week".
ALWAYS = {"30"}
#: Facts whose text (not numbers) is the template's own wording, so never evidence for a draft.
NOT_EVIDENCE = ("draft.subject", "draft.body", "draft.note")


def evidence_numbers(facts: Mapping[str, Any]) -> set[str]:
    found = set(ALWAYS)
    for name, value in facts.items():
        if name not in NOT_EVIDENCE:
            found |= _forms(value)
            if isinstance(value, str):  # dates: 2026-05-15 -> 2026, 05, 15 as well as the whole
                found |= set(re.findall(r"\d+", value))
    return found


def draft_problems(text: str, facts: Mapping[str, Any]) -> list[str]:
    """Why a draft states something the evidence does not hold (empty when every number and claim is backed)."""
    problems = []
    known = evidence_numbers(facts)
    for number in NUMBER.findall(text):
        stripped = number.rstrip(".,")
        if stripped not in known and stripped.replace(",", "") not in known:
            problems.append(f"states {stripped}, a number not in the evidence")
    for promise in {m.group(0).lower() for m in _PROMISES.finditer(text)}:
        problems.append(f"promises '{promise}', which no gathered fact or playbook grants (ACC-009)")
    if facts.get("contact.sender_met") is not True:
        problems += [
            f"claims '{claim}', a meeting or conversation the signer did not hold (none of theirs on record)"
            for claim in shared_history_claims(text)
        ]
    return problems
