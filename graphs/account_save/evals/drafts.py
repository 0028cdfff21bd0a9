"""The draft checks of the account mission's outreach: a draft invents nothing (every number and date in it is in
the evidence, the greeting names one of the account's contacts, the signature the person who decides, and a meeting
or conversation it speaks of as shared is one the signer held, per the activities read) and names the right signals
(each signal behind the flag is spoken of; none the account does not show)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ai_missions.graphs.account_save.drafts import NUMBER, shared_history_claims
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT

#: How a draft speaks of each signal it should name (the words a reader would look for).
SPOKEN = {
    "escalations": re.compile(r"\bescalat", re.IGNORECASE),
    "usage_decline": re.compile(r"\b(use|usage|users)\b.*\bdown\b|\bdown\b.*\b(use|usage)\b", re.IGNORECASE),
    "silent_account": re.compile(r"\b(a while since|last (sat|spoke|met)|catch up)", re.IGNORECASE),
    "renewal_due": re.compile(r"\brenewal\b", re.IGNORECASE),
}
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _evidence(context: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Numbers (as written or rounded) and dates the evidence holds: the gathered facts and the context read."""
    numbers: set[str] = {"30"}  # "30 minutes": the meeting the template asks for, not a claim about the account
    dates: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            v = abs(float(value))
            numbers.update({f"{v:g}", f"{v:.0f}", f"{v:,.0f}", f"{v:.1f}", f"{round(v)}"})
        elif isinstance(value, str):
            dates.update(_DATE.findall(value))
            dates.update(d[:10] for d in re.findall(r"\d{4}-\d{2}-\d{2}T", value))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk({k: v for k, v in facts.items() if not k.startswith("draft.")})
    walk(context)
    return numbers, dates


def draft_check(body: str, facts: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Whether a draft invents nothing and names the right signals (with what is wrong, for the report)."""
    numbers, dates = _evidence(context, facts)
    problems: list[str] = []
    found_dates = _DATE.findall(body)
    for found in found_dates:
        if found not in dates:
            problems.append(f"date {found} not in the evidence")
    for number in NUMBER.findall(_DATE.sub(" ", body)):
        token = number.rstrip(".,")
        if token not in numbers and token.replace(",", "") not in numbers:
            problems.append(f"number {token} not in the evidence")
    greeting = re.match(r"\s*(?:Hi|Hello|Dear)\s+([^,\n]+),", body)
    contacts = {str(c["name"]).split(" ")[0] for c in context.get("contacts") or []}
    if greeting and greeting.group(1).strip() not in contacts | {"there"}:
        problems.append(f"greets {greeting.group(1).strip()!r}, not a contact of the account")
    signed = body.rstrip().splitlines()[-1].strip() if body.strip() else ""
    signer = {facts.get("account.sender_name"), "Your account team"}
    if signed not in signer:
        problems.append(f"signed {signed!r}, not by the person who decides")
    decider = facts.get("account.approver")
    held = any(a.get("meaningful") and a.get("held_by") == decider for a in context.get("activities") or [])
    if decider is None or not held:
        claims = shared_history_claims(body)
        problems += [f"claims {c!r}, a meeting or conversation {decider} did not hold" for c in claims]
    signals = [s for s in facts.get(TYPES_FACT) or [] if s in SPOKEN]
    missing = [s for s in signals if not SPOKEN[s].search(body)]
    spurious = [s for s, pattern in SPOKEN.items() if s not in signals and pattern.search(body)]
    return {
        "invented": problems,
        "signals_named": not missing and not spurious,
        "missing_signals": missing,
        "spurious_signals": spurious,
    }
